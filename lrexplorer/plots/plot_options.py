"""The row above the live plots: smoothing, whether raw values show, a log loss axis, and
which seed groups are drawn as a mean and band."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

DEFAULT_SMOOTHING = 0.6


class PlotOptions(QWidget):
    """How the live plots draw; each change is a signal, the plots redraw on their timer."""

    smoothing_changed = Signal(float)  # 0 (every batch as it is) to 0.99 (very smooth)
    raw_toggled = Signal(bool)
    log_loss_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        slider = self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        slider.setObjectName("smoothingSlider")
        slider.setRange(0, 99)
        slider.setValue(round(DEFAULT_SMOOTHING * 100))
        slider.setMaximumWidth(260)
        slider.setToolTip(
            "Exponential moving average of the per-batch values, as TensorBoard draws it.\n"
            "0 shows every batch as it is; 0.99 is very smooth."
        )
        slider.valueChanged.connect(self._on_smoothing_slider_value_changed)
        self.smoothing_value = QLabel(f"{DEFAULT_SMOOTHING:.2f}")
        self.smoothing_value.setObjectName("smoothingValue")
        self.raw_check = QCheckBox("Show raw")
        self.raw_check.setObjectName("showRawCheck")
        self.raw_check.setChecked(True)
        self.raw_check.setToolTip("Draw the unsmoothed per-batch values faintly behind")
        self.raw_check.toggled.connect(self.raw_toggled)
        self.log_check = QCheckBox("Log loss")
        self.log_check.setObjectName("logLossCheck")
        self.log_check.setToolTip("Logarithmic loss axis: early and late training both readable")
        self.log_check.toggled.connect(self.log_loss_toggled)
        # Its menu is the plots' (plots/bands.py): the groups change with the runs drawn.
        self.seeds_button = QToolButton(objectName="seedBandsButton")
        self.seeds_button.setText("Seed groups")
        caption = QLabel("Smoothing")
        caption.setBuddy(slider)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 0)
        for widget in (caption, slider, self.smoothing_value):
            row.addWidget(widget)
        row.addSpacing(16)
        row.addWidget(self.raw_check)
        row.addWidget(self.log_check)
        row.addWidget(self.seeds_button)
        row.addStretch(1)

    def smoothing(self) -> float:
        return self.smoothing_slider.value() / 100

    def set_smoothing(self, weight: float) -> None:
        self.smoothing_slider.setValue(round(weight * 100))

    def _on_smoothing_slider_value_changed(self, value: int) -> None:
        self.smoothing_value.setText(f"{value / 100:.2f}")
        self.smoothing_changed.emit(value / 100)
