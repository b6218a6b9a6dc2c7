"""`lrexplorer sweep`: runs one after another, a summary table, JSON of every run, and exit codes
scripts can trust (bad input refused before anything trains, Ctrl+C keeps finished runs)."""

import json
import os
import signal

import pytest

from lrexplorer.cli import entry as cli
from lrexplorer.core.training.trainer import Trainer

SMALL = ["--dataset", "sample", "--train-samples", "256", "--test-samples", "100",
         "--batch-size", "32", "--seed", "2"]  # fmt: skip


@pytest.fixture
def main():
    return cli.main


@pytest.fixture
def runs(monkeypatch):
    """Every config the sweep trains, in order (runs of one seed train together)."""
    trained = []
    original = Trainer.run_many

    def run_many(self, configs, *args, **kwargs):
        trained.extend(configs)
        return original(self, configs, *args, **kwargs)

    monkeypatch.setattr(Trainer, "run_many", run_many)
    return trained


def test_a_sweep_trains_each_rate_and_prints_the_table(main, runs, capsys, tmp_path):
    out = tmp_path / "sweep.json"
    code = main(["sweep", "--optimizer", "rmsprop", "--lr", "1e-2", "1e-3", "1e-5", "--epochs",
                 "1", *SMALL, "--json", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert [c.learning_rate for c in runs] == [1e-2, 1e-3, 1e-5]
    for index, label in enumerate(["RMSprop 0.01", "RMSprop 1e-3", "RMSprop 1e-5"], 1):
        assert f"[{index}/3] training {label} on bundled MNIST sample" in captured.err
        assert f"[{index}/3] epoch 1:" in captured.err
    assert "Traceback" not in captured.err
    table = captured.out.splitlines()
    assert table[0].split() == ["run", "status", "loss", "accuracy", "val_accuracy", "time"]
    assert len(table) == 5 and sum(line.startswith("* ") for line in table) == 2
    data = json.loads(out.read_text())
    assert [r["config"]["learning_rate"] for r in data["runs"]] == [1e-2, 1e-3, 1e-5]
    assert all(r["status"] == "finished" and r["batches"]["loss"] for r in data["runs"])
    best = max(data["runs"], key=lambda r: r["epochs"][-1]["val_accuracy"])
    assert data["summary"]["best"] == best["id"] and data["not_run"] == []
    assert table[-1].startswith(f"* best: {best['label']}")


def test_a_log_range_across_optimizers(main, capsys):
    code = main(["sweep", "--optimizers", "sgd", "adam", "--lr-range", "1e-4", "1e-2", "3",
                 "--dry-run", *SMALL])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "[1/6] SGD 1e-4", "[2/6] SGD 1e-3", "[3/6] SGD 0.01",
        "[4/6] Adam 1e-4", "[5/6] Adam 1e-3", "[6/6] Adam 0.01",
    ]  # fmt: skip


def test_a_diverged_run_is_an_expected_outcome(main, capsys, tmp_path):
    out = tmp_path / "too-high.json"
    small = [*SMALL[:2], "--train-samples", "640", "--test-samples", "100", "--batch-size", "16"]
    assert main(["sweep", "--preset", "too-high", *small, "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert "diverged" in captured.err and "too high" in captured.err
    statuses = [r["status"] for r in json.loads(out.read_text())["runs"]]
    assert statuses == ["diverged", "diverged", "finished"]
    assert "* SGD 0.1" in captured.out


def test_momentum_runs_are_told_apart(main, capsys):
    assert main(["sweep", "--preset", "momentum", "--dry-run", *SMALL]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["[1/3] SGD 0.01", "[2/3] SGD 0.01 momentum=0.9", "[3/3] Adam 0.01"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--lr", "1e-3", "0"], "learning rate = 0 is not allowed: it must be > 0"),
        (["--lr", "1e-3", "nan"], "NaN"),
        (["--lr", "1e-3", "1e-3"], "listed twice"),
        (["--lr-range", "0", "1e-1", "5"], "range start = 0.0 is not allowed"),
        (["--lr-range", "1e-5", "1e-1", "x"], "N 'x' is not a whole number"),
        (["--lr-range", "1e-5", "abc", "4"], "--lr-range TO 'abc' is not a number"),
        (["--lr", "1e-3", "--lr-range", "1e-5", "1e-1", "3"], "not both"),
        (["--optimizers", "sgd", "adamm"], "unknown optimizer 'adamm'"),
        (["--preset", "classic", "--lr", "1e-3"], "drop --lr"),
        (["--preset", "nope"], "invalid choice"),
        (["--epochs", "0"], "must be at least 1"),
        (["--dataset", "file", "--data", "/no/such/file.npz"], "does not exist"),
    ],
)
def test_a_bad_sweep_is_exit_2_before_anything_trains(main, runs, capsys, tmp_path, args, says):
    out = tmp_path / "never.json"
    data = SMALL[2:] if "--data" in args else SMALL
    try:
        code = main(["sweep", *data, *args, "--json", str(out)])
    except SystemExit as exit_info:
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == 2 and says in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert runs == [] and not out.exists()


def test_a_failed_run_makes_the_sweep_exit_1(main, monkeypatch, capsys):
    original = Trainer.run_many

    def fail_second(self, configs, *args, **kwargs):
        # A config the trainer refuses stands in for any failure inside a run.
        configs = [c.replace(batch_size=-1) if c.learning_rate == 1e-3 else c for c in configs]
        return original(self, configs, *args, **kwargs)

    monkeypatch.setattr(Trainer, "run_many", fail_second)
    assert main(["sweep", "--lr", "1e-2", "1e-3", *SMALL]) == 1
    out = capsys.readouterr().out
    assert "failed" in out.splitlines()[2] and out.splitlines()[1].startswith("* RMSprop 0.01")


def interrupt_at_step_2(monkeypatch, seed):
    """One Ctrl+C at the second batch of the runs with `seed`."""
    original = Trainer.run_many
    sent = []

    def interrupt(self, configs, on_event=None, control=None, *args, **kwargs):
        def on(run_id, event):
            on_event(run_id, event)
            if configs[0].seed == seed and getattr(event, "step", 0) == 2 and not sent:
                sent.append(run_id)
                os.kill(os.getpid(), signal.SIGINT)  # what Ctrl+C sends

        return original(self, configs, on, control, *args, **kwargs)

    monkeypatch.setattr(Trainer, "run_many", interrupt)


def test_ctrl_c_stops_the_current_run_cancels_the_rest_and_keeps_finished_runs(
    main, monkeypatch, capsys, tmp_path
):
    interrupt_at_step_2(monkeypatch, seed=3)  # the second of seeds 2, 3, 4: one run each
    out = tmp_path / "sweep.json"
    code = main(["sweep", "--lr", "1e-3", "--seeds", "3", *SMALL, "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 130
    assert "sweep cancelled: 1 run(s) not run" in captured.err
    data = json.loads(out.read_text())
    assert [r["status"] for r in data["runs"]] == ["finished", "stopped"]
    assert data["not_run"] == ["RMSprop 1e-3 seed 4"]


def test_ctrl_c_stops_every_run_trained_together_and_keeps_them(
    main, monkeypatch, capsys, tmp_path
):
    interrupt_at_step_2(monkeypatch, seed=2)
    out = tmp_path / "sweep.json"
    code = main(["sweep", "--lr", "1e-2", "1e-3", "1e-4", *SMALL, "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 130 and "[1-3/3] trained together" in captured.err
    data = json.loads(out.read_text())
    assert [r["status"] for r in data["runs"]] == ["stopped"] * 3
    # Together, a stop takes effect where the compiled call of many batches ends: the same
    # batch for all three.
    assert len({len(r["batches"]["step"]) for r in data["runs"]}) == 1
    assert data["not_run"] == [] and "no run finished" in captured.out
