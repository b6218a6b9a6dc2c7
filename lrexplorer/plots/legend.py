"""The live plots' legend, above the plots (a legend in a corner always hides some curve): one
entry per run, the live one marked, and the keys to the end-of-epoch marks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment

from lrexplorer.plots import items as style
from lrexplorer.plots.items import DrawnRun


class RunLegend(pg.LegendItem):
    def __init__(self) -> None:
        super().__init__(frame=False)
        self.setLabelTextColor(style.INK)

    def rebuild(self, runs: Sequence[DrawnRun], symbol_keys: dict, scale: float) -> None:
        self.clear()
        for run in runs:
            text = escape(run.label)
            self.addItem(run.legend_key, f"<b>{text}</b> (live)" if run.live else text)
        epochs = any(run.series.epochs for run in runs)
        if epochs:
            self.addItem(symbol_keys["train"], "train, end of epoch")
            self.addItem(symbol_keys["validation"], "validation, end of epoch")
        for sample, _label in self.items:
            # pyqtgraph hides an entry's item on a click: here that is a stand-in, not a curve.
            sample.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # One line while it fits; a teacher's sweep of many runs wraps onto balanced lines.
        entries = len(runs) + (2 if epochs else 0)
        fit = max(2, round(5 / scale))
        rows = max(1, math.ceil(entries / fit))
        self.setColumnCount(max(1, math.ceil(entries / rows)))
        self.setVisible(bool(runs))

    def labels(self) -> list[str]:
        """The entries as plain text, e.g. "RMSprop 1e-4 (live)"."""
        return [QTextDocumentFragment.fromHtml(label.text).toPlainText() for _, label in self.items]
