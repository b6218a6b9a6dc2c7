"""LrFinderDialog: the learning-rate range test with a live loss-vs-rate plot, the suggested
rates marked on it, and one click to use a suggestion. The test runs in a worker thread."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.events import DataProgress
from lrexplorer.core.explore.range_suggestions import MINIMUM_TENTH, STEEPEST, VALLEY
from lrexplorer.core.explore.range_test import FinderPoint, FinderResult, FinderStarted, check_range
from lrexplorer.gui.workers.worker import Worker, start_worker
from lrexplorer.plots.range_test_plot import INK, MARKS, TITLES, FinderPlot, font

REDRAW_MS = 40  # 25 Hz: the curve grows smoothly; a batch takes ~10 ms, so never per event
STATUS_EVERY = 12  # redraws between status-line updates (~0.5 s): text people can read
STOP_WAIT_MS = 15000  # a batch ends in milliseconds; a cancelled download within a second
OBJECT_IDS = {VALLEY: "valley", STEEPEST: "steepest", MINIMUM_TENTH: "minimumTenth"}
INTRO = (
    "Trains a fresh copy of your model for a few batches while the learning rate grows from the "
    "start rate to the end rate, and watches the loss. Nothing changes in your settings until "
    "you pick a rate and press “Use this learning rate”."
)


class _RateSpin(pg.SpinBox):
    """pyqtgraph's SpinBox with dec=True steps by decades, what a learning-rate box wants;
    it shows rates as they are typed in Keras code (1e-7, not 1e-07)."""

    def __init__(self, name: str, value: float) -> None:
        super().__init__(value=value, dec=True, step=1, minStep=1e-12, bounds=(1e-12, 1e6))
        self.setObjectName(name)
        self.setMinimumWidth(120)

    def formatText(self) -> str:  # noqa: N802 - pyqtgraph's name
        return compact_number(float(f"{self.value():.6g}")).removesuffix(".0")


class LrFinderDialog(QDialog):
    """Runs the range test on `config` and offers its suggested rates."""

    rate_chosen = Signal(float)

    def __init__(self, config: RunConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from lrexplorer.core.training.trainer import Trainer  # no Keras until a test starts

        self.setObjectName("LrFinderDialog")
        self.setWindowTitle(f"Find a learning rate for {config.optimizer}")
        self._config = config
        self._trainer = Trainer()  # keeps the data between tests in this dialog
        self._control = None
        self._thread: QThread | None = None
        self._worker: Worker | None = None
        self._result: FinderResult | None = None
        self._frames = 0
        self._status_text = ""
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_timer_timeout)
        self.resize(1000, 760)

    # --- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel(INTRO, wordWrap=True)
        self._start = _RateSpin("finderStartSpin", 1e-7)
        self._end = _RateSpin("finderEndSpin", 10.0)
        self._steps = QSpinBox(objectName="finderStepsSpin", minimum=5, maximum=5000, value=100)
        self._steps.setToolTip("One batch per rate: more batches, a finer curve")
        self._run = QPushButton("Run test", objectName="finderRunButton", default=True)
        self._stop = QPushButton("Stop", objectName="finderStopButton", enabled=False)
        self._run.clicked.connect(self._on_run_clicked)
        self._stop.clicked.connect(self._on_stop_clicked)
        controls = QHBoxLayout()
        for text, widget in (("From", self._start), ("to", self._end), ("over", self._steps)):
            label = QLabel(text)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
        controls.addWidget(QLabel("batches"))
        controls.addStretch(1)
        controls.addWidget(self._run)
        controls.addWidget(self._stop)
        self._status = QLabel(objectName="finderStatus")
        self._plot = FinderPlot()
        self._suggestions = QGroupBox("Suggested learning rates", objectName="finderSuggestions")
        self._choices = QButtonGroup(self)
        self._choices.buttonToggled.connect(self._on_choices_button_toggled)
        self._suggestion_grid = QGridLayout(self._suggestions)
        self._suggestion_grid.setColumnStretch(1, 1)
        self._notes = QLabel(objectName="finderNotes", wordWrap=True)
        self._notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._use = QPushButton("Use this learning rate", objectName="finderUseButton")
        self._use.setEnabled(False)
        self._use.clicked.connect(self._on_use_clicked)
        close = QPushButton("Close", objectName="finderCloseButton")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._use)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(controls)
        layout.addWidget(self._status)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._suggestions)
        layout.addWidget(self._notes)
        layout.addLayout(buttons)
        self._show_suggestions(None)

    # --- running ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def finder_result(self) -> FinderResult | None:
        """The last finished test (QDialog.result() is the dialog's exit code)."""
        return self._result

    def start_test(self) -> None:
        """Start the range test with the values in the boxes (what "Run test" does)."""
        start, end, steps = (
            float(self._start.value()),
            float(self._end.value()),
            self._steps.value(),
        )
        try:
            check_range(start, end, steps)
        except ValueError as error:
            self._show_message(f"Cannot run the test: {error}.", error=True)
            return
        from lrexplorer.core.explore.range_test import find_lr
        from lrexplorer.core.training.control import TrainingControl

        self._reset(start, end, steps)
        control = self._control = TrainingControl()
        config, trainer = self._config, self._trainer

        def work(progress):  # runs in the worker thread
            return find_lr(config, start, end, steps, progress, control, trainer=trainer)

        worker = self._worker = Worker(work)
        worker.progress.connect(self._on_worker_progress)
        worker.finished.connect(self._on_worker_finished)
        worker.errored.connect(self._on_worker_errored)
        worker.aborted.connect(self._end_test)
        self._thread = start_worker(worker, "lr-finder")
        self._set_running(True)
        self._status_text = "Loading Keras and the data…"
        self._status.setText(self._status_text)
        self._timer.start()

    def stop_test(self, wait: bool = False) -> bool:
        """Ask the test to stop after its current batch; with `wait`, block until the thread
        has ended (True if it did in time)."""
        if self._control is not None:
            self._control.stop()
        worker = self._worker
        if worker is not None:
            worker.cancel()  # a worker that has not begun yet never will
        if not wait or worker is None:
            return True
        deadline = time.monotonic() + STOP_WAIT_MS / 1000
        while not worker.done and time.monotonic() < deadline:
            QThread.msleep(10)
        if not worker.done:
            return False
        # The worker's last signals wait in this thread's queue: deliver them (they end the
        # test) while this dialog still exists.
        QCoreApplication.sendPostedEvents()
        self._end_test()
        return True

    def _reset(self, start: float, end: float, steps: int) -> None:
        self._result = None
        self._frames = 0
        self._plot.reset(start, end, steps)
        self._show_suggestions(None)
        self._show_message("")

    def _set_running(self, running: bool) -> None:
        self._run.setEnabled(not running)
        self._stop.setEnabled(running)
        for widget in (self._start, self._end, self._steps):
            widget.setEnabled(not running)
        if running:
            self._use.setEnabled(False)

    # --- worker signals (GUI thread) -----------------------------------------------------
    def _on_worker_progress(self, event: object) -> None:
        # Only buffers here: drawing happens on the timer.
        if isinstance(event, FinderPoint):
            self._plot.add(event)
        elif isinstance(event, FinderStarted):
            self._status_text = (
                f"Training on {event.train_samples:,} images of the {event.data_source}, "
                f"batches of {event.batch_size}…"
            )
        elif isinstance(event, DataProgress):
            share = f" {event.done / event.total:.0%}" if event.total else ""
            self._status_text = f"{event.message}{share}"

    def _on_worker_finished(self, result: object) -> None:
        if isinstance(result, FinderResult):
            self._result = result
            self._plot.set_result(result)
        self._end_test()

    def _on_worker_errored(self, message: str, detail: str) -> None:
        # A bad config or unreadable data explains itself; its class name would only distract.
        for readable in ("ConfigError: ", "DataError: ", "ValueError: "):
            message = message.removeprefix(readable)
        self._show_message(f"The test could not run: {message}", error=True)
        self._end_test()

    def _end_test(self) -> None:
        """The work is over: end its thread and show the outcome.

        Driven by the worker's own signals, not by QThread.finished, so the thread is ended and
        waited for here, before the dialog lets go of it and shows the outcome.
        """
        thread = self._thread
        if thread is None:
            return
        thread.quit()
        thread.wait()
        self._thread = self._worker = self._control = None
        self._timer.stop()
        self._set_running(False)
        self._plot.redraw()
        result = self._result
        if result is None:
            self._status.setText("")
            return
        ended = result.stop_reason or f"All {result.steps} batches trained."
        self._status.setText(f"{ended.removesuffix('.')} ({result.seconds:.1f} s).")
        self._show_suggestions(result)
        self._plot.mark(result, self.chosen_method())
        self._show_message(" ".join(result.notes))

    # --- drawing ---------------------------------------------------------------------------
    def _on_redraw_timer_timeout(self) -> None:
        self._plot.redraw()
        self._frames += 1
        stopping = self._control is not None and self._control.stopping
        if self._frames % STATUS_EVERY == 1 and not stopping:
            self._status.setText(self._progress_text())

    def _progress_text(self) -> str:
        plot, n = self._plot, self._plot.count
        if not n:
            return self._status_text
        rate = compact_number(float(f"{plot.rates[n - 1]:.2g}"))
        return (
            f"Batch {n} of {plot.rates.size}: learning rate {rate}, "
            f"loss {plot.losses[n - 1]:.3f} (smoothed {plot.smoothed[n - 1]:.3f})"
        )

    # --- suggestions -----------------------------------------------------------------------
    def _show_suggestions(self, result: FinderResult | None) -> None:
        grid = self._suggestion_grid
        for button in self._choices.buttons():
            self._choices.removeButton(button)
        while grid.count():
            widget = grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        if result is None or not result.suggestions:
            text = "Run the test to see suggestions." if result is None else "No suggestion."
            grid.addWidget(QLabel(text), 0, 0)
            self._use.setEnabled(False)
            return
        for row, (method, suggestion) in enumerate(result.suggestions.items()):
            rate = compact_number(suggestion.rounded_rate)
            doubt = "" if suggestion.reliable else " (uncertain)"
            button = QRadioButton(f"{TITLES.get(method, method)}: {rate}{doubt}")
            button.setObjectName(f"finderSuggestion_{OBJECT_IDS.get(method, method)}")
            button.setFont(font(self.font().pointSizeF() + 2, bold=True))
            button.setStyleSheet(f"QRadioButton {{ color: {MARKS.get(method, INK)}; }}")
            button.setProperty("method", method)
            explanation = QLabel(suggestion.explanation, wordWrap=True)
            self._choices.addButton(button)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(explanation, row, 1)
            button.setChecked(method == result.default)
        self._use.setEnabled(self._choices.checkedButton() is not None)

    def chosen_method(self) -> str | None:
        button = self._choices.checkedButton()
        return None if button is None else button.property("method")

    def _on_choices_button_toggled(self, button: QRadioButton, checked: bool) -> None:
        self._use.setEnabled(self._choices.checkedButton() is not None and not self.running)
        self._plot.emphasise(self.chosen_method())

    def _on_use_clicked(self) -> None:
        method = self.chosen_method()
        if self._result is None or method not in self._result.suggestions:
            return
        self.rate_chosen.emit(self._result.suggestions[method].rounded_rate)
        self.accept()

    def _on_run_clicked(self) -> None:
        self.start_test()

    def _on_stop_clicked(self) -> None:
        self._stop.setEnabled(False)
        self._status.setText("Stopping after this batch…")
        self.stop_test()

    def _show_message(self, text: str, error: bool = False) -> None:
        self._notes.setStyleSheet("color: #B22222;" if error else "")
        self._notes.setText(text)
        self._notes.setVisible(bool(text))

    # --- closing -------------------------------------------------------------------------
    def done(self, code: int) -> None:
        # Every way out (Close, Esc, Use, the window's X) stops the test and waits for it.
        self.stop_test(wait=True)
        self._timer.stop()
        super().done(code)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.stop_test(wait=True)
        self._timer.stop()
        super().closeEvent(event)
