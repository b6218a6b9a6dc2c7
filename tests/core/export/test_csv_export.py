"""A run's history exported as CSV reads back in a spreadsheet as the same numbers."""

import csv
import io
import math

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.export.csv_export import batches_csv, epochs_csv
from lrexplorer.core.store.records import BATCH_FIELDS, RunRecord


def _record() -> RunRecord:
    record = RunRecord(id="r1", config=RunConfig(learning_rate=1e-4), label="RMSprop 1e-4")
    for step, loss in enumerate([2.3, 0.9, math.nan], start=1):
        record.apply(
            ev.BatchEnd(
                step=step,
                epoch=1,
                batch=step,
                loss=loss,
                accuracy=0.1 * step,
                mean_loss=loss,
                mean_accuracy=0.1 * step,
                learning_rate=3e-5,
                elapsed=0.25 * step,
            )
        )
    record.apply(ev.EpochEnd(1, 3, 1.2, 0.2, None, None, 0.75))
    record.apply(ev.EpochEnd(2, 6, 0.5, 0.8765432109876, 0.4, 0.91, 1.5))
    return record


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_batches_csv_has_a_header_and_one_row_per_batch():
    rows = _rows(batches_csv(_record()))
    assert rows[0] == list(BATCH_FIELDS)
    assert len(rows) == 1 + 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["step"] == "1"
    assert float(first["loss"]) == 2.3
    assert float(first["learning_rate"]) == 3e-5  # full precision, not rounded for display


def test_a_diverged_loss_is_an_empty_cell():
    rows = _rows(batches_csv(_record()))
    last = dict(zip(rows[0], rows[-1], strict=True))
    assert last["loss"] == ""
    assert last["accuracy"] != ""


def test_epochs_csv_keeps_full_precision_and_blanks_missing_validation():
    rows = _rows(epochs_csv(_record()))
    assert rows[0] == ["epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"]
    first = dict(zip(rows[0], rows[1], strict=True))
    second = dict(zip(rows[0], rows[2], strict=True))
    assert first["val_accuracy"] == ""
    assert float(second["accuracy"]) == 0.8765432109876
    assert float(second["val_accuracy"]) == 0.91


def test_a_run_without_history_exports_only_headers():
    record = RunRecord(id="r2", config=RunConfig())
    assert _rows(batches_csv(record)) == [list(BATCH_FIELDS)]
    assert len(_rows(epochs_csv(record))) == 1


def test_history_not_yet_read_from_disk_is_refused_with_a_reason():
    record = RunRecord(id="r3", config=RunConfig(), label="Adam 1e-3", batches=None)
    with pytest.raises(ValueError, match="Adam 1e-3.*not loaded"):
        batches_csv(record)
