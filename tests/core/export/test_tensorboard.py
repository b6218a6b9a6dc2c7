"""Runs exported for TensorBoard: every value read back with TensorFlow's own reader, the
hyperparameters with TensorBoard's, laid out as Keras's TensorBoard callback lays out a run."""

import datetime as dt
import json
import math

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.export.tensorboard import MARKER, write_tensorboard
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.training.trainer import Trainer

CREATED = "2026-03-02T10:00:00+01:00"
START = dt.datetime.fromisoformat(CREATED).timestamp()


def record_of(run_id, config, losses, label="", change=None):
    """Two batches an epoch; a live rate change at `change` = (step, rate); NaN diverges."""
    record = RunRecord(id=run_id, config=config, label=label, created=CREATED)
    record.apply(ev.RunStarted(run_id, config, {"class_name": "SGD"}, 2, 6, 256, 64, "sample"))
    rate = config.learning_rate
    for step, loss in enumerate(losses, start=1):
        epoch, batch = (step - 1) // 2 + 1, (step - 1) % 2 + 1
        if change and step == change[0]:
            record.apply(ev.LearningRateChanged(step, change[1], rate))
            rate = change[1]
        mean = (loss + 0.1) / 3
        record.apply(ev.BatchEnd(step, epoch, batch, loss, 0.1 * step, mean, 0.05, rate, step / 7))
        if batch == 2 and math.isfinite(loss):
            record.apply(ev.EpochEnd(epoch, step, mean, 0.3, loss / 2, 0.4 + epoch / 10, 1.0))
    status = ev.FINISHED if math.isfinite(losses[-1]) else ev.DIVERGED
    record.apply(ev.RunFinished(status, 2.5, None if status == ev.FINISHED else "loss became NaN"))
    return record


def lesson():
    sgd = RunConfig("sgd", 0.01, dataset="sample", train_samples=256, epochs=3, batch_size=128)
    cosine = sgd.replace(
        params={"momentum": 0.9}, schedule=ScheduleConfig("CosineDecay", {"decay_steps": 6})
    )
    return [
        record_of("r1", sgd, [2.3, 1.9, 1.5, 1.2, 1.0, 0.9], change=(3, 0.05)),
        record_of("r2", cosine, [2.3, 1.5, 1.0, 0.8, 0.7, 0.6], label="SGD 0.01 (CosineDecay)"),
        record_of("r3", sgd.replace(learning_rate=5.0), [2.3, 90.0, math.nan], label="a/b"),
    ]


def read_events(folder):
    """{tag: [(step, value, wall time)]} of the one event file in `folder`, through TensorFlow's
    summary iterator, and the file's first event."""
    tf = keras() and __import__("tensorflow")
    (path,) = folder.glob("events.out.tfevents.*")
    events = list(tf.compat.v1.train.summary_iterator(str(path)))
    values = {}
    for event in events[1:]:
        for value in event.summary.value:
            tensor = tf.make_ndarray(value.tensor)
            values.setdefault(value.tag, []).append((event.step, tensor.item(), event.wall_time))
            assert tensor.shape == () and tensor.dtype == np.float32
    return values, events[0]


def expected(record):
    """What the export promises, straight from the record: {(folder, tag): [(step, value)]}."""
    b = record.batches
    want = {}

    def add(folder, tag, step, value):
        want.setdefault((folder, tag), []).append((step, value))

    for i, step in enumerate(b["step"]):
        add("train", "batch_loss", step, b["mean_loss"][i])
        add("train", "batch_accuracy", step, b["mean_accuracy"][i])
        add("train", "batch_own_loss", step, b["loss"][i])
        add("train", "batch_own_accuracy", step, b["accuracy"][i])
        add("train", "batch_learning_rate", step, b["learning_rate"][i])
    for epoch in record.epochs:
        index, step = epoch["epoch"] - 1, epoch["step"]
        add("train", "epoch_loss", index, epoch["loss"])
        add("train", "epoch_accuracy", index, epoch["accuracy"])
        add("train", "epoch_learning_rate", index, b["learning_rate"][b["step"].index(step)])
        add("validation", "epoch_loss", index, epoch["val_loss"])
        add("validation", "epoch_accuracy", index, epoch["val_accuracy"])
        add("validation", "evaluation_loss_vs_iterations", step, epoch["val_loss"])
        add("validation", "evaluation_accuracy_vs_iterations", step, epoch["val_accuracy"])
    return want


def same_float32(read, wanted):
    return np.array_equal(np.float32(read), np.float32(wanted), equal_nan=True)


def check_every_value(folder, record):
    want = expected(record)
    for sub in ("train", "validation"):
        values, first = read_events(folder / sub)
        assert first.file_version == "brain.Event:2"
        assert set(values) == {tag for where, tag in want if where == sub}
        for tag, points in values.items():
            wanted = want[(sub, tag)]
            assert [step for step, _, _ in points] == [step for step, _ in wanted], tag
            for (_, value, _), (_, should) in zip(points, wanted, strict=True):
                assert same_float32(value, should), (tag, value, should)


def session(folder):
    """The session's start and end info, parsed by TensorBoard's own hparams plugin."""
    accumulator = EventAccumulator(str(folder))
    accumulator.Reload()
    content = accumulator.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG)
    start = hparams_metadata.parse_session_start_info_plugin_data(content.plugin_data.content)
    content = accumulator.SummaryMetadata(hparams_metadata.SESSION_END_INFO_TAG)
    end = hparams_metadata.parse_session_end_info_plugin_data(content.plugin_data.content)
    hparams = {name: getattr(v, v.WhichOneof("kind")) for name, v in start.hparams.items()}
    return start, end, hparams


def test_every_scalar_is_written_at_its_step_and_read_back_unchanged(tmp_path):
    records = lesson()
    folders = write_tensorboard(records, tmp_path / "logs")
    assert [f.name for f in folders] == ["SGD_0.01", "SGD_0.01_CosineDecay", "a_b"]
    for folder, record in zip(folders, records, strict=True):
        check_every_value(folder, record)
    # The live change is in the rates; the diverged run's NaN loss is kept, its epoch is not.
    values, _ = read_events(folders[0] / "train")
    assert [v for _, v, _ in values["batch_learning_rate"]] == pytest.approx(
        [0.01] * 2 + [0.05] * 4
    )
    values, _ = read_events(folders[2] / "train")
    assert math.isnan(values["batch_own_loss"][-1][1]) and len(values["epoch_loss"]) == 1
    # Each point carries the time it happened in the run.
    assert values["batch_loss"][1][2] == pytest.approx(START + 2 / 7)


def test_hyperparameters_and_how_each_run_ended_reach_the_hparams_plugin(tmp_path):
    folders = write_tensorboard(lesson(), tmp_path)
    start, end, hparams = session(folders[1])
    assert hparams == {
        "optimizer": "SGD", "learning_rate": 0.01, "momentum": 0.9, "nesterov": False,
        "schedule": "CosineDecay", "schedule.decay_steps": 6.0, "model": "tutorial",
        "dataset": "sample", "epochs": 3.0, "batch_size": 128.0, "seed": 0.0,
        "train_samples": 256.0, "test_samples": 64.0,
    }  # fmt: skip
    assert start.start_time_secs == START
    assert end.status == 1 and end.end_time_secs == START + 2.5  # STATUS_SUCCESS
    assert session(folders[0])[2]["schedule"] == "changed live"
    assert session(folders[2])[1].status == 2  # diverged: STATUS_FAILURE


def test_a_trained_run_reads_back_exactly(tmp_path):
    config = RunConfig(
        "rmsprop", 1e-3, dataset="sample", train_samples=192, test_samples=64, batch_size=64
    )
    record = Trainer().run(config.replace(epochs=2))
    (folder,) = write_tensorboard([record], tmp_path)
    check_every_value(folder, record)
    assert session(folder)[2]["rho"] == 0.9  # Keras's default, so runs line up in the table


def test_exporting_again_replaces_the_same_run_and_leaves_other_folders_alone(tmp_path):
    records = lesson()
    (tmp_path / "a_b").mkdir()  # the user's own experiment, with the name a run would take
    (tmp_path / "a_b" / "mine.txt").write_text("keep")
    first = write_tensorboard(records, tmp_path)
    assert [f.name for f in first] == ["SGD_0.01", "SGD_0.01_CosineDecay", "a_b-2"]
    records[0].label = "renamed since"
    again = write_tensorboard(records[:1], tmp_path)
    assert again == first[:1]  # the same folder, rewritten
    assert len(list((tmp_path / "SGD_0.01" / "train").iterdir())) == 1
    assert json.loads((again[0] / MARKER).read_text())["label"] == "renamed since"
    assert (tmp_path / "a_b" / "mine.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SGD_0.01",
        "SGD_0.01_CosineDecay",
        "a_b",
        "a_b-2",
    ]  # fmt: skip - no temporary folders left
    with pytest.raises(ValueError, match="no runs"):
        write_tensorboard([], tmp_path)


def test_a_run_without_its_history_gets_its_epochs(tmp_path):
    record = lesson()[0]
    record.batches = None  # as listed from the store before its history is read
    (folder,) = write_tensorboard([record], tmp_path)
    values, _ = read_events(folder / "train")
    assert sorted(values) == ["epoch_accuracy", "epoch_loss"]
    assert [step for step, _, _ in values["epoch_loss"]] == [0, 1, 2]
