"""The learning-rate schedule panel: a Keras schedule, its parameters (suggested to fit the run)
and a small preview of the rate over the whole run."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.config.params import same_value
from lrexplorer.core.keras_api.schedules import CONSTANT, learning_rates, suggested_params
from lrexplorer.gui.controls.draft import DraftConfig
from lrexplorer.gui.controls.lr_control import rate_text
from lrexplorer.gui.controls.optimizer_panel import (
    MUTED_STYLE,
    clear_form,
    note_label,
    param_form,
    section_label,
)
from lrexplorer.gui.controls.param_field import ERROR_COLOUR, ParamField
from lrexplorer.plots.axes import RateAxis

MNIST_TRAIN_SAMPLES = 60000  # what "all training images" means before the data is loaded
SAMPLE_TRAIN_SAMPLES = 8000  # in the bundled sample (resources/README.md)
FALLBACK_RATE = 1e-3  # for a preview drawn before the optimizer's default is known
PREVIEW_HEIGHT = 130
PREVIEW_DECADES = 3  # a decay to ~0 would squash the curve into its last steps: show the top
_PIECEWISE = "PiecewiseConstantDecay"


def total_steps(config: RunConfig) -> int:
    """Optimizer steps in the whole run: batches per epoch times epochs."""
    samples = config.train_samples or MNIST_TRAIN_SAMPLES
    if config.dataset == "sample":
        samples = min(samples, SAMPLE_TRAIN_SAMPLES)
    return math.ceil(samples / max(config.batch_size, 1)) * max(config.epochs, 1)


class SchedulePanel(QWidget):
    """Edits the draft's learning-rate schedule; "Constant" means no schedule."""

    def __init__(self, draft: DraftConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SchedulePanel")
        self._draft = draft
        self._ready: Any = None
        self._built: tuple[str, Any] = (CONSTANT, None)  # the schedule whose fields are shown
        self._fields: dict[str, ParamField] = {}

        self.combo = QComboBox(objectName="scheduleCombo")
        self.combo.setToolTip("How the learning rate changes during the run")
        self.schedule_doc = note_label("scheduleDoc", MUTED_STYLE)
        self.error = note_label("scheduleError", f"color: {ERROR_COLOUR};")
        self.loading = QLabel("Loading Keras… the schedules appear in a moment.")
        self.loading.setObjectName("scheduleLoading")
        self.loading.setWordWrap(True)
        self.loading.setStyleSheet(MUTED_STYLE)
        self.form = param_form("scheduleParameters")
        self.note = note_label("scheduleNote")
        self.preview = pg.PlotWidget(axisItems={"left": RateAxis("left")})
        self.preview.setObjectName("schedulePreview")
        self._setup_preview()
        self.preview_message = note_label("schedulePreviewMessage", MUTED_STYLE)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(section_label("Schedule"))
        layout.addWidget(self.combo)
        layout.addWidget(self.schedule_doc)
        layout.addWidget(self.error)
        layout.addWidget(self.loading)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addWidget(self.preview)
        layout.addWidget(self.preview_message)

        self.combo.addItem("Constant (no schedule)", CONSTANT)
        self.combo.setEnabled(False)
        self._sync(draft.config)
        draft.changed.connect(self._on_draft_changed)
        self.combo.currentIndexChanged.connect(self._on_combo_index_changed)

    def _setup_preview(self) -> None:
        self.preview.setFixedHeight(PREVIEW_HEIGHT)
        self.preview.setBackground(None)  # the panel's own background, light or dark
        self.preview.setMenuEnabled(False)
        self.preview.setMouseEnabled(x=False, y=False)
        self.preview.hideButtons()
        self.preview.setLogMode(y=True)
        self.preview.showGrid(x=False, y=True, alpha=0.25)
        # A short plot: let the few decade labels use the whole axis height.
        self.preview.getAxis("left").setStyle(textFillLimits=[(0, 0.95)])
        self.preview.getAxis("bottom").setLabel("step")
        self.preview.setToolTip("The learning rate at every optimizer step of the run")
        self.preview_curve = self.preview.plot(pen=pg.mkPen("#4477AA", width=2))
        # Long runs have hundreds of thousands of steps: draw what the pixels can show.
        self.preview_curve.setDownsampling(auto=True, method="peak")
        self.preview_curve.setClipToView(True)
        self.preview.hide()

    # --- public -----------------------------------------------------------------------------
    def set_keras(self, ready: Any) -> None:
        """List the schedules of the installed Keras (from `ready`, a KerasReady)."""
        self._ready = ready
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("Constant (no schedule)", CONSTANT)
        for name, spec in ready.schedules.items():
            self.combo.addItem(name, name)
            self.combo.setItemData(self.combo.count() - 1, spec.doc, Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        self.combo.setEnabled(True)
        self.loading.hide()
        self._sync(self._draft.config)

    def keras_failed(self, message: str) -> None:
        self.loading.setText(message)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Show core's validation problems on the schedule's fields; clear the rest."""
        message = problems.get("schedule")
        self.error.setText(message or "")
        self.error.setVisible(message is not None)
        for name, field in self._fields.items():
            field.show_problem(problems.get(f"schedule.{name}"))

    # --- model -> view ----------------------------------------------------------------------
    def _on_draft_changed(self, config: RunConfig) -> None:
        self._sync(config)

    def _sync(self, config: RunConfig) -> None:
        name = self._canonical(config.schedule)
        self.combo.blockSignals(True)
        try:
            index = self.combo.findData(name)
            if index < 0 and name != CONSTANT:
                self.combo.addItem(name, name)  # a loaded config names it before Keras is ready
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(index)
        finally:
            self.combo.blockSignals(False)
        spec = self._spec(name)
        if (name, spec) != self._built:
            self._build_fields(name, spec)
        params = config.schedule.param_dict() if config.schedule is not None else {}
        for key, field in self._fields.items():
            field.show_value(params.get(key, field.spec.default))
        self.schedule_doc.setText(spec.doc.replace("`", "") if spec is not None else "")
        self.schedule_doc.setVisible(spec is not None and bool(spec.doc))
        self._show_note(name)
        self._draw_preview(config, name, spec)

    def _build_fields(self, name: str, spec: Any) -> None:
        self._built = (name, spec)
        self._fields.clear()
        clear_form(self.form)
        if spec is None:
            return
        required = spec.required()
        for param in spec.params:
            field = ParamField(param, "schedule", required=param.name in required)
            field.edited.connect(self._on_field_edited)
            field.problem_changed.connect(self._on_field_problem_changed)
            self.form.addRow(field.label, field)
            field.label.show()  # now, not at the next event-loop turn as a layout would
            field.show()
            self._fields[param.name] = field
        if self._fields:
            width = max(f.label.sizeHint().width() for f in self._fields.values())
            for field in self._fields.values():
                field.label.setMinimumWidth(width)

    def _show_note(self, name: str) -> None:
        if name == CONSTANT or self._ready is None:
            self.note.hide()
            return
        if name == _PIECEWISE:
            text = (
                "The values set the rates (the learning rate above is not used): values[i] "
                "applies up to step boundaries[i], the last one after that."
            )
        else:
            text = f"The learning rate above is where {name} starts (its initial_learning_rate)."
        self.note.setText(text)
        self.note.show()

    def _draw_preview(self, config: RunConfig, name: str, spec: Any) -> None:
        if name == CONSTANT or spec is None:
            self.preview.hide()
            self.preview_message.hide()
            return
        steps = total_steps(config)
        params = config.schedule.param_dict() if config.schedule is not None else {}
        try:
            rates = learning_rates(name, params, self._initial_rate(config), steps)
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as error:
            # The fields already say what is wrong; the preview only says it cannot draw.
            self.preview_curve.setData([], [])
            self.preview.hide()
            self.preview_message.setText(f"No preview until the settings are fixed ({error}).")
            self.preview_message.show()
            return
        # Log axes cannot show 0 (PolynomialDecay can end there) nor a diverged value.
        rates = np.where(np.isfinite(rates) & (rates > 0), rates, np.nan)
        self.preview_curve.setData(np.arange(steps, dtype=np.float64), rates, connect="finite")
        self.preview.setXRange(0, steps, padding=0.02)
        shown = rates[np.isfinite(rates)]
        if shown.size:
            high = float(shown.max())
            low = max(float(shown.min()), high / 10**PREVIEW_DECADES)
            if low == high:
                low, high = low / 2, high * 2
            # Headroom so the labels of the top and bottom decades fit on the axis.
            self.preview.setYRange(math.log10(low / 2.5), math.log10(high * 2.5), padding=0)
            self._label_decades(low, high)
        self.preview.getAxis("bottom").setLabel(
            f"step ({config.epochs} epoch{'s' if config.epochs != 1 else ''}, {steps} steps)"
        )
        self.preview_message.hide()
        self.preview.show()

    def _label_decades(self, low: float, high: float) -> None:
        """Label every decade the curve spans (pyqtgraph would drop most in a plot this short)."""
        first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
        decades = list(range(first, last + 1))
        every = max(1, math.ceil(len(decades) / 4))
        major = [(d, rate_text(10.0**d)) for d in decades[::-every][::-1]]
        self.preview.getAxis("left").setTicks([major, []])

    # --- view -> model ----------------------------------------------------------------------
    def _on_combo_index_changed(self, index: int) -> None:
        name = self.combo.itemData(index)
        config = self._draft.config
        if name == self._canonical(config.schedule) or self._ready is None:
            return
        self._draft.clear_input_problems("schedule.")
        if name == CONSTANT:
            self._draft.update(schedule=None)
            return
        params = suggested_params(name, total_steps(config), self._initial_rate(config))
        self._draft.update(schedule=ScheduleConfig(name, params))

    def _on_field_edited(self, key: str, value: Any) -> None:
        schedule = self._draft.config.schedule
        if schedule is None:
            return
        field = self._fields[key]
        params = schedule.param_dict()
        if field.required or not same_value(value, field.spec.default):
            params[key] = value
        else:
            params.pop(key, None)  # the Keras default: the config leaves it out
        self._draft.update(schedule=ScheduleConfig(schedule.name, params))

    def _on_field_problem_changed(self, key: str, message: str | None) -> None:
        self._draft.set_input_problem(f"schedule.{key}", message)

    # --- helpers ----------------------------------------------------------------------------
    def _canonical(self, schedule: ScheduleConfig | None) -> str:
        if schedule is None or schedule.name.lower() == CONSTANT:
            return CONSTANT
        if self._ready is not None:
            wanted = schedule.name.replace("_", "").lower()
            for name in self._ready.schedules:
                if name.lower() == wanted:
                    return name
        return schedule.name

    def _spec(self, name: str) -> Any:
        if self._ready is None:
            return None
        return self._ready.schedules.get(name)

    def _initial_rate(self, config: RunConfig) -> float:
        if config.learning_rate is not None:
            return config.learning_rate
        if self._ready is not None and config.optimizer in self._ready.optimizers:
            return self._ready.optimizers.get(config.optimizer).default_learning_rate
        return FALLBACK_RATE
