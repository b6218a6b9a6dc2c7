"""The main window: settings on the left, live plots in the middle, the runs below them."""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.controls.data_panel import DataPanel
from lrexplorer.gui.controls.draft import DraftConfig
from lrexplorer.gui.controls.optimizer_panel import OptimizerPanel, section_label
from lrexplorer.gui.controls.run_bar import RunBar
from lrexplorer.gui.controls.schedule_panel import SchedulePanel
from lrexplorer.gui.runs.panel import RunsPanel
from lrexplorer.gui.window.actions import WindowActions
from lrexplorer.gui.window.banner import MessageBanner
from lrexplorer.gui.window.first_launch import FirstLaunch, use_the_screen
from lrexplorer.gui.window.lessons import Lessons
from lrexplorer.gui.window.run_keeper import RunKeeper
from lrexplorer.gui.window.theme import ThemeManager
from lrexplorer.gui.workers.keras_loader import KerasLoader, KerasReady
from lrexplorer.gui.workers.run_controller import RunController
from lrexplorer.plots.live_plots import LivePlots
from lrexplorer.plots.palette import ColourBook
from lrexplorer.plots.theme import style_plots_in

# Config fields that are not optimizer parameters, for routing validation problems.
_CONFIG_FIELDS = set(RunConfig.__dataclass_fields__)
FIRST_PAINT_FALLBACK_MS = 1000  # Keras loads this long after the first paint at the latest


def _failure_text(record: RunRecord, event: ev.RunFinished) -> str:
    if record.total_steps == 0 and event.detail is None:
        # Failed before training began with a reason core explains itself: the data.
        return f"Can't use the data for {record.label}: {event.error}"
    return f"{record.label} failed: {event.error}"


class MainWindow(QMainWindow):
    first_painted = Signal()  # the window is on screen, drawn; Keras starts loading now
    _painted = False

    def __init__(
        self,
        runs_folder: str | Path | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle("lrexplorer: optimizers and learning rates")
        self.settings = settings or QSettings()
        self.draft = DraftConfig(self._restored_config())
        self.colours = ColourBook()
        self.controller = RunController(self)
        self.loader = KerasLoader(self)
        self.keras: KerasReady | None = None
        # The theme before the widgets: some choose their colours from the palette once.
        self.theme = ThemeManager(self.settings, self)
        self.theme.apply(QApplication.instance())
        self._build()
        self.keeper = RunKeeper(runs_folder, self.banner)
        self.store = self.keeper.store
        self.lessons = Lessons(self)
        self.plots.set_theme(self.theme.current())
        self.theme.theme_changed.connect(self._on_theme_changed)
        self.actions = WindowActions(self)
        self._connect()
        self.first_launch = FirstLaunch(self)  # the plots and hint before any run
        self._restore_layout()
        self.runs_panel.add_runs(self.keeper.load_all(), checked=False)
        self._display_timer = QTimer(self, interval=250)
        self._display_timer.timeout.connect(self._on_display_timer_timeout)
        self._display_ticks = 0
        self._revalidate()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.data_panel = DataPanel(self.draft)
        self.optimizer_panel = OptimizerPanel(self.draft)
        self.schedule_panel = SchedulePanel(self.draft)
        controls = QWidget(objectName="controls")
        column = QVBoxLayout(controls)
        # The optimizer and schedule panels carry their own headings; the data gets the same.
        column.addWidget(self.optimizer_panel)
        column.addSpacing(8)
        column.addWidget(self.schedule_panel)
        column.addSpacing(8)
        column.addWidget(section_label("Data and training"))
        column.addWidget(self.data_panel)
        column.addStretch(1)
        scroll = QScrollArea(objectName="controlsScroll")
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(380)

        self.run_bar = RunBar()
        self.banner = MessageBanner()
        self.plots = LivePlots()
        self._plot_viewport = self.plots.findChild(QWidget, "livePlotArea").viewport()
        self._plot_viewport.installEventFilter(self)  # its first paint starts Keras loading
        self.runs_panel = RunsPanel(self.colours)
        right = QSplitter(Qt.Orientation.Vertical, objectName="plotsSplitter")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(4, 4, 4, 0)
        top_layout.addWidget(self.run_bar)
        top_layout.addWidget(self.banner)
        top_layout.addWidget(self.plots, 1)
        right.addWidget(top)
        right.addWidget(self.runs_panel)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.main_splitter.addWidget(scroll)
        self.main_splitter.addWidget(right)
        self.main_splitter.setStretchFactor(1, 1)
        self.plots_splitter = right
        self.setCentralWidget(self.main_splitter)

    def _connect(self) -> None:
        self.draft.changed.connect(self._on_draft_changed)
        self.draft.problems_changed.connect(self._revalidate)
        self.loader.ready.connect(self._on_loader_ready)
        self.loader.failed.connect(self._on_loader_failed)
        self.run_bar.start.clicked.connect(self.start_run)
        self.run_bar.pause.clicked.connect(self.toggle_pause)
        self.run_bar.stop.clicked.connect(self.stop_run)
        self.controller.run_started.connect(self._on_controller_run_started)
        self.controller.run_event.connect(self._on_controller_run_event)
        self.controller.run_finished.connect(self._on_controller_run_finished)
        self.runs_panel.checked_changed.connect(self._on_runs_checked_changed)
        self.runs_panel.record_edited.connect(self._on_runs_record_edited)
        self.runs_panel.export_requested.connect(self.actions.export_code)
        self.runs_panel.csv_requested.connect(self.actions.export_csv)
        self.runs_panel.runs_deleted.connect(self._on_runs_deleted)

    # --- Keras ------------------------------------------------------------------------------
    # TensorFlow's import holds the GIL for long stretches, so it starts only once the window,
    # plots included, has been painted: started earlier, it slowed the first paint of the plots
    # from ~0.1 s to ~0.6 s. The plots paint last (their scene is drawn on a later pass than
    # the window's first UpdateRequest), so their first paint is what is waited for, with a
    # fallback in case they are not painted at all (hidden).
    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and not self._painted:
            QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._on_first_paint)
        return handled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and not self._painted:
            QTimer.singleShot(0, self._on_first_paint)  # once this paint has been done
        return super().eventFilter(watched, event)

    def _on_first_paint(self) -> None:
        if self._painted or not self.isVisible():
            return
        self._painted = True
        self._plot_viewport.removeEventFilter(self)
        self.first_painted.emit()
        if not self.loader.loading and self.keras is None:
            self.loader.start()

    def _on_loader_ready(self, ready: KerasReady) -> None:
        self.keras = ready
        self.optimizer_panel.set_keras(ready)
        self.schedule_panel.set_keras(ready)
        self.statusBar().showMessage(f"Keras {ready.version} ready ({ready.seconds:.1f} s)", 5000)
        self._revalidate()

    def _on_loader_failed(self, message: str) -> None:
        self.banner.show_message(message, "error")
        self.optimizer_panel.keras_failed(message)
        self.schedule_panel.keras_failed(message)
        self.run_bar.set_ready(False, "Keras is not available")

    # --- validation -------------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        """Everything that stops the draft from starting, by field (empty when it can)."""
        from lrexplorer.core.keras_api.validation import ConfigError, check_config

        problems = dict(self.draft.input_problems)
        try:
            check_config(self.draft.config)
        except ConfigError as error:
            for problem in error.problems:
                field = problem.field
                if field not in _CONFIG_FIELDS and not field.startswith("schedule"):
                    field = f"param.{field}"
                problems.setdefault(field, problem.message)
        return problems

    def _revalidate(self) -> None:
        if self.keras is None:
            self.run_bar.set_ready(False, "Loading Keras…")
            return
        problems = self.problems()
        self.optimizer_panel.show_problems(problems)
        self.schedule_panel.show_problems(problems)
        self.data_panel.show_problems(problems)
        if self.controller.busy:
            self.run_bar.set_ready(False, "Running…")
        elif problems:
            first = next(iter(problems.values()))
            self.run_bar.set_ready(False, f"Can't start: {first}")
            self.run_bar.start.setToolTip("\n".join(problems.values()))
        else:
            self.run_bar.set_ready(True)

    def _on_draft_changed(self, config: RunConfig) -> None:
        self._revalidate()
        rate = config.learning_rate
        if rate is not None and "learning_rate" not in self.draft.input_problems:
            # Moving the rate during a run changes it live, from the next batch (core decides
            # which runs can: those with a constant rate).
            self.controller.set_learning_rate(rate)

    # --- running ----------------------------------------------------------------------------
    def start_run(self) -> RunRecord | None:
        if self.keras is None or self.controller.busy or self.problems():
            return None
        from lrexplorer.core.keras_api.validation import check_config

        config = check_config(self.draft.config)
        # Named now, not when training begins: a run that fails before (its data) has a name.
        label = config.label(self.keras.optimizers.get(config.optimizer).class_name)
        prediction = self.run_bar.prediction.text().strip()
        record = self.controller.start(config, prediction=prediction, label=label)
        self.run_bar.prediction.clear()
        return record

    def stop_run(self) -> None:
        self.controller.stop()

    def toggle_pause(self) -> None:
        if not self.controller.busy:
            return
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()
        self.run_bar.set_running(True, self.controller.paused)

    def _on_controller_run_started(self, record: RunRecord) -> None:
        self.runs_panel.add_run(record, checked=True)
        self.plots.begin_live(record, self.colours.colour(record.id))
        self.run_bar.set_running(True)
        self.run_bar.show_progress(record)
        self._display_timer.start()
        self._revalidate()

    def _on_controller_run_event(self, record: RunRecord, event: object) -> None:
        self.plots.on_run_event(record, event)
        if isinstance(event, ev.RunStarted):
            self.runs_panel.update_run(record)
            if event.data_notice:
                self.banner.show_message(event.data_notice, "warning")
        elif isinstance(event, ev.RunFinished) and event.status == ev.FAILED:
            self.banner.show_message(_failure_text(record, event), "error", event.detail)
        elif isinstance(event, ev.RunFinished) and event.status == ev.DIVERGED:
            self.banner.show_message(f"{record.label} diverged: {event.error}", "warning")
        elif isinstance(event, ev.DataProgress) and event.total:
            self.run_bar.progress_label.setText(f"{event.message} {event.done / event.total:.0%}")

    def _on_controller_run_finished(self, record: RunRecord) -> None:
        self.plots.end_live()
        self.runs_panel.update_run(record)
        if record.total_steps == 0:  # ended before training (bad data): nothing to plot
            self.runs_panel.set_checked(record.id, False)
        self.run_bar.set_running(self.controller.busy)
        self.run_bar.show_outcome(record)
        if not self.controller.busy:
            self._display_timer.stop()
        self.keeper.save(record)
        self._revalidate()

    def _on_display_timer_timeout(self) -> None:
        """Text refreshes a few times a second, the runs table once a second: readable, cheap."""
        current = self.controller.current
        if current is None:
            return
        self.run_bar.show_progress(current, self.controller.paused)
        self._display_ticks += 1
        if self._display_ticks % 4 == 0:
            self.runs_panel.update_run(current)

    def _on_runs_checked_changed(self, records: list[RunRecord]) -> None:
        current = self.controller.current
        overlays = []
        for record in records:
            if record is current:
                continue
            self.store.load_history(record)
            overlays.append((record, self.colours.colour(record.id)))
        self.plots.set_overlays(overlays)

    def _on_runs_record_edited(self, record: RunRecord) -> None:
        if record is not self.controller.current:
            self.keeper.save(record)

    def _on_runs_deleted(self, records: list[RunRecord]) -> None:
        self.keeper.delete(records)
        for record in records:
            self.colours.forget(record.id)

    def _on_theme_changed(self, theme: str) -> None:
        self.plots.set_theme(theme)
        for widget in QApplication.topLevelWidgets():
            if widget is not self:
                style_plots_in(widget, theme)  # open dialogs with plots: summary, range test

    # --- settings and closing ---------------------------------------------------------------
    def _restored_config(self) -> RunConfig:
        text = self.settings.value("draft/config", "")
        if text:
            try:
                return RunConfig.from_json(str(text))
            except (ValueError, TypeError):
                pass  # settings from another version: start from the defaults
        return RunConfig()

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            use_the_screen(self)
        for key, splitter in (
            ("window/mainSplitter", self.main_splitter),
            ("window/plotsSplitter", self.plots_splitter),
        ):
            state = self.settings.value(key)
            if state is not None:
                splitter.restoreState(state)

    def save_settings(self) -> None:
        self.settings.setValue("draft/config", self.draft.config.to_json())
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/mainSplitter", self.main_splitter.saveState())
        self.settings.setValue("window/plotsSplitter", self.plots_splitter.saveState())
        self.actions.save_settings(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_settings()
        self.runs_panel.commit_deletes()  # deletions still inside their undo window are final
        self.runs_panel.save_pending_edits()  # notes typed a moment ago
        self.lessons.sweep = []  # a sweep cut short by closing gets no summary window
        # Gone at once; what runs stops behind it, within a batch (or when Keras finishes
        # compiling the first step).
        self.hide()
        if self.lessons.finder is not None:
            # Stops a range test in progress and waits for its thread (the dialog may be gone).
            with contextlib.suppress(RuntimeError):
                self.lessons.finder.close()
        current = self.controller.current
        if current is not None and not self.controller.shutdown(1800):
            # Still inside a long Keras call: keep the run as stopped now, finish quietly.
            current.status = ev.STOPPED
            self.keeper.save(current)
            self.controller.shutdown(60000)
        self.keeper.save_unsaved()
        self.loader.wait()
        event.accept()
