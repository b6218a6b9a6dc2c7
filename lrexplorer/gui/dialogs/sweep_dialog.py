"""SweepDialog: choose a classroom preset or your own sweep (rates x optimizers), repeated with
several seeds if asked, see the runs it will queue, and get the checked configs; core/sweep.py
and core/presets.py do the work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.number_text import NumberError, compact_number, parse_float
from lrexplorer.core.explore.labels import sweep_labels
from lrexplorer.core.explore.presets import PRESETS
from lrexplorer.core.explore.sweep import (
    MAX_RUNS,
    MAX_SEEDS,
    SweepError,
    parse_rates,
    sweep_configs,
    with_seeds,
)
from lrexplorer.core.keras_api.validation import ConfigError, Problem

ERROR_COLOUR = "#cc3311"
CUSTOM_DESCRIPTION = (
    "Your own sweep: the current settings (data, model, epochs, schedule) once for each "
    "learning rate below, with each ticked optimizer. The runs go one after another and "
    "overlay in the plots; a summary compares them at the end."
)
SEEDS_TIP = (
    "Run every setting this many times, with the seed set on the left and the next ones "
    "(each seed starts from other weights and sees the images in another order). The plots "
    "can then draw each setting as its mean and a band, and the summary says whether two "
    "settings differ by more than their seeds do."
)


def _rates_around(rate: float | None) -> str:
    """A first guess for the rates box: a decade either side of the current rate."""
    if rate is None:
        return "1e-2, 1e-3, 1e-4"
    return ", ".join(compact_number(float(f"{rate * f:.3g}")) for f in (10, 1, 0.1))


class SweepDialog(QDialog):
    """Builds a sweep from `base` (the current draft). `configs()` is valid once accepted."""

    def __init__(
        self, base: RunConfig, optimizer_names: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SweepDialog")
        self.setWindowTitle("Learning-rate sweep")
        self.base = base
        self._configs: list[RunConfig] = []
        self._build(optimizer_names)
        self._connect()
        self._on_inputs_changed()
        self.resize(640, 680)

    # --- construction ---------------------------------------------------------------------------
    def _build(self, optimizer_names: list[str]) -> None:
        self.preset_combo = QComboBox(objectName="sweepPresetCombo")
        self.preset_combo.addItem("Custom sweep", "")
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(preset.title, name)
        self.description = QLabel(objectName="sweepPresetDescription")
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.custom = QGroupBox("Custom sweep", objectName="sweepCustomGroup")
        self.rates_radio = QRadioButton("Learning rates", objectName="sweepRatesRadio")
        self.range_radio = QRadioButton("Log range from", objectName="sweepRangeRadio")
        self.rates_radio.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.rates_radio)
        self._modes.addButton(self.range_radio)
        self.rates_edit = QLineEdit(_rates_around(self.base.learning_rate))
        self.rates_edit.setObjectName("sweepRatesEdit")
        self.rates_edit.setPlaceholderText("e.g. 1e-3, 1e-4, 1e-5")
        self.from_edit = QLineEdit("1e-5", objectName="sweepFromEdit")
        self.to_edit = QLineEdit("1e-1", objectName="sweepToEdit")
        self.count_spin = QSpinBox(objectName="sweepCountSpin")
        self.count_spin.setRange(2, MAX_RUNS)
        self.count_spin.setValue(5)
        self.count_spin.setSuffix(" rates")
        range_row = QHBoxLayout()
        for widget in (self.from_edit, QLabel("to"), self.to_edit, self.count_spin):
            range_row.addWidget(widget)
        self.optimizer_list = QListWidget(objectName="sweepOptimizerList")
        for name in optimizer_names:
            item = QListWidgetItem(_class_name(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            current = name.lower() == self.base.optimizer.lower()
            item.setCheckState(Qt.CheckState.Checked if current else Qt.CheckState.Unchecked)
            self.optimizer_list.addItem(item)
        form = QFormLayout(self.custom)
        form.addRow(self.rates_radio, self.rates_edit)
        form.addRow(self.range_radio, range_row)
        form.addRow(QLabel("Optimizers"), self.optimizer_list)

        self.seeds_spin = QSpinBox(objectName="sweepSeedsSpin")
        self.seeds_spin.setRange(1, MAX_SEEDS)
        self.seeds_spin.setSuffix(" seeds")
        self.seeds_spin.setSpecialValueText("1 seed (no repeats)")
        self.seeds_spin.setToolTip(SEEDS_TIP)

        self.preview_group = QGroupBox("Runs to queue")
        self.preview = QListWidget(objectName="sweepPreview")
        self.preview.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        QVBoxLayout(self.preview_group).addWidget(self.preview)
        self.error = QLabel(objectName="sweepError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)

        layout = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("Sweep", self.preset_combo)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(self.custom)
        seeds = QFormLayout()
        seeds.addRow("Repeat with seeds", self.seeds_spin)
        layout.addLayout(seeds)
        layout.addWidget(self.preview_group, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _connect(self) -> None:
        self.preset_combo.currentIndexChanged.connect(self._on_inputs_changed)
        for edit in (self.rates_edit, self.from_edit, self.to_edit):
            edit.textChanged.connect(self._on_inputs_changed)
        self.count_spin.valueChanged.connect(self._on_inputs_changed)
        self.seeds_spin.valueChanged.connect(self._on_inputs_changed)
        self._modes.buttonToggled.connect(self._on_inputs_changed)
        self.optimizer_list.itemChanged.connect(self._on_inputs_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    # --- public ---------------------------------------------------------------------------------
    def configs(self) -> list[RunConfig]:
        """The checked runs of the sweep as shown in the preview (empty while input is bad)."""
        return list(self._configs)

    def select_preset(self, name: str) -> None:
        """Show a preset ("" for a custom sweep); KeyError for an unknown name."""
        index = self.preset_combo.findData(name)
        if index < 0:
            raise KeyError(f"unknown preset {name!r}")
        self.preset_combo.setCurrentIndex(index)

    def checked_optimizers(self) -> list[str]:
        items = (self.optimizer_list.item(i) for i in range(self.optimizer_list.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    # --- reacting to input ----------------------------------------------------------------------
    def _on_inputs_changed(self, *args: object) -> None:
        preset = self.preset_combo.currentData()
        self.custom.setEnabled(not preset)
        self.rates_edit.setEnabled(self.rates_radio.isChecked())
        for widget in (self.from_edit, self.to_edit, self.count_spin):
            widget.setEnabled(self.range_radio.isChecked())
        self.description.setText(PRESETS[preset].description if preset else CUSTOM_DESCRIPTION)
        try:
            configs = PRESETS[preset].configs(self.base) if preset else self._custom_configs()
            configs = with_seeds(configs, self.seeds_spin.value())
        except (ConfigError, NumberError) as error:
            self._show([], str(error))
        else:
            self._show(configs, "")

    def _custom_configs(self) -> list[RunConfig]:
        optimizers = self.checked_optimizers()
        if not optimizers:
            raise SweepError([Problem("optimizer", "tick at least one optimizer")])
        if self.rates_radio.isChecked():
            return sweep_configs(self.base, rates=parse_rates(self.rates_edit.text()),
                                 optimizers=optimizers)  # fmt: skip
        low = parse_float(self.from_edit.text(), "the range start")
        high = parse_float(self.to_edit.text(), "the range end")
        return sweep_configs(self.base, log_range=(low, high, self.count_spin.value()),
                             optimizers=optimizers)  # fmt: skip

    def _show(self, configs: list[RunConfig], problem: str) -> None:
        self._configs = configs
        self.preview.clear()
        self.preview.addItems(sweep_labels(configs))
        count = len(configs)
        self.preview_group.setTitle(f"Runs to queue ({count})" if count else "Runs to queue")
        self.error.setText(f"Can't start: {problem}" if problem else "")
        self.error.setVisible(bool(problem))
        self.ok_button.setEnabled(bool(configs))
        self.ok_button.setText(f"Queue {count} run{'s' if count != 1 else ''}" if count else "OK")
        self.ok_button.setToolTip(problem)


def _class_name(name: str) -> str:
    """ "rmsprop" -> "RMSprop", as Keras spells it (the registry is read once Keras is loaded)."""
    from lrexplorer.core.keras_api.optimizers import registry

    try:
        return registry().get(name).class_name
    except KeyError:
        return name
