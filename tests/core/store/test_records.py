"""Run records fold events into a history; the store keeps them safely across restarts."""

import json
import math
import os

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore, StoreError, load_record_json, save_record_json

CONFIG = RunConfig(optimizer="rmsprop", learning_rate=1e-4, epochs=2, batch_size=64)


def batch(step, loss, epoch=1):
    return ev.BatchEnd(step, epoch, step, loss, 0.5, loss, 0.5, 1e-4, step * 0.1)


def started():
    return ev.RunStarted(
        "run-1", CONFIG, {"class_name": "RMSprop", "config": {}}, 2, 4, 128, 32, "sample"
    )


def diverged_record():
    record = RunRecord(id="run-1", config=CONFIG)
    for event in (
        started(),
        batch(1, 2.3),
        batch(2, 1.9),
        ev.EpochEnd(1, 2, 2.1, 0.4, 1.8, 0.5, 1.0),
        batch(3, 50.0, epoch=2),
        batch(4, math.nan, epoch=2),
        ev.RunFinished(ev.DIVERGED, 1.5, "the loss became NaN at step 4"),
    ):
        record.apply(event)
    return record


def test_events_build_the_record():
    record = diverged_record()
    assert record.label == "RMSprop 1e-4"
    assert record.status == ev.DIVERGED and record.seconds == 1.5
    assert record.batches["step"] == [1, 2, 3, 4]
    assert record.steps_done == 4 and record.total_steps == 4
    # It ended mid-epoch: the running mean, not the last full epoch, is its final loss.
    assert math.isnan(record.final("loss"))
    assert record.final("val_accuracy") == 0.5


def test_json_keeps_everything_and_writes_nan_as_null(tmp_path):
    record = diverged_record()
    record.notes, record.prediction = "too slow?", "1e-4 wins"
    path = tmp_path / "run.json"
    save_record_json(record, path)

    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    json.loads(path.read_text(), parse_constant=refuse)  # strict JSON: no NaN or Infinity
    again = load_record_json(path)
    assert again.config == record.config
    assert again.notes == "too slow?" and again.prediction == "1e-4 wins"
    assert again.batches["loss"][:3] == [2.3, 1.9, 50.0] and math.isnan(again.batches["loss"][3])
    assert again.epochs == record.epochs and again.status == ev.DIVERGED


def test_store_round_trip_with_lazy_histories(tmp_path):
    store = RunStore(tmp_path / "runs")
    record = diverged_record()
    store.save(record)
    (loaded,), warnings = store.load_all()
    assert warnings == []
    assert loaded.batches is None  # not read at start-up
    assert loaded.final("val_accuracy") == 0.5 and loaded.steps_done == 4
    store.load_history(loaded)
    assert loaded.batches["step"] == [1, 2, 3, 4]
    store.delete(record.id)
    assert store.load_all() == ([], [])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"schema": 1, "id": "x"', "not valid JSON"),
        ("[1, 2]", "not a run record"),
        ('{"schema": 99, "id": "x", "config": {}, "status": "finished"}', "newer"),
        ('{"schema": 1, "id": "x"}', "missing field(s): config, status"),
        ('{"schema": 1, "id": "x", "status": "finished", "config": {"optimizer": 3, "x": 1}}',
         "unknown config field"),
    ],
)  # fmt: skip
def test_damaged_files_are_skipped_with_a_warning(tmp_path, content, says):
    store = RunStore(tmp_path)
    store.save(diverged_record())
    (tmp_path / "broken.json").write_text(content)
    records, warnings = store.load_all()
    assert [r.id for r in records] == ["run-1"]
    assert len(warnings) == 1 and "broken.json" in warnings[0] and says in warnings[0]


def test_a_missing_history_loads_as_empty(tmp_path):
    store = RunStore(tmp_path)
    store.save(diverged_record())
    (tmp_path / "run-1.history.json").unlink()
    (record,), _ = store.load_all()
    store.load_history(record)
    assert record.batches["step"] == []


def test_saving_is_atomic_and_failures_say_where(tmp_path):
    store = RunStore(tmp_path)
    record = diverged_record()
    store.save(record)
    before = (tmp_path / "run-1.json").read_text()
    record.notes = "x" * 10
    store.save(record)
    assert json.loads((tmp_path / "run-1.json").read_text())["notes"] == "x" * 10
    assert before != (tmp_path / "run-1.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-1.history.json", "run-1.json"]
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with pytest.raises(StoreError, match="could not save run"):
        RunStore(blocked / "runs").save(record)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder_fails_visibly(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            RunStore(tmp_path).save(diverged_record())
    finally:
        tmp_path.chmod(0o700)
