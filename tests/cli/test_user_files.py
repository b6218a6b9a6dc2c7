"""Real users' files and typing on the command line: int64 labels train, the files written are
readable by others as the umask says, values Keras cannot hold are refused in one line, and the
exported script's progress bar counts no more batches than an epoch has."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from lrexplorer.cli.entry import main
from tests.cli.test_reliability import exit_code, one_error_line, sample_arrays

TINY = ["--dataset", "sample", "--train-samples", "64", "--test-samples", "32", "--epochs", "1"]


def labels_file(tmp_path: Path, y_train: np.ndarray) -> Path:
    arrays = sample_arrays(n_train=len(y_train))
    arrays["y_train"] = y_train
    arrays["y_test"] = arrays["y_test"].astype(y_train.dtype)
    np.savez(tmp_path / "digits.npz", **arrays)
    return tmp_path / "digits.npz"


# --- labels -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "labels",
    [
        np.array([int(v) for v in sample_arrays(60)["y_train"]]),  # int64, as np.array(list) makes
        sample_arrays(60)["y_train"].astype(np.int32),
        sample_arrays(60)["y_train"].astype(np.float32),  # whole numbers as floats: 3.0
    ],
    ids=["int64", "int32", "integral float32"],
)
def test_integer_labels_of_any_type_train(capsys, tmp_path, labels):
    path = labels_file(tmp_path, labels)
    out = tmp_path / "run.json"
    assert exit_code(["run", "--data", str(path), "--quiet", "--json", str(out)]) == 0
    assert "error" not in capsys.readouterr().err
    assert json.loads(out.read_text())["status"] == "finished"


@pytest.mark.parametrize(
    ("labels", "says"),
    [
        (np.full(60, 2.5), "y_train has labels that are not whole numbers (found 2.5)"),
        (np.full(60, np.nan), "not whole numbers (found nan)"),
        (np.full(60, 10, np.int64), "digits.npz: y_train has labels outside 0-9 (found 10)"),
        (np.full(60, -1, np.int64), "y_train has labels outside 0-9 (found -1)"),
        (np.full(60, True), "y_train has dtype bool: labels must be the whole numbers 0-9"),
    ],
    ids=["fraction", "nan", "10", "negative", "bool"],
)
def test_labels_that_are_not_digits_are_exit_2_saying_what_is_allowed(
    capsys, tmp_path, labels, says
):
    path = labels_file(tmp_path, labels)
    assert exit_code(["run", "--data", str(path), "--epochs", "1"]) == 2
    assert says in one_error_line(capsys)


# --- the mode of the files written --------------------------------------------------------------
@pytest.fixture(params=[0o022, 0o027], ids=["umask 022", "umask 027"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.mark.parametrize(
    "command",
    [["run"], ["sweep", "--lr", "1e-3", "1e-4"], ["find-lr", "--steps", "10"]],
    ids=["run", "sweep", "find-lr"],
)
def test_json_written_has_the_users_usual_mode(capsys, tmp_path, umask, command):
    out = tmp_path / "p.json"
    assert exit_code([*command, *TINY, "--quiet", "--json", str(out)]) == 0
    assert mode(out) == oct(0o666 & ~umask)  # 0o644 or 0o640, not mkstemp's 0o600


# --- values Keras cannot hold ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--lr", "1e300"], "learning rate = 1e300 is too large for a float32"),
        (["--lr", "1e-40"], "learning rate = 1e-40 is too small for a float32"),
        (["--optimizer", "adam", "--param", "epsilon=1e39"], "epsilon = 1e+39 is too large"),
        (["--optimizer", "adamw", "--param", "weight_decay=1e-45"], "weight_decay = 1e-45 is too"),
        (["--schedule", "ExponentialDecay", "--schedule-param", "decay_steps=100",
          "--schedule-param", "decay_rate=1e39"], "decay_rate = 1e+39 is too large"),
    ],
    ids=["lr huge", "lr tiny", "epsilon", "weight_decay", "schedule float"],
)  # fmt: skip
def test_values_beyond_float32_are_exit_2_naming_value_and_range(capsys, args, says):
    assert exit_code(["run", *TINY, *args]) == 2
    line = one_error_line(capsys)
    assert says in line and ("3.4e38" in line or "1.2e-38" in line)
    assert "RuntimeWarning" not in line


def test_a_range_test_end_beyond_float32_is_refused(capsys):
    assert exit_code(["find-lr", *TINY, "--end", "1e300"]) == 2
    assert "learning rate = 1e300 is too large" in one_error_line(capsys)


# --- typing mistakes ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--optimizer", "adam", "--param", "beta_1=0.8", "--param", "beta_1=0.7"],
         "--param beta_1 is given twice (beta_1=0.8 and beta_1=0.7)"),
        (["--schedule", "CosineDecay", "--schedule-param", "decay_steps=10",
          "--schedule-param", "decay_steps=20"], "--schedule-param decay_steps is given twice"),
        (["--epochs", "1000000000"],
         "epochs = 1000000000 is out of range: it must be a whole number >= 1 and <= 100000"),
    ],
    ids=["--param twice", "--schedule-param twice", "epochs 1e9"],
)  # fmt: skip
def test_typos_are_exit_2_with_one_line(capsys, args, says):
    assert exit_code(["run", *TINY, *args]) == 2
    assert says in one_error_line(capsys)


def test_a_sweep_refuses_a_parameter_given_twice(capsys):
    args = ["sweep", "--lr", "1e-3", "1e-4", "--param", "rho=0.8", "--param", "rho=0.9"]
    assert exit_code([*args, *TINY]) == 2
    assert "--param rho is given twice" in one_error_line(capsys)


# --- steps per compiled call -----------------------------------------------------------------
def test_the_exported_script_runs_no_more_steps_per_call_than_an_epoch_has(capsys, tmp_path):
    out = tmp_path / "run.json"
    args = ["--dataset", "sample", "--train-samples", "512", "--test-samples", "32"]
    assert main(["run", *args, "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["steps_per_epoch"] == 4
    capsys.readouterr()
    assert main(["export", "--run", str(out), "--form", "script"]) == 0
    script = capsys.readouterr().out
    assert "steps_per_execution=4," in script  # the run asked for 32; an epoch has 4
    # Without a record, from the dataset's size: 1000 images in batches of 128 are 8 steps.
    assert main(["export", *args[:2], "--train-samples", "1000", "--form", "script"]) == 0
    assert "steps_per_execution=8," in capsys.readouterr().out
    # Full MNIST has 469 batches an epoch: the 32 stays.
    assert main(["export", "--dataset", "mnist", "--form", "script"]) == 0
    assert "steps_per_execution=32," in capsys.readouterr().out
