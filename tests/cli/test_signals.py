"""SIGTERM (what `timeout`, `kill`, systemd and CI send) stops like Ctrl+C: the work done so far
is written as stopped and the exit code is 143; a second signal aborts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from lrexplorer.cli.entry import main
from lrexplorer.core.explore import range_test
from lrexplorer.core.training.trainer import Trainer

SMALL = ["--dataset", "sample", "--train-samples", "256", "--test-samples", "64",
         "--batch-size", "32", "--seed", "2"]  # fmt: skip


def test_sigterm_keeps_the_run_as_stopped_and_exits_143(tmp_path):
    """The way the issue met it: a long run in a real process, ended by `kill -TERM`."""
    out = tmp_path / "term.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "lrexplorer", "run", "--dataset", "sample", "--train-samples",
         "512", "--epochs", "100000", "--json", str(out)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        seen = []
        for line in process.stderr:  # wait for training to be under way, however long it takes
            seen.append(line)
            if line.startswith("epoch 1:"):
                break
        assert any(line.startswith("epoch 1:") for line in seen), "".join(seen)
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        code = process.wait(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 143, rest
    assert "SIGTERM received: stopping after this batch" in rest
    assert "Traceback" not in rest
    record = json.loads(out.read_text())
    assert record["status"] == "stopped" and len(record["epochs"]) >= 1
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    from lrexplorer.core.file_modes import current_umask

    return current_umask()


def _signal_at_step(monkeypatch, signals: list[int], seed: int) -> None:
    """Send `signals` from inside the run with `seed` (one run per seed), at its second batch."""
    original = Trainer.run_many

    def run_many(self, configs, on_event=None, control=None, *args, **kwargs):
        def on(run_id, event):
            on_event(run_id, event)
            if configs[0].seed == seed and getattr(event, "step", 0) == 2:
                for signum in signals:
                    os.kill(os.getpid(), signum)

        return original(self, configs, on, control, *args, **kwargs)

    monkeypatch.setattr(Trainer, "run_many", run_many)


@pytest.mark.parametrize(
    ("signals", "second"),
    [([signal.SIGTERM], "stopped"), ([signal.SIGTERM, signal.SIGTERM], None)],
    ids=["once: the run stops", "twice: the run is abandoned"],
)
def test_sigterm_in_a_sweep_keeps_the_finished_runs_and_exits_143(
    monkeypatch, capsys, tmp_path, signals, second
):
    # Seeds 2, 3 and 4 of one rate: one run at a time (a seed's runs train together).
    _signal_at_step(monkeypatch, signals, 3)
    out = tmp_path / "sweep.json"
    code = main(["sweep", "--lr", "1e-3", "--seeds", "3", *SMALL, "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 143, captured.err
    assert "SIGTERM received: stopping after this batch" in captured.err
    data = json.loads(out.read_text())
    statuses = [r["status"] for r in data["runs"]]
    assert statuses == (["finished", second] if second else ["finished"])
    later = ["RMSprop 1e-3 seed 4"]
    assert data["not_run"] == (later if second else ["RMSprop 1e-3 seed 3", *later])
    assert "* RMSprop 1e-3 seed 2" in captured.out


def test_sigterm_in_a_range_test_writes_the_curve_so_far_and_exits_143(
    monkeypatch, capsys, tmp_path
):
    original = range_test.find_lr

    def find_lr(config, start, end, steps, on_event, *args, **kwargs):
        def on(event):
            on_event(event)
            if isinstance(event, range_test.FinderPoint) and event.index == 9:
                os.kill(os.getpid(), signal.SIGTERM)

        return original(config, start, end, steps, on, *args, **kwargs)

    monkeypatch.setattr(range_test, "find_lr", find_lr)
    out = tmp_path / "lr.json"
    code = main(["find-lr", "--optimizer", "adam", *SMALL, "--steps", "60", "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 143, captured.err
    assert "SIGTERM received" in captured.err and "Traceback" not in captured.err
    data = json.loads(out.read_text())
    assert data["status"] == "stopped"
    assert 10 <= len(data["losses"]) < 60
