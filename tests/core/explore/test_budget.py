"""The budget view: rates read at the end of each epoch, and whether a smaller rate overtakes a
larger one, and when."""

import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.budget import BudgetTable, shows_budget
from lrexplorer.core.training.trainer import Trainer
from tests.core.explore.test_seed_groups import record


def test_the_table_has_a_row_per_rate_and_a_column_per_epoch():
    records = [
        record(1e-3, 0, [0.91, 0.93, 0.95], epochs=3),
        record(1e-4, 0, [0.90, 0.94, 0.96], epochs=3),
        record(1e-5, 0, [0.75, 0.82, 0.85], epochs=3),
    ]
    table = BudgetTable.from_records(records)
    assert table.epochs == 3 and [r.label for r in table.rows] == [
        "RMSprop 1e-3", "RMSprop 1e-4", "RMSprop 1e-5",
    ]  # fmt: skip
    assert table.rows[1].mean(2) == 0.94 and table.rows[1].at(4) is None
    assert table.line_epochs() == [1, 2, 3]  # 1, 2 (5 and 10 not reached) and the last
    assert table.to_text().splitlines() == [
        "validation accuracy at the end of each epoch:",
        "  epoch             1      2      3",
        "  RMSprop 1e-3  91.0%  93.0%  95.0%",
        "  RMSprop 1e-4  90.0%  94.0%  96.0%",
        "  RMSprop 1e-5  75.0%  82.0%  85.0%",
    ]
    assert table.sentences() == [
        "1e-4 overtakes 1e-3 at epoch 2 (94.0% against 93.0%) and stays ahead to epoch 3.",
        "1e-5 does not overtake 1e-4 within 3 epochs: 85.0% against 96.0% at epoch 3 "
        "(behind by 15.0 points after epoch 1).",
    ]


def test_lines_are_drawn_at_1_2_5_and_10_epochs_as_far_as_the_runs_went():
    def table(epochs):
        return BudgetTable.from_records([record(1e-3, 0, [0.9] * epochs, epochs=epochs)])

    assert table(1).line_epochs() == [1]
    assert table(5).line_epochs() == [1, 2, 5]
    assert table(12).line_epochs() == [1, 2, 5, 10, 12]


def test_seeds_are_averaged_and_an_overtaking_within_their_noise_says_so():
    records = [
        record(1e-3, 0, [0.90, 0.930]), record(1e-3, 1, [0.91, 0.925]),
        record(1e-4, 0, [0.88, 0.935]), record(1e-4, 1, [0.89, 0.929]),
    ]  # fmt: skip
    table = BudgetTable.from_records(records)
    assert table.rows[0].runs == 2 and table.rows[0].mean(1) == pytest.approx(0.905)
    assert table.to_text().splitlines()[0].endswith("(mean of 2 seeds):")
    assert table.sentences() == [
        "1e-4 overtakes 1e-3 at epoch 2 (93.2% against 92.8%, within seed noise)."
    ]


def test_when_a_lead_within_seed_noise_becomes_one_beyond_it():
    records = [record(1e-3, s, [0.905 + 0.002 * s, 0.91 + 0.001 * s, 0.915]) for s in range(2)]
    records += [record(1e-4, s, [0.906 + 0.002 * s, 0.92, 0.93]) for s in range(2)]
    assert BudgetTable.from_records(records).sentences() == [
        "1e-4 is ahead of 1e-3 from the first epoch (90.7% against 90.6%, within seed noise), "
        "beyond seed noise from epoch 2 on."
    ]


def test_a_smaller_rate_that_overtakes_and_falls_back_is_told_so():
    records = [record(1e-2, 0, [0.9, 0.91, 0.95]), record(1e-3, 0, [0.8, 0.92, 0.94])]
    assert BudgetTable.from_records(records).sentences() == [
        "1e-3 overtakes 0.01 at epoch 2 (92.0% against 91.0%), but is behind again at "
        "epoch 3 (94.0% against 95.0%)."
    ]


def test_a_close_race_is_told_with_the_digits_that_tell_it():
    records = [record(1e-3, 0, [0.910, 0.9140]), record(1e-4, 0, [0.907, 0.9142])]
    assert BudgetTable.from_records(records).sentences() == [
        "1e-4 overtakes 1e-3 at epoch 2 (91.42% against 91.40%)."
    ]


def test_one_epoch_has_no_budget_to_compare():
    assert not shows_budget([record(1e-3, 0, 0.9)])
    assert shows_budget([record(1e-3, 0, [0.9, 0.92])])


def test_reading_a_longer_run_at_an_epoch_is_the_same_as_a_run_that_long():
    """The budget view reads one run per rate at each epoch's end instead of training a run per
    budget: that is only honest if epoch 1 of a 2-epoch run is a 1-epoch run."""
    base = RunConfig(optimizer="rmsprop", learning_rate=1e-3, dataset="sample",
                     train_samples=256, test_samples=64, batch_size=32, seed=5)  # fmt: skip
    trainer = Trainer()
    short = trainer.run(base)
    long = trainer.run(base.replace(epochs=2))
    assert long.epochs[0]["val_accuracy"] == pytest.approx(short.epochs[0]["val_accuracy"])
    assert long.epochs[0]["loss"] == pytest.approx(short.epochs[0]["loss"], rel=1e-5)
