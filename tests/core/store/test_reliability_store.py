"""Saved runs survive damage and failure: bad files are skipped with a reason, a full or
read-only disk fails loudly without touching what was saved, and a crash leaves nothing behind
that start-up trips over."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store import files, records
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore, StoreError

CONFIG = RunConfig(optimizer="sgd", learning_rate=0.01, dataset="sample", train_samples=256)


def finished_record(run_id: str, steps: int = 4) -> RunRecord:
    """A record folded from events, as the trainer builds it."""
    record = RunRecord(id=run_id, config=CONFIG)
    record.apply(
        ev.RunStarted(run_id, CONFIG, {"class_name": "SGD"}, steps, steps, 256, 64, "sample")
    )
    for step in range(1, steps + 1):
        loss = 2.3 / step
        record.apply(ev.BatchEnd(step, 1, step, loss, 0.5, loss, 0.5, 0.01, step * 0.1))
    record.apply(ev.EpochEnd(1, steps, 1.0, 0.6, 1.1, 0.7, 0.4))
    record.apply(ev.RunFinished(ev.FINISHED, 0.4))
    return record


def store_with_good_run(folder: Path) -> RunStore:
    store = RunStore(folder)
    store.save(finished_record("good"))
    return store


def loaded_ids(store: RunStore) -> tuple[list[str], list[str]]:
    records, warnings = store.load_all()
    return [r.id for r in records], warnings


# --- damaged run files: skipped with a warning naming the file and the reason ----------------
def test_a_run_file_cut_off_mid_write_is_skipped(tmp_path):
    store = store_with_good_run(tmp_path)
    store.save(finished_record("cut"))
    text = (tmp_path / "cut.json").read_text()
    (tmp_path / "cut.json").write_text(text[: len(text) // 2])
    ids, warnings = loaded_ids(store)
    assert ids == ["good"]
    assert (
        warnings == [warnings[0]] and "cut.json" in warnings[0] and "not valid JSON" in warnings[0]
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not text"),
        (b"null", "not a run record"),
    ],
    ids=["empty", "binary", "null"],
)
def test_empty_or_binary_run_files_are_skipped(tmp_path, content, says):
    store = store_with_good_run(tmp_path)
    (tmp_path / "odd.json").write_bytes(content)
    ids, warnings = loaded_ids(store)
    assert ids == ["good"]
    assert len(warnings) == 1 and "odd.json" in warnings[0] and says in warnings[0]


WRONG_TYPES = {  # field -> a value of the wrong type, and what the warning must say
    "epochs": ("lots", "epochs"),
    "last_batch": (5, "last_batch"),
    "status": ("exploded", "status"),
    "label": (["a"], "label"),
    "seconds": ("fast", "seconds"),
    "config.learning_rate": ("abc", "learning_rate"),
    "config.epochs": ("2", "epochs"),
}


@pytest.mark.parametrize(("field", "value", "says"), [(k, *v) for k, v in WRONG_TYPES.items()])
def test_fields_of_the_wrong_type_are_skipped_not_shown_broken(tmp_path, field, value, says):
    """A hand-edited or foreign file must not reach the runs list, where it would break."""
    store = store_with_good_run(tmp_path)
    data = finished_record("odd").to_dict(with_batches=False)
    if field.startswith("config."):
        data["config"][field.split(".")[1]] = value
    else:
        data[field] = value
    (tmp_path / "odd.json").write_text(json.dumps(data))
    ids, warnings = loaded_ids(store)
    assert ids == ["good"]
    assert len(warnings) == 1 and "odd.json" in warnings[0] and says in warnings[0]


def test_a_run_saved_as_running_loads_as_stopped(tmp_path):
    """Nobody is training it any more: shown as running it could be neither unticked nor
    deleted."""
    store = RunStore(tmp_path)
    record = finished_record("left")
    record.status = ev.RUNNING
    store.save(record)
    (loaded,), warnings = store.load_all()
    assert warnings == [] and loaded.status == ev.STOPPED


def test_a_damaged_history_loads_as_an_empty_one(tmp_path):
    store = store_with_good_run(tmp_path)
    history = tmp_path / "good.history.json"
    history.write_text(history.read_text()[:40])
    (record,), warnings = store.load_all()
    assert warnings == []
    store.load_history(record)
    assert record.batches["step"] == [] and record.final("val_accuracy") == 0.7


# --- a full disk, a read-only folder: saving fails visibly, nothing saved is lost ------------
def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_full_disk_fails_with_the_reason_and_keeps_the_saved_version(tmp_path, monkeypatch, step):
    store = store_with_good_run(tmp_path)
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    record = finished_record("good")
    record.notes = "an edit that cannot be saved"
    monkeypatch.setattr(files.os, step, enospc)
    with pytest.raises(StoreError, match="could not save run SGD 0.01 in .*: No space left"):
        store.save(record)
    monkeypatch.undo()
    # The earlier version is intact and no temporary file is left behind.
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before
    assert loaded_ids(store) == (["good"], [])


def test_a_read_only_folder_fails_with_the_reason(tmp_path, monkeypatch):
    # Tests may run as root, which writes anywhere: also feed the error the OS would raise.
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    with pytest.raises(StoreError, match="could not save run SGD 0.01 in .*: Permission denied"):
        RunStore(tmp_path).save(finished_record("new"))
    assert list(tmp_path.iterdir()) == []


# --- what a crash leaves behind ----------------------------------------------------------
def test_temporary_files_of_a_crashed_save_are_ignored_and_cleaned_up(tmp_path):
    store = store_with_good_run(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(dead.stdout)
    leftovers = [
        tmp_path / f".other.json.{dead_pid}.k2j4h5g6.tmp",  # its writer is gone
        tmp_path / f".other.history.json.{dead_pid}.a1b2c3d4.tmp",
        tmp_path / ".old.json.x7y8z9w0.tmp",  # an old one, writer unknown
    ]
    for path in leftovers:
        path.write_text('{"schema": 1, "id": "oth')  # half-written
    old = time.time() - 2 * 3600
    os.utime(leftovers[2], (old, old))
    in_flight = tmp_path / f".busy.json.{os.getpid()}.q1w2e3r4.tmp"  # this process, writing
    in_flight.write_text("{")
    assert loaded_ids(store) == (["good"], [])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["good.json", "good.history.json", in_flight.name])


def test_a_history_without_its_run_file_is_ignored(tmp_path):
    """A save killed between its two files leaves the history alone: not a run, not a warning."""
    store = store_with_good_run(tmp_path)
    (tmp_path / "half.history.json").write_text(json.dumps(records.empty_batches()))
    assert loaded_ids(store) == (["good"], [])


def test_a_history_with_values_that_are_not_numbers_loads_as_an_empty_one(tmp_path):
    store = store_with_good_run(tmp_path)
    history = json.loads((tmp_path / "good.history.json").read_text())
    history["loss"][1] = "high"
    (tmp_path / "good.history.json").write_text(json.dumps(history))
    (record,), _ = store.load_all()
    store.load_history(record)
    assert record.batches["loss"] == []
