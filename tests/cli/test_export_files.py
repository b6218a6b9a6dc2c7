"""`lrexplorer export` writing files: a run as a Jupyter notebook, saved runs as TensorBoard
event files, and one line with exit code 2 for what cannot be exported."""

import json
from pathlib import Path

import nbformat
import pytest

from lrexplorer.cli.entry import main

TINY = ["--dataset", "sample", "--train-samples", "256", "--test-samples", "64", "--epochs", "1"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    paths = []
    for rate in ("1e-3", "1e-4"):
        path = folder / f"rmsprop-{rate}.json"
        assert (
            main(["run", "--optimizer", "rmsprop", "--lr", rate, *TINY, "--json", str(path)]) == 0
        )
        paths.append(str(path))
    return paths


def exit_code(args):
    try:
        return main(args)
    except SystemExit as exit_info:  # argparse's own errors
        return exit_info.code


def test_several_runs_go_to_tensorboard_side_by_side(runs, tmp_path, capsys):
    capsys.readouterr()
    logs = tmp_path / "logs"
    assert main(["export", "--run", *runs, "--tensorboard", str(logs)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"RMSprop 1e-3: {logs / 'RMSprop_1e-3'}",
        f"RMSprop 1e-4: {logs / 'RMSprop_1e-4'}",
    ]
    assert captured.err == f"view them with: tensorboard --logdir {logs}\n"
    for name in ("RMSprop_1e-3", "RMSprop_1e-4"):
        for sub in (".", "train", "validation"):
            assert len(list((logs / name / sub).glob("events.out.tfevents.*"))) == 1
    marker = json.loads((logs / "RMSprop_1e-4" / "lrexplorer-run.json").read_text())
    assert marker["id"] == json.loads(Path(runs[1]).read_text())["id"]


def test_a_run_as_a_notebook_in_the_form_asked_for(runs, tmp_path, capsys):
    capsys.readouterr()
    out = tmp_path / "lesson.ipynb"
    assert main(["export", "--run", runs[1], "--notebook", str(out), "--form", "name"]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Saved {out}\n"
    assert captured.err == "note: The name form trains with Keras's defaults: " \
        "learning_rate 0.001, not 0.0001.\n"  # fmt: skip
    notebook = nbformat.read(out, as_version=4)
    nbformat.validate(notebook)
    ids = [cell.id for cell in notebook.cells]
    assert ids == ["title", "data", "model", "name-warning", "compile", "fit", "plot"]
    assert notebook.cells[0].source.startswith("# RMSprop 1e-4\n")


def test_a_notebook_from_the_options_alone(tmp_path, capsys):
    out = tmp_path / "sgd"
    args = ["export", "--optimizer", "sgd", "--lr", "0.05", "--param", "momentum=0.9"]
    assert main([*args, "--notebook", str(out), "--import", "tf.keras"]) == 0
    assert capsys.readouterr().out == f"Saved {out}.ipynb\n"
    notebook = nbformat.read(tmp_path / "sgd.ipynb", as_version=4)
    compile_cell = next(cell.source for cell in notebook.cells if cell.id == "compile")
    assert "keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)" in compile_cell


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--run", "A", "B"], "several --run files need --tensorboard DIR"),
        (["--tensorboard", "logs"], "--tensorboard needs the runs to write"),
        (["--notebook", "x.ipynb", "--form", "script"], "not script"),
        (["--run", "A", "--tensorboard", "logs", "--notebook", "x.ipynb"], "one at a time"),
        (["--run", "missing.json", "--tensorboard", "logs"], "missing.json does not exist"),
        (["--run", "A", "--tensorboard", "a-file"], "is a file; give a folder"),
        (["--notebook", "."], "it is a folder"),
    ],
)
def test_what_cannot_be_exported_is_exit_2_with_one_line(runs, tmp_path, monkeypatch, capsys,
                                                         args, says):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    args = [runs[0] if arg == "A" else runs[1] if arg == "B" else arg for arg in args]
    capsys.readouterr()
    assert exit_code(["export", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "logs").exists() and not (tmp_path / "x.ipynb").exists()
