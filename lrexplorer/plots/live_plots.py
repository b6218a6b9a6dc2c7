"""Live training plots: loss, accuracy and learning rate against step, for the live run on top
of the past runs ticked in the runs panel. Slots only append to buffers; one timer draws (~12 Hz
while a run trains, ~30 Hz after the user changes something).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots import items as style
from lrexplorer.plots import theme
from lrexplorer.plots.axis_ranges import empty_span, loss_cap, steps_extent, value_span
from lrexplorer.plots.bands import SeedBands
from lrexplorer.plots.empty_hint import PlotHint
from lrexplorer.plots.hover import PlotHover
from lrexplorer.plots.image_export import check_suffix, save_layout
from lrexplorer.plots.items import DrawnRun
from lrexplorer.plots.plot_options import DEFAULT_SMOOTHING, PlotOptions
from lrexplorer.plots.plot_stack import build_stack
from lrexplorer.plots.series import PLOTS

AXIS_TITLES = {
    "loss": "loss (cross-entropy)",
    "accuracy": "accuracy",
    "learning_rate": "learning rate",
}
EMPTY_HINT = "Press <b>Start</b> to train with the settings on the left."
REDRAW_MS = 33  # ~30 Hz after the user changes something: smooth to the eye
# New batches of a live run: ~12 Hz is plenty to watch a curve grow, and leaves the CPU and
# the GIL to the training thread.
LIVE_REDRAW_MS = 80


class LivePlots(QWidget):
    """Loss, accuracy and learning rate of the live run on top of the ticked past runs."""

    point_hovered = Signal(str)  # the text shown for the point under the mouse; "" when none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LivePlots")
        self._runs: dict[str, DrawnRun] = {}
        self._live: DrawnRun | None = None
        self._smoothing = DEFAULT_SMOOTHING
        self._scale = 1.0
        self._legend_stale = True
        self._live_steps = 0  # the live run's planned length, when known
        self._live_rate: float | None = None  # and its (first) learning rate
        self._plan: tuple[int, float | None] = (0, None)  # the same of the run Start would train
        self._hover_text = ""
        self._colours = theme.LIGHT_PLOTS
        self.options = PlotOptions()
        self.options.smoothing_changed.connect(self._on_options_smoothing_changed)
        self.options.raw_toggled.connect(self._on_options_raw_toggled)
        self.options.log_loss_toggled.connect(self._on_options_log_loss_toggled)
        self._build_plots()
        self.bands = SeedBands(self._plots, self.options.seeds_button, self._schedule)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.options)
        layout.addWidget(self._area, 1)
        # Single-shot, started by whatever makes something stale: idle costs nothing, and at
        # most one redraw happens per 33 ms however many events arrive in between.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_timer_timeout)
        self._apply_style()

    def _build_plots(self) -> None:
        stack = build_stack()
        self._area, self._legend, self._plots = stack.area, stack.legend, stack.plots
        self._anchors, self._layers, self._stack = stack.anchors, stack.layers, stack
        self._hint = PlotHint(self._area, self._plots["loss"])
        self._hint.setText(EMPTY_HINT)
        self._hover = PlotHover(self._plots)
        self._area.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    # --- public API -------------------------------------------------------------------------
    def begin_live(self, record: RunRecord, colour: QColor) -> None:
        """A new run started; its record may already hold some history."""
        if self._live is not None:
            self.end_live()
        if record.id in self._runs:
            self._remove_run(self._runs[record.id])
        self._live = self._add_run(record, colour, live=True)
        self._live_steps = record.total_steps
        self._live_rate = record.config.learning_rate
        self._schedule()

    def on_run_event(self, record: RunRecord, event: object) -> None:
        """An event of the live run: appended to its buffers; drawing waits for the timer."""
        run = self._live
        if run is None or record.id != run.id:
            return
        if record.label and record.label != run.label:  # named only once RunStarted arrives
            run.series.label = record.label
            self._legend_stale = True
            self._schedule()
        planned = (record.total_steps, record.config.learning_rate)  # known from RunStarted
        if planned != (self._live_steps, self._live_rate):
            # The axes are set up now, while the model compiles, not in training's first frame.
            self._live_steps, self._live_rate = planned
            self._schedule()
        part = run.series.append(event)
        if part == "epochs" and len(run.series.epochs) == 1:
            self._legend_stale = True  # the keys to the end-of-epoch marks join the legend
        if part is not None:
            run.stale.add(part)
            self._schedule(LIVE_REDRAW_MS if part == "batches" else REDRAW_MS)

    def end_live(self) -> None:
        """The live run ended: it stays drawn, as a past run, until the overlays change."""
        run, self._live = self._live, None
        if run is not None:
            run.set_live(False)
            self._legend_stale = True
            self._schedule()

    def set_overlays(self, runs: list[tuple[RunRecord, QColor]]) -> None:
        """Draw exactly these past runs, besides the live run (which is always drawn)."""
        live_id = self._live.id if self._live is not None else None
        wanted = {record.id: (record, colour) for record, colour in runs if record.id != live_id}
        for run in list(self._runs.values()):
            kept = run is self._live or (run.id in wanted and run.series.matches(wanted[run.id][0]))
            if not kept:
                self._remove_run(run)
        for run_id, (record, colour) in wanted.items():
            run = self._runs.get(run_id)
            if run is None:
                self._add_run(record, colour, live=False)
            elif run.colour != QColor(colour) or run.label != (record.label or run_id):
                run.colour, run.series.label = QColor(colour), record.label or run_id
                self._restyle(run)  # renamed or recoloured in the runs panel
        self._legend_stale = True
        self._schedule()

    def clear(self) -> None:
        for run in list(self._runs.values()):
            self._remove_run(run)
        self._live = None
        self._schedule()

    def set_plan(self, steps: int, rate: float | None) -> None:
        """The run Start would train, its steps and learning rate: the axes show it while no run
        is drawn, so that the empty plots already read as the run to come."""
        if (steps, rate) != self._plan:
            self._plan = (steps, rate)
            self._schedule()

    def set_hint(self, text: str) -> None:
        """What the empty plots suggest doing first (rich text)."""
        self._hint.setText(text)
        self._hint.place()

    def hint(self) -> str:
        """The hint as shown: "" once a run is drawn."""
        return self._hint.text() if self._hint.isVisibleTo(self) else ""

    def export_image(self, path: str) -> None:
        """Save the three plots and the legend as PNG or SVG, by the file's suffix."""
        check_suffix(path)
        self._hover.hide()
        self.redraw_now()
        save_layout(self._area, path, self._set_vector_drawing)

    def set_presentation(self, scale: float) -> None:
        """1.0 on a laptop; 1.5-2.0 on a projector: larger text, thicker lines, bigger marks."""
        self._scale = min(3.0, max(0.5, float(scale)))
        self._apply_style()

    def set_theme(self, name: str) -> None:
        """ "light" or "dark": background, axes, grid and text; the runs keep their colours."""
        self._colours = theme.plot_colours(name)
        self._apply_style()

    def curve_data(
        self, run_id: str, plot: str, smoothed: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """(step, value) of a run's per-batch curve as drawn: NaN/inf dropped; the values
        before smoothing, or with `smoothed` the line on screen."""
        self._check_plot(plot)
        run = self._runs.get(run_id)
        if run is None or plot not in run.shown:
            return np.empty(0), np.empty(0)
        x, raw, drawn = run.shown[plot]
        return x.copy(), (drawn if smoothed else raw).copy()

    def points_data(self, run_id: str, plot: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(step, value) of a run's end-of-epoch points as drawn; kind: train or validation."""
        self._check_plot(plot)
        run = self._runs.get(run_id)
        if run is None or (plot, kind) not in run.points:
            return np.empty(0), np.empty(0)
        x, y, _ = run.points[(plot, kind)]
        return x.copy(), y.copy()

    def marker_steps(self, run_id: str) -> list[int]:
        """Steps at which a run's learning-rate-change markers are drawn."""
        run = self._runs.get(run_id)
        return [] if run is None else [int(line.value()) for n, line in run.markers if n == "loss"]

    def legend_labels(self) -> list[str]:
        """The legend's entries as plain text, e.g. "RMSprop 1e-4 (live)"."""
        return self._legend.labels()

    def run_ids(self) -> list[str]:
        """The runs drawn; the live run last."""
        return sorted(self._runs, key=lambda run_id: self._runs[run_id] is self._live)

    def plot_item(self, plot: str) -> pg.PlotItem:
        """The pyqtgraph PlotItem of "loss", "accuracy" or "learning_rate" (for scripts)."""
        self._check_plot(plot)
        return self._plots[plot]

    def smoothing(self) -> float:
        return self._smoothing

    def set_smoothing(self, weight: float) -> None:
        self.options.set_smoothing(weight)

    def redraw_now(self) -> None:
        """Draw whatever changed, now; normally the timer does this."""
        self._timer.stop()
        self._redraw()

    # --- slots ------------------------------------------------------------------------------
    def _on_redraw_timer_timeout(self) -> None:
        if not self.isVisible():
            return  # showEvent schedules the redraw again
        if self.window().isMinimized():
            self._timer.start()  # nobody can see it; look again later
            return
        self._redraw()

    def _on_options_smoothing_changed(self, weight: float) -> None:
        self._smoothing = weight
        self._mark_stale("curves")

    def _on_options_raw_toggled(self, _checked: bool) -> None:
        self._mark_stale("curves")

    def _on_options_log_loss_toggled(self, checked: bool) -> None:
        self._plots["loss"].setLogMode(y=checked)
        self._mark_stale("curves", "epochs")  # values <= 0 must stay off a log axis

    def _on_scene_mouse_moved(self, pos: QPointF) -> None:
        text = ""
        for name, plot in self._plots.items():
            if plot.vb.sceneBoundingRect().contains(pos):
                at = plot.vb.mapSceneToView(pos)
                runs = self._runs.values()
                text = self._hover.show_nearest(name, at, runs, self._is_log(name), self._smoothing)
                break
        else:
            self._hover.hide()
        self._announce_hover(text)

    def _announce_hover(self, text: str) -> None:
        if text != self._hover_text:
            self._hover_text = text
            self.point_hovered.emit(text)

    # --- Qt events --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._schedule()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self._timer.stop()

    def leaveEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().leaveEvent(event)
        self._hover.hide()
        self._announce_hover("")

    # --- drawing ----------------------------------------------------------------------------
    def _schedule(self, msecs: int = REDRAW_MS) -> None:
        """Redraw within `msecs`: soon for what the user just did, less often for new batches."""
        if not self.isVisible():
            return
        if not self._timer.isActive() or self._timer.remainingTime() > msecs:
            self._timer.start(msecs)

    def _mark_stale(self, *parts: str) -> None:
        for run in self._runs.values():
            run.stale.update(parts)
        self._schedule()

    def _is_log(self, plot: str) -> bool:
        return plot == "learning_rate" or (plot == "loss" and self.options.log_check.isChecked())

    def _redraw(self) -> None:
        show_raw = self.options.raw_check.isChecked()
        for run in self._runs.values():
            if run.stale:
                run.draw(self._is_log, self._smoothing, show_raw)
        past = [run for run in self._runs.values() if not run.live]
        past, bands, regrouped = self.bands.split(past, self._is_log, self._scale, self._colours)
        self._legend_stale |= regrouped
        self._shown = self.bands.in_order(list(self._runs.values()))
        for layers in self._layers.values():
            layers.show([*past, *bands], self._live)
        runs = list(self._runs.values())
        self._hint.setVisible(not runs)
        steps = steps_extent(runs, self._live, self._live_steps) if runs else self._plan[0]
        cap = None if self._is_log("loss") else loss_cap(runs)
        self._layers["loss"].set_y_cap(cap)
        live_rate = self._live_rate if self._live is not None else None
        for name, anchor in self._anchors.items():
            log = self._is_log(name)
            y = value_span(name, runs, log, cap, live_rate) if runs else None
            anchor.set_bounds(
                (0, steps) if steps else None, y or empty_span(name, log, self._plan[1])
            )
        if self._legend_stale:
            self._rebuild_legend()

    def _rebuild_legend(self) -> None:
        self._legend.rebuild(self._shown, self._symbol_keys, self._scale)
        self._legend_stale = False

    def _set_vector_drawing(self, vector: bool) -> None:
        """For SVG: curves as paths and axes as text, not from images and pixmaps."""
        for layers in self._layers.values():
            layers.set_vector(vector)
        mode = QGraphicsItem.CacheMode
        for item in self._stack.cached_items():
            item.setCacheMode(mode.NoCache if vector else mode.DeviceCoordinateCache)

    # --- runs ------------------------------------------------------------------------------
    def _add_run(self, record: RunRecord, colour: QColor, live: bool) -> DrawnRun:
        run = DrawnRun(record, colour, live, self._plots)
        self.bands.track(record)
        self._restyle(run)
        self._runs[run.id] = run
        self._legend_stale = True
        return run

    def _remove_run(self, run: DrawnRun) -> None:
        run.remove()
        self.bands.forget(run.id)
        del self._runs[run.id]
        self._legend_stale = True

    def _check_plot(self, plot: str) -> None:
        if plot not in self._plots:
            raise KeyError(f"no plot {plot!r}; the plots are {', '.join(PLOTS)}")

    # --- style ------------------------------------------------------------------------------
    def _apply_style(self) -> None:
        scale = self._scale  # the controls above follow the window's font instead
        for name, plot in self._plots.items():
            x_title = "step (batch)" if name == PLOTS[-1] else None
            style.style_axes(plot, AXIS_TITLES[name], scale, x_title)
        self._hover.set_scale(scale)
        self._hint.restyle(scale, self._colours)
        self._legend.setLabelTextSize(f"{10 * scale:.0f}pt")
        self._symbol_keys = style.symbol_keys(scale)
        theme.style_plot_widget(self._area, self._colours)
        for key in self._symbol_keys.values():
            theme.style_item(key, self._colours)
        for run in self._runs.values():
            self._restyle(run)
        self._legend_stale = True
        self._schedule()

    def _restyle(self, run: DrawnRun) -> None:
        run.restyle(self._scale, self._colours)
        self._schedule()
