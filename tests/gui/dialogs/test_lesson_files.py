"""Handing out a lesson from the window: a bundle with the plots on screen, and sessions that
open on another machine without overwriting the runs already there."""

import json
import math
import zipfile

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.gui.dialogs.bundle_export import export_bundle
from lrexplorer.gui.dialogs.session_files import open_session_file, save_session_file
from lrexplorer.gui.window.main_window import MainWindow


def record(run_id, rate, label=""):
    config = RunConfig(optimizer="sgd", learning_rate=rate, dataset="sample", epochs=2)
    result = RunRecord(id=run_id, config=config, label=label)
    result.apply(ev.RunStarted(run_id, config, {"class_name": "SGD"}, 10, 20, 320, 64, "sample"))
    for step in range(1, 21):
        loss = 2.3 * math.exp(-rate * step * 10)
        epoch, batch = (step - 1) // 10 + 1, (step - 1) % 10 + 1
        result.apply(ev.BatchEnd(step, epoch, batch, loss, 0.5, loss, 0.5, rate, step * 0.1))
        if batch == 10:
            result.apply(ev.EpochEnd(epoch, step, loss, 0.7, loss, 0.75, 1.0))
    result.apply(ev.RunFinished(ev.FINISHED, 2.0))
    return result


@pytest.fixture
def make_window(qtbot, tmp_path):
    """A window over a runs folder (not shown: no Keras needed to list runs)."""

    def make(folder="runs", runs=()):
        store = RunStore(tmp_path / folder)
        for run in runs:
            store.save(run)
        settings = QSettings(str(tmp_path / f"{folder}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(runs_folder=tmp_path / folder, settings=settings)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        return window

    return make


def banner_text(window):
    """The message strip's text, if it would show (the window is not on screen in these tests)."""
    banner = window.banner
    return banner.text.text() if banner.isVisibleTo(window) else ""


def lesson():
    return [record("r1", 0.01, "SGD 0.01"), record("r2", 0.1, "SGD 0.1 (fast)")]


def test_a_bundle_holds_the_plots_on_screen_and_each_runs_history(make_window, tmp_path):
    window = make_window(runs=lesson())
    records = window.runs_panel.records()
    assert all(r.batches is None for r in records)  # listed at start-up, histories not read
    path = export_bundle(window, records, tmp_path / "Lesson 3", as_zip=False)
    assert path == tmp_path / "Lesson 3"
    assert not QImage(str(path / "plots.png")).isNull()
    assert b"<svg" in (path / "plots.svg").read_bytes()
    batches = (path / "SGD_0.1_fast" / "batches.csv").read_text().splitlines()
    assert len(batches) == 21  # the history was read from the store for the bundle
    assert "SGD 0.01" in (path / "README.md").read_text()
    assert "Saved the lesson bundle Lesson 3 (2 runs)" in window.statusBar().currentMessage()


def test_a_zip_bundle_and_a_failure_said_in_the_banner(make_window, tmp_path):
    window = make_window(runs=lesson())
    path = export_bundle(window, window.runs_panel.records(), tmp_path / "lesson", as_zip=True)
    assert zipfile.ZipFile(path).testzip() is None and path.name == "lesson.zip"
    (tmp_path / "taken").mkdir()
    assert export_bundle(window, window.runs_panel.records(), tmp_path / "taken", False) is None
    assert "taken already exists" in banner_text(window)
    assert window.banner.level == "error"


def test_a_session_opens_in_another_window_with_every_run(make_window, tmp_path):
    teacher = make_window("teacher", runs=lesson())
    path = save_session_file(teacher, teacher.runs_panel.records(), tmp_path / "Lesson 3")
    assert path == tmp_path / "Lesson 3.lrsession"
    student = make_window("student", runs=[record("mine", 0.05, "my own run")])
    opened = open_session_file(student, path)
    assert sorted(r.label for r in opened) == ["SGD 0.01", "SGD 0.1 (fast)"]
    labels = sorted(r.label for r in student.runs_panel.records())
    assert labels == ["SGD 0.01", "SGD 0.1 (fast)", "my own run"]
    assert {r.id for r in opened} <= {r.id for r in student.runs_panel.checked()}  # shown
    saved, _ = RunStore(tmp_path / "student").load_all()  # kept for the next start
    assert sorted(r.label for r in saved) == labels
    assert 'Opened "Lesson 3": 2 runs' in student.statusBar().currentMessage()


def test_opening_a_session_twice_overwrites_nothing(make_window, tmp_path):
    window = make_window(runs=lesson())
    path = save_session_file(window, window.runs_panel.records(), tmp_path / "s.lrsession")
    window.runs_panel.records()[0].notes = "my notes"
    window.keeper.save(window.runs_panel.records()[0])
    opened = open_session_file(window, path)
    assert len(opened) == 2 and not {r.id for r in opened} & {"r1", "r2"}
    assert len(window.runs_panel.records()) == 4
    saved, _ = RunStore(tmp_path / "runs").load_all()
    assert len(saved) == 4 and any(r.notes == "my notes" for r in saved)


def test_a_damaged_session_is_refused_by_name_and_a_damaged_run_skipped(make_window, tmp_path):
    window = make_window()
    broken = tmp_path / "broken.lrsession"
    broken.write_text('{"format": "lrexplorer-session", "schema": 1, "runs": [', "utf-8")
    assert open_session_file(window, broken) == []
    assert "broken.lrsession is damaged or incomplete" in banner_text(window)
    path = save_session_file(window, lesson(), tmp_path / "partly.lrsession")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["runs"][0]["batches"] = "lost"
    path.write_text(json.dumps(data), encoding="utf-8")
    opened = open_session_file(window, path)
    assert [r.label for r in opened] == ["SGD 0.1 (fast)"]
    assert window.banner.level == "warning" and 'run 1 ("SGD 0.01")' in banner_text(window)
