"""The command line: headless training, snippets, listings, and exit codes scripts can trust."""

import json
import subprocess
import sys

import pytest

from lrexplorer.cli.entry import main

TINY = ["--dataset", "sample", "--train-samples", "256", "--test-samples", "64", "--epochs", "1"]


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lrexplorer", *args], capture_output=True, text=True, timeout=300
    )


def test_run_trains_and_writes_the_record(tmp_path):
    out = tmp_path / "run.json"
    result = run_cli("run", "--optimizer", "rmsprop", "--lr", "1e-3", *TINY, "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "epoch 1:" in result.stderr and "finished" in result.stderr
    assert "Traceback" not in result.stderr
    record = json.loads(out.read_text())
    assert record["status"] == "finished"
    assert record["config"]["learning_rate"] == 0.001
    assert record["optimizer_config"]["class_name"] == "RMSprop"
    assert len(record["batches"]["loss"]) == 2 and len(record["epochs"]) == 1
    assert record["epochs"][0]["val_accuracy"] > 0.1


@pytest.mark.parametrize("rate", ["", "abc", "1e", "0", "-1e-3", "nan", "inf", "1e400", "0,001"])
def test_bad_learning_rate_is_exit_2_with_one_line(capsys, rate):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--lr", rate, *TINY])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "learning rate" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--optimizer", "adamm"], "unknown optimizer 'adamm'"),
        (["--param", "foo=1"], "unknown parameter 'foo'"),
        (["--optimizer", "adam", "--param", "beta_1=1"], "beta_1 = 1"),
        (["--param", "rho"], "NAME=VALUE"),
        (["--schedule", "PiecewiseConstantDecay", "--schedule-param", "boundaries=10,5",
          "--schedule-param", "values=1e-3,1e-4"], "increase strictly"),
        (["--data", "/no/such/file.npz"], "does not exist"),
    ],
)  # fmt: skip
def test_bad_input_is_exit_2_and_says_what(capsys, args, says):
    base = TINY[2:] if "--data" in args else TINY
    try:
        code = main(["run", *base, *args])
    except SystemExit as exit_info:
        code = exit_info.code
    assert code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_export_forms(capsys):
    assert main(["export", "--optimizer", "rmsprop", "--lr", "1e-4", "--form", "name"]) == 0
    captured = capsys.readouterr()
    assert 'optimizer="rmsprop"' in captured.out and "0.0001" in captured.err
    assert main(["export", "--optimizer", "rmsprop", "--lr", "1e-4", "--form", "object"]) == 0
    assert "keras.optimizers.RMSprop(learning_rate=0.0001)" in capsys.readouterr().out
    assert main(["export", "--optimizer", "sgd", "--form", "dict", "--import", "tf.keras"]) == 0
    out = capsys.readouterr().out
    assert "from tensorflow import keras" in out and '"class_name": "sgd"' in out


def test_export_of_a_saved_run(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["run", "--optimizer", "adam", "--lr", "3e-4", *TINY, "--json", str(out)]) == 0
    capsys.readouterr()
    assert main(["export", "--run", str(out), "--form", "object"]) == 0
    assert "keras.optimizers.Adam(learning_rate=0.0003)" in capsys.readouterr().out
    (tmp_path / "broken.json").write_text("{not json")
    assert main(["export", "--run", str(tmp_path / "broken.json")]) == 2


def test_optimizers_lists_each_with_keras_defaults(capsys):
    assert main(["optimizers"]) == 0
    out = capsys.readouterr().out
    assert "keras.optimizers.SGD" in out and "keras.optimizers.Lamb" in out
    sgd = out.split("keras.optimizers.SGD")[1]
    assert "learning_rate" in sgd.split("\n")[1] and "0.01" in sgd.split("\n")[1]
    assert main(["optimizers", "--json"]) == 0
    listed = {o["name"]: o for o in json.loads(capsys.readouterr().out)}
    assert listed["rmsprop"]["params"][0] == {
        "name": "learning_rate", "default": 0.001, "type": "float",
        "allowed": "a number > 0", "log_scale": True, "common": False,
    }  # fmt: skip


def test_module_entry_point_and_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("lrexplorer ")
