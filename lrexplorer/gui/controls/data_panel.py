"""The run's data and training settings: dataset, model, sample counts, epochs, batch size, seed;
and, folded away under Advanced, how Keras runs the steps (speed, not results)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from lrexplorer.core.config import DATASETS, MAX_EPOCHS, RunConfig
from lrexplorer.core.keras_api.models import MODELS
from lrexplorer.gui.controls.draft import DraftConfig
from lrexplorer.gui.controls.optimizer_panel import CollapsibleSection

MAX_SAMPLES = 60000
_DEFAULT_STEPS_PER_CALL = RunConfig().steps_per_execution


class DataPanel(QWidget):
    """Edits the draft's data and training fields; needs no Keras."""

    def __init__(self, draft: DraftConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DataPanel")
        self._draft = draft
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.dataset = QComboBox(objectName="datasetCombo")
        for name, title in DATASETS.items():
            self.dataset.addItem(title, name)
        self.dataset.setToolTip(
            "MNIST and Fashion-MNIST come through Keras's own download and cache; offline, the "
            "bundled sample of real MNIST digits is used instead."
        )
        form.addRow("Dataset", self.dataset)

        self.path = QLineEdit(objectName="dataPathEdit")
        self.path.setPlaceholderText("a Keras-layout .npz, or a folder of MNIST .gz files")
        self.browse = QPushButton("Browse…", objectName="dataBrowseButton")
        path_row = QWidget()
        row = QHBoxLayout(path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self._path_row = path_row
        form.addRow("File", path_row)

        self.model = QComboBox(objectName="modelCombo")
        for name, info in MODELS.items():
            self.model.addItem(info.title, name)
        form.addRow("Model", self.model)

        self.train_samples = _count_spin("trainSamplesSpin", "training images to use")
        form.addRow("Training images", self.train_samples)
        self.test_samples = _count_spin("testSamplesSpin", "test images to validate on")
        form.addRow("Test images", self.test_samples)

        self.epochs = QSpinBox(objectName="epochsSpin", minimum=1, maximum=MAX_EPOCHS)
        form.addRow("Epochs", self.epochs)
        self.batch_size = QSpinBox(objectName="batchSizeSpin", minimum=1, maximum=65536)
        self.batch_size.setToolTip("Images per gradient step (the tutorial uses 128)")
        form.addRow("Batch size", self.batch_size)
        self.seed = QSpinBox(objectName="seedSpin", minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("The same seed gives the same run, batch for batch")
        form.addRow("Seed", self.seed)

        # How Keras runs the steps: the speed, not the results; out of the way of a newcomer.
        self.advanced = CollapsibleSection("Advanced", "dataAdvancedGroup")
        self.advanced.set_count(2)
        self.advanced.toggle.setToolTip("How Keras runs the steps: changes the speed, not results")
        speed = QFormLayout(self.advanced.body)
        speed.setContentsMargins(0, 0, 0, 0)
        speed.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.steps_per_execution = QSpinBox(
            objectName="stepsPerExecutionSpin", minimum=1, maximum=1024
        )
        self.steps_per_execution.setToolTip(
            "Batches Keras trains per compiled call (steps_per_execution). Changes the speed "
            "only: the same batches give the same losses, every batch is still plotted, and "
            "Stop and rate changes still apply from the next batch. More is faster (32 is "
            "about twice as fast as 1)."
        )
        speed.addRow("Batches per call", self.steps_per_execution)
        self.jit_compile = QCheckBox("Compile with XLA", objectName="jitCompileCheck")
        self.jit_compile.setToolTip(
            "Compile the training step with XLA (jit_compile=True). Changes the speed only: "
            "slower to start, sometimes faster per epoch on longer runs; the losses can differ "
            "in their last digits."
        )
        speed.addRow("", self.jit_compile)
        form.addRow(self.advanced)

        self._form = form
        self._sync(draft.config)
        draft.changed.connect(self._sync)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.path.editingFinished.connect(self._on_path_edited)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.model.currentIndexChanged.connect(lambda: draft.update(model=self.model.currentData()))
        self.train_samples.valueChanged.connect(lambda v: draft.update(train_samples=v or None))
        self.test_samples.valueChanged.connect(lambda v: draft.update(test_samples=v or None))
        self.epochs.valueChanged.connect(lambda v: draft.update(epochs=v))
        self.batch_size.valueChanged.connect(lambda v: draft.update(batch_size=v))
        self.seed.valueChanged.connect(lambda v: draft.update(seed=v))
        self.steps_per_execution.valueChanged.connect(lambda v: draft.update(steps_per_execution=v))
        self.jit_compile.toggled.connect(lambda on: draft.update(jit_compile=on))

    def _sync(self, config: RunConfig) -> None:
        """Show the draft's values without echoing them back as edits."""
        widgets = (self.dataset, self.model, self.train_samples, self.test_samples, self.path)
        widgets += (self.epochs, self.batch_size, self.seed, self.steps_per_execution)
        widgets += (self.jit_compile,)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.dataset.setCurrentIndex(max(self.dataset.findData(config.dataset), 0))
            self.model.setCurrentIndex(max(self.model.findData(config.model), 0))
            self.train_samples.setValue(config.train_samples or 0)
            self.test_samples.setValue(config.test_samples or 0)
            self.epochs.setValue(config.epochs)
            self.batch_size.setValue(config.batch_size)
            self.seed.setValue(config.seed)
            self.steps_per_execution.setValue(config.steps_per_execution)
            self.jit_compile.setChecked(config.jit_compile)
            if config.jit_compile or config.steps_per_execution != _DEFAULT_STEPS_PER_CALL:
                self.advanced.set_expanded(True)  # a setting that is not the default shows
            if self.path.text() != (config.data_path or ""):
                self.path.setText(config.data_path or "")
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._form.setRowVisible(self._path_row, config.dataset == "file")

    def show_problems(self, problems: dict[str, str]) -> None:
        message = problems.get("data_path") or problems.get("dataset")
        self.path.setStyleSheet("QLineEdit { border: 2px solid #cc3311; }" if message else "")
        self.path.setToolTip(message or "")

    def _on_dataset_changed(self) -> None:
        dataset = self.dataset.currentData()
        self._draft.update(dataset=dataset)
        if dataset == "file" and not self._draft.config.data_path:
            self._on_browse_clicked()

    def _on_path_edited(self) -> None:
        self._draft.update(data_path=self.path.text().strip() or None)

    def _on_browse_clicked(self) -> None:
        path = self.choose_data_path()
        if path:
            self._draft.update(dataset="file", data_path=path)

    def choose_data_path(self) -> str:
        """Ask for a .npz file (a folder of IDX files can be typed or pasted). Tests replace it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose MNIST data", "", "MNIST data (*.npz *.gz);;All files (*)"
        )
        if path.endswith(".gz"):
            # The four IDX files travel together: the folder is the dataset.
            path = path.rsplit("/", 1)[0]
        return path


def _count_spin(name: str, what: str) -> QSpinBox:
    spin = QSpinBox(objectName=name, minimum=0, maximum=MAX_SAMPLES)
    spin.setSingleStep(500)
    spin.setSpecialValueText("All")
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setToolTip(f"Number of {what}; fewer trains faster")
    return spin
