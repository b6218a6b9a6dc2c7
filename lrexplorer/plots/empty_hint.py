"""The hint over empty plots, on what to do first: centred on a plot's view, above the scene,
and hidden by LivePlots once a run is drawn."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QLabel

from lrexplorer.plots.theme import PlotColours

MARGIN = 16  # pixels kept free between the hint and its plot's edges


class PlotHint(QLabel):
    def __init__(self, area: pg.GraphicsView, plot: pg.PlotItem) -> None:
        super().__init__(area.viewport())
        self.setObjectName("plotsHint")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # hover reads on
        self._area, self._plot = area, plot
        plot.vb.sigResized.connect(self.place)
        area.viewport().installEventFilter(self)

    def restyle(self, scale: float, colours: PlotColours) -> None:
        self.setStyleSheet(
            f"QLabel {{ color: {colours.ink}; background: {colours.background}; "
            f"border: 1px solid {colours.axis}; border-radius: {6 * scale:.0f}px; "
            f"padding: {10 * scale:.0f}px {16 * scale:.0f}px; "
            f"font-size: {13 * scale:.0f}pt; }}"
        )
        self.place()

    def place(self) -> None:
        """Centred on the plot's view, as wide as its text needs and the view allows."""
        view = self._area.mapFromScene(self._plot.vb.sceneBoundingRect()).boundingRect()
        room = max(view.width() - 2 * MARGIN, 120)
        # Its lines as written when they fit; wrapped to the view's width when they do not.
        self.setWordWrap(False)
        self.setMinimumWidth(0)
        self.setMaximumWidth(16777215)
        natural = self.sizeHint().width()
        self.setWordWrap(natural > room)
        self.setFixedWidth(min(natural, room))
        self.adjustSize()
        self.move(view.center() - QPoint(self.width() // 2, self.height() // 2))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False
