"""After a sweep: its runs (or, with seeds, each setting's mean and spread) in a table, final
validation accuracy and loss against learning rate with the best marked, in words whether two
settings differ by more than their seeds, and the budget view when the runs trained several
epochs; large enough to read on a projector. The plots themselves are in lrexplorer/plots."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core import events as ev
from lrexplorer.core.explore.budget import shows_budget
from lrexplorer.core.explore.seed_groups import (
    SeedGroup,
    Spread,
    is_seeded,
    seed_noise_sentences,
)
from lrexplorer.core.explore.sweep import NOT_RUN, SweepSummary
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.budget_plot import BudgetPlot
from lrexplorer.plots.sweep_plot import (
    RATES,
    RUNS,
    STATUS_COLOURS,
    SweepPlot,
    loss_text,
    percent,
)

COLUMNS = ("Run", "Status", "Final loss", "Accuracy", "Val. accuracy", "Time")
GROUP_COLUMNS = ("Setting", "Finished", "Final loss", "Accuracy", "Val. accuracy", "Time")
BEST_ROW = "#FFF1C9"
__all__ = ["BEST_ROW", "RATES", "RUNS", "SweepSummaryDialog", "SweepSummaryView"]


def _spread_text(spread: Spread | None, as_percent: bool) -> str:
    """ "90.49% ± 0.41 (90.24–90.96)": mean ± std (lowest–highest seed), to the hundredth of a
    point, since seeds differ by tenths; one run: its value as the runs table shows it."""
    if spread is None:
        return "–"
    if not as_percent:
        mean = loss_text(spread.mean)
        return mean if spread.n == 1 else f"{mean} ± {spread.std:.3f}"
    if spread.n == 1:
        return percent(spread.mean)
    return (f"{100 * spread.mean:.2f}% ± {100 * spread.std:.2f} "
            f"({100 * spread.low:.2f}–{100 * spread.high:.2f})")  # fmt: skip


class SweepSummaryView(QWidget):
    """A sweep's runs side by side: headline, plots (and the budget view), table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SweepSummaryView")
        self._summary = SweepSummary((), None)
        self._groups: list[SeedGroup] = []
        self._seeded = False
        self._scale = 1.25
        self.headline = QLabel(objectName="sweepSummaryBest")
        self.headline.setWordWrap(True)
        self.noise = QLabel(objectName="sweepSummaryNoise")
        self.noise.setWordWrap(True)
        self.noise.hide()
        self.table = QTableWidget(0, len(COLUMNS), objectName="sweepSummaryTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.plot = SweepPlot()
        self.budget = BudgetPlot()
        self.budget_notes = QLabel(objectName="sweepBudgetNotes")
        self.budget_notes.setWordWrap(True)
        budget_page = QWidget(objectName="sweepBudgetPage")
        page = QVBoxLayout(budget_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.budget, 1)
        page.addWidget(self.budget_notes)
        self.tabs = QTabWidget(objectName="sweepSummaryTabs")
        self.tabs.addTab(self.plot, "Final results")
        self._budget_page = budget_page
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.noise)
        layout.addWidget(splitter, 1)
        self.set_scale(self._scale)

    # --- what the plots show ----------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.plot.mode

    @property
    def accuracy_plot(self) -> pg.PlotItem | None:
        return self.plot.accuracy_plot

    @property
    def loss_plot(self) -> pg.PlotItem | None:
        return self.plot.loss_plot

    # --- public -----------------------------------------------------------------------------
    def set_records(self, records: list[RunRecord]) -> None:
        self._summary = SweepSummary.from_records(records)
        self.plot.set_records(records)
        self._groups = self.plot.groups
        self._seeded = is_seeded(self._groups)
        self._fill_headline()
        sentences = seed_noise_sentences(self._groups)
        self.noise.setText(" ".join(sentences))
        self.noise.setVisible(bool(sentences))
        if self._seeded:
            self._fill_group_table()
        else:
            self._fill_table()
        self._show_budget(records)

    def summary(self) -> SweepSummary:
        return self._summary

    def groups(self) -> list[SeedGroup]:
        """The settings of the sweep, each with its seeds (one each without seeds)."""
        return list(self._groups)

    def best_row(self) -> int:
        """The table row of the best run (with seeds: of the best setting), or -1."""
        if self._seeded:
            best = self.plot.best()
            return -1 if best is None else self._groups.index(best)
        best = self._summary.best
        return -1 if best is None else self._summary.rows.index(best)

    def set_scale(self, scale: float) -> None:
        """Text and marks grow with `scale` (1.25 by default: this view is for the whole room)."""
        self._scale = scale
        self.table.setFont(self._font(1.0))
        self.headline.setFont(self._font(1.2, bold=True))
        self.noise.setFont(self._font(1.05))
        self.budget_notes.setFont(self._font(1.05))
        self.plot.set_scale(scale)
        self.budget.set_scale(scale)

    def export_image(self, path: str) -> bool:
        """Save the whole view (headline, plots, table) as a PNG."""
        return self.grab().save(path, "PNG")

    # --- headline, table and budget ---------------------------------------------------------
    def _fill_headline(self) -> None:
        if self._seeded:
            best = self.plot.best()
            if best is None:
                self.headline.setText("No run finished, so there is no best setting.")
                return
            spread = best.finals["val_accuracy"]
            accuracy = _spread_text(spread, as_percent=True)
            others = [(g, g.finals["val_accuracy"]) for g in self._groups if g is not best]
            close = [g.label for g, s in others if s and s.n > 1 and s.overlaps(spread)]
            noise = f", within seed noise of {' and '.join(close)}" if close else ""
            self.headline.setText(
                f"★ Best on average: {best.label}, {accuracy} validation accuracy over "
                f"{spread.n} seeds{noise}"
            )
            return
        best = self._summary.best
        if best is None:
            self.headline.setText("No run finished, so there is no best run.")
        else:
            accuracy = percent(best.val_accuracy)
            self.headline.setText(f"★ Best: {best.label}, {accuracy} validation accuracy")

    def _fill_table(self) -> None:
        rows, best = self._summary.rows, self._summary.best
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (
                ("★ " if row is best else "") + row.label,
                row.status,
                loss_text(row.loss),
                percent(row.accuracy),
                percent(row.val_accuracy),
                "–" if row.status == NOT_RUN else f"{row.seconds:.1f} s",
            )
            self._set_row(r, cells, row.series, row.status, row is best, row.error or "")

    def _fill_group_table(self) -> None:
        """One row per setting: mean ± standard deviation over its seeds, and for validation
        accuracy the lowest and highest seed too; each seed's own values in the tooltip."""
        groups, best = self._groups, self.plot.best()
        rows = {row.id: row for row in self._summary.rows}
        self.table.setHorizontalHeaderLabels(GROUP_COLUMNS)
        self.table.setRowCount(len(groups))
        for r, group in enumerate(groups):
            cells = (
                ("★ " if group is best else "") + group.label,
                f"{group.finished} of {group.n}",
                _spread_text(group.finals["loss"], as_percent=False),
                _spread_text(group.finals["accuracy"], as_percent=True),
                _spread_text(group.finals["val_accuracy"], as_percent=True),
                "–" if group.seconds is None else f"{group.seconds.mean:.1f} s",
            )
            seeds = "\n".join(
                f"seed {seed}: {rows[i].status}, validation accuracy "
                f"{percent(rows[i].val_accuracy)}"
                for i, seed in zip(group.run_ids, group.seeds, strict=True)
            )
            status = ev.FINISHED if group.finished == group.n else next(
                s for s in group.statuses if s != ev.FINISHED
            )  # fmt: skip
            self._set_row(r, cells, group.series, status, group is best, seeds)

    def _set_row(
        self, r: int, cells: tuple[str, ...], series: str, status: str, best: bool, tip: str
    ) -> None:
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            if c >= 2:
                item.setTextAlignment(right)
            if c == 0 and self.mode == RATES:  # the colour of its line in the plot
                item.setData(Qt.ItemDataRole.DecorationRole, self.plot.colours[series])
            if c == 1 and status in STATUS_COLOURS:
                item.setForeground(QBrush(QColor(STATUS_COLOURS[status])))
            if best:
                item.setBackground(QBrush(QColor(BEST_ROW)))
                if c != 1:  # dark text on the light highlight, in either theme
                    item.setForeground(QBrush(QColor("#1a1a1a")))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(r, c, item)

    def _show_budget(self, records: list[RunRecord]) -> None:
        """The Budget tab, when some run trained more than one epoch."""
        index = self.tabs.indexOf(self._budget_page)
        if not shows_budget(records):
            if index >= 0:
                self.tabs.removeTab(index)
            return
        self.budget.set_records(records)
        self.budget_notes.setText(" ".join(self.budget.table.sentences()))
        if index < 0:
            self.tabs.addTab(self._budget_page, "Budget: each epoch")
        # More than one epoch is what the budget view is about: it opens on it.
        self.tabs.setCurrentWidget(self._budget_page)

    def _font(self, factor: float, bold: bool = False) -> QFont:
        size = self.font().pointSizeF()
        result = QFont(self.font())
        result.setPointSizeF((size if size > 0 else 10.0) * self._scale * factor)
        result.setBold(bold)
        return result


class SweepSummaryDialog(QDialog):
    """The summary in its own window, shown when a queued sweep ends."""

    def __init__(self, records: list[RunRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SweepSummaryDialog")
        self.setWindowTitle("Sweep summary")
        self.view = SweepSummaryView(self)
        self.view.set_records(records)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1100, 860)
