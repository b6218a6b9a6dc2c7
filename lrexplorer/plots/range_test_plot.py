"""FinderPlot: the range test's loss against the learning rate on a log axis, raw faint and
smoothed bold, with the suggested rates marked. Points are buffered; redraw() draws them."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.explore.range_suggestions import MINIMUM_TENTH, STEEPEST, VALLEY
from lrexplorer.core.explore.range_test import FinderPoint, FinderResult
from lrexplorer.plots.axes import RateAxis

INK = "#222222"
CURVE = "#4477AA"  # Paul Tol's colour-blind-safe "bright" blue, as the first run colour
# Dark enough for text on white on a projector (Tol's green, vibrant red, purple).
MARKS = {VALLEY: "#228833", STEEPEST: "#CC3311", MINIMUM_TENTH: "#AA3377"}
TITLES = {VALLEY: "Valley", STEEPEST: "Steepest", MINIMUM_TENTH: "Minimum ÷ 10"}


def font(points: float, bold: bool = False) -> QFont:
    result = QFont()
    result.setPointSizeF(points)
    result.setBold(bold)
    return result


class FinderPlot(pg.PlotWidget):
    """Loss vs learning rate. add() only buffers; redraw() (from the owner's timer) draws."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, background="w", axisItems={"bottom": RateAxis("bottom", decades=True)}
        )
        self.setObjectName("finderPlot")
        item = self.getPlotItem()
        item.setLogMode(x=True, y=False)
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setMenuEnabled(False)
        item.hideButtons()
        for side, title in (("bottom", "learning rate (log scale)"), ("left", "loss")):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen("#555555"))
            axis.setTextPen(INK)
            axis.setTickFont(font(12))
            axis.setLabel(title, color=INK, **{"font-size": "13pt"})
        faint = QColor(CURVE)
        faint.setAlpha(110)
        self._raw = item.plot([], [], pen=pg.mkPen(faint, width=1.5), antialias=True)
        self._smooth = item.plot([], [], pen=pg.mkPen(CURVE, width=3.5), antialias=True)
        # Bottom left stays empty: the loss is high at small rates and only falls further right.
        legend = item.addLegend(offset=(10, -10), labelTextColor=INK, labelTextSize="12pt")
        legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        legend.addItem(self._raw, "each batch")
        legend.addItem(self._smooth, "smoothed")
        self._marks: list[pg.GraphicsObject] = []
        self._lines: dict[str, pg.InfiniteLine] = {}
        self.reset(1e-7, 10.0, 0)

    # --- data ---------------------------------------------------------------------------
    def reset(self, start: float, end: float, steps: int) -> None:
        """Empty buffers for a test of `steps` batches, the rate axis fixed to its range."""
        self.rates, self.losses, self.smoothed = (np.full(steps, np.nan) for _ in range(3))
        self.count = 0
        self.clear_marks()
        self.getPlotItem().setXRange(math.log10(start), math.log10(end), padding=0.02)
        self.redraw()

    def add(self, point: FinderPoint) -> None:
        i = point.index
        if i < self.rates.size:
            self.rates[i], self.losses[i], self.smoothed[i] = (
                point.learning_rate,
                point.loss,
                point.smoothed,
            )
            self.count = max(self.count, i + 1)

    def set_result(self, result: FinderResult) -> None:
        """The finished curve replaces the buffers (a point still in flight cannot be lost)."""
        self.rates = np.array(result.learning_rates, dtype=float)
        self.losses = np.array(result.losses, dtype=float)
        self.smoothed = np.array(result.smoothed, dtype=float)
        self.count = self.rates.size

    def redraw(self) -> None:
        n = self.count
        rates, raw, smooth = self.rates[:n], self.losses[:n], self.smoothed[:n]
        # NaN and inf from a diverging batch never reach pyqtgraph.
        keep_raw = np.isfinite(raw) & (rates > 0)
        keep_smooth = np.isfinite(smooth) & (rates > 0)
        self._raw.setData(rates[keep_raw], raw[keep_raw])
        self._smooth.setData(rates[keep_smooth], smooth[keep_smooth])
        self._fit_loss_axis(raw[keep_raw], smooth[keep_smooth])

    def _fit_loss_axis(self, raw: np.ndarray, smooth: np.ndarray) -> None:
        """From just below the lowest point to a little above the start: the exploding tail
        leaves the top of the plot instead of squashing the valley into a flat line."""
        if not smooth.size or not raw.size:
            return
        low = min(raw.min(), smooth.min())
        high = max(smooth[: smooth.size // 10 + 1].max() * 1.15, smooth.min() * 1.5)
        high = min(high, max(raw.max(), smooth.max()))
        if not high > low:
            high = low + 1.0
        self.getPlotItem().setYRange(low, high + 0.05 * (high - low), padding=0.03)

    # --- suggestions --------------------------------------------------------------------
    def clear_marks(self) -> None:
        for mark in self._marks:
            self.getPlotItem().removeItem(mark)
        self._marks, self._lines = [], {}

    def mark(self, result: FinderResult, chosen: str | None) -> None:
        """A vertical line with a label and a dot on the curve for each suggestion."""
        self.clear_marks()
        for row, (method, suggestion) in enumerate(result.suggestions.items()):
            colour = MARKS.get(method, INK)
            x = math.log10(suggestion.learning_rate)
            line = pg.InfiniteLine(
                pos=x,
                angle=90,
                label=f"{TITLES.get(method, method)} {compact_number(suggestion.rounded_rate)}",
                labelOpts={
                    # Stacked, so that labels of close rates do not cover each other.
                    "position": 0.93 - 0.1 * row,
                    "color": colour,
                    "fill": pg.mkBrush(255, 255, 255, 230),
                    "anchors": [(0, 0.5), (0, 0.5)],
                },
            )
            line.label.setFont(font(12, bold=True))
            dot = pg.ScatterPlotItem(
                [x],
                [suggestion.loss],
                size=14,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen("w", width=2),
            )
            for mark in (line, dot):
                mark.setZValue(10)
                self.getPlotItem().addItem(mark, ignoreBounds=True)
                self._marks.append(mark)
            self._lines[method] = line
        self.emphasise(chosen)

    def emphasise(self, chosen: str | None) -> None:
        """The chosen suggestion's line solid and thick, the others dashed."""
        for method, line in self._lines.items():
            style = Qt.PenStyle.SolidLine if method == chosen else Qt.PenStyle.DashLine
            width = 3.5 if method == chosen else 2.0
            line.setPen(pg.mkPen(MARKS.get(method, INK), width=width, style=style))

    def marked_rates(self) -> dict[str, float]:
        """Where each suggestion's line stands, by method (for tests and scripts)."""
        return {method: 10 ** line.value() for method, line in self._lines.items()}
