"""Closing the window while something runs: it is hidden before anything waits for training, no
thread is left running (Qt would warn "QThread: Destroyed while thread is still running", then
abort), and the partial run is saved as stopped."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QSpinBox

from lrexplorer.core import events as ev
from lrexplorer.core.data import datasets as data
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.gui.workers.worker import running_threads
from tests.gui.reliability_support import (
    LONG,
    TINY,
    point_keras_home,
    silent_server_url,
    window_maker,
)

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("propagateSizeHints"),  # the offscreen platform's own notice
]


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


def close(window) -> None:
    """Close as the user does: the window is hidden before anything waits for the training
    thread (the user sees it gone at once), and when close() returns no thread is left."""
    visible_while_waiting = []
    shutdown = window.controller.shutdown

    def watched_shutdown(*args, **kwargs):
        visible_while_waiting.append(window.isVisible())
        return shutdown(*args, **kwargs)

    window.controller.shutdown = watched_shutdown
    window.close()
    del window.controller.shutdown
    assert visible_while_waiting in ([], [False], [False, False])
    assert not window.isVisible() and running_threads() == []


def saved(tmp_path) -> dict[str, object]:
    records, warnings = RunStore(tmp_path / "runs").load_all()
    assert warnings == []
    return {record.id: record for record in records}


def visible_windows() -> list[str]:
    return [w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()]


@pytest.mark.parametrize("moment", ["compiling", "training"])
def test_closing_during_a_run(qtbot, make_window, tmp_path, moment):
    """While training, the run stops at the next batch. While Keras compiles the first step it
    cannot be interrupted: the window is gone at once, and the process ends when compiling
    does (~1.5 s here, ~3 s with both cores busy)."""
    window = make_window(LONG)
    started = []
    window.controller.run_event.connect(
        lambda record, event: started.append(event) if isinstance(event, ev.RunStarted) else None
    )
    window.start_run()
    current = window.controller.current
    if moment == "compiling":  # the first step is still being traced and compiled
        qtbot.waitUntil(lambda: bool(started), timeout=30000)
    else:
        qtbot.waitUntil(lambda: current.steps_done >= 5, timeout=30000)
    close(window)
    window.close()  # again, e.g. Ctrl+Q and then the window manager's close
    (record,) = saved(tmp_path).values()
    assert record.id == current.id and record.status == ev.STOPPED
    RunStore(tmp_path / "runs").load_history(record)
    assert len(record.batches["step"]) == record.steps_done >= (0 if moment == "compiling" else 5)
    assert record.steps_done < record.total_steps  # stopped, not left to run out


def test_closing_during_a_sweep(qtbot, make_window, tmp_path):
    window = make_window()
    configs = [TINY.replace(learning_rate=1e-3)] + [
        LONG.replace(learning_rate=rate) for rate in (1e-3, 1e-4, 1e-5)
    ]
    records = window.lessons.start_runs(configs)
    qtbot.waitUntil(lambda: records[1].steps_done >= 3, timeout=60000)
    assert window.controller.queued == 2
    close(window)
    kept = saved(tmp_path)
    assert kept[records[0].id].status == ev.FINISHED
    assert kept[records[1].id].status == ev.STOPPED
    assert records[2].id not in kept and records[3].id not in kept  # never started
    assert visible_windows() == []  # no sweep summary popping up as the window goes


def test_closing_during_the_range_test(qtbot, make_window, tmp_path):
    window = make_window(TINY)
    window.lessons.open_lr_finder()
    dialog = window.findChild(object, "LrFinderDialog")
    dialog.findChild(QSpinBox, "finderStepsSpin").setValue(5000)
    dialog.start_test()
    qtbot.waitUntil(lambda: dialog._plot.count >= 3, timeout=30000)
    assert dialog.running
    close(window)
    assert visible_windows() == []
    assert saved(tmp_path) == {}  # a range test is not a run


def test_closing_during_a_download_that_hangs(qtbot, make_window, tmp_path, monkeypatch):
    server = silent_server_url()
    monkeypatch.setenv(data.MIRROR_ENV, next(server))
    point_keras_home(monkeypatch, tmp_path / "keras-home")
    window = make_window(TINY.replace(dataset="mnist"))
    progress = []
    window.controller.run_event.connect(lambda record, event: progress.append(event))
    window.start_run()
    qtbot.waitUntil(lambda: any(isinstance(e, ev.DataProgress) for e in progress), timeout=10000)
    try:
        close(window)
    finally:
        server.close()
    (record,) = saved(tmp_path).values()
    assert record.status == ev.STOPPED
