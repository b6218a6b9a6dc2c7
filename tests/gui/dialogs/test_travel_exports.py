"""Results that travel, from the window: File > Export notebook…, File > Export to TensorBoard…
(in the background, the window free meanwhile) and the export dialog's Save as notebook."""

import nbformat
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from lrexplorer.core.config import RunConfig
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.gui.dialogs.export_dialog import ExportDialog
from lrexplorer.gui.window.main_window import MainWindow
from tests.gui.dialogs.test_lesson_files import record


@pytest.fixture
def window(qtbot, tmp_path):
    """A window over two saved runs (not shown: no Keras needed to list them)."""
    store = RunStore(tmp_path / "runs")
    for run in (record("r1", 0.01, "SGD 0.01"), record("r2", 0.1, "SGD 0.1 (fast)")):
        store.save(run)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    made = MainWindow(runs_folder=tmp_path / "runs", settings=settings)
    qtbot.addWidget(made)
    return made


def trigger(window, name):
    window.findChild(QAction, name).trigger()


def batch_steps(run_folder):
    train = EventAccumulator(str(run_folder / "train"), size_guidance={"tensors": 0})
    train.Reload()
    return [event.step for event in train.Tensors("batch_loss")]


def banner_text(window):
    return window.banner.text.text() if window.banner.isVisibleTo(window) else ""


def test_export_notebook_writes_the_selected_run(window, tmp_path):
    asked = []
    window.actions.ask_save_path = lambda *args: asked.append(args) or str(tmp_path / "lesson")
    window.runs_panel.select("r2")
    trigger(window, "exportNotebookAction")
    assert asked[0][1:] == ("SGD 0.1 (fast).ipynb", "Jupyter notebook (*.ipynb)")
    notebook = nbformat.read(tmp_path / "lesson.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].source.startswith("# SGD 0.1 (fast)\n")
    compile_cell = next(cell.source for cell in notebook.cells if cell.id == "compile")
    assert "keras.optimizers.SGD(learning_rate=0.1)" in compile_cell
    assert window.statusBar().currentMessage() == "Saved lesson.ipynb"


def test_a_notebook_that_cannot_be_written_is_said_in_the_banner(window, tmp_path):
    (tmp_path / "a-file").write_text("")
    window.actions.ask_save_path = lambda *args: str(tmp_path / "a-file" / "run.ipynb")
    window.runs_panel.select("r1")
    trigger(window, "exportNotebookAction")
    assert banner_text(window).startswith("Could not write run.ipynb")
    assert window.banner.level == "error"


def test_export_to_tensorboard_writes_the_ticked_runs_in_the_background(window, qtbot, tmp_path):
    keras()  # TensorFlow already loaded, as once the window has shown
    logs = tmp_path / "logs"
    asked = []
    window.actions.ask_folder = lambda title, start: asked.append(start) or str(logs)
    window.runs_panel.set_checked("r1", True)
    window.runs_panel.set_checked("r2", False)
    trigger(window, "exportTensorBoardAction")
    export = window.actions.tensorboard
    assert export.busy  # the window went on; the files are written by a worker thread
    qtbot.waitUntil(lambda: not export.busy, timeout=60000)
    assert sorted(p.name for p in logs.iterdir()) == ["SGD_0.01"]
    assert batch_steps(logs / "SGD_0.01") == list(range(1, 21))
    assert window.statusBar().currentMessage() == (
        f"Exported 1 run to TensorBoard: tensorboard --logdir {logs}"
    )
    # Nothing ticked: every run, and the folder dialog starts where the last export went.
    window.runs_panel.set_checked("r1", False)
    trigger(window, "exportTensorBoardAction")
    qtbot.waitUntil(lambda: not export.busy, timeout=60000)
    assert asked == ["", str(logs)]
    assert sorted(p.name for p in logs.iterdir()) == ["SGD_0.01", "SGD_0.1_fast"]
    assert "Exported 2 runs" in window.statusBar().currentMessage()
    # The unticked run's history was read from the store for the export, into a copy: the
    # window's own record still has none (it reads it when the run is shown).
    assert batch_steps(logs / "SGD_0.1_fast") == list(range(1, 21))
    (unticked,) = [r for r in window.runs_panel.records() if r.id == "r2"]
    assert unticked.batches is None


def test_a_failed_tensorboard_export_is_said_and_a_cancelled_one_writes_nothing(
    window, qtbot, tmp_path
):
    (tmp_path / "a-file").write_text("")
    window.actions.ask_folder = lambda *args: str(tmp_path / "a-file")
    trigger(window, "exportTensorBoardAction")
    qtbot.waitUntil(lambda: bool(banner_text(window)), timeout=60000)
    assert banner_text(window) == (
        f"Could not export to TensorBoard: File exists ({tmp_path / 'a-file'})"
    )
    assert window.banner.level == "error"
    assert not window.actions.tensorboard.busy
    window.actions.ask_folder = lambda *args: ""
    before = sorted(tmp_path.iterdir())
    trigger(window, "exportTensorBoardAction")
    assert sorted(tmp_path.iterdir()) == before and not window.actions.tensorboard.busy


def test_the_export_dialog_saves_a_notebook_in_the_tabs_form(qtbot, tmp_path):
    config = RunConfig(optimizer="rmsprop", learning_rate=1e-4, dataset="sample")
    dialog = ExportDialog(RunRecord(id="x", config=config, label="RMSprop 1e-4"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    asked = []
    dialog.choose_notebook_path = lambda suggested: (
        asked.append(suggested) or str(tmp_path / "name-form")
    )
    assert dialog.findChild(QPushButton, "notebook_script") is None  # a script is not a form
    qtbot.mouseClick(dialog.findChild(QPushButton, "notebook_name"), Qt.MouseButton.LeftButton)
    assert asked[0].endswith("RMSprop_1e-4_name.ipynb")
    assert dialog.findChild(QLabel, "status_name").text() == "Saved name-form.ipynb"
    notebook = nbformat.read(tmp_path / "name-form.ipynb", as_version=4)
    ids = [cell.id for cell in notebook.cells]
    assert ids == ["title", "data", "model", "name-warning", "compile", "fit", "plot"]
    assert 'optimizer="rmsprop"' in notebook.cells[ids.index("compile")].source
