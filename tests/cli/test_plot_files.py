"""--plot FILE.png|svg of `lrexplorer run` and `find-lr`: the window's own plots written to a
file, offscreen, with no display needed; a file that cannot be written is refused up front."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lrexplorer.cli.entry import main

TINY = ["--dataset", "sample", "--train-samples", "256", "--test-samples", "64", "--epochs", "2",
        "--batch-size", "32"]  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[2]


def test_run_plot_is_the_live_plots_of_the_run(capsys, tmp_path):
    picture = tmp_path / "run.svg"
    assert main(["run", "--optimizer", "adam", "--lr", "3e-4", *TINY, "--plot", str(picture)]) == 0
    assert f"the run's plots written to {picture}" in capsys.readouterr().err
    text = picture.read_text()
    assert text.startswith("<?xml") and len(text) > 20_000
    for title in ("loss (cross-entropy)", "accuracy", "learning rate", "step (batch)"):
        assert f">{title}" in text  # the axis titles, as text
    assert "Adam 3e-4" in text  # the legend names the run


def test_find_lr_plot_marks_the_suggestions(capsys, tmp_path):
    picture = tmp_path / "finder.png"
    args = ["find-lr", "--optimizer", "adam", "--dataset", "sample", "--train-samples", "300",
            "--batch-size", "32", "--steps", "40", "--plot", str(picture)]  # fmt: skip
    assert main(args) == 0
    assert f"the range test's plot written to {picture}" in capsys.readouterr().err
    assert picture.read_bytes()[:8] == PNG and picture.stat().st_size > 20_000


@pytest.mark.parametrize("verb", ["run", "find-lr"])
def test_a_plot_that_cannot_be_written_is_refused_before_training(capsys, tmp_path, verb):
    folder = tmp_path / "plots.png"
    folder.mkdir()
    for target, says in ((tmp_path / "plot.jpg", ".jpg is not an image type"),
                         (folder, "it is a folder")):  # fmt: skip
        assert main([verb, *TINY, "--plot", str(target)]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1 and "training" not in err


def test_no_display_is_needed(tmp_path):
    """A terminal with no display (ssh, a CI job) and no QT_QPA_PLATFORM still gets the file."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}  # fmt: skip
    env["PYTHONPATH"] = str(ROOT)
    picture = tmp_path / "run.png"
    done = subprocess.run(
        [sys.executable, "-m", "lrexplorer", "run", *TINY, "--quiet", "--plot", str(picture)],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert picture.read_bytes()[:8] == PNG and picture.stat().st_size > 20_000
