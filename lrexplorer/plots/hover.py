"""Hovering the live plots: a label and a ring that name the drawn point nearest the mouse."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from lrexplorer.core.config.number_text import compact_number
from lrexplorer.plots.items import INK, Z_HOVER, DrawnRun, font
from lrexplorer.plots.series import EPOCH_KINDS, nearest_point

HOVER_RADIUS_PX = 24
EPOCH_POINT_PREFERENCE_PX = 4  # an end-of-epoch point sits on its curve: it wins a near tie
VALUE_NAMES = {"loss": "loss", "accuracy": "accuracy", "learning_rate": "learning rate"}

Hit = tuple[float, float, str]  # x and y in view units, and the text to show


class PlotHover:
    """One label and ring per plot; at most one pair shows at a time."""

    def __init__(self, plots: dict[str, pg.PlotItem]) -> None:
        self._plots = plots
        self._labels: dict[str, pg.TextItem] = {}
        self._rings: dict[str, pg.ScatterPlotItem] = {}
        for name, plot in plots.items():
            label = pg.TextItem(color=INK, fill=pg.mkBrush(255, 255, 255, 235), border="#888")
            ring = pg.ScatterPlotItem(pen=pg.mkPen(INK, width=2), brush=None)
            for item in (label, ring):
                item.setZValue(Z_HOVER)
                item.setVisible(False)
                plot.addItem(item, ignoreBounds=True)
            self._labels[name], self._rings[name] = label, ring

    def set_scale(self, scale: float) -> None:
        for name in self._plots:
            self._labels[name].setFont(font(10 * scale))
            self._rings[name].setSize(14 * scale)

    def show_nearest(
        self, plot: str, at: QPointF, runs: Iterable[DrawnRun], log: bool, smoothing: float
    ) -> str:
        """Label the point nearest `at` (view units) within a few pixels; return its text."""
        hit = _nearest(self._plots[plot], plot, at, runs, log, smoothing)
        self.hide()
        if hit is None:
            return ""
        x, y, text = hit
        label, ring = self._labels[plot], self._rings[plot]
        (x0, x1), (y0, y1) = self._plots[plot].vb.viewRange()
        # Inside the plot: left of the point in the right half, below it in the top half.
        label.setAnchor((1.05 if x > (x0 + x1) / 2 else -0.05, -0.1 if y > (y0 + y1) / 2 else 1.1))
        label.setText(text)
        label.setPos(x, y)
        ring.setData([x], [y])
        label.setVisible(True)  # not show(): TextItem orients itself in setVisible
        ring.setVisible(True)
        return text

    def hide(self) -> None:
        for name in self._plots:
            self._labels[name].setVisible(False)
            self._rings[name].setVisible(False)


def _nearest(
    plot_item: pg.PlotItem,
    plot: str,
    at: QPointF,
    runs: Iterable[DrawnRun],
    log: bool,
    smoothing: float,
) -> Hit | None:
    pixel = plot_item.vb.viewPixelSize()
    if not (pixel[0] and pixel[1]):
        return None
    best, best_distance = None, float("inf")
    for run in runs:
        candidates = []
        if plot in run.shown:
            candidates.append((run.shown[plot][0], run.shown[plot][2], None))
        for kind in EPOCH_KINDS:
            if (plot, kind) in run.points:
                candidates.append((*run.points[(plot, kind)][:2], kind))
        for x, y, kind in candidates:
            view_y = np.log10(y) if log else y
            hit = nearest_point(x, view_y, (at.x(), at.y()), pixel, HOVER_RADIUS_PX)
            if hit is None:
                continue
            distance = hit[1] - (EPOCH_POINT_PREFERENCE_PX if kind else 0)
            if distance < best_distance:
                best_distance = distance
                text = _describe(run, plot, hit[0], kind, smoothing)
                best = (float(x[hit[0]]), float(view_y[hit[0]]), text)
    return best


def _describe(run: DrawnRun, plot: str, i: int, kind: str | None, smoothing: float) -> str:
    name = VALUE_NAMES[plot]
    if kind is not None:
        x, y, epochs = run.points[(plot, kind)]
        return f"{run.label}\nepoch {epochs[i]} ({kind}), step {int(x[i])}\n{name} {y[i]:.4g}"
    x, raw, drawn = run.shown[plot]
    if plot == "learning_rate":
        value = f"{name} {compact_number(raw[i])}"
    elif smoothing > 0:
        value = f"{name} {drawn[i]:.4g} (smoothed)\nthis batch {raw[i]:.4g}"
    else:
        value = f"{name} {raw[i]:.4g}"
    return f"{run.label}\nstep {int(x[i])}\n{value}"
