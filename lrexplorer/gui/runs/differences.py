"""The runs panel's "Differences only" view: the settings that differ between ticked runs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config import differences
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.runs.cells import format_setting, swatch_icon
from lrexplorer.plots.palette import ColourBook


class DifferencesView(QWidget):
    """One row per setting that is not the same in every ticked run, one column per run."""

    def __init__(self, colours: ColourBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colours = colours
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(objectName="differencesView")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Columns as wide as their run's name: many runs scroll sideways rather than squeeze.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.message = QLabel(objectName="differencesMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout.addWidget(self.table)
        layout.addWidget(self.message)

    def show_runs(self, records: list[RunRecord]) -> None:
        changed = differences([r.config for r in records]) if len(records) > 1 else {}
        if len(records) < 2:
            self._say("Tick two or more runs to see how their settings differ.")
        elif not changed:
            self._say("The ticked runs have the same settings.")
        else:
            self.message.hide()
            self.table.show()
        self.table.clear()
        self.table.setColumnCount(len(records))
        self.table.setRowCount(len(changed))
        for column, record in enumerate(records):
            label = record.label or record.id
            header = QTableWidgetItem(swatch_icon(self._colours.colour(record.id)), label)
            header.setToolTip(label)
            self.table.setHorizontalHeaderItem(column, header)
        self.table.setVerticalHeaderLabels(list(changed))
        for row, values in enumerate(changed.values()):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(format_setting(value)))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.table.hide()
