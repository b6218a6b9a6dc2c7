"""Bad input on the command line: exit code 2 and one line on stderr naming what was wrong and
what is allowed, before anything trains; a result that cannot be written is said plainly."""

from __future__ import annotations

import errno
import gzip
import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from lrexplorer.cli.entry import main
from lrexplorer.core.store import files

TINY = ["--dataset", "sample", "--train-samples", "64", "--test-samples", "32", "--epochs", "1"]
SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "mnist_sample.npz"


def exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exit_info:
        return exit_info.code


def one_error_line(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- hyperparameters and schedules -----------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--optimizer", "rmsprop", "--param", "rho=-0.1"], "rho = -0.1"),
        (["--optimizer", "adam", "--param", "epsilon=-1e-7"], "> 0"),
        (["--optimizer", "sgd", "--param", "momentum=1.5"], "[0, 1]"),
        (["--optimizer", "adamw", "--param", "weight_decay=-1"], ">= 0"),
        (["--optimizer", "rmsprop", "--param", "rho=abc"], "not a number"),
        (["--optimizer", "rmsprop", "--param", "rho=nan"], "rho"),
        (["--optimizer", "adam", "--param", "beta_2=1e400"], "beta_2"),
        (["--schedule", "PiecewiseConstantDecay", "--schedule-param", "boundaries=10,20",
          "--schedule-param", "values=1e-3,1e-4"], "2 boundaries need 3 values, got 2"),
        (["--schedule", "WarmDecay"], "CosineDecay"),
        (["--schedule", "CosineDecay", "--schedule-param", "decay_steps=0"], ">= 1"),
        (["--schedule", "CosineDecay", "--schedule-param", "speed=2"], "unknown parameter"),
        (["--schedule-param", "decay_steps=10"], "needs --schedule"),
    ],
    ids=["rho<0", "epsilon<0", "momentum>1", "weight_decay<0", "rho=abc", "rho=nan",
         "beta_2=1e400", "values length", "unknown schedule", "decay_steps=0",
         "unknown schedule param", "schedule param alone"],
)  # fmt: skip
def test_bad_hyperparameters_and_schedules_are_exit_2_with_the_reason(capsys, args, says):
    assert exit_code(["run", *TINY, *args]) == 2
    assert says in one_error_line(capsys)


# --- data ------------------------------------------------------------------------------------
def sample_arrays(n_train: int = 60, n_test: int = 20) -> dict[str, np.ndarray]:
    with np.load(SAMPLE, allow_pickle=False) as archive:
        return {key: archive[key][: n_train if "train" in key else n_test] for key in archive.files}


def idx_folder(folder: Path) -> Path:
    folder.mkdir()
    names = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}  # fmt: skip
    for key, array in sample_arrays().items():
        header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes()
        (folder / f"{names[key]}.gz").write_bytes(gzip.compress(header + array.tobytes()))
    return folder


def not_an_archive(tmp: Path) -> Path:
    (tmp / "digits.npz").write_text("hello")
    return tmp / "digits.npz"


def with_arrays(**changes: np.ndarray | None):
    def make(tmp: Path) -> Path:
        arrays = sample_arrays()
        for key, value in changes.items():
            if value is None:
                del arrays[key]
            else:
                arrays[key] = value
        np.savez(tmp / "digits.npz", **arrays)
        return tmp / "digits.npz"

    return make


def truncated_gz(tmp: Path) -> Path:
    folder = idx_folder(tmp / "idx")
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-50])
    return folder


def empty_folder(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


BAD_DATA = {
    "not an archive": (not_an_archive, "digits.npz is not a .npz archive"),
    "missing keys": (with_arrays(y_test=None), "digits.npz: missing key(s) y_test"),
    "wrong shape": (with_arrays(x_train=np.zeros((60, 784), np.uint8)), "expected (N, 28, 28)"),
    "wrong dtype": (with_arrays(x_test=np.zeros((20, 28, 28), np.float64)), "expected uint8"),
    "labels outside 0-9": (with_arrays(y_train=np.full(60, 12, np.uint8)), "outside 0-9"),
    "truncated gz": (truncated_gz, "train-images-idx3-ubyte.gz is truncated or damaged"),
    "empty folder": (empty_folder, "has none of the four MNIST IDX files"),
}


@pytest.mark.parametrize(("make", "says"), BAD_DATA.values(), ids=BAD_DATA.keys())
def test_bad_data_is_exit_2_with_one_line_naming_the_file(capsys, tmp_path, make, says):
    path = make(tmp_path)
    assert exit_code(["run", "--data", str(path), "--epochs", "1"]) == 2
    assert says in one_error_line(capsys)


def test_data_that_cannot_be_read_is_exit_2(capsys, tmp_path, monkeypatch):
    # Tests may run as root, which reads anything: feed the loader what the OS would raise.
    path = with_arrays()(tmp_path)

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert exit_code(["run", "--data", str(path), "--epochs", "1"]) == 2
    assert "digits.npz: permission denied" in one_error_line(capsys)


# --- where the result goes -------------------------------------------------------------------
@pytest.mark.parametrize("command", [["run"], ["sweep", "--lr", "1e-3", "1e-4"], ["find-lr"]])
def test_an_output_that_cannot_be_written_is_refused_before_training(capsys, tmp_path, command):
    """Found out after ten minutes of training, it would cost the run; found before, nothing."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "run.json"
    assert exit_code([*command, *TINY, "--json", str(out)]) == 2
    err = one_error_line(capsys)
    assert f"cannot write {out}" in err and "training" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_full_disk_at_the_end_says_so_and_exits_1(capsys, tmp_path, monkeypatch):
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "replace", no_space)
    out = tmp_path / "run.json"
    assert exit_code(["run", *TINY, "--quiet", "--json", str(out)]) == 1
    err = capsys.readouterr().err
    assert "finished" in err and f"could not write {out}: No space left on device" in err
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


# --- interruptions -----------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["run"], ["sweep", "--lr", "1e-3", "1e-4"], ["find-lr"]])
def test_ctrl_c_during_a_download_that_hangs_is_an_interruption(
    capsys, tmp_path, monkeypatch, command
):
    """Not "error: download cancelled" with the bad-input code: the user pressed Ctrl+C."""
    from lrexplorer.core.data import datasets as data
    from lrexplorer.core.keras_api.loader import keras
    from tests.reliability_support import (
        point_keras_home,
        silent_server_url,
        without_stall_timeout,
    )

    keras()  # imported first: a Ctrl+C inside TensorFlow's import would break it for good
    server = silent_server_url()
    monkeypatch.setenv(data.MIRROR_ENV, next(server))
    point_keras_home(monkeypatch, tmp_path / "keras-home")
    without_stall_timeout(monkeypatch)  # Ctrl+C ends the download, nothing else can
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        code = exit_code([*command, "--dataset", "mnist", "--quiet"])
    finally:
        timer.cancel()
        server.close()
    err = capsys.readouterr().err
    assert code == 130, err
    assert "interrupted" in err and "error" not in err
