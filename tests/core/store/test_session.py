"""Sessions: a lesson's runs in one file that opens on another machine exactly as saved."""

import json
import math

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.store.records import BATCH_FIELDS, RunRecord
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.core.store.session import SESSION_SCHEMA, adopt, load_session, save_session

SGD = RunConfig(optimizer="sgd", learning_rate=0.01, params={"momentum": 0.9}, epochs=2)
ADAM = RunConfig(
    optimizer="adam",
    learning_rate=1e-3,
    schedule=ScheduleConfig("CosineDecay", {"decay_steps": 4}),
    epochs=2,
)


def record_of(run_id, config, losses, status=ev.FINISHED, label=""):
    """A record folded from events, as the trainer would build it; a NaN loss diverges it."""
    record = RunRecord(id=run_id, config=config, label=label, prediction="slow but steady")
    record.apply(ev.RunStarted(run_id, config, {"class_name": "X"}, 2, 4, 128, 32, "sample"))
    for step, loss in enumerate(losses, start=1):
        epoch, batch = (step - 1) // 2 + 1, (step - 1) % 2 + 1
        rate = config.learning_rate
        record.apply(ev.BatchEnd(step, epoch, batch, loss, 0.5, loss, 0.5, rate, step * 0.1))
        if batch == 2 and not math.isnan(loss):
            record.apply(ev.EpochEnd(epoch, step, loss, 0.6, loss, 0.7, 1.0))
    if status != ev.RUNNING:
        record.apply(
            ev.RunFinished(status, 1.5, "loss became NaN" if math.isnan(losses[-1]) else None)
        )
    return record


def lesson():
    return [
        record_of("a", SGD, [2.3, 1.9, 1.4, 1.1], label="SGD 0.01 momentum=0.9"),
        record_of("b", ADAM, [2.3, 1.0, 0.6, 0.4]),
        record_of("c", SGD.replace(learning_rate=10.0), [2.3, 80.0, math.nan], ev.DIVERGED),
    ]


def same_numbers(a, b):
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) if isinstance(x, float) and math.isnan(x) else x == y
        for x, y in zip(a, b, strict=True)
    )


def test_round_trip_keeps_configs_statuses_and_histories(tmp_path):
    records = lesson()
    path = save_session(records, tmp_path / "lesson 3.lrsession", title="Lesson 3: momentum")
    title, loaded, warnings = load_session(path)
    assert title == "Lesson 3: momentum" and warnings == []
    assert [r.id for r in loaded] == ["a", "b", "c"]
    for before, after in zip(records, loaded, strict=True):
        assert after.config == before.config
        assert after.status == before.status and after.label == before.label
        assert after.prediction == before.prediction and after.epochs == before.epochs
        assert after.final("val_accuracy") == before.final("val_accuracy")
        for name in BATCH_FIELDS:
            assert same_numbers(after.batches[name], before.batches[name]), name
    assert loaded[2].status == ev.DIVERGED and math.isnan(loaded[2].batches["loss"][-1])
    assert loaded[1].config.schedule.name == "CosineDecay"


def test_the_file_is_strict_json_with_a_schema_title_and_time(tmp_path):
    path = save_session(lesson(), tmp_path / "s.lrsession", title="Lesson")

    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert data["schema"] == SESSION_SCHEMA and data["title"] == "Lesson"
    assert data["created"][:2] == "20" and len(data["runs"]) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["s.lrsession"]  # no temporary file left


def test_histories_not_yet_read_are_loaded_before_saving(tmp_path):
    store = RunStore(tmp_path / "runs")
    for record in lesson():
        store.save(record)
    saved, _ = store.load_all()
    assert all(r.batches is None for r in saved)  # as the window holds them at start-up
    path = save_session(saved, tmp_path / "s.lrsession", load_history=store.load_history)
    _, loaded, _ = load_session(path)
    assert [len(r.batches["step"]) for r in loaded] == [4, 4, 3]


def test_a_run_still_in_progress_is_saved_as_stopped(tmp_path):
    live = record_of("live", SGD, [2.3, 2.0], status=ev.RUNNING)
    _, (loaded,), _ = load_session(save_session([live], tmp_path / "s.lrsession"))
    assert loaded.status == ev.STOPPED and loaded.batches["step"] == [1, 2]
    assert live.status == ev.RUNNING  # the window's record is untouched


def test_a_damaged_run_is_skipped_with_a_warning_that_names_it(tmp_path):
    path = save_session(lesson(), tmp_path / "s.lrsession")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["runs"][1]["config"] = {"optimizer": "adam", "warp_speed": 9}
    data["runs"][1]["label"] = "Adam the broken"
    data["runs"][2]["batches"] = {"step": [1, 2], "loss": [2.3]}  # columns of unequal length
    data["runs"][2]["label"] = ""  # named by its id instead
    data["runs"].append("not a run")
    path.write_text(json.dumps(data), encoding="utf-8")
    _, loaded, warnings = load_session(path)
    assert [r.id for r in loaded] == ["a"]
    assert len(warnings) == 3
    assert 'run 2 ("Adam the broken")' in warnings[0] and "s.lrsession" in warnings[0]
    assert 'run 3 ("c")' in warnings[1] and "different lengths" in warnings[1]
    assert warnings[2].startswith("skipped run 4 in s.lrsession")


def test_a_truncated_file_says_it_is_incomplete(tmp_path):
    path = save_session(lesson(), tmp_path / "cut.lrsession")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ValueError, match=r"cut\.lrsession is damaged or incomplete"):
        load_session(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not an lrexplorer session"),
        (b'{"schema": 1, "id": "a"}', "not an lrexplorer session"),
        (b"[1, 2, 3]", "not an lrexplorer session"),
        (b'{"format": "lrexplorer-session", "schema": 1, "runs": 3}', "lists no runs"),
    ],
)
def test_other_files_are_refused_by_name(tmp_path, content, message):
    path = tmp_path / "other.lrsession"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as caught:
        load_session(path)
    assert "other.lrsession" in str(caught.value)


def test_a_session_from_a_newer_version_asks_for_an_update(tmp_path):
    path = save_session(lesson(), tmp_path / "new.lrsession")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema"] = SESSION_SCHEMA + 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="newer lrexplorer.*update lrexplorer") as caught:
        load_session(path)
    assert "new.lrsession" in str(caught.value)


def test_a_missing_file_is_a_readable_error(tmp_path):
    with pytest.raises(ValueError, match="could not read gone.lrsession"):
        load_session(tmp_path / "gone.lrsession")


def test_a_failed_save_leaves_the_previous_file_whole(tmp_path):
    path = save_session(lesson()[:1], tmp_path / "s.lrsession", title="first")
    broken = record_of("x", SGD, [2.3, 1.9])
    broken.optimizer_config = {"not json": object()}
    with pytest.raises(TypeError):
        save_session([*lesson(), broken], path, title="second")
    assert load_session(path)[0] == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["s.lrsession"]


def test_opening_twice_gives_new_ids_and_overwrites_nothing():
    first = adopt(lesson(), taken=[])
    assert [r.id for r in first] == ["a", "b", "c"]  # nothing here yet: ids kept
    again = adopt(lesson(), taken=[r.id for r in first])
    ids = [r.id for r in again]
    assert len(set(ids) | {"a", "b", "c"}) == 6
    assert [r.label for r in again][0] == "SGD 0.01 momentum=0.9"
