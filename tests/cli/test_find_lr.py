"""`lrexplorer find-lr`: a range test from the command line, with exit codes scripts can trust."""

import json

import pytest

from lrexplorer.cli.entry import main

SMALL = ["--dataset", "sample", "--train-samples", "300", "--batch-size", "32", "--seed", "3"]


def test_find_lr_prints_suggestions_and_writes_the_curve(capsys, tmp_path):
    out = tmp_path / "finder.json"
    code = main(["find-lr", "--optimizer", "adam", *SMALL, "--steps", "60", "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "range test on bundled MNIST sample: 300 images, 60 batches of 32" in captured.err
    assert "Traceback" not in captured.err
    table = captured.out
    assert table.startswith("Suggested learning rates for Adam:")
    for method in ("valley", "steepest", "minimum/10"):
        assert f" {method} " in table
    assert "* valley" in table and "train with --lr" in table
    data = json.loads(out.read_text())
    assert data["config"]["optimizer"] == "adam" and data["default"] == "valley"
    assert len(data["learning_rates"]) == len(data["losses"]) == len(data["smoothed"]) > 10
    assert data["learning_rates"][0] == pytest.approx(1e-7)
    valley = data["suggestions"]["valley"]
    assert valley["learning_rate"] > 0 and valley["explanation"] in " ".join(table.split())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--start", "1e-2", "--end", "1e-3"], "must be larger than the start rate"),
        (["--start", "1e-2", "--end", "1e-2"], "must be larger than the start rate"),
        (["--steps", "4"], "at least 5 batches"),
        (["--steps", "ten"], "not a whole number"),
        (["--start", "-1"], "learning rate"),
        (["--optimizer", "adamm"], "unknown optimizer 'adamm'"),
        (["--dataset", "file", "--data", "/no/such/file.npz"], "does not exist"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(capsys, args, says):
    try:
        code = main(["find-lr", *SMALL[:2], *args] if "--data" not in args else ["find-lr", *args])
    except SystemExit as exit_info:
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and says in err


def test_a_rate_range_that_diverges_at_once_still_answers_clearly(capsys):
    args = ["find-lr", "--optimizer", "sgd", *SMALL, "--start", "1e4", "--end", "1e8"]
    code = main([*args, "--steps", "20"])
    captured = capsys.readouterr()
    assert code == 0
    assert "none: the curve gives no reliable rate" in captured.out
    assert "smaller rate" in captured.out
