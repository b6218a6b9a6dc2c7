"""Sweeps: the runs a sweep queues, refusing a bad one before anything trains, the classroom
presets (the too-high one really diverges) and the summary that names the best run."""

import json
import math

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.explore.presets import BUDGET_EPOCHS, PRESETS, preset_configs
from lrexplorer.core.explore.sweep import (
    MAX_RUNS,
    NOT_RUN,
    SweepError,
    SweepSummary,
    log_spaced,
    parse_rates,
    run_label,
    sweep_configs,
)
from lrexplorer.core.keras_api.optimizers import registry
from lrexplorer.core.keras_api.validation import check_config
from lrexplorer.core.store.records import RunRecord, empty_batches
from lrexplorer.core.training.trainer import Trainer

BASE = RunConfig(optimizer="rmsprop", dataset="sample", train_samples=500, batch_size=32, seed=3)


# --- which runs a sweep makes ------------------------------------------------------------------
def test_a_list_of_rates_makes_one_checked_run_per_rate():
    configs = sweep_configs(BASE, rates=[1e-3, 1e-4, 1e-5])
    assert [c.learning_rate for c in configs] == [1e-3, 1e-4, 1e-5]
    assert [run_label(c) for c in configs] == ["RMSprop 1e-3", "RMSprop 1e-4", "RMSprop 1e-5"]
    # Everything else is the base's: same data, batch size and seed, so the runs compare.
    assert all(c.replace(learning_rate=None) == BASE for c in configs)


def test_a_log_range_is_inclusive_evenly_spaced_and_rounded_for_labels():
    rates = log_spaced(1e-4, 1e-2, 4)
    assert rates == [1e-4, 4.64e-4, 2.15e-3, 1e-2]
    configs = sweep_configs(BASE, log_range=(1e-5, 1e-1, 5))
    assert [run_label(c) for c in configs] == [
        "RMSprop 1e-5", "RMSprop 1e-4", "RMSprop 1e-3", "RMSprop 0.01", "RMSprop 0.1",
    ]  # fmt: skip
    # From high to low is allowed and keeps that order; ratios stay even on a log scale.
    down = log_spaced(0.3, 3e-4, 7)
    assert down[0] == 0.3 and down[-1] == 3e-4 and down == sorted(down, reverse=True)
    ratios = [a / b for a, b in zip(down, down[1:], strict=False)]
    assert max(ratios) / min(ratios) < 1.01
    assert all(len(f"{r:.6e}".split("e")[0].rstrip("0")) <= 4 for r in down)  # d.dd


def test_optimizers_times_rates_optimizer_by_optimizer():
    configs = sweep_configs(BASE, rates=[1e-2, 1e-3], optimizers=["sgd", "Adam", "rmsprop"])
    assert [(c.optimizer, c.learning_rate) for c in configs] == [
        ("sgd", 1e-2), ("sgd", 1e-3), ("adam", 1e-2), ("adam", 1e-3),
        ("rmsprop", 1e-2), ("rmsprop", 1e-3),
    ]  # fmt: skip


def test_without_rates_each_optimizer_runs_at_its_keras_default():
    configs = sweep_configs(BASE, optimizers=["sgd", "adam"])
    specs = registry()
    assert [c.learning_rate for c in configs] == [
        specs.get("sgd").default_learning_rate,
        specs.get("adam").default_learning_rate,
    ]
    assert [run_label(c) for c in configs] == ["SGD 0.01", "Adam 1e-3"]


def test_each_optimizer_keeps_the_base_parameters_it_accepts():
    base = BASE.replace(params={"rho": 0.8, "clipnorm": 1.0})
    rmsprop, sgd = sweep_configs(base, rates=[1e-3], optimizers=["rmsprop", "sgd"])
    assert rmsprop.param_dict() == {"rho": 0.8, "clipnorm": 1.0}
    assert sgd.param_dict() == {"clipnorm": 1.0}
    assert run_label(rmsprop) == "RMSprop 1e-3 clipnorm=1 rho=0.8"
    # A misspelt parameter that no optimizer of the sweep takes is refused, not dropped.
    with pytest.raises(SweepError, match="unknown parameter 'rhoo'"):
        sweep_configs(BASE.replace(params={"rhoo": 0.8}), optimizers=["rmsprop", "sgd"])


def test_a_schedule_applies_to_every_run_and_shows_in_the_label():
    base = BASE.replace(schedule=ScheduleConfig("CosineDecay", {"decay_steps": 100}))
    configs = sweep_configs(base, rates=[1e-2, 1e-3])
    assert all(c.schedule.name == "CosineDecay" for c in configs)
    assert run_label(configs[0]) == "RMSprop 0.01 (CosineDecay)"


def test_typed_rates_are_read_with_commas_or_spaces():
    assert parse_rates("1e-3, 1e-4 1e-5;0.5") == [1e-3, 1e-4, 1e-5, 0.5]
    with pytest.raises(SweepError, match="rate 2 'abc' is not a number"):
        parse_rates("1e-3, abc")
    with pytest.raises(SweepError, match="type one or more rates"):
        parse_rates("  ")


# --- refusing a bad sweep -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rates", "says"),
    [
        ([1e-3, 0.0], "learning rate #2 = 0.0 is not allowed: it must be > 0"),
        ([-1e-3], "learning rate #1 = -0.001 is not allowed"),
        ([1e-3, 1e-4, math.nan], "learning rate #3 = nan is not finite"),
        ([math.inf], "learning rate #1 = inf is not finite"),
        ([1e-3, 1e-3], "learning rate 0.001 is listed twice"),
        ([], "the list of learning rates is empty"),
    ],
)
def test_a_bad_rate_refuses_the_whole_sweep_and_names_it(rates, says):
    with pytest.raises(SweepError) as info:
        sweep_configs(BASE, rates=rates)
    assert says in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"optimizers": ["sgd", "adamm"]}, "unknown optimizer 'adamm'"),
        ({"optimizers": ["adam", "Adam"]}, "optimizer 'adam' is listed twice"),
        ({"log_range": (0.0, 1e-1, 5)}, "range start = 0.0 is not allowed"),
        ({"log_range": (1e-5, math.nan, 5)}, "range end = nan is not finite"),
        ({"log_range": (1e-5, 1e-1, 1)}, "at least 2 values"),
        ({"log_range": (1e-3, 1e-3, 3)}, "start and end are the same"),
        ({"log_range": (1e-3, 1.001e-3, 5)}, "repeat 1e-3 once rounded"),
        ({"rates": [1e-3], "log_range": (1e-5, 1e-1, 5)}, "not both"),
        ({"log_range": (1e-6, 1.0, MAX_RUNS), "optimizers": ["sgd", "adam"]}, "at most"),
    ],
)
def test_bad_optimizers_and_ranges_are_refused_with_a_reason(kwargs, says):
    with pytest.raises(SweepError) as info:
        sweep_configs(BASE, **kwargs)
    assert says in str(info.value)


def test_data_problems_are_reported_once_not_once_per_run():
    with pytest.raises(SweepError) as info:
        sweep_configs(BASE.replace(epochs=0), rates=[1e-2, 1e-3, 1e-4])
    assert str(info.value).count("epochs = 0") == 1


def test_nothing_trains_when_a_sweep_is_refused(monkeypatch):
    trained = []
    monkeypatch.setattr(Trainer, "run", lambda self, config, *a, **k: trained.append(config))
    with pytest.raises(SweepError):
        for config in sweep_configs(BASE, rates=[1e-3, 1e-4, 0.0]):
            Trainer().run(config)
    assert trained == []


# --- presets -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_is_documented_and_yields_valid_runs_on_the_base_data(name):
    preset = PRESETS[name]
    assert preset.title and len(preset.description) > 150 and "ask" in preset.description.lower()
    configs = preset_configs(name, BASE)
    assert len(configs) >= 2
    assert all(check_config(c) == c for c in configs)  # already resolved and valid
    for config in configs:
        assert (config.dataset, config.train_samples, config.batch_size, config.seed) == (
            "sample", 500, 32, 3,
        )  # fmt: skip
        assert config.model == "tutorial"
        assert config.epochs == (BUDGET_EPOCHS if name == "budget" else 1)
    labels = [run_label(c) for c in configs]
    assert len(set(labels)) == len(labels)  # every run can be told apart


def test_the_presets_hold_their_lessons():
    classic = preset_configs("classic", BASE)
    assert [run_label(c) for c in classic] == ["RMSprop 1e-3", "RMSprop 1e-4", "RMSprop 1e-5"]
    labels = [run_label(c) for c in preset_configs("momentum", BASE)]
    assert labels == ["SGD 0.01", "SGD 0.01 momentum=0.9", "Adam 0.01"]
    by_name = [s for s in registry().specs() if s.by_name]
    budget = preset_configs("budget", BASE)
    assert [run_label(c) for c in budget] == ["RMSprop 1e-3", "RMSprop 1e-4", "RMSprop 1e-5"]
    defaults = preset_configs("defaults", BASE)
    assert [c.optimizer for c in defaults] == [s.name for s in by_name]
    assert [c.learning_rate for c in defaults] == [s.default_learning_rate for s in by_name]
    with pytest.raises(KeyError, match="choose one of classic"):
        preset_configs("nope", BASE)


def test_the_too_high_preset_really_diverges_and_the_sensible_rate_does_not():
    base = RunConfig(dataset="sample", train_samples=1024, test_samples=200, batch_size=16)
    trainer = Trainer()
    records = [trainer.run(config) for config in preset_configs("too-high", base)]
    statuses = {r.config.learning_rate: r.status for r in records}
    assert statuses == {10.0: ev.DIVERGED, 1.0: ev.DIVERGED, 0.1: ev.FINISHED}
    ten, one, sensible = records
    assert ten.steps_done < one.steps_done < sensible.steps_done  # too high fails sooner
    assert not math.isfinite(ten.batches["loss"][-1])
    assert sensible.final("val_accuracy") > 0.6
    summary = SweepSummary.from_records(records)
    assert summary.best.learning_rate == 0.1


# --- the summary ---------------------------------------------------------------------------
def record(label, rate, status, val_accuracy=None, val_loss=None, loss=0.5, seconds=2.0):
    config = RunConfig(optimizer="rmsprop", learning_rate=rate)
    rec = RunRecord(id=label, config=config, label=label, status=status, seconds=seconds)
    rec.optimizer_config = {"class_name": "RMSprop"}
    rec.batches = empty_batches()
    if status == ev.DIVERGED:
        rec.batches.update(step=[1, 2, 3], mean_loss=[2.3, 40.0, math.inf])
        rec.batches.update(mean_accuracy=[0.1, 0.1, 0.1], loss=[2.3, 77.7, math.inf])
        rec.last_batch = {"step": 3, "mean_loss": math.inf, "mean_accuracy": 0.1}
        return rec
    rec.epochs = [
        {"epoch": 1, "step": 10, "loss": loss, "accuracy": 0.8, "val_loss": val_loss,
         "val_accuracy": val_accuracy, "seconds": seconds},
    ]  # fmt: skip
    return rec


def test_the_best_run_has_the_highest_validation_accuracy_among_finished_runs():
    records = [
        record("RMSprop 1e-3", 1e-3, ev.FINISHED, 0.95, 0.20),
        record("RMSprop 1e-2", 1e-2, ev.STOPPED, 0.99, 0.01),  # stopped early: does not count
        record("RMSprop 1e-4", 1e-4, ev.FINISHED, 0.97, 0.30),
        record("RMSprop 1e-5", 1e-5, ev.FINISHED, 0.97, 0.10),  # same accuracy, lower loss
        record("RMSprop 10", 10.0, ev.DIVERGED),
    ]
    summary = SweepSummary.from_records(records)
    assert summary.best.label == "RMSprop 1e-5"
    assert [row.status for row in summary.rows] == [
        "finished", "stopped", "finished", "finished", "diverged",
    ]  # fmt: skip
    diverged = summary.rows[-1]
    assert diverged.loss == math.inf and diverged.val_accuracy is None
    assert SweepSummary.from_records([records[1], records[4]]).best is None


def test_the_summary_table_is_aligned_and_marks_the_best():
    records = [
        record("RMSprop 1e-3", 1e-3, ev.FINISHED, 0.9517, 0.16, seconds=3.44),
        record("RMSprop 1e-5", 1e-5, ev.FINISHED, 0.6012, 1.9, loss=2.01),
        record("SGD 10", 10.0, ev.DIVERGED, seconds=0.61),
    ]
    lines = SweepSummary.from_records(records).to_text().splitlines()
    assert lines[0].split() == ["run", "status", "loss", "accuracy", "val_accuracy", "time"]
    assert lines[1].startswith("* RMSprop 1e-3") and "0.9517" in lines[1] and "3.4s" in lines[1]
    assert not lines[2].startswith("*") and "2.0100" in lines[2]
    assert "diverged" in lines[3] and "inf" in lines[3]
    assert len({len(line) for line in lines[:3]}) == 1  # right-aligned numbers end together
    assert lines[-1] == "* best: RMSprop 1e-3 (validation accuracy 0.9517)"


def test_the_summary_as_json_has_every_row_and_no_nan():
    records = [record("RMSprop 1e-3", 1e-3, ev.FINISHED, 0.9, 0.3), record("x", 10, ev.DIVERGED)]
    data = SweepSummary.from_records(records).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["best_label"] == "RMSprop 1e-3"
    assert [r["status"] for r in data["runs"]] == ["finished", "diverged"]
    assert data["runs"][1]["loss"] is None and data["runs"][0]["learning_rate"] == 1e-3


def test_queued_runs_that_never_started_read_as_not_run():
    waiting = RunRecord(id="w", config=RunConfig(optimizer="sgd", learning_rate=0.1))
    row = SweepSummary.from_records([waiting]).rows[0]
    assert row.status == NOT_RUN and row.label == "SGD 0.1"
