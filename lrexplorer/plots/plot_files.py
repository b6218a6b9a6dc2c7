"""The window's plots written to PNG or SVG files with no window on screen: what the command
line's --plot writes (a run's live plots, a sweep's summary or budget view, the range test)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QWidget

from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.image_export import check_suffix, save_layout

SIZE = (1400, 900)  # pixels: a slide's shape, room for a legend of a dozen runs
SUMMARY, BUDGET = "summary", "budget"


def ensure_app() -> QCoreApplication:
    """The running QApplication, or a new one drawing offscreen. A file needs no display, and
    Qt aborts the process when a display it is told of cannot be reached (a stale DISPLAY over
    ssh), so the offscreen platform is used unless QT_QPA_PLATFORM chooses another."""
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["lrexplorer"])
    return app


def _lay_out(widget: QWidget) -> None:
    """Lay `widget` out at SIZE as if shown, without anything on screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(*SIZE)
    widget.show()
    QApplication.processEvents()


def _render(view: Any, path: str | Path) -> None:
    """Save a pyqtgraph view (a GraphicsLayoutWidget or PlotWidget) at `path`."""
    _lay_out(view)
    try:
        save_layout(view, path)
    finally:
        view.close()


def write_sweep_plot(records: Sequence[RunRecord], path: str | Path) -> str:
    """The budget view when some run trained more than one epoch, else the summary plot (final
    results against the learning rate), with what they say in words under them; which one was
    written."""
    from lrexplorer.core.explore.budget import shows_budget

    check_suffix(path)
    ensure_app()
    if shows_budget(records):
        from lrexplorer.core.explore.budget import BudgetTable
        from lrexplorer.plots.budget_plot import BudgetPlot

        plot, kind = BudgetPlot(), BUDGET
        plot.caption = BudgetTable.from_records(records).sentences()
    else:
        from lrexplorer.core.explore.seed_groups import group_records, seed_noise_sentences
        from lrexplorer.plots.sweep_plot import SweepPlot

        plot, kind = SweepPlot(), SUMMARY
        plot.caption = seed_noise_sentences(group_records(records))
    plot.set_records(list(records))
    _render(plot, path)
    return kind


def write_run_plots(record: RunRecord, path: str | Path) -> None:
    """A run's loss, accuracy and learning rate against step, as the window's live plots."""
    from lrexplorer.plots.live_plots import LivePlots
    from lrexplorer.plots.palette import run_colour

    check_suffix(path)
    ensure_app()
    plots = LivePlots()
    plots.set_overlays([(record, run_colour(0))])
    _lay_out(plots)
    try:
        plots.export_image(str(path))  # draws what is pending first
    finally:
        plots.close()


def write_range_test_plot(result: Any, path: str | Path) -> None:
    """The range test's loss against the learning rate, with its suggestions marked."""
    from lrexplorer.plots.range_test_plot import FinderPlot

    check_suffix(path)
    ensure_app()
    plot = FinderPlot()
    if result.learning_rates:
        plot.reset(min(result.learning_rates), max(result.learning_rates), len(result.losses))
    plot.set_result(result)
    plot.redraw()
    plot.mark(result, result.default)
    _render(plot, path)
