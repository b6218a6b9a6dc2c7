"""A run's pyqtgraph items on the live plots, and how they look: dark on white for a projector,
sizes that scale for presentation, log axes labelled the way rates are typed (1e-4)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.explore.smoothing import smooth
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots import theme
from lrexplorer.plots.canvas import PlotCanvas, Stroke
from lrexplorer.plots.series import EPOCH_KINDS, EPOCH_PLOTS, PLOTS, RunSeries

INK = "#222222"
AXIS_GREY = "#555555"
GRID_GREY = "#E4E4E4"
RAW_TINT = 0.3  # raw per-batch values behind the smoothed curve: the run's colour, paled
LEFT_AXIS_WIDTH = 78  # pixels at scale 1; the same for all plots so that they line up
# Stacking: markers behind everything, the live run above the past runs, hover on top.
Z_MARKER, Z_LIVE, Z_HOVER = -10, 20, 100
Z_ROLE = {"raw": 0, "curve": 1, "train": 3, "validation": 3}


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


class Grid(pg.GridItem):
    """pyqtgraph's grid, line for line (three levels of spacing, the finer ones fainter), drawn
    from arrays: GridItem draws ~500 lines one Python call at a time into a picture whenever
    the range changes (~8 ms per plot) and replays it at every repaint."""

    def generatePicture(self) -> None:  # noqa: N802 (pyqtgraph override)
        rect = self.boundingRect()
        view = self.getViewWidget()
        if rect.isNull() or view is None or self.deviceTransform_() is None:
            return
        size = np.array([view.rect().width(), view.rect().height()], dtype=float)
        low = np.array([rect.left(), min(rect.top(), rect.bottom())])
        high = np.array([rect.right(), max(rect.top(), rect.bottom())])
        # GridItem draws each level in the grid colour, faded with an alpha, over the paper;
        # a coarse line lies on finer ones, so their alphas add up. The same colours, mixed
        # here: opaque lines are drawn ~8x faster than see-through ones.
        ink = self.opts["pen"].color()
        mixed = [QColor(view.backgroundBrush().color())] * 2  # per axis, as far as drawn
        levels = []
        for depth in range(self.grid_depth - 1, -1, -1):  # fine to coarse, as GridItem
            spacing = 10.0 ** np.floor(np.log10(np.abs((high - low) / 10.0**depth)) + 0.5)
            first = np.floor(low / spacing) * spacing
            count = (np.ceil(high / spacing) * spacing - first) / spacing + 0.5
            for axis in (0, 1):
                # GridItem's fading: lines closer than ~13 pixels fade out.
                alpha = int(np.clip(5 * (size[axis] / count[axis] - 3), 0, 50))
                at = first[axis] + np.arange(int(count[axis])) * spacing[axis]
                at = at[(at >= low[axis]) & (at <= high[axis])]
                if alpha and at.size:
                    mixed[axis] = theme.tint(ink, alpha / 255, mixed[axis])
                    pen = pg.mkPen(mixed[axis])  # cosmetic, 1 pixel
                    levels.append((pen, _grid_lines(axis, at, low, high)))
        self.picture = levels

    def paint(self, painter: QPainter, *_args: object) -> None:
        if self.picture is None:
            self.generatePicture()
        for pen, lines in self.picture or ():
            painter.setPen(pen)
            painter.drawLines(*lines.drawargs())


def _grid_lines(axis: int, at: np.ndarray, low: np.ndarray, high: np.ndarray) -> PrimitiveArray:
    """Lines across the view at `at` on `axis` (0: vertical lines at x, 1: horizontal at y)."""
    lines = PrimitiveArray(QLineF, 4)
    lines.resize(at.size)
    ends = lines.ndarray()
    other = 1 - axis
    ends[:, axis], ends[:, axis + 2] = at, at
    ends[:, other], ends[:, other + 2] = low[other], high[other]
    return lines


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


class RunLayers:
    """The canvases of one plot, bottom to top: the past runs' raw values, curves and
    end-of-epoch marks, then the live run's. A past run's raw values never cover another run's
    curve, the live run is drawn over all of them, and what the smoothing slider does not
    change (raw values, marks) is not drawn again when it moves."""

    def __init__(self, plot: pg.PlotItem, name: str) -> None:
        self.name = name
        self.canvases: dict[str, PlotCanvas] = {}
        for role, z in (("past_raw", 0), ("past", 1), ("past_marks", 3), ("raw", Z_LIVE),
                        ("curve", Z_LIVE + 1), ("marks", Z_LIVE + 3)):  # fmt: skip
            live = not role.startswith("past")
            # The past runs stand in the autorange through the anchor; the live run itself.
            canvas = PlotCanvas(counts_in_autorange=live)
            canvas.setZValue(z)
            plot.addItem(canvas, ignoreBounds=not live)
            self.canvases[role] = canvas

    def show(self, past: list[DrawnRun], live: DrawnRun | None) -> None:
        name, canvases = self.name, self.canvases
        canvases["past_raw"].set_strokes(_strokes(past, name, ("raw",)))
        canvases["past"].set_strokes(_strokes(past, name, ("curve",)))
        canvases["past_marks"].set_strokes(_strokes(past, name, tuple(EPOCH_KINDS)))
        runs = [live] if live is not None else []
        for role in ("raw", "curve"):
            canvases[role].set_strokes(_strokes(runs, name, (role,)))
        canvases["marks"].set_strokes(_strokes(runs, name, tuple(EPOCH_KINDS)))

    def set_y_cap(self, cap: float | None) -> None:
        for canvas in self.canvases.values():
            canvas.set_y_cap(cap)

    def set_vector(self, vector: bool) -> None:
        for canvas in self.canvases.values():
            canvas.set_vector(vector)


def _strokes(runs: list[DrawnRun], plot: str, roles: tuple[str, ...]) -> list[Stroke]:
    return [run.strokes[key] for run in runs for key in ((plot, role) for role in roles)
            if key in run.strokes]  # fmt: skip


class DrawnRun:
    """One run on the plots: its data, what is on screen (strokes for the canvases, rate-change
    markers), how it looks, and what is stale."""

    def __init__(
        self, record: RunRecord, colour: QColor, live: bool, plots: dict[str, pg.PlotItem]
    ) -> None:
        self.series = RunSeries(record)
        self.colour = QColor(colour)
        self.live = live
        self._plots = plots
        self.strokes: dict[tuple[str, str], Stroke] = {}  # (plot, role) -> what is drawn
        self._sources: dict[tuple[str, str], tuple[np.ndarray, bool]] = {}  # its values, log
        self.markers: list[tuple[str, pg.InfiniteLine]] = []
        self.shown: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # x, raw, drawn
        self.points: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # "batches": new batches only, the curves grow; "curves": draw them anew.
        self.stale = {"curves", "epochs", "lr_changes"}
        self.y_ranges: dict[str, tuple[float, float]] = {}  # in view units (log10 on log axes)
        self.legend_key = pg.PlotDataItem(antialias=True)  # the legend's sample of the curve
        self._scale = 1.0
        self._colours = theme.LIGHT_PLOTS
        self._pens: dict[str, QPen] = {}
        self._brushes: dict[str, QBrush] = {}
        self.restyle(1.0, theme.LIGHT_PLOTS)

    @property
    def id(self) -> str:
        return self.series.id

    @property
    def label(self) -> str:
        return self.series.label

    def set_live(self, live: bool) -> None:
        """A live run's line is thicker; drawn anew when it joins the past runs."""
        self.live = live
        self.restyle(self._scale, self._colours)

    def remove(self) -> None:
        self._remove_markers()

    def draw(self, is_log: Callable[[str], bool], smoothing: float, show_raw: bool) -> None:
        """Bring the strokes up to date with whatever is stale; nothing else."""
        if self.stale & {"batches", "curves"}:
            raw = show_raw and smoothing > 0
            self._draw_curves(is_log, smoothing, raw, grow="curves" not in self.stale)
        if "epochs" in self.stale:
            for name in EPOCH_PLOTS:
                for kind in EPOCH_KINDS:
                    x, y, epochs = self.series.epoch_values(name, kind, is_log(name))
                    self.points[(name, kind)] = (x, y, epochs)
                    self.strokes[(name, kind)] = self._marks(kind, x, _view(y, is_log(name)))
        if "lr_changes" in self.stale:
            self._draw_markers()
        if self.stale - {"lr_changes"}:
            for name in PLOTS:
                self._measure(name, is_log(name))
        self.stale.clear()

    def _draw_curves(
        self, is_log: Callable[[str], bool], smoothing: float, raw: bool, grow: bool
    ) -> None:
        for name in PLOTS:
            log = is_log(name)
            x, values = self.series.batch_values(name, log)
            # The moving average only looks back, so new batches leave the drawn part as it is.
            drawn = values if name == "learning_rate" else smooth(values, smoothing)
            self.shown[name] = (x, values, drawn)
            self._set_line((name, "curve"), x, drawn, log, grow)
            if name in EPOCH_PLOTS and raw:
                self._set_line((name, "raw"), x, values, log, grow)
            else:
                self.strokes.pop((name, "raw"), None)

    def _set_line(
        self, key: tuple[str, str], x: np.ndarray, values: np.ndarray, log: bool, grow: bool
    ) -> None:
        stroke, pen = self.strokes.get(key), self._pens[key[1]]
        source = self._sources.get(key)
        unchanged = source is not None and source[0] is values and source[1] == log
        if stroke is not None and stroke.pen is pen and unchanged:
            return  # e.g. the raw values when the smoothing changed: their image stays
        self._sources[key] = (values, log)
        y = np.log10(values) if log else values  # view units; the values are > 0 by then
        if stroke is not None and stroke.pen is pen and grow and x.size >= stroke.x.size:
            stroke.x, stroke.y = x, y  # the same stroke, longer: its canvas adds the rest
        else:
            self.strokes[key] = Stroke(x, y, pen)

    def _marks(self, kind: str, x: np.ndarray, y: np.ndarray) -> Stroke:
        train = kind == "train"
        size = (11 if train else 13) * self._scale
        return Stroke(x, y, self._pens[kind], "o" if train else "d", size, self._brushes[kind])

    def _measure(self, plot: str, log: bool) -> None:
        """The y extent of what is drawn in a plot, for the autorange anchor."""
        parts = [self.strokes[(plot, role)].y for role in ("curve", "raw", *EPOCH_KINDS)
                 if (plot, role) in self.strokes]  # fmt: skip
        parts = [part for part in parts if part.size]
        if not parts:
            self.y_ranges.pop(plot, None)
            return
        self.y_ranges[plot] = (min(p.min() for p in parts), max(p.max() for p in parts))

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

    def restyle(self, scale: float, colours: theme.PlotColours) -> None:
        """Pens and marks: filled circle = train, hollow diamond = validation; the live run a
        little thicker. Styled for the paper: raw values paled towards it, hollow marks filled
        with it, rate-change labels darkened on white and lightened on dark."""
        self._scale, self._colours = scale, colours
        colour = self.colour
        # Opaque, unlike an alpha: overlapping segment ends must not show (see plot_canvas).
        pale = theme.tint(colour, RAW_TINT, colours.background)
        self._pens = {
            "raw": pg.mkPen(pale, width=1.0 * scale),
            "curve": pg.mkPen(colour, width=(3.0 if self.live else 2.0) * scale),
            "train": pg.mkPen(colour.darker(140), width=1.0 * scale),
            "validation": pg.mkPen(colour, width=2.0 * scale),
        }
        self._brushes = {"train": pg.mkBrush(colour), "validation": pg.mkBrush(colours.background)}
        self.legend_key.setPen(self._pens["curve"])
        self.stale |= {"curves", "epochs"}
        self._style_markers()

    def _style_markers(self) -> None:
        """A rate change: a dashed vertical line in the run's colour, behind the curves."""
        colour, scale = self.colour, self._scale
        dashed = pg.mkPen(colour, width=1.5 * scale, style=Qt.PenStyle.DashLine)
        text = colour.lighter(130) if self._colours.dark else colour.darker(130)
        for _name, line in self.markers:
            line.setPen(dashed)
            line.setZValue(Z_MARKER)
            if getattr(line, "label", None) is not None:  # set by pyqtgraph only when given
                line.label.setColor(text)
                line.label.setFont(font(10 * scale))


def _view(values: np.ndarray, log: bool) -> np.ndarray:
    """Values in view units: a log axis shows log10 (the values are > 0 by then)."""
    return np.log10(values) if log else values
