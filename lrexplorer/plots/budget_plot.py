"""BudgetPlot: the same learning rates after 1, 2, 5 and 10 epochs. Left, validation accuracy
against the learning rate with one line per number of epochs, light blue to dark for more
epochs; right, a heat map of rate x epoch with the value written in each cell (viridis:
readable in grey and with colour-blindness)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from lrexplorer.core.explore.budget import BudgetTable
from lrexplorer.core.explore.seed_groups import METRIC_NAMES, short_names
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.axes import RateAxis
from lrexplorer.plots.sweep_plot import add_caption

INK = "#222222"
MISSING = "#DDDDDD"  # a cell no run reached
SERIES_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)
LIGHT_CELL = 0.55  # on viridis, cells above this fraction of the range are light: dark text
# A cell's text is on the cell, not on the paper: tinted just enough that the dark theme, which
# recolours neutral greys (plots/theme.py), leaves it as it is.
DARK_TEXT, LIGHT_TEXT = "#1B1030", "#FFFBE0"
FEW_EPOCHS, MANY_EPOCHS = "#74A9CF", "#023858"  # ColorBrewer PuBu: the lines' colour ramp


def _epochs(count: int) -> str:
    return "1 epoch" if count == 1 else f"{count} epochs"


class BudgetPlot(pg.GraphicsLayoutWidget):
    """Lines of a measure (validation accuracy) against the learning rate, one per epoch count,
    beside a rate x epoch heat map. set_records() draws; `table` is what is drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("budgetPlot")
        self.setBackground("w")
        self.scale = 1.25
        self.table = BudgetTable("val_accuracy", (), 0)
        self.lines_plot: pg.PlotItem | None = None
        self.heat_plot: pg.PlotItem | None = None
        self.cell_texts: dict[tuple[int, int], str] = {}  # (row, epoch) -> the text written
        self.caption: list[str] = []  # sentences drawn under the plots (for files)
        self._colormap = pg.colormap.get("viridis")

    def set_records(self, records: Sequence[RunRecord], metric: str = "val_accuracy") -> None:
        self.table = BudgetTable.from_records(records, metric)
        self.redraw()

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.redraw()

    def line_data(self) -> dict[tuple[str, int], tuple[list[float], list[float]]]:
        """(series, epochs) -> (rates, values in %) of each line drawn (for tests and scripts)."""
        return dict(self._lines)

    def redraw(self) -> None:
        self.clear()
        self._lines: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
        self.cell_texts = {}
        if not self.table.rows or not self.table.epochs:
            return
        self._draw_lines()
        self._draw_heat_map()
        add_caption(self, self.caption, self._points(1.0))
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)

    # --- lines ------------------------------------------------------------------------------
    def _colour(self, epochs: int) -> QColor:
        """More epochs, darker: light blue for the first line, dark blue for the last, evenly
        apart (1, 2, 5 and 10 epochs are four clearly different blues)."""
        shown = self.table.line_epochs()
        t = shown.index(epochs) / max(len(shown) - 1, 1)
        few, many = QColor(FEW_EPOCHS).getRgbF()[:3], QColor(MANY_EPOCHS).getRgbF()[:3]
        return QColor.fromRgbF(*(a + t * (b - a) for a, b in zip(few, many, strict=True)))

    def _draw_lines(self) -> None:
        table = self.table
        percent = "accuracy" in table.metric
        factor = 100.0 if percent else 1.0
        legend = pg.LegendItem(frame=False, colCount=4)
        legend.setLabelTextSize(f"{self._points(0.95):.0f}pt")
        legend.setLabelTextColor(INK)
        self.addItem(legend, row=0, col=0)
        plot = self.lines_plot = self.addPlot(
            row=1, col=0, axisItems={"bottom": RateAxis("bottom"), "left": pg.AxisItem("left")}
        )
        name = METRIC_NAMES.get(table.metric, table.metric)
        self._style(plot, f"{name} (%)" if percent else name, "learning rate (log scale)")
        plot.setLogMode(x=True)
        plot.setTitle(
            f"{name} against learning rate, by epochs trained", color=INK,
            size=f"{self._points(1.0):.0f}pt",
        )  # fmt: skip
        series = list(dict.fromkeys(row.series for row in table.rows))
        for epochs in table.line_epochs():
            colour = self._colour(epochs)
            for index, name_ in enumerate(series):
                rows = [r for r in table.rows if r.series == name_ and r.learning_rate]
                rows = [r for r in sorted(rows, key=lambda r: r.learning_rate) if r.at(epochs)]
                if not rows:
                    continue
                rates = [r.learning_rate for r in rows]
                values = [factor * r.mean(epochs) for r in rows]
                pen = pg.mkPen(colour, width=3 * self.scale)
                pen.setStyle(SERIES_STYLES[index % len(SERIES_STYLES)])
                item = plot.plot(
                    rates, values, pen=pen, symbol="o", symbolSize=11 * self.scale,
                    symbolBrush=colour, symbolPen=pg.mkPen("w", width=1.5),
                )  # fmt: skip
                self._lines[(name_, epochs)] = (rates, values)
                label = _epochs(epochs) if len(series) == 1 else f"{name_}, {_epochs(epochs)}"
                legend.addItem(item, label)
                self._spreads(plot, rows, epochs, factor, colour)
        rated = [r.learning_rate for r in table.rows if r.learning_rate]
        if rated:
            low, high = math.log10(min(rated)), math.log10(max(rated))
            pad = max(0.3, 0.08 * (high - low))
            plot.setXRange(low - pad, high + pad, padding=0)

    def _spreads(
        self, plot: pg.PlotItem, rows: list, epochs: int, factor: float, colour: QColor
    ) -> None:
        """A bar from the lowest to the highest seed where a rate ran with several seeds."""
        several = [r for r in rows if r.at(epochs).n > 1]
        if not several:
            return
        mean = np.array([factor * r.mean(epochs) for r in several])
        plot.addItem(
            pg.ErrorBarItem(
                x=np.log10([r.learning_rate for r in several]), y=mean,  # no log axis there
                top=np.array([factor * r.at(epochs).high for r in several]) - mean,
                bottom=mean - np.array([factor * r.at(epochs).low for r in several]),
                beam=0.05, pen=pg.mkPen(colour, width=2 * self.scale),
            )
        )  # fmt: skip

    # --- heat map ---------------------------------------------------------------------------
    def _draw_heat_map(self) -> None:
        table = self.table
        epochs, rows = table.epochs, table.rows
        plot = self.heat_plot = self.addPlot(row=1, col=1)
        self._style(plot, None, "epoch")
        plot.showGrid(x=False, y=False)
        values = np.array(
            [[np.nan if r.mean(e) is None else r.mean(e) for r in rows]
             for e in range(1, epochs + 1)],
            dtype=float,
        )  # fmt: skip  # x = epoch, y = row: pyqtgraph's images are column-major
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            high = low + 1e-9
        image = pg.ImageItem(np.where(np.isfinite(values), values, low))
        image.setColorMap(self._colormap)
        image.setLevels((low, high))
        image.setRect(QRectF(0.5, -0.5, epochs, len(rows)))
        plot.addItem(image)
        percent = "accuracy" in table.metric
        names = short_names(rows)
        cell_font = self.font_at(1.0 if epochs <= 6 else 0.75, bold=True)
        for y, row in enumerate(rows):
            for e in range(1, epochs + 1):
                value = row.mean(e)
                if value is None:
                    self._missing(plot, e, y)
                    continue
                text = f"{100 * value:.1f}" if percent else f"{value:.3f}"
                ink = DARK_TEXT if (value - low) / (high - low) > LIGHT_CELL else LIGHT_TEXT
                item = pg.TextItem(text, color=ink, anchor=(0.5, 0.5))
                item.setFont(cell_font)
                item.setPos(e, y)
                plot.addItem(item)
                self.cell_texts[(y, e)] = text
        left = plot.getAxis("left")
        left.setTicks([[(y, names[id(row)]) for y, row in enumerate(rows)], []])
        step = 1 if epochs <= 12 else max(1, round(epochs / 10))
        plot.getAxis("bottom").setTicks([[(e, str(e)) for e in range(1, epochs + 1, step)], []])
        plot.invertY(True)  # the first rate on top, as in the table
        plot.setXRange(0.5, epochs + 0.5, padding=0)
        plot.setYRange(-0.5, len(rows) - 0.5, padding=0)
        plot.setMouseEnabled(x=False, y=False)
        unit = " (%)" if percent else ""
        plot.setTitle(
            f"{METRIC_NAMES.get(table.metric, table.metric)}{unit}, rate x epoch",
            color=INK, size=f"{self._points(1.0):.0f}pt",
        )  # fmt: skip

    def _missing(self, plot: pg.PlotItem, epoch: int, y: int) -> None:
        cell = QGraphicsRectItem(QRectF(epoch - 0.5, y - 0.5, 1, 1))
        cell.setBrush(pg.mkBrush(MISSING))
        cell.setPen(pg.mkPen(None))
        plot.addItem(cell)
        self.cell_texts[(y, epoch)] = "–"

    # --- style ------------------------------------------------------------------------------
    def _style(self, plot: pg.PlotItem, left: str | None, bottom: str | None) -> None:
        label = {"color": INK, "font-size": f"{self._points(1.05):.0f}pt"}
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.enableAutoSIPrefix(False)
            axis.setTickFont(self.font_at(1.0))
            axis.setTextPen(INK)
            axis.setPen(pg.mkPen("#555555"))
        if left:
            plot.getAxis("left").setLabel(left, **label)
        if bottom:
            plot.getAxis("bottom").setLabel(bottom, **label)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.hideButtons()

    def _points(self, factor: float) -> float:
        size = self.font().pointSizeF()
        return (size if size > 0 else 10.0) * self.scale * factor

    def font_at(self, factor: float, bold: bool = False) -> QFont:
        result = QFont(self.font())
        result.setPointSizeF(self._points(factor))
        result.setBold(bold)
        return result
