"""The optimizer side panel: which Keras optimizer, its learning rate and its hyperparameters, all
generated from core's registry and written straight into the draft config."""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.params import same_value
from lrexplorer.core.keras_api.schedules import CONSTANT
from lrexplorer.gui.controls.draft import DraftConfig
from lrexplorer.gui.controls.lr_control import LearningRateControl, rate_text
from lrexplorer.gui.controls.param_field import ERROR_COLOUR, LABEL_ALIGNMENT, ParamField

NOTE_STYLE = "color: #1d4f7a;"  # the info blue of the message banner
NOTE_STYLE_DARK = "color: #8ab8e6;"
MUTED_STYLE = "color: palette(placeholder-text);"


def section_label(text: str, name: str = "") -> QLabel:
    label = QLabel(text, objectName=name)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def note_label(name: str, style: str | None = None) -> QLabel:
    label = QLabel(objectName=name)
    label.setWordWrap(True)
    if style is None:
        dark = label.palette().window().color().lightness() < 128
        style = NOTE_STYLE_DARK if dark else NOTE_STYLE
    label.setStyleSheet(style)
    # Wrapped text takes the panel's width instead of widening the panel.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.hide()
    return label


def param_form(name: str) -> QFormLayout:
    form = QFormLayout()
    form.setObjectName(name)
    form.setContentsMargins(0, 0, 0, 0)
    form.setLabelAlignment(LABEL_ALIGNMENT)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    # Long names (l2_shrinkage_regularization_strength) put their field on the next line.
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def clear_form(form: QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)


class CollapsibleSection(QWidget):
    """A titled section that opens and closes with a click on its arrow."""

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._title = title
        self.toggle = QToolButton(objectName=f"{name}Toggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setStyleSheet("QToolButton { border: none; font-weight: bold; }")
        self.body = QWidget(objectName=f"{name}Body")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self.set_count(0)
        self.set_expanded(False)

    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)
        self._on_toggle_toggled(expanded)

    def set_count(self, count: int) -> None:
        self.toggle.setText(f"{self._title} ({count})")

    def _on_toggle_toggled(self, expanded: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)


class OptimizerPanel(QWidget):
    """Edits the draft's optimizer, learning rate and hyperparameters.

    Before `set_keras` it says Keras is loading; the learning rate already works if the draft
    has one. `learning_rate.rate_changed` is the signal to follow for live rate changes.
    """

    def __init__(self, draft: DraftConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OptimizerPanel")
        self._draft = draft
        self._ready: Any = None
        self._spec: Any = None  # the OptimizerSpec whose fields are shown
        self._fields: dict[str, ParamField] = {}
        self._advanced_names: set[str] = set()
        self._usual_defaults: dict[str, Any] = {}

        self.combo = QComboBox(objectName="optimizerCombo")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(12)
        self.optimizer_doc = note_label("optimizerDoc", MUTED_STYLE)
        self.optimizer_error = note_label("optimizerError", f"color: {ERROR_COLOUR};")
        self.learning_rate = LearningRateControl()
        self.rate_note = note_label("learningRateNote")
        self.schedule_note = note_label("learningRateScheduleNote")
        self.loading = QLabel(
            "Loading Keras… the optimizers and their defaults appear in a moment.",
            objectName="optimizerLoading",
        )
        self.loading.setWordWrap(True)
        self.loading.setStyleSheet(MUTED_STYLE)
        self.reset_defaults = QPushButton(
            "Reset to Keras defaults", objectName="resetDefaultsButton"
        )
        self.reset_defaults.setToolTip(
            "Put every hyperparameter back to its Keras default (the learning rate has its own "
            "“Use default”)"
        )
        self.params_form = param_form("hyperparameters")
        self.advanced = CollapsibleSection("Advanced", "advancedGroup")
        self.advanced_form = param_form("advancedParameters")
        self.advanced.body.setLayout(self.advanced_form)

        header = QHBoxLayout()
        header.addWidget(section_label("Hyperparameters"), 1)
        header.addWidget(self.reset_defaults)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(section_label("Optimizer"))
        layout.addWidget(self.combo)
        layout.addWidget(self.optimizer_doc)
        layout.addWidget(self.optimizer_error)
        layout.addSpacing(6)
        layout.addWidget(section_label("Learning rate"))
        layout.addWidget(self.learning_rate)
        layout.addWidget(self.rate_note)
        layout.addWidget(self.schedule_note)
        layout.addSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.loading)
        layout.addLayout(self.params_form)
        layout.addWidget(self.advanced)

        self._show_loading(True)
        self._sync(draft.config)
        draft.changed.connect(self._on_draft_changed)
        self.combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self.learning_rate.rate_changed.connect(self._on_learning_rate_rate_changed)
        self.learning_rate.problem_changed.connect(self._on_learning_rate_problem_changed)
        self.reset_defaults.clicked.connect(self._on_reset_defaults_clicked)

    # --- public -----------------------------------------------------------------------------
    def set_keras(self, ready: Any) -> None:
        """Fill the optimizer list from the registry in `ready` (a KerasReady)."""
        self._ready = ready
        specs = ready.optimizers.specs()
        self._usual_defaults = _usual_defaults(specs)
        self.combo.blockSignals(True)
        self.combo.clear()
        for spec in specs:
            if (
                not spec.by_name
                and self.combo.count()
                and self.combo.itemData(self.combo.count() - 1)
            ):
                self.combo.insertSeparator(self.combo.count())
            text = spec.class_name if spec.by_name else f"{spec.class_name} (object form only)"
            self.combo.addItem(text, spec.name)
            tip = spec.doc + (
                ""
                if spec.by_name
                else f" Keras has no name for it: use keras.optimizers.{spec.class_name}()."
            )
            self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        self._show_loading(False)
        self._sync(self._draft.config)

    def keras_failed(self, message: str) -> None:
        """Replace the loading note with why there are no optimizers to choose from."""
        self.loading.setText(message)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Show core's validation problems (field -> message) on their fields; clear the rest."""
        self.learning_rate.show_problem(problems.get("learning_rate"))
        message = problems.get("optimizer")
        self.optimizer_error.setText(message or "")
        self.optimizer_error.setVisible(message is not None)
        for name, field in self._fields.items():
            field.show_problem(problems.get(name) or problems.get(f"param.{name}"))

    # --- model -> view ----------------------------------------------------------------------
    def _on_draft_changed(self, config: RunConfig) -> None:
        self._sync(config)

    def _sync(self, config: RunConfig) -> None:
        self.combo.blockSignals(True)  # showing the draft is not an edit of it
        try:
            self._sync_widgets(config)
        finally:
            self.combo.blockSignals(False)
        self._show_schedule_note(config)

    def _sync_widgets(self, config: RunConfig) -> None:
        spec = self._find(config.optimizer)
        if self._ready is None:
            self.combo.clear()
            self.combo.addItem(config.optimizer, config.optimizer)
            self.learning_rate.setEnabled(config.learning_rate is not None)
            if config.learning_rate is not None:
                self.learning_rate.show_rate(config.learning_rate)
            self.learning_rate.set_default(None)
        else:
            self.combo.setCurrentIndex(self.combo.findData(spec.name) if spec else -1)
            self.optimizer_doc.setText(spec.doc.replace("`", "") if spec else "")
            self.optimizer_doc.setVisible(bool(spec and spec.doc))
            if spec is not self._spec:
                self._build_fields(spec)
            if spec is not None:
                self._show_values(config, spec)

    def _show_values(self, config: RunConfig, spec: Any) -> None:
        self.learning_rate.setEnabled(True)
        self.learning_rate.show_rate(
            spec.default_learning_rate if config.learning_rate is None else config.learning_rate
        )
        used_by = f'optimizer="{spec.name}"' if spec.by_name else f"{spec.class_name}()"
        self.learning_rate.set_default(spec.default_learning_rate, used_by)
        params = config.param_dict()
        for name, field in self._fields.items():
            field.show_value(params.get(name, field.spec.default))
        if self._advanced_names.intersection(params):
            self.advanced.set_expanded(True)  # a setting that changes the run is never hidden
        self.reset_defaults.setEnabled(bool(params))

    def _show_schedule_note(self, config: RunConfig) -> None:
        schedule = config.schedule
        if schedule is None or schedule.name.lower() == CONSTANT:
            self.schedule_note.hide()
            return
        if schedule.name == "PiecewiseConstantDecay":
            text = "PiecewiseConstantDecay takes its rates from its values list, not from here."
        else:
            text = f"With {schedule.name}, this is the initial rate; the schedule then changes it."
        self.schedule_note.setText(text)
        self.schedule_note.show()

    def _build_fields(self, spec: Any) -> None:
        self._spec = spec
        self._fields.clear()
        self._advanced_names.clear()
        clear_form(self.params_form)
        clear_form(self.advanced_form)
        if spec is None:
            self.advanced.set_count(0)
            return
        main = [*spec.own_params]
        advanced = []
        for param in spec.common_params:
            # A common setting whose default is this optimizer's own (AdamW's weight_decay)
            # is part of what makes it that optimizer: show it with the others.
            particular = not same_value(param.default, self._usual_defaults.get(param.name))
            (main if particular else advanced).append(param)
        for param, form in [(p, self.params_form) for p in main] + [
            (p, self.advanced_form) for p in advanced
        ]:
            field = ParamField(param, "param")
            field.edited.connect(self._on_field_edited)
            field.problem_changed.connect(self._on_field_problem_changed)
            form.addRow(field.label, field)
            field.label.show()  # now, not at the next event-loop turn as a layout would
            field.show()
            self._fields[param.name] = field
        self._advanced_names = {p.name for p in advanced}
        # One label column for both forms, so the fields line up when Advanced opens.
        width = max(f.label.sizeHint().width() for f in self._fields.values())
        for field in self._fields.values():
            field.label.setMinimumWidth(width)
        self.advanced.set_count(len(advanced))
        self.advanced.setVisible(bool(advanced))

    # --- view -> model ----------------------------------------------------------------------
    def _on_combo_index_changed(self, index: int) -> None:
        name = self.combo.itemData(index)
        old = self._draft.config
        if not name or self._ready is None or name == old.optimizer:
            return
        spec = self._ready.optimizers.get(name)
        kept = {
            key: value
            for key, value in old.params
            if spec.has_param(key) and not same_value(value, spec.param(key).default)
        }
        dropped = [key for key, _ in old.params if not spec.has_param(key)]
        self._draft.clear_input_problems("param.")
        self._draft.update(optimizer=spec.name, params=kept)
        self._show_rate_note(spec, old.learning_rate, dropped)

    def _show_rate_note(self, spec: Any, rate: float | None, dropped: list[str]) -> None:
        default = spec.default_learning_rate
        parts = []
        if rate is None:
            parts.append(
                f"No rate chosen, so this is {spec.class_name}'s Keras default, "
                f"{rate_text(default)}."
            )
        elif rate_text(rate) != rate_text(default):
            parts.append(
                f"{spec.class_name}'s Keras default is {rate_text(default)}; "
                f"keeping your {rate_text(rate)}."
            )
        if dropped:
            what = "setting was" if len(dropped) == 1 else "settings were"
            parts.append(f"{spec.class_name} has no {', '.join(dropped)}, so your {what} dropped.")
        self.rate_note.setText(" ".join(parts))
        self.rate_note.setVisible(bool(parts))

    def _on_learning_rate_rate_changed(self, rate: float) -> None:
        self.rate_note.hide()  # it spoke of the rate before this change
        self._draft.update(learning_rate=rate)

    def _on_learning_rate_problem_changed(self, message: str | None) -> None:
        self._draft.set_input_problem("learning_rate", message)

    def _on_field_edited(self, name: str, value: Any) -> None:
        self._draft.set_param(name, value, default=self._fields[name].spec.default)

    def _on_field_problem_changed(self, name: str, message: str | None) -> None:
        self._draft.set_input_problem(f"param.{name}", message)

    def _on_reset_defaults_clicked(self) -> None:
        for field in self._fields.values():
            field.clear()
        self._draft.clear_input_problems("param.")
        self._draft.update(params=())

    # --- helpers ----------------------------------------------------------------------------
    def _find(self, name: str) -> Any:
        if self._ready is None or name not in self._ready.optimizers:
            return None
        return self._ready.optimizers.get(name)

    def _show_loading(self, loading: bool) -> None:
        self.loading.setVisible(loading)
        self.combo.setEnabled(not loading)
        self.reset_defaults.setEnabled(not loading)
        self.advanced.setVisible(not loading)


def _usual_defaults(specs: list[Any]) -> dict[str, Any]:
    """The default most optimizers give each common parameter."""
    values: dict[str, Counter] = {}
    for spec in specs:
        for param in spec.common_params:
            values.setdefault(param.name, Counter())[repr(param.default)] += 1
    usual = {}
    for spec in specs:
        for param in spec.common_params:
            if repr(param.default) == values[param.name].most_common(1)[0][0]:
                usual.setdefault(param.name, param.default)
    return usual
