"""The learning-rate control: a log-scale slider and a decade-stepping box that say why text is
refused, with the optimizer's Keras default one click away."""

from __future__ import annotations

import decimal
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config.number_text import compact_number, format_number, parse_float
from lrexplorer.core.keras_api.validation import check_learning_rate

MIN_RATE = 1e-7
MAX_RATE = 10.0
TICKS_PER_DECADE = 200  # one tick is a 1.2 % change: finer than anyone can see on a curve
ERROR_COLOUR = "#cc3311"


def rate_text(rate: float) -> str:
    """How a rate reads in the box: 1e-4, 3e-4, 0.001, 0.02 (the way people write them)."""
    rate = float(f"{rate:.6g}")
    if 1e-3 <= rate < 1000:
        return format_number(rate).removesuffix(".0")
    return compact_number(rate)


def parse_rate(text: str) -> float:
    """The rate typed in `text`, or ValueError saying what is wrong with it."""
    rate = parse_float(text, "learning rate")
    typed = text.strip()
    if rate <= 0:
        # Worded like core's check_learning_rate, but quoting what was typed ("0", not "0.0").
        raise ValueError(f"learning rate {typed} is not allowed: it must be a number > 0")
    if not MIN_RATE <= check_learning_rate(rate) <= MAX_RATE:
        raise ValueError(
            f"learning rate {typed} is outside what this control offers: "
            f"type a value from {rate_text(MIN_RATE)} to {rate_text(MAX_RATE)}"
        )
    return rate


def _tick_of(rate: float) -> int:
    return round((math.log10(rate) - math.log10(MIN_RATE)) * TICKS_PER_DECADE)


def _rate_of(tick: int) -> float:
    # Two significant digits read like a typed rate (0.005, 3.2e-4: labels stay short) and are
    # still 1-10 % apart; the fine ticks only make the drag smooth.
    return float(f"{10 ** (math.log10(MIN_RATE) + tick / TICKS_PER_DECADE):.2g}")


class _RateBox(pg.SpinBox):
    """pyqtgraph's decade-stepping box, reading text with core's parser and keeping bad text.

    pyqtgraph would silently put the previous value back; here the typed text stays, red, next
    to the reason, until the user fixes it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            value=1e-3,
            dec=True,
            step=1,
            minStep=MIN_RATE / 10,
            bounds=(MIN_RATE, MAX_RATE),
            compactHeight=False,
        )
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def problem(self) -> str | None:
        """Why the text in the box is not a rate, or None if it is one."""
        try:
            parse_rate(self.lineEdit().text())
        except ValueError as error:
            return str(error)
        return None

    def interpret(self) -> decimal.Decimal | bool:
        try:
            return decimal.Decimal(str(parse_rate(self.lineEdit().text())))
        except ValueError:
            return False

    def formatText(self) -> str:  # noqa: N802 - pyqtgraph's name
        return rate_text(self.value())

    def fixup(self, text: str) -> str:
        return text

    def sizeHint(self):  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("2.55e-5") + 48)
        return hint


class LearningRateControl(QWidget):
    """Edits one learning rate. `rate_changed` fires on every valid change by the user."""

    rate_changed = Signal(float)
    problem_changed = Signal(object)  # why the typed text is refused (str), or None once valid

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learningRate")
        self._rate = 1e-3
        self._default: float | None = None
        self._problem: str | None = None

        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="learningRateSlider")
        self.slider.setRange(0, _tick_of(MAX_RATE))
        self.slider.setSingleStep(TICKS_PER_DECADE // 20)
        self.slider.setPageStep(TICKS_PER_DECADE)
        self.slider.setTickInterval(TICKS_PER_DECADE)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setToolTip(
            "Drag to change the learning rate; each tick is ten times the one before"
        )
        self.spin = _RateBox()
        self.spin.setObjectName("learningRateSpin")
        self.spin.setToolTip(
            "Type a rate such as 3e-4 or 0.001, or step through 1e-4, 2e-4 … 9e-4, 1e-3 with "
            "the arrows, arrow keys or mouse wheel"
        )
        self.error = QLabel(objectName="learningRateError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()
        self.default_label = QLabel(objectName="learningRateDefault")
        self.default_label.setWordWrap(True)
        self.default_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.use_default = QPushButton("Use default", objectName="learningRateUseDefault")
        self.use_default.setToolTip("Set the learning rate to this optimizer's Keras default")
        self.use_default.hide()

        # Ends and middle of the log scale: 1e-3 sits exactly halfway between 1e-7 and 10.
        scale = QHBoxLayout()
        scale.setContentsMargins(0, 0, 0, 0)
        for text, align in (("1e-7", "AlignLeft"), ("1e-3", "AlignHCenter"), ("10", "AlignRight")):
            label = QLabel(text)
            label.setStyleSheet("color: palette(placeholder-text);")
            label.setAlignment(getattr(Qt.AlignmentFlag, align))
            scale.addWidget(label, 1)
        slider_column = QVBoxLayout()
        slider_column.setContentsMargins(0, 0, 0, 0)
        slider_column.setSpacing(0)
        slider_column.addWidget(self.slider)
        slider_column.addLayout(scale)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(slider_column, 1)
        row.addWidget(self.spin, 0, Qt.AlignmentFlag.AlignTop)
        default_row = QHBoxLayout()
        default_row.setContentsMargins(0, 0, 0, 0)
        default_row.addWidget(self.default_label, 1)
        default_row.addWidget(self.use_default, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addLayout(default_row)
        self._show_rate(self._rate)

        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.spin.sigValueChanging.connect(self._on_spin_value_changing)
        self.spin.lineEdit().textEdited.connect(self._on_spin_text_edited)
        self.spin.editingFinished.connect(self._on_spin_editing_finished)
        self.use_default.clicked.connect(self._on_use_default_clicked)

    # --- public -----------------------------------------------------------------------------
    def rate(self) -> float:
        return self._rate

    def problem(self) -> str | None:
        """Why the typed text was refused, or None."""
        return self._problem

    def set_rate(self, rate: float) -> None:
        """Show `rate` (clamped to the control's range), replacing any refused text."""
        self._replace(rate, emit=True)

    def show_rate(self, rate: float) -> None:
        """Show the model's `rate` without emitting `rate_changed` (for views redrawing).

        Refused text stays while the model still holds the rate it replaced: the user is not
        done with it. A different rate (a loaded preset) replaces it.
        """
        if self._problem is not None and min(max(rate, MIN_RATE), MAX_RATE) == self._rate:
            return
        self._replace(rate, emit=False)

    def set_default(self, rate: float | None, used_by: str = "") -> None:
        """Show the optimizer's Keras default, e.g. used_by='optimizer="rmsprop"'."""
        self._default = rate
        if rate is None:
            self.default_label.setText("Keras default: loading…")
        else:
            where = f" (what {used_by} uses)" if used_by else ""
            self.default_label.setText(f"Keras default: {rate_text(rate)}{where}")
        self._update_default_button()

    def show_problem(self, message: str | None) -> None:
        """Show a problem found by validating the config (typed-text problems come first)."""
        if self._problem is None:
            self._show_error(message)

    # --- slots ------------------------------------------------------------------------------
    def _on_slider_value_changed(self, tick: int) -> None:
        rate = _rate_of(tick)
        self.spin.blockSignals(True)
        try:
            self.spin.setValue(rate)
            self.spin.updateText()
        finally:
            self.spin.blockSignals(False)
        self._set_problem(None)
        # While dragging only the box follows: a run in progress gets the rate once, on release.
        if not self.slider.isSliderDown():
            self._commit(rate)

    def _on_slider_released(self) -> None:
        self._commit(_rate_of(self.slider.value()))

    def _on_spin_value_changing(self, _box: object, value: float) -> None:
        self._place_slider(value)
        self._set_problem(None)
        self._commit(value)

    def _on_spin_text_edited(self, _text: str) -> None:
        # Half-typed text ("3e-") is normal: a reason appears on Enter, and goes as soon as the
        # text is a rate again.
        if self._problem is not None:
            self._set_problem(self.spin.problem())

    def _on_spin_editing_finished(self) -> None:
        problem = self.spin.problem()
        self._set_problem(problem)
        if problem is None:
            self._commit(float(self.spin.interpret()))

    def _on_use_default_clicked(self) -> None:
        if self._default is not None:
            self.set_rate(self._default)

    # --- helpers ----------------------------------------------------------------------------
    def _show_rate(self, rate: float) -> None:
        self.spin.blockSignals(True)
        try:
            self.spin.setValue(rate)
            self.spin.updateText()  # also when the value is unchanged but refused text is shown
        finally:
            self.spin.blockSignals(False)
        self._place_slider(rate)

    def _place_slider(self, rate: float) -> None:
        if _rate_of(self.slider.value()) == rate:
            return  # keep the exact position the user dragged to
        self.slider.blockSignals(True)
        try:
            self.slider.setValue(_tick_of(rate))
        finally:
            self.slider.blockSignals(False)

    def _replace(self, rate: float, emit: bool) -> None:
        rate = min(max(float(rate), MIN_RATE), MAX_RATE)
        self._show_rate(rate)
        self._set_problem(None)
        self._commit(rate, emit)

    def _commit(self, rate: float, emit: bool = True) -> None:
        if rate != self._rate:
            self._rate = rate
            self._update_default_button()
            if emit:
                self.rate_changed.emit(rate)

    def _set_problem(self, message: str | None) -> None:
        self._show_error(message)
        if message != self._problem:
            self._problem = message
            self.problem_changed.emit(message)

    def _show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(message is not None)

    def _update_default_button(self) -> None:
        differs = self._default is not None and not math.isclose(self._rate, self._default)
        self.use_default.setVisible(differs)
