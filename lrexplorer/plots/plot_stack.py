"""The live plots' stack: loss, accuracy and learning rate against step, one above the other,
their x axes linked and numbered once, under the last; the legend above them all."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from lrexplorer.plots import items as style
from lrexplorer.plots.axes import RateAxis
from lrexplorer.plots.legend import RunLegend
from lrexplorer.plots.series import PLOTS

OBJECT_NAMES = {"loss": "lossPlot", "accuracy": "accuracyPlot", "learning_rate": "learningRatePlot"}
# Rows: legend, loss, accuracy, learning rate. The rate plot's decades must stay readable on a
# projector, which a third of the loss plot's height is not.
ROW_STRETCH = (0, 5, 4, 3)
RATE_DECADES = 2.0  # the least the rate axis spans: a constant rate reads between two labels


@dataclass
class PlotStack:
    area: pg.GraphicsLayoutWidget
    legend: RunLegend
    plots: dict[str, pg.PlotItem]
    anchors: dict[str, style.RangeAnchor]  # each plot's autorange: past runs, planned run
    layers: dict[str, style.RunLayers]

    def cached_items(self) -> list[QGraphicsItem]:
        """Grids and axes: painted from pixmaps that Qt keeps until the range changes."""
        items = []
        for plot in self.plots.values():
            items += [plot.getAxis("left"), plot.getAxis("bottom")]
            items += [item for item in plot.items if isinstance(item, style.Grid)]
        return items


def build_stack() -> PlotStack:
    area = pg.GraphicsLayoutWidget()
    area.setObjectName("livePlotArea")
    area.setBackground("w")
    # Above the plots, not inside one: a legend in a corner always hides some curve.
    legend = RunLegend()
    area.addItem(legend, row=0, col=0)
    stack = PlotStack(area, legend, {}, {}, {})
    for row, name in enumerate(PLOTS, start=1):
        # Learning rates are read in powers of ten: only those are labelled.
        axis = RateAxis("left", decades=name == "learning_rate")
        plot = area.addPlot(row=row, col=0, axisItems={"left": axis})
        plot.setObjectName(OBJECT_NAMES[name])
        # A GridItem, not showGrid(): the axes' grid costs ~10 ms per plot per repaint.
        grid = style.Grid(pen=pg.mkPen(style.GRID_GREY), textPen=None)
        grid.setZValue(style.Z_MARKER - 1)
        plot.addItem(grid, ignoreBounds=True)
        plot.setMenuEnabled(False)  # its log/FFT/average options would bypass ours
        plot.vb.setLimits(xMin=0)
        if name != PLOTS[-1]:
            # The steps are numbered under the last plot only: the room goes to the curves.
            plot.getAxis("bottom").setStyle(showValues=False)
        if name != "loss":
            plot.setXLink(stack.plots["loss"])
        stack.anchors[name] = style.RangeAnchor()
        plot.addItem(stack.anchors[name])
        stack.layers[name] = style.RunLayers(plot, name)
        stack.plots[name] = plot
    # Grid and axes change only with the range: the strip repainted as a live curve grows is
    # a blit of them, with no Python call at all.
    for item in stack.cached_items():
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    stack.plots["accuracy"].vb.setLimits(yMin=-0.02, yMax=1.02)
    stack.plots["learning_rate"].setLogMode(y=True)
    stack.plots["learning_rate"].vb.setLimits(minYRange=RATE_DECADES)
    for row, stretch in enumerate(ROW_STRETCH):
        area.ci.layout.setRowStretchFactor(row, stretch)
    return stack
