"""After a sweep: its runs in a table, and final validation accuracy and loss against learning
rate with the best run marked; large enough to read on a projector."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core import events as ev
from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.explore.sweep import NOT_RUN, SweepRow, SweepSummary
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.axes import RateAxis
from lrexplorer.plots.palette import RUN_COLOURS

COLUMNS = ("Run", "Status", "Final loss", "Accuracy", "Val. accuracy", "Time")
INK = "#222222"
BAR = RUN_COLOURS[0]
BEST_FILL = "#FFD23F"  # the star and the best bar; a dark outline keeps it visible on white
BEST_ROW = "#FFF1C9"
DIVERGED = "#CC3311"
_STATUS_COLOURS = {ev.DIVERGED: DIVERGED, ev.FAILED: DIVERGED, ev.STOPPED: "#8A6D00"}
RATES, RUNS = "rates", "runs"  # plot against learning rate, or one bar per run


class _RunAxis(pg.AxisItem):
    """Run labels on the bar chart's category axis, at whole positions only."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__("left")
        self.setTicks([list(enumerate(labels)), []])


def _axis_items(left: pg.AxisItem | None = None) -> dict[str, pg.AxisItem]:
    axes = {"bottom": RateAxis("bottom"), "left": left or RateAxis("left")}
    for axis in axes.values():
        axis.enableAutoSIPrefix(False)  # else a log loss axis reads "final loss (x1e+27)"
    return axes


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _percent(value: float | None) -> str:
    return f"{value:.1%}" if _finite(value) else "–"


def _loss_text(row: SweepRow) -> str:
    if row.loss is None:
        return "–"
    if not math.isfinite(row.loss):
        return "NaN" if math.isnan(row.loss) else "∞"
    return compact_number(float(f"{row.loss:.3g}")) if row.loss >= 100 else f"{row.loss:.3f}"


def _xy(points: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = zip(*points, strict=True) if points else ((), ())
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


class SweepSummaryView(QWidget):
    """A sweep's runs side by side. Sweeps over rates are plotted against the learning rate on
    a log axis; comparisons where every optimizer has one rate (the "defaults" preset) get one
    bar per run, since their points would pile up on one rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SweepSummaryView")
        self._summary = SweepSummary((), None)
        self._colours: dict[str, QColor] = {}
        self._scale = 1.25
        self.mode = RATES
        self.accuracy_plot: pg.PlotItem | None = None
        self.loss_plot: pg.PlotItem | None = None
        self.headline = QLabel(objectName="sweepSummaryBest")
        self.headline.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="sweepSummaryTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setObjectName("sweepSummaryPlot")
        self.plot.setBackground("w")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(splitter, 1)
        self.set_scale(self._scale)

    # --- public -----------------------------------------------------------------------------
    def set_records(self, records: list[RunRecord]) -> None:
        self._summary = SweepSummary.from_records(records)
        rows = self._summary.rows
        series = list(dict.fromkeys(row.series for row in rows))
        self._colours = {
            name: QColor(RUN_COLOURS[i % len(RUN_COLOURS)]) for i, name in enumerate(series)
        }
        rates = {name: {r.learning_rate for r in rows if r.series == name} for name in series}
        self.mode = RATES if any(len(found) > 1 for found in rates.values()) else RUNS
        self._fill_headline()
        self._fill_table()
        self._draw()

    def summary(self) -> SweepSummary:
        return self._summary

    def best_row(self) -> int:
        """The table row of the best run, or -1."""
        best = self._summary.best
        return -1 if best is None else self._summary.rows.index(best)

    def set_scale(self, scale: float) -> None:
        """Text and marks grow with `scale` (1.25 by default: this view is for the whole room)."""
        self._scale = scale
        self.table.setFont(self._font(1.0))
        self.headline.setFont(self._font(1.2, bold=True))
        self._draw()

    def export_image(self, path: str) -> bool:
        """Save the whole view (headline, plots, table) as a PNG."""
        return self.grab().save(path, "PNG")

    # --- headline and table -----------------------------------------------------------------
    def _fill_headline(self) -> None:
        best = self._summary.best
        if best is None:
            self.headline.setText("No run finished, so there is no best run.")
        else:
            accuracy = _percent(best.val_accuracy)
            self.headline.setText(f"★ Best: {best.label}, {accuracy} validation accuracy")

    def _fill_table(self) -> None:
        rows, best = self._summary.rows, self._summary.best
        self.table.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, row in enumerate(rows):
            cells = (
                ("★ " if row is best else "") + row.label,
                row.status,
                _loss_text(row),
                _percent(row.accuracy),
                _percent(row.val_accuracy),
                "–" if row.status == NOT_RUN else f"{row.seconds:.1f} s",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(row.error or "")
                if c >= 2:
                    item.setTextAlignment(right)
                if c == 0 and self.mode == RATES:  # the colour of its line in the plot
                    item.setData(Qt.ItemDataRole.DecorationRole, self._colours[row.series])
                if c == 1 and row.status in _STATUS_COLOURS:
                    item.setForeground(QBrush(QColor(_STATUS_COLOURS[row.status])))
                if row is best:
                    item.setBackground(QBrush(QColor(BEST_ROW)))
                    if c != 1:  # dark text on the light highlight, in either theme
                        item.setForeground(QBrush(QColor("#1a1a1a")))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)

    # --- plots ------------------------------------------------------------------------------
    def _draw(self) -> None:
        self.plot.clear()
        if self.mode == RATES:
            self._draw_against_rate()
        else:
            self._draw_bars()

    def _draw_against_rate(self) -> None:
        legend = pg.LegendItem(frame=False, colCount=4)
        legend.setLabelTextSize(f"{self._points(1.0):.0f}pt")
        legend.setLabelTextColor(INK)
        self.plot.addItem(legend, row=0, col=0)
        acc = self.accuracy_plot = self.plot.addPlot(row=1, col=0, axisItems=_axis_items())
        loss = self.loss_plot = self.plot.addPlot(row=2, col=0, axisItems=_axis_items())
        loss.setXLink(acc)
        self._style(acc, "val. accuracy (%)", None)
        self._style(loss, "final loss", "learning rate (log scale)")
        for plot in (acc, loss):
            plot.setLogMode(x=True)
        rows = [r for r in self._summary.rows if r.learning_rate]
        finished = [r for r in rows if r.status == ev.FINISHED]
        for name, colour in self._colours.items():
            mine = sorted((r for r in finished if r.series == name), key=lambda r: r.learning_rate)
            style = {"pen": pg.mkPen(colour, width=3 * self._scale), "symbol": "o",
                     "symbolSize": 13 * self._scale, "symbolBrush": colour,
                     "symbolPen": pg.mkPen("w", width=1.5)}  # fmt: skip
            points = [
                (r.learning_rate, 100 * r.val_accuracy) for r in mine if _finite(r.val_accuracy)
            ]
            item = acc.plot(*_xy(points), **style)
            loss.plot(*_xy([(r.learning_rate, r.loss) for r in mine if _finite(r.loss)]), **style)
            if len(self._colours) > 1:
                legend.addItem(item, name)
        self._mark_diverged(rows)
        self._mark_best()
        self._frame(rows)

    def _mark_diverged(self, rows: list[SweepRow]) -> None:
        """A dashed line at each rate where a run diverged, naming it (it has no final value)."""
        names: dict[float, list[str]] = {}
        for row in rows:
            if row.status == ev.DIVERGED:
                names.setdefault(row.learning_rate, []).append(row.series)
        pen = pg.mkPen(DIVERGED, width=2.5 * self._scale, style=Qt.PenStyle.DashLine)
        for rate, series in names.items():
            text = f"{', '.join(series)} diverged" if len(self._colours) > 1 else "diverged"
            for plot, label in ((self.accuracy_plot, text), (self.loss_plot, None)):
                line = pg.InfiniteLine(
                    pos=math.log10(rate), angle=90, pen=pen, label=label,
                    labelOpts={"position": 0.96, "color": DIVERGED, "anchors": [(1, 0), (1, 0)]},
                )  # fmt: skip
                if label:
                    line.label.setFont(self._font(0.9, bold=True))
                plot.addItem(line)

    def _mark_best(self) -> None:
        best = self._summary.best
        if best is None or not best.learning_rate:
            return
        star = {"symbol": "star", "symbolSize": 30 * self._scale, "symbolBrush": BEST_FILL,
                "symbolPen": pg.mkPen(INK, width=1.5), "pen": None}  # fmt: skip
        self.accuracy_plot.plot([best.learning_rate], [100 * best.val_accuracy], **star)
        if _finite(best.loss):
            self.loss_plot.plot([best.learning_rate], [best.loss], **star)
        text = pg.TextItem(f"best: {best.label}", color=INK, anchor=(0.5, 1.6))
        text.setFont(self._font(1.0, bold=True))
        text.setPos(math.log10(best.learning_rate), 100 * best.val_accuracy)
        self.accuracy_plot.addItem(text)

    def _frame(self, rows: list[SweepRow]) -> None:
        """Room around the points, and a log loss axis when losses span more than 20x (a run
        close to diverging next to good ones)."""
        if rows:
            xs = [math.log10(r.learning_rate) for r in rows]
            pad = max(0.3, 0.08 * (max(xs) - min(xs)))
            self.accuracy_plot.setXRange(min(xs) - pad, max(xs) + pad, padding=0)
        done = [r for r in rows if r.status == ev.FINISHED]
        losses = [r.loss for r in done if _finite(r.loss) and r.loss > 0]
        self.loss_plot.setLogMode(x=True, y=bool(losses) and max(losses) > 20 * min(losses))
        accuracies = [100 * r.val_accuracy for r in done if _finite(r.val_accuracy)]
        if accuracies:  # headroom for the "best" caption above the highest point
            low, high = min(accuracies), max(accuracies)
            top = min(104.0, high + max(10.0, 0.3 * (high - low)))
            self.accuracy_plot.setYRange(max(0.0, low - 5), top, padding=0)

    def _draw_bars(self) -> None:
        """One horizontal bar per run, first run on top: accuracy on the left, loss on the right."""
        rows = self._summary.rows
        labels = [("★ " if r is self._summary.best else "") + r.label for r in rows]
        positions = np.arange(len(rows), dtype=float)
        acc = self.accuracy_plot = self.plot.addPlot(
            row=0, col=0, axisItems=_axis_items(_RunAxis(labels))
        )
        loss = self.loss_plot = self.plot.addPlot(row=0, col=1, axisItems=_axis_items())
        loss.setYLink(acc)
        self._style(acc, None, "val. accuracy (%)")
        self._style(loss, None, "final loss")
        # As wide as the longest label: pyqtgraph would first hide labels that do not fit.
        metrics = QFontMetrics(self._font(1.0))
        acc.getAxis("left").setWidth(max(metrics.horizontalAdvance(t) for t in labels) + 16)
        loss.getAxis("left").setStyle(showValues=False, tickLength=0)
        loss.getAxis("left").setWidth(4)
        done = [r if r.status == ev.FINISHED else None for r in rows]
        for plot, values in ((acc, [_bar_value(r and r.val_accuracy, 100) for r in done]),
                             (loss, [_bar_value(r and r.loss, 1) for r in done])):  # fmt: skip
            brushes = [BEST_FILL if r is self._summary.best else BAR for r in rows]
            bars = pg.BarGraphItem(
                x0=0, y=positions, height=0.7, width=values, brushes=brushes,
                pen=pg.mkPen(INK, width=1),
            )  # fmt: skip
            plot.addItem(bars)
            plot.invertY(True)
            plot.showGrid(x=True, y=False, alpha=0.25)
        for position, row in zip(positions, rows, strict=True):
            if row.status == ev.FINISHED:  # the number at the end of each bar
                self._bar_text(acc, _percent(row.val_accuracy), row.val_accuracy, 100, position)
                self._bar_text(loss, _loss_text(row), row.loss, 1, position)
            else:  # no honest final value: say why in place of the bars
                for plot in (acc, loss):
                    colour = _STATUS_COLOURS.get(row.status, INK)
                    self._bar_text(plot, row.status, 0.0, 1, position, colour)
        losses = [r.loss for r in rows if r.status == ev.FINISHED and _finite(r.loss)]
        acc.setXRange(0, 118, padding=0)  # room for "100.0%" after a full bar
        acc.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 101, 20)], []])
        loss.setXRange(0, 1.25 * max(losses, default=1.0), padding=0)
        acc.setYRange(-0.6, len(rows) - 0.4, padding=0)

    def _bar_text(
        self, plot: pg.PlotItem, text: str, value: float | None, factor: float, position: float,
        colour: str = INK,
    ) -> None:  # fmt: skip
        item = pg.TextItem(text, color=colour, anchor=(-0.05, 0.5))
        item.setFont(self._font(0.9, bold=colour != INK))
        item.setPos(_bar_value(value, factor), position)
        plot.addItem(item)

    def _style(self, plot: pg.PlotItem, left: str | None, bottom: str | None) -> None:
        label = {"color": INK, "font-size": f"{self._points(1.1):.0f}pt"}
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setTickFont(self._font(1.0))
            axis.setTextPen(INK)
            axis.setPen(pg.mkPen("#555555"))
        if left:
            plot.getAxis("left").setLabel(left, **label)
            plot.getAxis("left").setWidth(round(80 * self._scale))
        if bottom:
            plot.getAxis("bottom").setLabel(bottom, **label)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.hideButtons()

    def _points(self, factor: float) -> float:
        size = self.font().pointSizeF()
        return (size if size > 0 else 10.0) * self._scale * factor

    def _font(self, factor: float, bold: bool = False) -> QFont:
        result = QFont(self.font())
        result.setPointSizeF(self._points(factor))
        result.setBold(bold)
        return result


def _bar_value(value: float | None, factor: float) -> float:
    """A bar's length; none for a run without a finite value (NaN must not reach pyqtgraph)."""
    return factor * value if _finite(value) else 0.0


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
