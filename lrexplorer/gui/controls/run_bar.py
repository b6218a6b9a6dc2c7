"""Start / Pause / Stop, the class's prediction, and a progress bar with time remaining."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core import events as ev
from lrexplorer.core.store.records import RunRecord


def format_duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def progress_text(record: RunRecord, paused: bool = False) -> str:
    """ "Epoch 2/3 · step 600/1407 · 9 s left" for a run in progress."""
    if record.total_steps == 0:
        return "Loading data and building the model…"
    step = record.steps_done
    epoch = min(step // max(record.steps_per_epoch, 1) + 1, record.config.epochs)
    parts = [f"Epoch {epoch}/{record.config.epochs}", f"step {step}/{record.total_steps}"]
    if paused:
        parts.append("paused")
    elif step and record.batches and record.batches["elapsed"]:
        elapsed = record.batches["elapsed"][-1]
        parts.append(f"{format_duration(elapsed / step * (record.total_steps - step))} left")
    elif not step:
        parts.append("compiling…")
    return " · ".join(parts)


class PredictionEdit(QLineEdit):
    """The class's prediction. Its placeholder is the longest of PLACEHOLDERS that fits, never
    clipped ("Prediction before you r…" reads as a bug); the box is never narrower than the
    shortest."""

    PLACEHOLDERS = ("Prediction before you run (optional)", "Prediction (optional)", "Prediction")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictionEdit")
        self._fit_placeholder()

    def _inset(self) -> int:
        """What the box takes around its text: the frame, the margins, an inset of 2 px a side."""
        margins = self.textMargins()
        frame = self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, self)
        return margins.left() + margins.right() + 2 * frame + 4

    def _fit_placeholder(self) -> None:
        metrics = self.fontMetrics()
        widths = [metrics.horizontalAdvance(text) for text in self.PLACEHOLDERS]
        self.setMinimumWidth(widths[-1] + self._inset() + 2)
        room = self.width() - self._inset()
        fitting = [
            text for text, width in zip(self.PLACEHOLDERS, widths, strict=True) if width < room
        ]
        self.setPlaceholderText(fitting[0] if fitting else self.PLACEHOLDERS[-1])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_placeholder()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger text in presentation mode
            self._fit_placeholder()


class RunBar(QWidget):
    """The strip above the plots that runs things. The window connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RunBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.start = QPushButton("Loading Keras…", objectName="startButton")
        self.start.setEnabled(False)
        self.start.setMinimumWidth(150)
        self.start.setToolTip("Start a run with these settings (Ctrl+Return)")
        self.pause = QPushButton("Pause", objectName="pauseButton")
        self.pause.setToolTip("Pause or resume at the next batch (Space)")
        self.pause.setCheckable(True)
        self.stop = QPushButton("Stop", objectName="stopButton")
        self.stop.setToolTip("Stop after the current batch; the run is kept (Esc)")
        self.prediction = PredictionEdit()
        self.prediction.setToolTip(
            'Note the class\'s guess, e.g. "1e-5 will beat 1e-3"; it is kept with the run and '
            "shown next to the outcome"
        )
        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress_label = QLabel("", objectName="progressLabel")
        self.progress_label.setMinimumWidth(260)
        self.progress_label.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
        )
        for widget in (self.start, self.pause, self.stop):
            layout.addWidget(widget)
        layout.addWidget(self.prediction, 1)
        progress_box = QWidget()
        box = QVBoxLayout(progress_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.progress_label)
        box.addWidget(self.progress)
        # Even shares: the prediction's placeholder is read before a run, the progress during.
        layout.addWidget(progress_box, 1)
        self.set_running(False)

    def set_ready(self, ready: bool, reason: str = "") -> None:
        """Start is enabled only with a valid config; otherwise it says what is wrong."""
        self.start.setEnabled(ready)
        self.start.setText("Start" if ready else reason.split("\n")[0][:60] or "Start")
        self.start.setToolTip("Start a run with these settings (Ctrl+Return)" if ready else reason)

    def set_running(self, running: bool, paused: bool = False) -> None:
        self.pause.setEnabled(running)
        self.stop.setEnabled(running)
        self.pause.setChecked(paused)
        self.pause.setText("Resume" if paused else "Pause")
        if not running:
            self.progress.setValue(0)

    def show_progress(self, record: RunRecord, paused: bool = False) -> None:
        self.progress.setMaximum(max(record.total_steps, 1))
        self.progress.setValue(record.steps_done)
        self.progress_label.setText(f"{record.label}: {progress_text(record, paused)}")

    def show_outcome(self, record: RunRecord) -> None:
        words = {
            ev.FINISHED: "finished",
            ev.STOPPED: "stopped",
            ev.DIVERGED: "diverged",
            ev.FAILED: "failed",
        }
        text = f"{record.label} {words.get(record.status, record.status)}"
        accuracy = record.final("val_accuracy")
        if accuracy is not None:
            text += f" · validation accuracy {accuracy:.1%}"
        text += f" · {format_duration(record.seconds)}"
        self.progress_label.setText(text)
        self.progress.setValue(self.progress.maximum() if record.status == ev.FINISHED else 0)
