"""Seeds: a sweep repeats each setting with seed, seed + 1, ...; runs of one setting form a
group whose mean and spread say whether two settings differ by more than their seeds do."""

import json
import math

import numpy as np
import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.labels import sweep_labels
from lrexplorer.core.explore.presets import preset_configs
from lrexplorer.core.explore.seed_groups import (
    MIN_MAX,
    STD,
    Spread,
    aligned_band,
    best_group,
    group_records,
    groups_text,
    seed_noise_sentences,
)
from lrexplorer.core.explore.sweep import MAX_RUNS, SweepError, sweep_configs, with_seeds
from lrexplorer.core.store.records import RunRecord

BASE = RunConfig(optimizer="rmsprop", dataset="sample", train_samples=500, batch_size=32, seed=3)


# --- the runs a seeded sweep makes ---------------------------------------------------------
def test_seeds_repeat_every_setting_seed_by_seed_counting_up_from_the_base_seed():
    configs = sweep_configs(BASE, rates=[1e-3, 1e-4], seeds=3)
    assert [(c.learning_rate, c.seed) for c in configs] == [
        (1e-3, 3), (1e-4, 3), (1e-3, 4), (1e-4, 4), (1e-3, 5), (1e-4, 5),
    ]  # fmt: skip
    assert sweep_labels(configs) == [
        "RMSprop 1e-3 seed 3", "RMSprop 1e-4 seed 3", "RMSprop 1e-3 seed 4",
        "RMSprop 1e-4 seed 4", "RMSprop 1e-3 seed 5", "RMSprop 1e-4 seed 5",
    ]  # fmt: skip
    # One seed: the labels are the sweep's as before.
    assert sweep_labels(sweep_configs(BASE, rates=[1e-3, 1e-4])) == ["RMSprop 1e-3", "RMSprop 1e-4"]


def test_a_preset_takes_seeds_too_and_every_seed_counts_towards_the_limit():
    configs = with_seeds(preset_configs("classic", BASE), 2)
    assert [(c.learning_rate, c.seed) for c in configs] == [
        (1e-3, 3), (1e-4, 3), (1e-5, 3), (1e-3, 4), (1e-4, 4), (1e-5, 4),
    ]  # fmt: skip
    with pytest.raises(SweepError, match=f"is 60 runs: a sweep has at most {MAX_RUNS}"):
        sweep_configs(BASE, log_range=(1e-5, 1e-1, 6), seeds=10)
    with pytest.raises(SweepError, match="6 runs x 10 seeds is 60 runs"):
        with_seeds(sweep_configs(BASE, log_range=(1e-5, 1e-1, 6)), 10)


@pytest.mark.parametrize("seeds", [0, -1, 11, 2.5, True])
def test_a_bad_number_of_seeds_is_refused(seeds):
    with pytest.raises(SweepError, match="seeds must be a whole number from 1 to 10"):
        sweep_configs(BASE, rates=[1e-3], seeds=seeds)


# --- groups ---------------------------------------------------------------------------------
def record(rate, seed, val_accuracy, status=ev.FINISHED, loss=0.5, seconds=3.0, epochs=1):
    config = BASE.replace(learning_rate=rate, seed=seed, epochs=epochs)
    rec = RunRecord(id=f"{rate}-{seed}", config=config, status=status, seconds=seconds)
    rec.optimizer_config = {"class_name": "RMSprop"}
    values = val_accuracy if isinstance(val_accuracy, list) else [val_accuracy]
    rec.epochs = [
        {"epoch": e, "step": 10 * e, "loss": loss, "accuracy": 0.8, "val_loss": 0.3,
         "val_accuracy": v, "seconds": seconds}
        for e, v in enumerate(values, 1)
    ]  # fmt: skip
    return rec


def test_runs_that_differ_only_in_seed_form_a_group_with_mean_and_spread():
    records = [
        record(1e-3, 0, 0.910), record(1e-4, 0, 0.905), record(1e-3, 1, 0.912),
        record(1e-4, 1, 0.900), record(1e-3, 2, 0.908), record(1e-4, 2, 0.907),
    ]  # fmt: skip
    groups = group_records(records)
    assert [g.label for g in groups] == ["RMSprop 1e-3", "RMSprop 1e-4"]
    first = groups[0]
    assert first.seeds == (0, 1, 2) and first.run_ids == ("0.001-0", "0.001-1", "0.001-2")
    spread = first.finals["val_accuracy"]
    assert spread.n == 3 and spread.mean == pytest.approx(0.91)
    assert spread.std == pytest.approx(0.002) and (spread.low, spread.high) == (0.908, 0.912)
    assert spread.text(percent=True) == "91.00% +- 0.20 (90.80-91.20)"
    assert best_group(groups) is first


def test_only_finished_runs_count_towards_a_groups_final_values():
    records = [record(1e-3, 0, 0.91), record(1e-3, 1, None, status=ev.DIVERGED)]
    (group,) = group_records(records)
    assert group.n == 2 and group.finished == 1
    assert group.finals["val_accuracy"].n == 1
    assert json.loads(json.dumps(group.to_dict(), allow_nan=False))["statuses"] == [
        "finished", "diverged",
    ]  # fmt: skip


def test_a_run_whose_rate_changed_live_is_a_group_of_its_own():
    changed = record(1e-3, 1, 0.95)
    changed.lr_changes = [{"step": 5, "learning_rate": 1e-2, "previous": 1e-3}]
    groups = group_records([record(1e-3, 0, 0.91), changed])
    assert [g.n for g in groups] == [1, 1]


def test_spread_ignores_what_is_not_a_number():
    spread = Spread.of([0.5, None, math.nan, math.inf, 0.7])
    assert (spread.n, spread.mean, spread.low, spread.high) == (2, 0.6, 0.5, 0.7)
    assert Spread.of([None, math.nan]) is None
    assert Spread.of([0.4]).std == 0.0 and Spread.of([0.4]).text() == "0.400"


# --- in words -----------------------------------------------------------------------------
def test_overlapping_seeds_are_called_noise_and_separate_ones_are_not():
    records = [
        record(1e-3, s, v) for s, v in enumerate((0.910, 0.906, 0.912))
    ] + [record(1e-4, s, v) for s, v in enumerate((0.905, 0.908, 0.901))] + [
        record(1e-5, s, v) for s, v in enumerate((0.755, 0.760, 0.749))
    ]  # fmt: skip
    assert seed_noise_sentences(group_records(records)) == [
        "1e-3 and 1e-4 are within seed noise after one epoch: over 3 seeds each, their "
        "validation accuracy ranges overlap (1e-3: 90.6-91.2%, 1e-4: 90.1-90.8%).",
        "1e-4 beats 1e-5 beyond seed noise after one epoch: over 3 seeds each, their "
        "validation accuracy ranges do not overlap (1e-4: 90.1-90.8%, 1e-5: 74.9-76.0%).",
    ]


def test_single_runs_say_nothing_about_noise():
    records = [record(1e-3, 0, 0.91), record(1e-4, 0, 0.90)]
    assert seed_noise_sentences(group_records(records)) == []


def test_the_groups_table_for_the_terminal():
    records = [record(1e-3, s, v, loss=0.39) for s, v in enumerate((0.91, 0.912))]
    records += [record(1e-5, s, v, loss=1.6, seconds=2.0) for s, v in enumerate((0.75, 0.76))]
    lines = groups_text(group_records(records)).splitlines()
    assert lines[0].split() == ["setting", "finished", "val_accuracy", "loss", "time"]
    assert lines[1].startswith("* RMSprop 1e-3  2/2       91.10% +- 0.14 (91.00-91.20)")
    assert lines[2].startswith("  RMSprop 1e-5  2/2       75.50% +- 0.71 (75.00-76.00)")
    assert lines[2].endswith("1.600 +- 0.000 (1.600-1.600)  2.0s")


# --- bands ----------------------------------------------------------------------------------
def test_a_band_is_the_mean_and_range_of_the_curves_step_by_step():
    steps = np.arange(1.0, 6.0)
    curves = [(steps, np.array([1.0, 2, 3, 4, 5])), (steps, np.array([3.0, 2, 1, 4, 7])),
              (steps[:4], np.array([2.0, 2, 2, 4]))]  # stopped after step 4  # fmt: skip
    band = aligned_band(curves, MIN_MAX)
    assert band.x.tolist() == [1, 2, 3, 4]  # the steps every run reached
    assert band.mean.tolist() == [2, 2, 2, 4]
    assert band.low.tolist() == [1, 2, 1, 4] and band.high.tolist() == [3, 2, 3, 4]
    std = aligned_band(curves, STD)
    assert std.low[0] == pytest.approx(1.0) and std.high[0] == pytest.approx(3.0)


def test_a_band_skips_a_runs_missing_values_and_is_empty_without_curves():
    steps = np.arange(1.0, 4.0)
    band = aligned_band([(steps, np.array([1.0, np.nan, 3])), (steps, np.array([3.0, 4, 5]))])
    assert band.mean.tolist() == [2, 4, 4] and band.count.tolist() == [2, 1, 2]
    assert aligned_band([]).x.size == 0
    assert aligned_band([(np.empty(0), np.empty(0))]).x.size == 0
