"""RunsModel: the runs table behind RunsPanel, one row per RunRecord, newest first."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont

from lrexplorer.core import events as ev
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.runs.cells import (
    format_loss,
    format_percent,
    format_seconds,
    run_seconds,
    run_tooltip,
    status_icon,
    status_text,
    swatch_icon,
)
from lrexplorer.plots.palette import ColourBook

COL_SHOW, COL_LABEL, COL_STATUS, COL_LOSS, COL_ACCURACY, COL_VAL_ACCURACY, COL_TIME = range(7)
COL_PREDICTION = 7
HEADERS = ("Show", "Run", "Status", "Loss", "Accuracy", "Val. acc.", "Time", "Prediction")
HEADER_TIPS = (
    "Tick a run to overlay it on the plots, in the colour shown",
    "The run's name: double-click (or F2) to rename it",
    "How the run ended, or how far it has got",
    "Training loss at the end (the epoch's running mean while training)",
    "Training accuracy at the end (the epoch's running mean while training)",
    "Accuracy on the held-out test images after the last epoch",
    "Training time, pauses excluded",
    "What the class predicted before the run",
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
_NUMERIC = (COL_LOSS, COL_ACCURACY, COL_VAL_ACCURACY, COL_TIME)
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# --- the model ------------------------------------------------------------------------------
class RunsModel(QAbstractTableModel):
    """Rows are RunRecords ordered newest first; a view sorts through a proxy.

    A run in progress is always ticked (it is always on the plots) and cannot be unticked.
    """

    renamed = Signal(object)  # RunRecord whose label the user edited
    ticks_changed = Signal()

    def __init__(self, colours: ColourBook, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colours = colours
        self._rows: list[RunRecord] = []
        self._keys: list[tuple[str, int]] = []  # (created, arrival) of each row, descending
        self._row_of: dict[str, int] = {}
        self._ticked: set[str] = set()
        self._statuses: dict[str, str] = {}  # as last shown
        self._arrivals = 0

    # --- Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in _NUMERIC:
            return _ALIGN_RIGHT
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        record = self._rows[index.row()]
        if index.column() == COL_SHOW and record.status != ev.RUNNING:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == COL_LABEL:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(record, column)
        if role == SORT_ROLE:
            return self._sort_key(record, column)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_SHOW:
            ticked = self.is_ticked(record.id)
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_SHOW:
                return swatch_icon(self._colours.colour(record.id))
            if column == COL_STATUS:
                return status_icon(record.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return _ALIGN_RIGHT
        if role == Qt.ItemDataRole.FontRole and record.status == ev.RUNNING:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = run_tooltip(record)
            if column == COL_SHOW and record.status == ev.RUNNING:
                tip = tip.replace("<qt>", "<qt><i>The run in progress is always shown.</i><br>")
            return tip
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == COL_SHOW:
            self.set_ticked(record.id, Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if role == Qt.ItemDataRole.EditRole and index.column() == COL_LABEL:
            label = str(value).strip()
            if not label:
                return False  # an empty name would leave the run unrecognisable in legends
            if label != record.label:
                record.label = label
                self.dataChanged.emit(index, index)
                self.renamed.emit(record)
            return True
        return False

    @staticmethod
    def _text(record: RunRecord, column: int) -> str:
        if column == COL_LABEL:
            return record.label or record.id
        if column == COL_STATUS:
            return status_text(record)
        if column == COL_LOSS:
            return format_loss(record.final("loss"))
        if column == COL_ACCURACY:
            return format_percent(record.final("accuracy"))
        if column == COL_VAL_ACCURACY:
            return format_percent(record.final("val_accuracy"))
        if column == COL_TIME:
            return format_seconds(run_seconds(record))
        if column == COL_PREDICTION:
            return record.prediction
        return ""

    def _sort_key(self, record: RunRecord, column: int) -> Any:
        # A missing or NaN result sorts as the worst: last when sorting best-first.
        def number(value: float | None, worst: float) -> float:
            return worst if value is None or math.isnan(value) else value

        if column == COL_SHOW:
            return int(self.is_ticked(record.id))
        if column == COL_STATUS:
            return ev.STATUSES.index(record.status) if record.status in ev.STATUSES else 99
        if column == COL_LOSS:
            return number(record.final("loss"), math.inf)
        if column in (COL_ACCURACY, COL_VAL_ACCURACY):
            name = "accuracy" if column == COL_ACCURACY else "val_accuracy"
            return number(record.final(name), -1.0)
        if column == COL_TIME:
            return run_seconds(record)
        return self._text(record, column).casefold()

    # --- rows -------------------------------------------------------------------------------
    def add(self, record: RunRecord, ticked: bool = True) -> None:
        """Insert at its place by start time; an id already here is updated instead."""
        if record.id in self._row_of:
            self.update(record)
            return
        self._arrivals += 1
        self._colours.colour(record.id)  # claimed now, in order of arrival, not paint order
        self._insert(record, (record.created, self._arrivals), ticked)

    def add_many(self, records: list[RunRecord], ticked: bool = False) -> None:
        """add() for many runs in one model reset: a thousand saved runs load in milliseconds
        rather than seconds (one insertion at a time re-sorts and re-indexes every row)."""
        fresh: dict[str, RunRecord] = {}
        for record in records:
            if record.id in self._row_of:
                self.update(record)
            elif record.id not in fresh:
                fresh[record.id] = record
        if not fresh:
            return
        self.beginResetModel()
        for record in fresh.values():
            self._arrivals += 1
            self._colours.colour(record.id)  # claimed in order of arrival, as add() does
            self._rows.append(record)
            self._keys.append((record.created, self._arrivals))
            if ticked or record.status == ev.RUNNING:
                self._ticked.add(record.id)
            self._statuses[record.id] = record.status
        order = sorted(range(len(self._rows)), key=self._keys.__getitem__, reverse=True)
        self._rows = [self._rows[i] for i in order]
        self._keys = [self._keys[i] for i in order]
        self._reindex()
        self.endResetModel()
        self.ticks_changed.emit()

    def _insert(self, record: RunRecord, key: tuple[str, int], ticked: bool) -> None:
        position = sum(1 for other in self._keys if other > key)  # newer runs stay above
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, record)
        self._keys.insert(position, key)
        if ticked or record.status == ev.RUNNING:
            self._ticked.add(record.id)
        self._statuses[record.id] = record.status
        self._reindex()
        self.endInsertRows()

    def update(self, record: RunRecord) -> bool:
        """Redraw a run's row (`record` may be a new object with the same id); True when its
        status changed since last shown, so texts may have got shorter."""
        row = self._row_of.get(record.id)
        if row is None:
            return False
        was_ticked = self.is_ticked(record.id)
        if record.status == ev.RUNNING:
            self._ticked.add(record.id)
        self._rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        if self.is_ticked(record.id) != was_ticked:
            self.ticks_changed.emit()
        changed = self._statuses.get(record.id) != record.status
        self._statuses[record.id] = record.status
        return changed

    def remove(self, run_ids: list[str]) -> list[tuple[RunRecord, tuple[str, int], bool]]:
        """Take rows out; returns what `restore` needs to put them back where they were."""
        removed = []
        for run_id in run_ids:
            row = self._row_of.get(run_id)
            if row is None:
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            record = self._rows.pop(row)
            key = self._keys.pop(row)
            removed.append((record, key, record.id in self._ticked))
            self._ticked.discard(record.id)
            self._reindex()
            self.endRemoveRows()
        if any(ticked for _, _, ticked in removed):
            self.ticks_changed.emit()
        return removed

    def restore(self, removed: list[tuple[RunRecord, tuple[str, int], bool]]) -> None:
        for record, key, ticked in removed:
            if record.id not in self._row_of:
                self._insert(record, key, ticked)
        if any(ticked for _, _, ticked in removed):
            self.ticks_changed.emit()

    def _reindex(self) -> None:
        self._row_of = {record.id: row for row, record in enumerate(self._rows)}

    # --- lookups and ticks ------------------------------------------------------------------
    def record(self, row: int) -> RunRecord:
        return self._rows[row]

    def records(self) -> list[RunRecord]:
        return list(self._rows)

    def row_of(self, run_id: str) -> int | None:
        return self._row_of.get(run_id)

    def is_ticked(self, run_id: str) -> bool:
        row = self._row_of.get(run_id)
        if row is not None and self._rows[row].status == ev.RUNNING:
            return True
        return run_id in self._ticked

    def set_ticked(self, run_id: str, ticked: bool) -> None:
        row = self._row_of.get(run_id)
        if row is None or self.is_ticked(run_id) == ticked:
            return
        if ticked:
            self._ticked.add(run_id)
        else:
            self._ticked.discard(run_id)
        if self.is_ticked(run_id) == ticked:  # a run in progress stays ticked
            index = self.index(row, COL_SHOW)
            self.dataChanged.emit(index, index)
            self.ticks_changed.emit()

    def set_all_ticked(self, ticked: bool) -> None:
        before = {r.id for r in self._rows if self.is_ticked(r.id)}
        self._ticked = {r.id for r in self._rows} if ticked else set()
        after = {r.id for r in self._rows if self.is_ticked(r.id)}
        if before != after:
            if self._rows:
                last = self.index(len(self._rows) - 1, COL_SHOW)
                self.dataChanged.emit(self.index(0, COL_SHOW), last)
            self.ticks_changed.emit()
