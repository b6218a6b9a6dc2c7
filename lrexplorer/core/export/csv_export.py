"""A run's history as CSV text, for spreadsheets: one row per batch, or one row per epoch.

A value that is not a finite number (a diverged step's loss, or a missing validation score) is
an empty cell, which spreadsheets read as "no value" rather than as text that breaks a chart.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from lrexplorer.core import events as ev
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.store.records import BATCH_FIELDS, RunRecord

# EpochEnd's fields, in its order, so a new field shows up in the export without an edit here.
EPOCH_FIELDS = tuple(f.name for f in dataclasses.fields(ev.EpochEnd))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return format_number(value)  # full precision, read back as the same number
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def batches_csv(record: RunRecord) -> str:
    """Every trained batch: columns BATCH_FIELDS (step, epoch, batch, loss, ...).

    Raises ValueError when the history has not been read from disk yet
    (RunStore.load_history fills it).
    """
    if record.batches is None:
        raise ValueError(
            f"the batch history of run {record.label or record.id} is not loaded; "
            "read it with RunStore.load_history first"
        )
    columns = [record.batches.get(name, []) for name in BATCH_FIELDS]
    return _table(BATCH_FIELDS, zip(*columns, strict=True))


def epochs_csv(record: RunRecord) -> str:
    """One row per finished epoch: epoch, step, loss, accuracy, val_loss, val_accuracy, seconds."""
    return _table(
        EPOCH_FIELDS, ([epoch.get(name) for name in EPOCH_FIELDS] for epoch in record.epochs)
    )
