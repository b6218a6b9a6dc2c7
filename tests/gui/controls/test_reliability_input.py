"""Bad input in the window: the field refuses it, Start is disabled and says why; bad data and a
damaged or full runs folder end in a readable message, and the window stays usable."""

from __future__ import annotations

import errno
import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QWidget

from lrexplorer.core import events as ev
from lrexplorer.core.config import MAX_EPOCHS, ScheduleConfig
from lrexplorer.core.store import files
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore
from tests.gui.reliability_support import TINY, run_to_end, start_reason, type_text, window_maker

SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "mnist_sample.npz"


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


def assert_blocked(window, says: str) -> None:
    assert not window.run_bar.start.isEnabled()
    assert says in start_reason(window), start_reason(window)
    assert window.start_run() is None and not window.controller.busy


# --- learning rate ---------------------------------------------------------------------------
RATES = {  # typed text -> what the reason must say
    "": "empty",
    "abc": "not a number",
    "1e": "not a number",
    "0": "> 0",
    "-1e-3": "> 0",
    "nan": "NaN",
    "inf": "infinite",
    "1e400": "too large",
    "0,001": "comma",
    "20": "from 1e-7 to 10",
}


def test_every_bad_learning_rate_blocks_start_with_its_reason(qtbot, make_window):
    window = make_window()
    edit = window.findChild(QWidget, "learningRateSpin").lineEdit()
    error = window.findChild(QLabel, "learningRateError")
    for text, says in RATES.items():
        type_text(qtbot, edit, text)
        assert error.isVisible() and says in error.text(), (text, error.text())
        assert edit.text() == text  # kept as typed, next to its reason
        assert_blocked(window, says)
        type_text(qtbot, edit, "1e-3")
        assert window.run_bar.start.isEnabled() and window.problems() == {}, text


# --- hyperparameters, optimizer names, schedules ---------------------------------------------
HYPERPARAMETERS = [  # optimizer, field, typed text, what the reason must say
    ("adam", "beta_1", "1", "[0, 1)"),
    ("rmsprop", "rho", "-0.1", "[0, 1)"),
    ("adam", "epsilon", "-1e-7", "> 0"),
    ("sgd", "momentum", "1.5", "[0, 1]"),
    ("rmsprop", "rho", "abc", "not a number"),
    ("sgd", "momentum", "0,9", "comma"),
]


def test_out_of_range_hyperparameters_block_start_with_the_range(qtbot, make_window):
    window = make_window()
    combo = window.findChild(QWidget, "optimizerCombo")
    for optimizer, name, text, says in HYPERPARAMETERS:
        combo.setCurrentIndex(combo.findData(optimizer))
        field = window.findChild(QLineEdit, f"param_{name}")
        type_text(qtbot, field, text)
        error = window.findChild(QLabel, f"param_{name}_error")
        assert error.isVisible() and says in error.text(), (optimizer, name, error.text())
        assert_blocked(window, says)
        type_text(qtbot, field, "")  # back to the Keras default
        assert window.run_bar.start.isEnabled(), (optimizer, name)


@pytest.mark.parametrize(
    ("config", "says"),
    [
        (TINY.replace(optimizer="adamm"), "unknown optimizer 'adamm'"),
        (TINY.replace(optimizer="sgd", params={"rho": 0.9}), "unknown parameter 'rho' for SGD"),
        (TINY.replace(optimizer="sgd", params={"momentum": 2.0}), "[0, 1]"),
    ],
    ids=["unknown optimizer", "unknown parameter", "out of range"],
)
def test_settings_restored_from_elsewhere_block_start_with_the_reason(make_window, config, says):
    """Saved settings, an opened session or a preset from another version may hold these."""
    window = make_window(config)
    assert_blocked(window, says)


def test_the_epochs_box_goes_as_far_as_a_run_may_and_no_further(qtbot, make_window):
    """The window and the command line accept the same epochs: up to MAX_EPOCHS."""
    window = make_window()
    spin = window.findChild(QSpinBox, "epochsSpin")
    assert spin.maximum() == MAX_EPOCHS
    spin.setValue(MAX_EPOCHS + 1)
    assert window.draft.config.epochs == MAX_EPOCHS and window.run_bar.start.isEnabled()


def test_bad_piecewise_schedules_block_start_with_the_reason(qtbot, make_window):
    window = make_window()
    combo = window.findChild(QWidget, "scheduleCombo")
    combo.setCurrentIndex(combo.findData("PiecewiseConstantDecay"))
    boundaries = window.findChild(QLineEdit, "schedule_boundaries")
    values = window.findChild(QLineEdit, "schedule_values")
    type_text(qtbot, boundaries, "300, 100")
    assert_blocked(window, "must increase strictly")
    type_text(qtbot, boundaries, "100, 300")
    type_text(qtbot, values, "1e-3, 1e-4")
    assert_blocked(window, "2 boundaries need 3 values, got 2")
    type_text(qtbot, values, "1e-3, 1e-4, 1e-5")
    assert window.run_bar.start.isEnabled()
    assert window.draft.config.schedule == ScheduleConfig(
        "PiecewiseConstantDecay", {"boundaries": [100, 300], "values": [1e-3, 1e-4, 1e-5]}
    )


# --- data ------------------------------------------------------------------------------------
def arrays(**changes):
    with np.load(SAMPLE, allow_pickle=False) as archive:
        data = {key: archive[key][: 60 if "train" in key else 20] for key in archive.files}
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return data


def npz(tmp: Path, **changes) -> Path:
    np.savez(tmp / "digits.npz", **arrays(**changes))
    return tmp / "digits.npz"


def truncated_gz_folder(tmp: Path) -> Path:
    folder = tmp / "idx"
    folder.mkdir()
    names = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}  # fmt: skip
    for key, array in arrays().items():
        header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes()
        (folder / f"{names[key]}.gz").write_bytes(gzip.compress(header + array.tobytes())[:-30])
    return folder


BAD_DATA = [  # (what makes the path in a fresh folder, what the message must say)
    (lambda d: d / "notes.npz", "notes.npz is not a .npz archive"),
    (lambda d: npz(d, y_test=None), "digits.npz: missing key(s) y_test"),
    (lambda d: npz(d, x_train=np.zeros((60, 784), np.uint8)), "expected (N, 28, 28)"),
    (lambda d: npz(d, x_test=np.zeros((20, 28, 28), np.float32)), "expected uint8"),
    (lambda d: npz(d, y_train=np.full(60, 10, np.uint8)), "outside 0-9"),
    (truncated_gz_folder, "train-images-idx3-ubyte.gz is truncated or damaged"),
    (lambda d: d, "has none of the four MNIST IDX files"),  # an empty folder
    (lambda d: d / "nowhere.npz", "nowhere.npz does not exist"),
]


def test_bad_data_ends_in_a_message_and_the_next_run_works(qtbot, make_window, tmp_path):
    window = make_window()
    for number, (make, says) in enumerate(BAD_DATA):
        folder = tmp_path / f"case-{number}"
        folder.mkdir()
        (folder / "notes.npz").write_text("these are not digits")
        window.draft.update(dataset="file", data_path=str(make(folder)))
        assert window.run_bar.start.isEnabled()  # found when read, like a download failure
        record = run_to_end(qtbot, window, timeout=20000)
        assert record.status == ev.FAILED
        message = window.banner.message()
        assert says in message and window.banner.level == "error", message
        assert message.startswith("Can't use the data")
        assert "Traceback" not in message and record.label  # named, not a bare id
        assert record.id not in window.plots.run_ids()  # no empty legend entry
    window.draft.update(dataset="sample", data_path=None)
    good = run_to_end(qtbot, window)
    assert good.status == ev.FINISHED and good.batches["step"][-1] == 8


def test_data_that_cannot_be_read_ends_in_a_message(qtbot, make_window, tmp_path, monkeypatch):
    # Tests may run as root, which reads anything: feed the loader what the OS would raise.
    path = npz(tmp_path)
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    window = make_window(TINY.replace(dataset="file", data_path=str(path)))
    assert run_to_end(qtbot, window, timeout=20000).status == ev.FAILED
    assert "digits.npz: permission denied" in window.banner.message()


# --- the runs folder -------------------------------------------------------------------------
def saved_run(run_id: str) -> RunRecord:
    record = RunRecord(id=run_id, config=TINY.replace(learning_rate=1e-3), label=f"run {run_id}")
    record.apply(ev.BatchEnd(1, 1, 1, 2.0, 0.2, 2.0, 0.2, 1e-3, 0.1))
    record.apply(ev.EpochEnd(1, 1, 2.0, 0.2, 1.9, 0.3, 0.1))
    record.apply(ev.RunFinished(ev.FINISHED, 0.1))
    return record


def damaged_runs_folder(folder: Path) -> None:
    store = RunStore(folder)
    for run_id in ("good-1", "good-2"):
        store.save(saved_run(run_id))
    text = (folder / "good-1.json").read_text()
    (folder / "cut.json").write_text(text[: len(text) // 2])
    (folder / "notjson.json").write_text("hello")
    future = json.loads(text) | {"schema": 99, "id": "future"}
    (folder / "future.json").write_text(json.dumps(future))
    (folder / "missing.json").write_text(json.dumps({"schema": 1, "id": "missing"}))
    odd = json.loads(text) | {"id": "odd", "epochs": "many"}
    (folder / "odd.json").write_text(json.dumps(odd))
    (folder / ".good-3.json.999999999.abcd1234.tmp").write_text('{"schema": 1, "id": "go')


def test_a_damaged_runs_folder_loads_the_good_runs_and_says_what_was_skipped(
    qtbot, make_window, tmp_path
):
    folder = tmp_path / "runs"
    damaged_runs_folder(folder)
    window = make_window(runs_folder=folder)
    assert sorted(r.id for r in window.runs_panel.records()) == ["good-1", "good-2"]
    assert window.banner.level == "warning"
    assert window.banner.message().startswith("Left out 5 saved runs that could not be read")
    message = window.banner.message() + window.banner.toolTip()
    for name, says in [("cut.json", "not valid JSON"), ("notjson.json", "not valid JSON"),
                       ("future.json", "newer lrexplorer"), ("missing.json", "missing field"),
                       ("odd.json", "epochs")]:  # fmt: skip
        assert name in message and says in message, name
    assert ".tmp" not in message
    assert not any(p.suffix == ".tmp" for p in folder.iterdir())  # a crash's leftover is gone
    # Still usable: a saved run overlays, a new one trains and saves.
    window.runs_panel.set_checked("good-1", True)
    assert "good-1" in window.plots.run_ids()
    record = run_to_end(qtbot, window)
    assert record.status == ev.FINISHED and (folder / f"{record.id}.json").is_file()


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def eacces(*args, **kwargs):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def saved_ids(folder: Path) -> set[str]:
    return {record.id for record in RunStore(folder).load_all()[0]}


def test_runs_that_cannot_be_saved_stay_in_the_window_and_are_saved_later(
    qtbot, make_window, tmp_path, monkeypatch
):
    window = make_window()
    folder = tmp_path / "runs"
    unsaved = []
    for module, name, fault, says in [
        (files.os, "replace", enospc, "No space left on device"),  # a full disk
        (files.tempfile, "mkstemp", eacces, "Permission denied"),  # a read-only folder
    ]:
        monkeypatch.setattr(module, name, fault)
        record = run_to_end(qtbot, window)
        monkeypatch.undo()
        assert record.status == ev.FINISHED and record.batches["step"][-1] == 8
        message = window.banner.message()
        assert window.banner.level == "error" and says in message
        assert "stays in this window" in message
        assert window.runs_panel.records()[0] is record  # shown, plotted, exportable
        assert not (folder / f"{record.id}.json").exists()
        unsaved.append(record.id)
    # Space again, or the folder writable again: the next run saves the earlier ones too.
    last = run_to_end(qtbot, window)
    assert saved_ids(folder) == {*unsaved, last.id}
    # An edit that cannot be saved until the window closes is saved as it closes.
    monkeypatch.setattr(files.os, "replace", enospc)
    window.runs_panel.select(last.id)
    name = window.runs_panel.table.currentIndex()  # the name cell: what F2 edits
    assert window.runs_panel.table.model().setData(name, "the last one")
    assert "No space left on device" in window.banner.message()
    monkeypatch.undo()
    window.close()
    labels = {r.id: r.label for r in RunStore(folder).load_all()[0]}
    assert labels[last.id] == "the last one" and set(labels) == {*unsaved, last.id}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_runs_folder_fails_visibly(qtbot, make_window, tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        window = make_window(runs_folder=folder)
        record = run_to_end(qtbot, window)
        assert "Permission denied" in window.banner.message()
        assert window.runs_panel.records()[0] is record
    finally:
        folder.chmod(0o700)


def test_notes_typed_just_before_closing_are_saved(qtbot, make_window, tmp_path):
    record = saved_run("noted")
    RunStore(tmp_path / "runs").save(record)
    window = make_window()
    window.runs_panel.select(record.id)
    notes = window.findChild(QWidget, "runNotesEdit")
    notes.setFocus()
    qtbot.keyClicks(notes, "1e-3 was fine")
    window.close()  # within the notes' save delay
    (loaded,), _ = RunStore(tmp_path / "runs").load_all()
    assert loaded.notes == "1e-3 was fine"
