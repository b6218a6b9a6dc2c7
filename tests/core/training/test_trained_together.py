"""Runs trained together give what they would alone, for less time."""

import math

import numpy as np
import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.trainer import Trainer

BASE = RunConfig(
    optimizer="rmsprop",
    learning_rate=1e-3,
    dataset="sample",
    train_samples=320,
    test_samples=100,
    epochs=2,
    batch_size=64,
    seed=1,
    steps_per_execution=2,
)
RATES = (1e-2, 1e-3, 1e-4)


@pytest.fixture(scope="module")
def trainer():
    return Trainer()


def run_many(trainer, configs, control=None, hook=None):
    seen = []

    def on_event(run_id, event):
        seen.append((run_id, event))
        if hook is not None:
            hook(run_id, event)

    return trainer.run_many(configs, on_event, control), seen


def test_a_sweep_trained_together_reports_what_separate_runs_report(trainer):
    configs = [BASE.replace(learning_rate=rate) for rate in RATES]
    together, events = run_many(trainer, configs)
    alone = [trainer.run(config) for config in configs]
    assert [r.config.learning_rate for r in together] == list(RATES)
    for joint, single in zip(together, alone, strict=True):
        assert joint.status == single.status == ev.FINISHED
        assert joint.batches["step"] == single.batches["step"] == list(range(1, 11))
        for column in ("loss", "accuracy", "mean_loss", "learning_rate"):
            np.testing.assert_allclose(joint.batches[column], single.batches[column], rtol=1e-5)
        for mine, theirs in zip(joint.epochs, single.epochs, strict=True):
            assert mine["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-5)
            assert mine["val_accuracy"] == pytest.approx(theirs["val_accuracy"], abs=1e-6)
    # Different rates really trained differently, and every event names its run.
    assert together[0].batches["loss"][-1] != together[2].batches["loss"][-1]
    for record in together:
        mine = [e for run_id, e in events if run_id == record.id]
        assert isinstance(mine[0], ev.RunStarted) and isinstance(mine[-1], ev.RunFinished)
        assert sum(isinstance(e, ev.BatchEnd) for e in mine) == 10


def test_a_diverging_run_does_not_stop_the_others(trainer):
    configs = [BASE.replace(optimizer="sgd", learning_rate=1e4), BASE]
    (wild, calm), _ = run_many(trainer, configs)
    assert wild.status == ev.DIVERGED and "too high" in wild.error
    assert not math.isfinite(wild.batches["loss"][-1]) and len(wild.batches["loss"]) < 10
    assert calm.status == ev.FINISHED and len(calm.batches["loss"]) == 10
    np.testing.assert_allclose(calm.batches["loss"], trainer.run(BASE).batches["loss"], rtol=1e-5)


def test_one_stop_stops_every_run_trained_together(trainer):
    control = TrainingControl()

    def stop_at_third(run_id, event):
        if isinstance(event, ev.BatchEnd) and event.step == 3:
            control.stop()

    configs = [BASE.replace(learning_rate=rate) for rate in RATES]
    records, _ = run_many(trainer, configs, control, stop_at_third)
    assert [r.status for r in records] == [ev.STOPPED] * 3
    assert all(r.batches["step"] == [1, 2, 3, 4] for r in records)  # the execution in progress


def test_runs_that_cannot_share_batches_still_run_and_a_bad_one_fails_alone(trainer):
    configs = [BASE, BASE.replace(seed=2), BASE.replace(learning_rate=-1.0)]
    records, _ = run_many(trainer, configs)
    assert [r.status for r in records] == [ev.FINISHED, ev.FINISHED, ev.FAILED]
    assert "learning_rate" in records[2].error
    assert records[0].batches["loss"] != records[1].batches["loss"]  # other seed, other batches
    np.testing.assert_allclose(
        records[1].batches["loss"], trainer.run(BASE.replace(seed=2)).batches["loss"], rtol=1e-5
    )


def test_sweeps_reuse_their_compiled_joint_model(trainer):
    configs = [BASE.replace(learning_rate=rate, epochs=1) for rate in RATES]
    run_many(trainer, configs)
    builds = trainer._together.builds
    again, _ = run_many(trainer, [c.replace(learning_rate=c.learning_rate * 2) for c in configs])
    assert trainer._together.builds == builds
    assert all(r.status == ev.FINISHED for r in again)
