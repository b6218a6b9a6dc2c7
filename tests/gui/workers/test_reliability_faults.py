"""Faults and interruptions in the window: a diverging run, a failure inside training, Stop and
Pause at awkward moments, Start twice, and no network. Each ends as the user would expect, is
explained, and keeps what was trained."""

from __future__ import annotations

import math
import threading
import time

import pytest
from PySide6.QtCore import Qt

from lrexplorer.core import events as ev
from lrexplorer.core.data import datasets as data
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.core.training import fit_callback
from tests.gui.reliability_support import (
    LONG,
    TINY,
    Hold,
    closed_port_url,
    point_keras_home,
    run_to_end,
    silent_server_url,
    window_maker,
    without_stall_timeout,
)

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("propagateSizeHints"),  # the offscreen platform's own notice
]


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


@pytest.fixture
def silent_server():
    yield from silent_server_url()


def seen_events(window) -> list:
    events: list = []
    window.controller.run_event.connect(lambda record, event: events.append(event))
    return events


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def stop(qtbot, window, release=None):
    """Press Stop now (then let a held training thread go on); the finished record."""
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
        click(qtbot, window.run_bar.stop)
        if release is not None:
            release.set()
    return finished.args[0]


# --- divergence and failures ---------------------------------------------------------------
def test_a_diverging_run_ends_as_diverged_shown_and_saved(qtbot, make_window, tmp_path):
    window = make_window(TINY.replace(optimizer="sgd", learning_rate=10.0, train_samples=640))
    record = run_to_end(qtbot, window)
    assert record.status == ev.DIVERGED
    steps = record.batches["step"]
    assert 1 < len(steps) < 20 and not math.isfinite(record.batches["loss"][-1])
    # The curve ends where the loss stopped being a number; everything drawn is finite.
    window.plots.redraw_now()
    drawn_steps, losses = window.plots.curve_data(record.id, "loss")
    assert len(drawn_steps) >= len(steps) - 1 and math.isfinite(max(losses))
    row = window.runs_panel.records().index(record)
    status = window.runs_panel.table.model().index(row, 2).data()
    assert status == "diverged"
    assert window.banner.level == "warning"
    assert "diverged" in window.banner.message() and "too high" in window.banner.message()
    assert "diverged" in window.run_bar.progress_label.text()
    (saved,), _ = RunStore(tmp_path / "runs").load_all()
    RunStore(tmp_path / "runs").load_history(saved)
    assert saved.status == ev.DIVERGED and saved.batches["step"] == steps


def test_failures_inside_and_outside_training_become_messages_and_the_next_run_works(
    qtbot, make_window, tmp_path, monkeypatch
):
    """Injected mid-run inside Keras's fit (the main window test injects before training), and
    outside the trainer, in the worker thread itself."""
    window = make_window(TINY.replace(epochs=2))

    def explode(self, epoch, logs=None):
        raise RuntimeError("injected failure at the end of an epoch")

    monkeypatch.setattr(fit_callback._EventCallbackMixin, "on_epoch_end", explode)
    inside = run_to_end(qtbot, window)
    monkeypatch.undo()
    assert inside.status == ev.FAILED and inside.batches["step"] == list(range(1, 9))
    message = window.banner.message()
    assert message.startswith(f"{inside.label} failed: RuntimeError: injected failure")
    assert "Traceback" in window.banner.toolTip()  # the details, for whoever asks

    def broken_run(*args, **kwargs):
        raise MemoryError("injected: out of memory")

    monkeypatch.setattr(window.controller._trainer, "run", broken_run)
    outside = run_to_end(qtbot, window)
    monkeypatch.undo()
    assert outside.status == ev.FAILED
    assert "MemoryError: injected: out of memory" in window.banner.message()

    again = run_to_end(qtbot, window)
    assert again.status == ev.FINISHED and len(again.epochs) == 2
    saved = {r.id: r.status for r in RunStore(tmp_path / "runs").load_all()[0]}
    assert saved == {inside.id: ev.FAILED, outside.id: ev.FAILED, again.id: ev.FINISHED}


# --- stop, pause, start at awkward moments ----------------------------------------------------
def test_stop_before_the_first_batch_has_finished(qtbot, make_window, monkeypatch):
    window = make_window(LONG)
    hold = Hold(monkeypatch, "on_train_begin")  # fit has begun; no batch has trained
    window.start_run()
    qtbot.waitUntil(hold.reached.is_set, timeout=60000)
    assert window.controller.current.steps_done == 0
    record = stop(qtbot, window, release=hold.released)
    assert record.status == ev.STOPPED and record.steps_done == 0  # not one batch trained
    assert "stopped" in window.run_bar.progress_label.text()
    assert window.run_bar.start.isEnabled() and not window.run_bar.stop.isEnabled()


def test_stop_during_validation(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(test_samples=2000, epochs=3))
    validated: list[int] = []
    # At the end of the first validation call, before the callback looks for a stop: 8
    # batches of 63, as a call runs at most an epoch's batches (256 images, batches of 32).
    hold = Hold(monkeypatch, "on_test_batch_end", after=False)
    original = fit_callback._EventCallbackMixin.on_test_batch_end

    def count(self, batch, logs=None):
        validated.append(batch)
        original(self, batch, logs)

    monkeypatch.setattr(fit_callback._EventCallbackMixin, "on_test_batch_end", count)
    window.start_run()
    qtbot.waitUntil(hold.reached.is_set, timeout=60000)
    record = stop(qtbot, window, release=hold.released)
    assert record.status == ev.STOPPED
    assert validated == [7]  # validation ended with the call the stop came in
    assert record.batches["step"] == list(range(1, 9))  # the epoch's batches are all kept
    assert record.epochs == []  # its validation did not finish: no half result


def test_stop_between_epochs(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(epochs=3))
    between = threading.Event()
    original = fit_callback._EventCallbackMixin.on_epoch_begin

    def hold_before_epoch_two(self, epoch, logs=None):
        if epoch == 1:  # 0-based: epoch 1 is done and validated, epoch 2 not begun
            between.set()
            deadline = time.monotonic() + 120  # the test stops it long before
            while not self.control.stopping and time.monotonic() < deadline:
                time.sleep(0.01)
        original(self, epoch, logs)

    monkeypatch.setattr(fit_callback._EventCallbackMixin, "on_epoch_begin", hold_before_epoch_two)
    window.start_run()
    qtbot.waitUntil(between.is_set, timeout=30000)
    record = stop(qtbot, window)
    assert record.status == ev.STOPPED
    assert [e["epoch"] for e in record.epochs] == [1]
    assert record.epochs[0]["val_accuracy"] is not None
    assert record.steps_done == 8  # not one batch of the next epoch


def test_a_pause_then_resume_and_a_stop_while_paused(qtbot, make_window, monkeypatch):
    """60 batches, 32 per compiled call. Pause is pressed while the training thread is held
    after the first call; it takes effect before batch 33, inside the second call. Nothing
    trains while paused, the progress says so, and resuming finishes the run; a second run
    paused the same way is stopped while paused, and trains nothing more."""
    window = make_window(LONG.replace(train_samples=480, epochs=1))
    events = seen_events(window)

    def pause_after_the_first_call() -> Hold:
        hold = Hold(monkeypatch, "on_train_batch_end")
        window.start_run()
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        click(qtbot, window.run_bar.pause)
        hold.released.set()
        qtbot.waitUntil(lambda: any(isinstance(e, ev.Paused) for e in events), timeout=60000)
        return hold

    with qtbot.waitSignal(window.controller.run_finished, timeout=120000) as finished:
        began = time.monotonic()
        hold = pause_after_the_first_call()
        paused = next(e for e in events if isinstance(e, ev.Paused))
        assert paused.step == 32 and window.controller.current.steps_done == 32
        qtbot.wait(1500 + round(2000 * hold.seconds))  # (a pause of two minutes: a slow test)
        assert window.controller.current.steps_done == 32  # nothing trains while paused
        assert "paused" in window.run_bar.progress_label.text()
        click(qtbot, window.run_bar.pause)
        assert window.run_bar.pause.text() == "Pause"
    record = finished.args[0]
    assert record.status == ev.FINISHED and record.steps_done == record.total_steps == 60
    resumed = next(e for e in events if isinstance(e, ev.Resumed))
    assert resumed.paused_seconds >= 1.4
    assert record.seconds < time.monotonic() - began - 1.4  # pauses are not training time
    elapsed = record.batches["elapsed"]
    # The plot's time axis has no hole where the pause was: the step after it is as far from
    # the one before as the test's own hold of the training thread, not the pause.
    assert elapsed[32] - elapsed[31] < resumed.paused_seconds

    events.clear()
    pause_after_the_first_call()
    record = stop(qtbot, window)
    assert record.status == ev.STOPPED and record.steps_done == 32  # stopped while paused
    assert window.run_bar.pause.text() == "Pause" and not window.run_bar.pause.isChecked()


def test_start_pressed_twice_quickly_starts_one_run(qtbot, make_window):
    window = make_window()
    starts = []
    window.controller.run_started.connect(starts.append)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000):
        qtbot.mouseDClick(window.run_bar.start, Qt.MouseButton.LeftButton)
        click(qtbot, window.run_bar.start)
        window.actions.start_action.trigger()
    qtbot.wait(200)
    assert len(starts) == 1 and len(window.runs_panel.records()) == 1
    assert not window.controller.busy and window.controller.queued == 0


# --- no network -----------------------------------------------------------------------------
def test_offline_mnist_falls_back_to_the_sample_fast_and_says_so(
    qtbot, make_window, tmp_path, monkeypatch
):
    window = make_window(TINY.replace(dataset="mnist"))
    point_keras_home(monkeypatch, tmp_path / "keras-home")  # nothing cached
    without_stall_timeout(monkeypatch)  # fast: the refused connection ends the attempt
    monkeypatch.setenv(data.MIRROR_ENV, closed_port_url())
    record = run_to_end(qtbot, window)
    assert record.status == ev.FINISHED
    assert record.data_source == "bundled MNIST sample"
    message = window.banner.message()
    assert window.banner.level == "warning"
    assert message.startswith("Could not download MNIST") and "bundled offline sample" in message


def test_stop_during_a_download_that_hangs(
    qtbot, make_window, tmp_path, monkeypatch, silent_server
):
    window = make_window(TINY.replace(dataset="mnist"))
    point_keras_home(monkeypatch, tmp_path / "keras-home")
    without_stall_timeout(monkeypatch)  # the stop ends the download, nothing else can
    monkeypatch.setenv(data.MIRROR_ENV, silent_server)
    events = seen_events(window)
    window.start_run()
    qtbot.waitUntil(
        lambda: any(isinstance(e, ev.DataProgress) and "Downloading" in e.message for e in events),
        timeout=60000,
    )
    qtbot.wait(300)  # the server has said nothing all this time
    record = stop(qtbot, window)
    assert record.status == ev.STOPPED
    assert window.banner.level != "error" or not window.banner.isVisible()
    assert list((tmp_path / "keras-home" / "datasets").iterdir()) == []  # nothing half-written


@pytest.mark.slow
def test_a_pause_of_two_minutes_then_resume(qtbot, make_window, monkeypatch):
    """A lesson's digression: nothing inside times out while the run waits."""
    window = make_window(LONG.replace(train_samples=1000, epochs=1))
    events = seen_events(window)
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's batches
    with qtbot.waitSignal(window.controller.run_finished, timeout=300000) as finished:
        window.start_run()
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        click(qtbot, window.run_bar.pause)
        hold.released.set()
        qtbot.wait(120000)
        assert "paused" in window.run_bar.progress_label.text()
        click(qtbot, window.run_bar.pause)
    record = finished.args[0]
    assert record.status == ev.FINISHED and record.steps_done == record.total_steps
    assert record.seconds < 60 and [type(e) for e in events].count(ev.Resumed) == 1
