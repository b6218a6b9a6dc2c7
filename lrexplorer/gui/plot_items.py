"""A run's pyqtgraph items on the live plots, and how they look: dark on white for a projector,
sizes that scale for presentation, log axes labelled the way rates are typed (1e-4)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsEffect

from lrexplorer.core.numbers import compact_number
from lrexplorer.core.runs import RunRecord
from lrexplorer.core.smoothing import smooth
from lrexplorer.gui.plot_series import EPOCH_KINDS, EPOCH_PLOTS, PLOTS, RunSeries

INK = "#222222"
AXIS_GREY = "#555555"
GRID_GREY = "#E4E4E4"
RAW_TINT = 0.3  # raw per-batch values behind the smoothed curve: the run's colour, paled
LEFT_AXIS_WIDTH = 78  # pixels at scale 1; the same for all plots so that they line up
# Stacking: markers behind everything, the live run above the past runs, hover on top.
Z_MARKER, Z_LIVE, Z_HOVER = -10, 20, 100
Z_ROLE = {"raw": 0, "curve": 1, "train": 3, "validation": 3}


class ValueAxis(pg.AxisItem):
    """Log ticks as rates are typed (1e-4, 0.2); when there are many minor ticks, only 1, 2
    and 5 get text, so that large projector fonts do not overlap."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        texts = []
        for exponent in values:
            value = float(f"{10.0**exponent * scale:.3g}")
            mantissa = round(value / 10.0 ** np.floor(np.log10(value) + 1e-9), 3)
            text = compact_number(value).removesuffix(".0")
            texts.append(text if len(values) <= 4 or mantissa in (1, 2, 5) else "")
        return texts


def font(points: float) -> QFont:
    result = QFont()
    result.setPointSizeF(points)
    return result


def style_axes(plot: pg.PlotItem, title: str, scale: float, x_title: str | None) -> None:
    """Dark axes and readable fonts; `x_title` only on the bottom plot of the stack."""
    # siPrefixEnableRanges=(): pyqtgraph would otherwise show a loss below 1 as
    # "loss (x0.001)" with ticks of 500.
    label_style = {"color": INK, "font-size": f"{12 * scale:.0f}pt", "siPrefixEnableRanges": ()}
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(AXIS_GREY, width=1))
        axis.setTextPen(INK)
        axis.setTickFont(font(10 * scale))
    plot.getAxis("left").setLabel(title, **label_style)
    plot.getAxis("left").setWidth(round(LEFT_AXIS_WIDTH * scale))
    if x_title:
        plot.getAxis("bottom").setLabel(x_title, **label_style)


class RangeAnchor(pg.GraphicsObject):
    """Invisible; stands for the past runs (and fixed spans) in a plot's autorange.

    The past runs' items are left out of the autorange, which would otherwise ask each of them
    for its bounds every frame. And the x range covers the live run's planned steps, so the
    view stays put while the live curve grows into it: a changing range makes every curve clip
    and downsample again and the past runs' cached pixmap be drawn anew.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds: tuple[object, object] = (None, None)

    def set_bounds(self, x: tuple[float, float] | None, y: tuple[float, float] | None) -> None:
        if (x, y) != self._bounds:
            self._bounds = (x, y)
            self.informViewBoundsChanged()

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange: object = None) -> object:  # noqa: N802, N803
        return self._bounds[axis]

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF()

    def paint(self, *_args: object) -> None:
        pass


def symbol_keys(scale: float) -> dict[str, pg.PlotDataItem]:
    """Grey stand-ins for the legend that explain the two end-of-epoch symbols."""
    keys = {}
    for kind, symbol in (("train", "o"), ("validation", "d")):
        # One point of data, or the symbol options never reach the sample the legend draws.
        key = pg.PlotDataItem(
            [0], [0], pen=None, symbol=symbol, symbolSize=10 * scale, antialias=True
        )
        key.setSymbolPen(pg.mkPen(AXIS_GREY, width=1.5 * scale))
        key.setSymbolBrush(AXIS_GREY if kind == "train" else "w")
        keys[kind] = key
    return keys


class _FromPixmap(QGraphicsEffect):
    """Paints an item and its children from a pixmap that Qt keeps until one of them changes
    or the view's scale changes."""

    def draw(self, painter: QPainter) -> None:
        offset = QPoint()  # filled in by sourcePixmap
        pixmap = self.sourcePixmap(
            Qt.CoordinateSystem.DeviceCoordinates, offset, QGraphicsEffect.PixmapPadMode.NoPad
        )
        painter.setWorldTransform(QTransform())
        painter.drawPixmap(offset, pixmap)


class PastRunsLayer(pg.GraphicsObject):
    """Holds the past runs' items of one plot and paints them as one cached pixmap: while the
    live run grows (and the view stays put) they are blitted, not stroked again every frame.
    With 20 past runs of 5,000 steps that is the difference between ~1 s and a few ms."""

    def __init__(self) -> None:
        super().__init__()
        self.setGraphicsEffect(_FromPixmap())

    def set_cached(self, cached: bool) -> None:
        """Off while exporting SVG, so that the curves are written as vectors."""
        self.graphicsEffect().setEnabled(cached)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF()  # its children have the extent

    def paint(self, *_args: object) -> None:
        pass


class DrawnRun:
    """One run on the plots: its data, items, what is on screen, and what is stale."""

    def __init__(
        self,
        record: RunRecord,
        colour: QColor,
        live: bool,
        plots: dict[str, pg.PlotItem],
        layers: dict[str, PastRunsLayer],
    ) -> None:
        self.series = RunSeries(record)
        self.colour = QColor(colour)
        self.live = live
        self._plots = plots
        self._layers = layers
        self.items: dict[tuple[str, str], pg.PlotDataItem] = {}  # (plot, role) -> item
        self.markers: list[tuple[str, pg.InfiniteLine]] = []
        self.shown: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # x, raw, drawn
        self.points: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.stale = {"batches", "epochs", "lr_changes"}
        self._scale = 1.0
        self.y_ranges: dict[str, tuple[float, float]] = {}  # in view units (log10 on log axes)
        for name in plots:
            roles = ("raw", "curve", *EPOCH_KINDS) if name in EPOCH_PLOTS else ("curve",)
            for role in roles:
                self.items[(name, role)] = pg.PlotDataItem(antialias=True)
        self.set_live(live)

    @property
    def id(self) -> str:
        return self.series.id

    @property
    def label(self) -> str:
        return self.series.label

    def set_live(self, live: bool) -> None:
        """The live run's items count in the autorange and are drawn directly; a past run's
        are left to the anchor and go into the cached layer."""
        if self.items and self.items[("loss", "curve")].getViewBox() is not None:
            self.remove()
            # Re-adding an item that holds data makes pyqtgraph 0.14 ask the GraphicsView for
            # a ViewBox method (AttributeError): re-add it empty, the next redraw refills it.
            for item in self.items.values():
                item.clear()
            self.stale |= {"batches", "epochs", "lr_changes"}
        self.live = live
        for (name, _role), item in self.items.items():
            plot = self._plots[name]
            plot.addItem(item, ignoreBounds=not live)  # takes downsampling, clipping, log mode
            if not live:
                item.setParentItem(self._layers[name])
            # About two points per pixel (peak mode keeps each bin's min and max); the
            # default of ~5 per pixel strokes 2.5 times as many for no visible gain.
            item.opts["autoDownsampleFactor"] = 1.0
            # Anti-aliased wide lines as separate segments: ~20x faster than one path, whose
            # stroker is slow for long noisy curves. The colours are opaque, so the overlapping
            # segment ends do not show.
            item.curve.setSegmentedLineMode("on")
        self.restyle(self._scale)
        self._draw_markers()

    def set_segmented(self, segmented: bool) -> None:
        """Off while exporting SVG: one path per curve, not a file of thousands of lines."""
        for item in self.items.values():
            item.curve.setSegmentedLineMode("on" if segmented else "off")

    def remove(self) -> None:
        for (name, _role), item in self.items.items():
            self._plots[name].removeItem(item)
        self._remove_markers()

    def draw(self, is_log: Callable[[str], bool], smoothing: float, show_raw: bool) -> None:
        """setData on whatever is stale; nothing else."""
        if "batches" in self.stale:
            self._draw_curves(is_log, smoothing, show_raw and smoothing > 0)
        if "epochs" in self.stale:
            for name in EPOCH_PLOTS:
                for kind in EPOCH_KINDS:
                    x, y, epochs = self.series.epoch_values(name, kind, is_log(name))
                    self.points[(name, kind)] = (x, y, epochs)
                    self.items[(name, kind)].setData(x, y)
        if "lr_changes" in self.stale:
            self._draw_markers()
        if self.stale - {"lr_changes"}:
            for name in PLOTS:
                self._measure(name, is_log(name))
        self.stale.clear()

    def _measure(self, plot: str, log: bool) -> None:
        """The y extent of what is drawn in a plot, for the autorange anchor."""
        parts = [self.shown[plot][2]] if plot in self.shown else []
        raw = self.items.get((plot, "raw"))
        if raw is not None and raw.isVisible():
            parts.append(self.shown[plot][1])
        parts += [self.points[key][1] for key in self.points if key[0] == plot]
        parts = [part for part in parts if part.size]
        if not parts:
            self.y_ranges.pop(plot, None)
            return
        low, high = min(p.min() for p in parts), max(p.max() for p in parts)
        self.y_ranges[plot] = (np.log10(low), np.log10(high)) if log else (low, high)

    def _draw_curves(self, is_log: Callable[[str], bool], smoothing: float, raw: bool) -> None:
        for name in PLOTS:
            x, values = self.series.batch_values(name, is_log(name))
            drawn = values if name == "learning_rate" else smooth(values, smoothing)
            self.shown[name] = (x, values, drawn)
            self.items[(name, "curve")].setData(x, drawn, skipFiniteCheck=True)
            if (name, "raw") in self.items:
                item = self.items[(name, "raw")]
                item.setVisible(raw)
                item.setData(*((x, values) if raw else ([], [])), skipFiniteCheck=True)

    def _draw_markers(self) -> None:
        self._remove_markers()
        for step, rate in self.series.lr_changes:
            for name, plot in self._plots.items():
                label = {}
                if name == "loss":  # named once, at the top, just right of the line
                    label = {
                        "label": f"lr → {compact_number(rate)}",
                        "labelOpts": {"position": 0.95, "anchors": [(-0.05, 0), (-0.05, 0)]},
                    }
                line = pg.InfiniteLine(pos=step, angle=90, movable=False, **label)
                plot.addItem(line, ignoreBounds=True)
                self.markers.append((name, line))
        self._style_markers()

    def _remove_markers(self) -> None:
        for name, line in self.markers:
            self._plots[name].removeItem(line)
        self.markers = []

    def restyle(self, scale: float) -> None:
        """Pens and symbols: filled circle = train, hollow diamond = validation; the live run
        above the others and a little thicker."""
        self._scale = scale
        colour, lift = self.colour, Z_LIVE if self.live else 0
        for (_name, role), item in self.items.items():
            item.setZValue(Z_ROLE[role] + lift)
            if role == "raw":
                pale = QColor.fromRgbF(
                    *(1 - RAW_TINT * (1 - c) for c in colour.getRgbF()[:3])
                )  # opaque, unlike an alpha: see the segmented lines above
                item.setPen(pg.mkPen(pale, width=1.0 * scale))
            elif role == "curve":
                item.setPen(pg.mkPen(colour, width=(3.0 if self.live else 2.0) * scale))
            else:
                train = role == "train"
                item.setPen(None)
                item.setSymbol("o" if train else "d")
                item.setSymbolSize((11 if train else 13) * scale)
                item.setSymbolBrush(colour if train else pg.mkBrush("w"))
                outline = colour.darker(140) if train else colour
                item.setSymbolPen(pg.mkPen(outline, width=(1.0 if train else 2.0) * scale))
        self._style_markers()

    def _style_markers(self) -> None:
        """A rate change: a dashed vertical line in the run's colour, behind the curves."""
        colour, scale = self.colour, self._scale
        dashed = pg.mkPen(colour, width=1.5 * scale, style=Qt.PenStyle.DashLine)
        for _name, line in self.markers:
            line.setPen(dashed)
            line.setZValue(Z_MARKER)
            if getattr(line, "label", None) is not None:  # set by pyqtgraph only when given
                line.label.setColor(colour.darker(130))
                line.label.setFont(font(10 * scale))
