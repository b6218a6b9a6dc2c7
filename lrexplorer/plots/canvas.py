"""A plot layer drawn into an image of the plot area and painted from it: runs that do not change
are drawn once per view, a growing live curve adds only its new segments, and only their strip
of the screen is repainted. Lines and marks look as pyqtgraph draws them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

EDGE_PX = 4.0  # drawn beyond the plot area's edges, so a line leaving it is not cut short
FAR_PX = 1e6  # farther than this (a run that blew up, a deep zoom) is clamped: the rasteriser
# works in fixed point and chokes on huge coordinates


@dataclass(eq=False)
class Stroke:
    """One line through points, or one mark at each point; in view units (log10 already taken
    on a log axis), x ascending, finite."""

    x: np.ndarray
    y: np.ndarray
    pen: QPen
    symbol: str | None = None  # None: a line; "o", "d": pyqtgraph's marks
    size: float = 0.0  # marks' size in pixels
    brush: QBrush | None = None


class PlotCanvas(pg.GraphicsObject):
    """Strokes painted in order from an image kept per view: a new range or size draws the image
    anew; `grow` adds the last stroke's new points to it and repaints only where they are."""

    def __init__(self, counts_in_autorange: bool = False) -> None:
        super().__init__()
        # The exposed rect in paint(): a strip repainted blits a strip, not the whole image.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self._strokes: list[Stroke] = []
        self._sizes: list[int] = []  # each stroke's points when last given
        self._counts = counts_in_autorange
        self._y_bounds: tuple[float, float] | None = None
        self._rect = QRectF()  # the view's range: the item covers the plot area
        self._image: QImage | None = None
        self._key: tuple | None = None  # the view transform the image was drawn for
        self._drawn = 0  # points of the last stroke already in the image
        self._vector = False
        self._y_cap: float | None = None  # the autorange goes no higher than this
        self.setVisible(False)  # until it has something to draw

    # --- content ----------------------------------------------------------------------------
    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    def set_strokes(self, strokes: list[Stroke]) -> None:
        """Draw exactly these from the next paint on. The same strokes again cost nothing; if
        only the last one is longer (a live curve that grew at its end, its first points
        unchanged), only its new segments are drawn, and only their strip is repainted."""
        sizes = [stroke.x.size for stroke in strokes]
        if len(strokes) == len(self._strokes) and all(
            a is b for a, b in zip(strokes, self._strokes, strict=True)
        ):
            if sizes == self._sizes:
                return
            grown = sizes[:-1] == self._sizes[:-1] and sizes[-1] > self._sizes[-1]
            if grown and strokes[-1].symbol is None:
                self._grow(self._sizes[-1])
                self._sizes = sizes
                return
        self._strokes, self._sizes = list(strokes), sizes
        self._key = None
        self._set_y_bounds(_y_bounds(self._strokes))
        # An empty canvas is not painted at all (a repainted strip meets every canvas).
        self.setVisible(bool(strokes))
        self.update()

    def _grow(self, before: int) -> None:
        stroke = self._strokes[-1]
        new_y = stroke.y[max(before - 1, 0) :]
        low, high = float(new_y.min()), float(new_y.max())
        bounds = (low, high)
        if self._y_bounds is not None:
            bounds = (min(low, self._y_bounds[0]), max(high, self._y_bounds[1]))
        # The view's range changes only for points outside it: telling it of every new lowest
        # loss would make it repaint the whole plot (a pyqtgraph ViewBox does on any news).
        view = self._rect
        inside = not view.isEmpty() and view.top() <= low and high <= view.bottom()
        if inside:
            self._y_bounds = bounds
        else:
            self._set_y_bounds(bounds)
        x0 = stroke.x[max(before - 1, 0)]
        self._update_strip(x0, stroke.x[-1], low, high, stroke.pen)

    def set_y_cap(self, cap: float | None) -> None:
        """Keep the autorange at or below `cap` (a diverging loss leaves the top of the plot
        instead of squashing every other curve flat); None: no limit."""
        if cap != self._y_cap:
            self._y_cap = cap
            if self._counts:
                self.informViewBoundsChanged()

    def set_vector(self, vector: bool) -> None:
        """For SVG: paint lines and marks as vectors, not from the image."""
        self._vector = vector
        self.update()

    # --- pyqtgraph and Qt -------------------------------------------------------------------
    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange: object = None) -> object:  # noqa: N802, N803
        # Only y: the x range is the anchor's (the planned length of the run), so a curve that
        # grows to the right never moves the view.
        if axis == 0 or not self._counts or self._y_bounds is None:
            return (None, None)
        low, high = self._y_bounds
        if self._y_cap is not None:
            low, high = min(low, self._y_cap), min(high, self._y_cap)
        return (low, high)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self._rect)

    def viewRangeChanged(self) -> None:  # noqa: N802
        view = self.getViewBox()
        rect = view.viewRect() if view is not None else QRectF()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._strokes or self._rect.isEmpty():
            return
        if self._vector:
            self._paint_vectors(painter)
            return
        transform = painter.worldTransform()
        area = transform.mapRect(self._rect).toAlignedRect()
        if area.isEmpty():
            return
        ratio = painter.device().devicePixelRatioF()
        key = (*_matrix(transform), area.getRect(), ratio)
        if key != self._key or self._image is None:
            self._draw_image(transform, area, ratio)
            self._key = key
        elif self._drawn < self._strokes[-1].x.size:
            self._draw_growth(transform, area)
        exposed = transform.mapRect(option.exposedRect).toAlignedRect().adjusted(-1, -1, 1, 1)
        exposed = exposed.intersected(area)
        if exposed.isEmpty():
            return
        source = QRectF(exposed.translated(-area.topLeft()))
        source = QRectF(source.topLeft() * ratio, source.size() * ratio)
        painter.save()
        painter.resetTransform()
        painter.drawImage(QRectF(exposed), self._image, source)
        painter.restore()

    # --- drawing ----------------------------------------------------------------------------
    def _set_y_bounds(self, bounds: tuple[float, float] | None) -> None:
        if bounds != self._y_bounds:
            self._y_bounds = bounds
            if self._counts:
                self.informViewBoundsChanged()

    def _update_strip(self, x0: float, x1: float, y0: float, y1: float, pen: QPen) -> None:
        """Mark the rectangle around new segments for repainting (item units)."""
        view = self.getViewBox()
        if view is None:
            return
        width, height = view.viewPixelSize()
        pad = pen.widthF() / 2 + 2
        self.update(
            QRectF(x0 - pad * width, y0 - pad * height, x1 - x0, y1 - y0).adjusted(
                0, 0, 2 * pad * width, 2 * pad * height
            )
        )

    def _draw_image(self, transform: QTransform, area: QRect, ratio: float) -> None:
        size = area.size() * ratio
        if self._image is None or self._image.size() != size:
            self._image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self._image.setDevicePixelRatio(ratio)
        self._image.fill(Qt.GlobalColor.transparent)
        painter = _image_painter(self._image)
        to_image = transform * QTransform.fromTranslate(-area.x(), -area.y())
        width = area.width()
        for stroke in self._strokes:
            px, py = _to_pixels(to_image, stroke.x, stroke.y)
            if stroke.symbol is None:
                px, py = _visible(px, py, width)
                # Columns as wide as the line: narrower detail is under the ink anyway.
                column = max(1.0, stroke.pen.widthF())
                _draw_line(painter, *_thinned(px, py, column), stroke.pen)
            else:
                _draw_marks(painter, px, py, stroke, width, area.height())
        painter.end()
        self._drawn = self._strokes[-1].x.size

    def _draw_growth(self, transform: QTransform, area: QRect) -> None:
        stroke = self._strokes[-1]
        start = max(self._drawn - 1, 0)
        to_image = transform * QTransform.fromTranslate(-area.x(), -area.y())
        px, py = _to_pixels(to_image, stroke.x[start:], stroke.y[start:])
        painter = _image_painter(self._image)
        _draw_line(painter, px, py, stroke.pen)
        painter.end()
        self._drawn = stroke.x.size

    def _paint_vectors(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            if stroke.symbol is None:
                painter.setPen(stroke.pen)
                painter.drawPath(pg.arrayToQPath(stroke.x, stroke.y))
                continue
            transform = painter.worldTransform()
            for x, y in zip(stroke.x, stroke.y, strict=True):
                painter.save()
                painter.setTransform(QTransform.fromTranslate(*transform.map(x, y)))
                drawSymbol(painter, stroke.symbol, stroke.size, stroke.pen, stroke.brush)
                painter.restore()


def _matrix(t: QTransform) -> tuple[float, ...]:
    return (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy())


def _image_painter(image: QImage) -> QPainter:
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return painter


def _y_bounds(strokes: list[Stroke]) -> tuple[float, float] | None:
    ys = [s.y for s in strokes if s.y.size]
    if not ys:
        return None
    return min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)


def _to_pixels(t: QTransform, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    px = t.m11() * x + t.m21() * y + t.dx()
    py = t.m12() * x + t.m22() * y + t.dy()
    return np.clip(px, -FAR_PX, FAR_PX), np.clip(py, -FAR_PX, FAR_PX)


def _visible(px: np.ndarray, py: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The points inside the plot's width, and one more on each side for the lines out."""
    lo = max(int(np.searchsorted(px, -EDGE_PX)) - 1, 0)
    hi = int(np.searchsorted(px, width + EDGE_PX, side="right")) + 1
    return px[lo:hi], py[lo:hi]


def _thinned(px: np.ndarray, py: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """In each column `width` pixels wide, only the first, lowest, highest and last point, at
    their own x ("M4" downsampling): the line drawn through them covers the same pixels as
    through all points. Flat stretches (a constant learning rate) become their two ends."""
    if py.size > 2:
        flat = (py[1:-1] == py[:-2]) & (py[1:-1] == py[2:])
        if flat.any():
            keep = np.concatenate(([True], ~flat, [True]))
            px, py = px[keep], py[keep]
    size = px.size
    column = np.floor(px / width).astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], column[1:] != column[:-1])))
    if starts.size * 2 >= size:
        return px, py  # about a point per column or fewer: nothing to leave out
    ends = np.concatenate((starts[1:], [size])) - 1
    which = np.repeat(np.arange(starts.size), np.diff(np.concatenate((starts, [size]))))
    index = np.arange(size)

    def first_where(extreme: np.ufunc) -> np.ndarray:
        """Index of each column's first point at its lowest (np.minimum) or highest."""
        hits = py == extreme.reduceat(py, starts)[which]
        return np.minimum.reduceat(np.where(hits, index, size), starts)

    lowest, highest = first_where(np.minimum), first_where(np.maximum)
    kept = np.sort(np.column_stack((starts, lowest, highest, ends)), axis=1).ravel()
    kept = kept[np.concatenate(([True], kept[1:] != kept[:-1]))]
    return px[kept], py[kept]


def _draw_line(painter: QPainter, px: np.ndarray, py: np.ndarray, pen: QPen) -> None:
    """Anti-aliased segments, one by one: ~20x faster than one path for long noisy curves,
    whose wide-line stroker is slow; the colours are opaque, so overlapping ends do not show."""
    if px.size < 2:
        return
    lines = PrimitiveArray(QLineF, 4)
    lines.resize(px.size - 1)
    ends = lines.ndarray()
    ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3] = px[:-1], py[:-1], px[1:], py[1:]
    painter.setPen(pen)
    painter.drawLines(*lines.drawargs())


def _draw_marks(
    painter: QPainter, px: np.ndarray, py: np.ndarray, stroke: Stroke, width: int, height: int
) -> None:
    margin = stroke.size
    for x, y in zip(px.tolist(), py.tolist(), strict=True):
        if -margin <= x <= width + margin and -margin <= y <= height + margin:
            painter.save()
            painter.translate(x, y)
            drawSymbol(painter, stroke.symbol, stroke.size, stroke.pen, stroke.brush)
            painter.restore()
