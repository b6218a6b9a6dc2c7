"""SweepPlot: how a sweep's runs ended, against the learning rate on a log axis (or one bar per
setting when every optimizer has one rate), the best marked. A setting run with several seeds
is drawn as its mean with a bar from its lowest to its highest seed, and each seed as a dot."""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from lrexplorer.core import events as ev
from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.explore.seed_groups import SeedGroup, Spread, best_group, group_records
from lrexplorer.core.explore.sweep import SweepRow, SweepSummary
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.axes import RateAxis
from lrexplorer.plots.palette import RUN_COLOURS

INK = "#222222"
BAR = RUN_COLOURS[0]
BEST_FILL = "#FFD23F"  # the star and the best bar; a dark outline keeps it visible on white
DIVERGED = "#CC3311"
STATUS_COLOURS = {ev.DIVERGED: DIVERGED, ev.FAILED: DIVERGED, ev.STOPPED: "#8A6D00"}
RATES, RUNS = "rates", "runs"  # plot against learning rate, or one bar per setting
CAPTION_WIDTH = 150  # characters on a line of a caption
SEED_OFFSET = 10**-0.05  # seeds' dots a little left of their mean, so that they do not hide it


class _RunAxis(pg.AxisItem):
    """Setting labels on the bar chart's category axis, at whole positions only."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__("left")
        self.setTicks([list(enumerate(labels)), []])


def _axis_items(left: pg.AxisItem | None = None) -> dict[str, pg.AxisItem]:
    axes = {"bottom": RateAxis("bottom"), "left": left or RateAxis("left")}
    for axis in axes.values():
        axis.enableAutoSIPrefix(False)  # else a log loss axis reads "final loss (x1e+27)"
    return axes


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def percent(value: float | None) -> str:
    return f"{value:.1%}" if finite(value) else "–"


def loss_text(value: float | None) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "∞"
    return compact_number(float(f"{value:.3g}")) if value >= 100 else f"{value:.3f}"


def add_caption(area: pg.GraphicsLayoutWidget, sentences: list[str], points: float) -> None:
    """Sentences under everything else in `area`, wrapped: what a picture saved to a file says
    in words (the window shows them beside the plot instead)."""
    if not sentences:
        return
    lines = [line for s in sentences for line in textwrap.wrap(s, CAPTION_WIDTH)]
    label = pg.LabelItem("<br>".join(html.escape(line) for line in lines), color=INK,
                         size=f"{points:.0f}pt", justify="left")  # fmt: skip
    area.addItem(label, row=area.ci.layout.rowCount(), col=0, colspan=2)


def _xy(points: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = zip(*points, strict=True) if points else ((), ())
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


class SweepPlot(pg.GraphicsLayoutWidget):
    """Final validation accuracy and loss of a sweep's settings. Sweeps over rates are drawn
    against the learning rate; comparisons where every optimizer has one rate (the "defaults"
    preset) get one bar per setting, since their points would pile up on one rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepSummaryPlot")
        self.setBackground("w")
        self.summary = SweepSummary((), None)
        self.groups: list[SeedGroup] = []
        self.colours: dict[str, QColor] = {}
        self.scale = 1.25
        self.mode = RATES
        self.accuracy_plot: pg.PlotItem | None = None
        self.loss_plot: pg.PlotItem | None = None
        self.caption: list[str] = []  # sentences drawn under the plots (for files)

    def set_records(self, records: Sequence[RunRecord]) -> None:
        self.summary = SweepSummary.from_records(records)
        self.groups = group_records(records)
        series = list(dict.fromkeys(row.series for row in self.summary.rows))
        self.colours = {
            name: QColor(RUN_COLOURS[i % len(RUN_COLOURS)]) for i, name in enumerate(series)
        }
        rates = {n: {g.learning_rate for g in self.groups if g.series == n} for n in series}
        self.mode = RATES if any(len(found) > 1 for found in rates.values()) else RUNS
        self.redraw()

    def set_scale(self, scale: float) -> None:
        """Text and marks grow with `scale` (1.25 by default: this plot is for the whole room)."""
        self.scale = scale
        self.redraw()

    def best(self) -> SeedGroup | None:
        """The setting with the best mean validation accuracy among its finished runs."""
        return best_group(self.groups)

    def redraw(self) -> None:
        self.clear()
        if self.mode == RATES:
            self._draw_against_rate()
        else:
            self._draw_bars()
        add_caption(self, self.caption, self._points(1.0))

    # --- against the learning rate ----------------------------------------------------------
    def _draw_against_rate(self) -> None:
        legend = pg.LegendItem(frame=False, colCount=4)
        legend.setLabelTextSize(f"{self._points(1.0):.0f}pt")
        legend.setLabelTextColor(INK)
        self.addItem(legend, row=0, col=0)
        acc = self.accuracy_plot = self.addPlot(row=1, col=0, axisItems=_axis_items())
        loss = self.loss_plot = self.addPlot(row=2, col=0, axisItems=_axis_items())
        loss.setXLink(acc)
        self._style(acc, "val. accuracy (%)", None)
        self._style(loss, "final loss", "learning rate (log scale)")
        for plot in (acc, loss):
            plot.setLogMode(x=True)
        seeded = False
        for name, colour in self.colours.items():
            mine = [g for g in self.groups if g.series == name and g.learning_rate]
            mine.sort(key=lambda g: g.learning_rate)
            self._draw_seeds(mine, colour)  # first: the means are drawn over them
            style = {"pen": pg.mkPen(colour, width=3 * self.scale), "symbol": "o",
                     "symbolSize": 13 * self.scale, "symbolBrush": colour,
                     "symbolPen": pg.mkPen("w", width=1.5)}  # fmt: skip
            for plot, metric, factor in ((acc, "val_accuracy", 100.0), (loss, "loss", 1.0)):
                means = [(g.learning_rate, g.finals[metric]) for g in mine if g.finals[metric]]
                item = plot.plot(*_xy([(r, factor * s.mean) for r, s in means]), **style)
                if plot is acc and len(self.colours) > 1:
                    legend.addItem(item, name)
                seeded |= self._draw_spread(plot, means, factor, colour)
        if seeded:
            legend.addItem(self._seed_key(), "each seed; the line joins their means, the bar "
                           "spans lowest to highest")  # fmt: skip
        rows = [r for r in self.summary.rows if r.learning_rate]
        self._mark_diverged(rows)
        self._mark_best()
        self._frame(rows)

    def _draw_spread(
        self, plot: pg.PlotItem, means: list[tuple[float, Spread]], factor: float, colour: QColor
    ) -> bool:
        """A bar from the lowest to the highest seed at each rate run with several seeds."""
        several = [(rate, s) for rate, s in means if s.n > 1]
        if not several:
            return False
        x = np.log10([rate for rate, _ in several])  # an ErrorBarItem knows no log axis
        mean = np.array([factor * s.mean for _, s in several])
        bars = pg.ErrorBarItem(
            x=x, y=mean, top=np.array([factor * s.high for _, s in several]) - mean,
            bottom=mean - np.array([factor * s.low for _, s in several]),
            beam=0.06, pen=pg.mkPen(colour, width=2 * self.scale),
        )  # fmt: skip
        plot.addItem(bars)
        return True

    def _draw_seeds(self, groups: list[SeedGroup], colour: QColor) -> None:
        """Each seed's own result, small and hollow, just left of its setting's mean."""
        records = {row.id: row for row in self.summary.rows}
        for plot, metric, factor in ((self.accuracy_plot, "val_accuracy", 100.0),
                                     (self.loss_plot, "loss", 1.0)):  # fmt: skip
            points = [
                (g.learning_rate * SEED_OFFSET, factor * getattr(records[i], metric))
                for g in groups if g.n > 1 for i in g.run_ids
                if records[i].status == ev.FINISHED and finite(getattr(records[i], metric))
            ]  # fmt: skip
            if points:
                plot.plot(
                    *_xy(points), pen=None, symbol="o", symbolSize=7 * self.scale,
                    symbolBrush=pg.mkBrush("w"), symbolPen=pg.mkPen(colour, width=1.5),
                )  # fmt: skip

    def _seed_key(self) -> pg.PlotDataItem:
        key = pg.PlotDataItem([0], [0], pen=None, symbol="o", symbolSize=7 * self.scale)
        key.setSymbolBrush(pg.mkBrush("w"))
        key.setSymbolPen(pg.mkPen("#555555", width=1.5))
        return key

    def _mark_diverged(self, rows: list[SweepRow]) -> None:
        """A dashed line at each rate where a run diverged, naming it (it has no final value)."""
        names: dict[float, list[str]] = {}
        for row in rows:
            if row.status == ev.DIVERGED:
                names.setdefault(row.learning_rate, [])
                if row.series not in names[row.learning_rate]:
                    names[row.learning_rate].append(row.series)
        pen = pg.mkPen(DIVERGED, width=2.5 * self.scale, style=Qt.PenStyle.DashLine)
        for rate, series in names.items():
            text = f"{', '.join(series)} diverged" if len(self.colours) > 1 else "diverged"
            for plot, label in ((self.accuracy_plot, text), (self.loss_plot, None)):
                line = pg.InfiniteLine(
                    pos=math.log10(rate), angle=90, pen=pen, label=label,
                    labelOpts={"position": 0.96, "color": DIVERGED, "anchors": [(1, 0), (1, 0)]},
                )  # fmt: skip
                if label:
                    line.label.setFont(self.font_at(0.9, bold=True))
                plot.addItem(line)

    def _mark_best(self) -> None:
        best = self.best()
        if best is None or not best.learning_rate:
            return
        star = {"symbol": "star", "symbolSize": 30 * self.scale, "symbolBrush": BEST_FILL,
                "symbolPen": pg.mkPen(INK, width=1.5), "pen": None}  # fmt: skip
        accuracy, loss = best.finals["val_accuracy"], best.finals["loss"]
        self.accuracy_plot.plot([best.learning_rate], [100 * accuracy.mean], **star)
        if loss is not None:
            self.loss_plot.plot([best.learning_rate], [loss.mean], **star)
        text = pg.TextItem(f"best: {best.label}", color=INK, anchor=(0.5, 1.6))
        text.setFont(self.font_at(1.0, bold=True))
        text.setPos(math.log10(best.learning_rate), 100 * accuracy.mean)
        self.accuracy_plot.addItem(text)

    def _frame(self, rows: list[SweepRow]) -> None:
        """Room around the points, and a log loss axis when losses span more than 20x (a run
        close to diverging next to good ones)."""
        if rows:
            xs = [math.log10(r.learning_rate) for r in rows]
            pad = max(0.3, 0.08 * (max(xs) - min(xs)))
            self.accuracy_plot.setXRange(min(xs) - pad, max(xs) + pad, padding=0)
        done = [r for r in rows if r.status == ev.FINISHED]
        losses = [r.loss for r in done if finite(r.loss) and r.loss > 0]
        self.loss_plot.setLogMode(x=True, y=bool(losses) and max(losses) > 20 * min(losses))
        accuracies = [100 * r.val_accuracy for r in done if finite(r.val_accuracy)]
        if accuracies:  # headroom for the "best" caption above the highest point
            low, high = min(accuracies), max(accuracies)
            top = min(104.0, high + max(10.0, 0.3 * (high - low)))
            self.accuracy_plot.setYRange(max(0.0, low - 5), top, padding=0)

    # --- one bar per setting ----------------------------------------------------------------
    def _draw_bars(self) -> None:
        """One horizontal bar per setting, first on top: accuracy on the left, loss on the
        right; a setting with several seeds is its mean, with a line from lowest to highest."""
        groups, best = self.groups, self.best()
        rows = {row.id: row for row in self.summary.rows}
        labels = [("★ " if g is best else "") + self._bar_label(g, rows) for g in groups]
        positions = np.arange(len(groups), dtype=float)
        acc = self.accuracy_plot = self.addPlot(
            row=0, col=0, axisItems=_axis_items(_RunAxis(labels))
        )
        loss = self.loss_plot = self.addPlot(row=0, col=1, axisItems=_axis_items())
        loss.setYLink(acc)
        self._style(acc, None, "val. accuracy (%)")
        self._style(loss, None, "final loss")
        # As wide as the longest label: pyqtgraph would first hide labels that do not fit.
        metrics = QFontMetrics(self.font_at(1.0))
        acc.getAxis("left").setWidth(max(metrics.horizontalAdvance(t) for t in labels) + 16)
        loss.getAxis("left").setStyle(showValues=False, tickLength=0)
        loss.getAxis("left").setWidth(4)
        for plot, metric, factor in ((acc, "val_accuracy", 100.0), (loss, "loss", 1.0)):
            spreads = [g.finals[metric] for g in groups]
            values = [factor * s.mean if s else 0.0 for s in spreads]
            brushes = [BEST_FILL if g is best else BAR for g in groups]
            bars = pg.BarGraphItem(
                x0=0, y=positions, height=0.7, width=values, brushes=brushes,
                pen=pg.mkPen(INK, width=1),
            )  # fmt: skip
            plot.addItem(bars)
            self._bar_spreads(plot, spreads, factor, positions)
            plot.invertY(True)
            plot.showGrid(x=True, y=False, alpha=0.25)
            for position, group, spread in zip(positions, groups, spreads, strict=True):
                if spread is not None:  # the number at the end of each bar
                    text = percent(spread.mean) if factor == 100.0 else loss_text(spread.mean)
                    end = factor * (spread.high if spread.n > 1 else spread.mean)
                    self._bar_text(plot, text, end, position)
                else:  # no honest final value: say why in place of the bar
                    status = next((s for s in group.statuses if s != ev.FINISHED), "–")
                    self._bar_text(plot, status, 0.0, position, STATUS_COLOURS.get(status, INK))
        losses = [g.finals["loss"].high for g in groups if g.finals["loss"]]
        acc.setXRange(0, 118, padding=0)  # room for "100.0%" after a full bar
        acc.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 101, 20)], []])
        loss.setXRange(0, 1.25 * max(losses, default=1.0), padding=0)
        acc.setYRange(-0.6, len(groups) - 0.4, padding=0)

    @staticmethod
    def _bar_label(group: SeedGroup, rows: dict[str, SweepRow]) -> str:
        if group.n == 1:
            return rows[group.run_ids[0]].label
        return f"{group.label} ({group.n} seeds)"

    def _bar_spreads(
        self, plot: pg.PlotItem, spreads: list[Spread | None], factor: float, y: np.ndarray
    ) -> None:
        several = [(p, s) for p, s in zip(y, spreads, strict=True) if s is not None and s.n > 1]
        if not several:
            return
        mean = np.array([factor * s.mean for _, s in several])
        plot.addItem(
            pg.ErrorBarItem(
                x=mean, y=np.array([p for p, _ in several]),
                left=mean - np.array([factor * s.low for _, s in several]),
                right=np.array([factor * s.high for _, s in several]) - mean,
                beam=0.3, pen=pg.mkPen(INK, width=2 * self.scale),
            )
        )  # fmt: skip

    def _bar_text(
        self, plot: pg.PlotItem, text: str, at: float, position: float, colour: str = INK
    ) -> None:
        item = pg.TextItem(text, color=colour, anchor=(-0.05, 0.5))
        item.setFont(self.font_at(0.9, bold=colour != INK))
        item.setPos(at if finite(at) else 0.0, position)
        plot.addItem(item)

    # --- style ------------------------------------------------------------------------------
    def _style(self, plot: pg.PlotItem, left: str | None, bottom: str | None) -> None:
        label = {"color": INK, "font-size": f"{self._points(1.1):.0f}pt"}
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setTickFont(self.font_at(1.0))
            axis.setTextPen(INK)
            axis.setPen(pg.mkPen("#555555"))
        if left:
            plot.getAxis("left").setLabel(left, **label)
            plot.getAxis("left").setWidth(round(80 * self.scale))
        if bottom:
            plot.getAxis("bottom").setLabel(bottom, **label)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.hideButtons()

    def _points(self, factor: float) -> float:
        size = self.font().pointSizeF()
        return (size if size > 0 else 10.0) * self.scale * factor

    def font_at(self, factor: float, bold: bool = False) -> QFont:
        """The widget's font at `factor` times the plot's scale."""
        result = QFont(self.font())
        result.setPointSizeF(self._points(factor))
        result.setBold(bold)
        return result
