"""Load: a runs folder of a thousand saved runs opens quickly, and a hundred runs in one session
neither crash the window, nor grow its memory without bound, nor slow the runs list down."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from lrexplorer.core import events as ev
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.gui.window.main_window import MainWindow
from tests.gui.reliability_support import TINY, window_maker


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


def write_saved_runs(folder: Path, count: int) -> None:
    """`count` finished runs as the store writes them (without its fsync per file, for speed)."""
    folder.mkdir(parents=True)
    for number in range(count):
        config = TINY.replace(learning_rate=10.0 ** -(1 + number % 5))
        record = RunRecord(id=f"20260101-{number:06d}-abcdef", config=config)
        record.apply(ev.RunStarted(record.id, config, {"class_name": "RMSprop"}, 8, 8, 256, 64,
                                   "bundled MNIST sample"))  # fmt: skip
        for step in range(1, 9):
            record.apply(ev.BatchEnd(step, 1, step, 2 / step, 0.5, 2 / step, 0.5, 1e-3, step / 10))
        record.apply(ev.EpochEnd(1, 8, 0.5, 0.8, 0.6, 0.75, 0.8))
        record.apply(ev.RunFinished(ev.FINISHED, 0.8))
        (folder / f"{record.id}.json").write_text(json.dumps(record.to_dict(with_batches=False)))
        (folder / f"{record.id}.history.json").write_text(json.dumps(record.batches))


def construct(qtbot, folder: Path, settings_file: Path) -> tuple[MainWindow, float]:
    began = time.perf_counter()
    window = MainWindow(
        runs_folder=folder, settings=QSettings(str(settings_file), QSettings.Format.IniFormat)
    )
    seconds = time.perf_counter() - began
    qtbot.addWidget(window)
    return window, seconds


def test_a_thousand_saved_runs_open_newest_first_with_histories_unread(qtbot, tmp_path):
    folder = tmp_path / "runs"
    write_saved_runs(folder, 1000)
    window, _ = construct(qtbot, folder, tmp_path / "settings.ini")
    records = window.runs_panel.records()
    assert len(records) == 1000 and records[0].id == "20260101-000999-abcdef"  # newest first
    assert all(record.batches is None for record in records)  # histories wait until plotted
    live = RunRecord(id="20270101-000000-abcdef", config=TINY)
    window.runs_panel.add_run(live, checked=True)
    window.runs_panel.update_run(live)
    assert window.runs_panel.checked() == [live] and window.runs_panel.records()[0] is live
    window.close()


@pytest.mark.slow
def test_a_thousand_saved_runs_open_in_well_under_a_second(qtbot, tmp_path):
    folder = tmp_path / "runs"
    write_saved_runs(folder, 1000)
    empty, _ = construct(qtbot, tmp_path / "empty", tmp_path / "warm-up.ini")  # imports, fonts
    empty, without = construct(qtbot, tmp_path / "empty", tmp_path / "empty.ini")
    # The better of two, so that a busy machine does not fail the test.
    first, with_runs = construct(qtbot, folder, tmp_path / "full.ini")
    first.close()
    window, again = construct(qtbot, folder, tmp_path / "full-again.ini")
    with_runs = min(with_runs, again)
    print(f"window construction: {without:.3f} s empty, {with_runs:.3f} s with 1,000 runs")
    assert with_runs - without < 1.0  # measured here: about 0.3 s
    records = window.runs_panel.records()
    assert len(records) == 1000 and records[0].id == "20260101-000999-abcdef"  # newest first
    assert all(record.batches is None for record in records)  # histories wait until plotted
    # Adding the next run and refreshing it once a second stay instant.
    began = time.perf_counter()
    live = RunRecord(id="20270101-000000-abcdef", config=TINY)
    window.runs_panel.add_run(live, checked=True)
    for _ in range(10):
        window.runs_panel.update_run(live)
    assert time.perf_counter() - began < 0.5
    assert window.runs_panel.checked() == [live]
    for widget in (empty, window):
        widget.close()


@pytest.mark.slow
def test_a_thousand_saved_runs_add_under_a_second_to_the_first_paint(qtbot, tmp_path):
    folder = tmp_path / "runs"
    write_saved_runs(folder, 1000)
    timings = {}
    for name, runs in (("warm-up", tmp_path / "none"), ("empty", tmp_path / "none"),
                       ("full", folder)):  # fmt: skip
        began = time.perf_counter()
        window, _ = construct(qtbot, runs, tmp_path / f"{name}.ini")
        window.show()
        qtbot.waitExposed(window)
        window.runs_panel.table.fit_columns()
        timings[name] = time.perf_counter() - began
        window.loader.wait()
        window.close()
    print(f"construction to first paint: {timings['empty']:.3f} s empty, "
          f"{timings['full']:.3f} s with 1,000 runs")  # fmt: skip
    assert timings["full"] - timings["empty"] < 1.0


def rss_mb() -> float | None:
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


@pytest.mark.slow
def test_a_hundred_runs_in_one_session(qtbot, make_window, tmp_path):
    window = make_window(TINY.replace(train_samples=128))
    memory, seconds = [], []
    for number in range(100):
        window.draft.update(learning_rate=10.0 ** -(2 + number % 4), seed=number)
        began = time.perf_counter()
        with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
            assert window.start_run() is not None
        seconds.append(time.perf_counter() - began)
        assert finished.args[0].status == ev.FINISHED
        if number in (9, 99):  # after the first compilations, and at the end
            memory.append(rss_mb())
    records = window.runs_panel.records()
    assert len(records) == 100 and len(RunStore(tmp_path / "runs").load_all()[0]) == 100
    window.runs_panel.set_all_checked(True)  # all hundred on the plots
    began = time.perf_counter()
    window.plots.redraw_now()
    redraw = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(20):
        window.runs_panel.update_run(records[0])
    update = (time.perf_counter() - began) / 20
    growth = None if None in memory else memory[1] - memory[0]
    early, late = sum(seconds[1:11]) / 10, sum(seconds[-10:]) / 10
    print(f"100 runs: memory +{growth} MB from run 10 to run 100; a run {early:.2f} s at first, "
          f"{late:.2f} s at the end; update_run {update * 1000:.1f} ms; redraw of 100 curves "
          f"{redraw * 1000:.0f} ms")  # fmt: skip
    assert update < 0.02 and redraw < 2.0
    if growth is not None:
        assert growth < 100


def test_adding_saved_runs_again_shows_each_once_and_keeps_the_selection(qtbot, tmp_path):
    folder = tmp_path / "runs"
    write_saved_runs(folder, 30)
    window, _ = construct(qtbot, folder, tmp_path / "settings.ini")
    window.runs_panel.select("20260101-000007-abcdef")
    records, _ = RunStore(folder).load_all()  # e.g. the same session opened twice
    window.runs_panel.add_runs(records)
    assert len(window.runs_panel.records()) == 30
    assert window.runs_panel.selected().id == "20260101-000007-abcdef"
    window.close()
