"""A run exported as a Jupyter notebook: valid, in the promised cell order, and its code cells,
run in order, train exactly what the run trained."""

import importlib.util
import json
import os
import subprocess
import sys

import nbformat
import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.export.notebook import (
    WARNING_HEADING,
    build_notebook,
    record_notebook,
    write_notebook,
)
from lrexplorer.core.training.trainer import Trainer

TINY = RunConfig(
    "adam",
    3e-4,
    {"beta_1": 0.85},
    dataset="sample",
    train_samples=256,
    test_samples=64,
    epochs=2,
    batch_size=32,
    seed=3,
)

# Runs each code cell in order in one namespace, as Jupyter's "Run all" does, with matplotlib
# hidden so the plot cell takes the path every Python has; prints the history as JSON.
RUNNER = """
import json, sys
sys.modules["matplotlib"] = None  # import matplotlib raises ImportError
notebook = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
for cell in notebook["cells"]:
    if cell["cell_type"] == "code":
        exec(compile("".join(cell["source"]), cell["id"], "exec"), namespace)
print("HISTORY " + json.dumps(namespace["history"].history))
"""


@pytest.fixture(scope="module")
def run():
    record = Trainer().run(TINY)
    assert record.status == "finished", record.error
    return record


def cells(notebook):
    return [(cell.cell_type, cell.id) for cell in notebook.cells]


def source(notebook, cell_id):
    return next(cell.source for cell in notebook.cells if cell.id == cell_id)


def test_the_notebook_trains_what_the_run_trained(run, tmp_path):
    path = write_notebook(record_notebook(run), tmp_path / "run")
    assert path.name == "run.ipynb"
    nbformat.validate(nbformat.read(path, as_version=4))
    (tmp_path / "runner.py").write_text(RUNNER)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    result = subprocess.run(
        [sys.executable, "runner.py", str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    history = json.loads(result.stdout.split("HISTORY ", 1)[1])
    # The same data, seed, model and optimizer: the same numbers (equal to the last bit here).
    # The tolerance only allows float32 sums that another thread split adds in another order.
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        expected = [epoch[name] for epoch in run.epochs]
        assert history[name] == pytest.approx(expected, rel=1e-4), name
    # Without matplotlib the plot cell printed the table it would have drawn.
    table = result.stdout.split("HISTORY ")[0].splitlines()
    header = next(i for i, line in enumerate(table) if line.startswith("epoch"))
    assert table[header].split() == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    first = table[header + 1].split()
    assert first[0] == "1" and float(first[1]) == pytest.approx(run.epochs[0]["loss"], abs=1e-4)


def test_cells_come_in_order_and_the_object_form_is_the_default(run):
    notebook = record_notebook(run)
    assert cells(notebook) == [
        ("markdown", "title"),
        ("code", "data"),
        ("code", "model"),
        ("code", "compile"),
        ("code", "fit"),
        ("code", "plot"),
    ]
    title = source(notebook, "title")
    assert title.startswith("# Adam 3e-4 beta\\_1=0.85\n")
    assert "| 2 | " in title and f"{run.epochs[1]['val_accuracy']:.4f}" in title
    assert "np.load(" in source(notebook, "data") and "x_train[:256]" in source(notebook, "data")
    assert "class SimpleDense" in source(notebook, "model")
    assert "keras.utils.set_random_seed(3)" in source(notebook, "model")
    assert "keras.optimizers.Adam(learning_rate=0.0003, beta_1=0.85)" in source(notebook, "compile")
    fit = source(notebook, "fit")
    assert fit.startswith("history = model.fit(") and "epochs=2, batch_size=32" in fit


def test_the_name_form_warns_in_a_markdown_cell_before_compiling():
    notebook = build_notebook(TINY, "name")
    ids = [cell.id for cell in notebook.cells]
    assert ids.index("name-warning") == ids.index("compile") - 1
    warning = source(notebook, "name-warning")
    assert warning.startswith(f"**{WARNING_HEADING}**")
    assert "learning_rate 0.001, not 0.0003" in warning and "beta_1 0.9, not 0.85" in warning
    assert 'optimizer="adam"' in source(notebook, "compile")
    dict_form = build_notebook(TINY, "dict", "tf.keras")
    assert "name-warning" not in [cell.id for cell in dict_form.cells]
    assert "keras.optimizers.get(" in source(dict_form, "compile")
    assert "import numpy as np\nfrom tensorflow import keras\n" in source(dict_form, "data")
    # Nothing to lose: no warning.
    assert "name-warning" not in [c.id for c in build_notebook(RunConfig("adam"), "name").cells]


def test_an_optimizer_keras_cannot_name_compiles_in_the_object_form():
    notebook = build_notebook(RunConfig("lamb", 0.01, dataset="sample"), "name")
    assert "raises ValueError" in source(notebook, "name-warning")
    assert "keras.optimizers.Lamb(learning_rate=0.01)" in source(notebook, "compile")


def test_live_rate_changes_are_replayed_and_a_bundle_path_replaces_the_samples():
    notebook = build_notebook(
        TINY.replace(learning_rate=1e-3, params={}),
        lr_changes=[(5, 1e-4)],
        sample_path="../mnist_sample.npz",
    )
    compile_code = source(notebook, "compile")
    assert "PiecewiseConstantDecay(" in compile_code and "boundaries=[3]" in compile_code
    assert 'np.load("../mnist_sample.npz")' in source(notebook, "data")
    with pytest.raises(ValueError, match="unknown notebook form"):
        build_notebook(TINY, "script")


def test_the_notebooks_code_is_clean(run, tmp_path):
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")
    write_notebook(record_notebook(run), tmp_path / "object.ipynb")
    write_notebook(record_notebook(run, "name"), tmp_path / "name.ipynb")
    write_notebook(build_notebook(RunConfig("sgd", model="cnn")), tmp_path / "cnn.ipynb")
    # The model cell quotes core/keras_api/model_zoo.py verbatim, at the project's 100 columns.
    lint = ["check", "--isolated", "--select", "E,W,F,I", "--line-length", "100", "."]
    result = subprocess.run([sys.executable, "-m", "ruff", *lint], cwd=tmp_path)
    assert result.returncode == 0
