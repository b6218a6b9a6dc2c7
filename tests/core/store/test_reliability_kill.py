"""Killing the process mid-run (SIGKILL: no clean-up code runs) loses no earlier run, and what
it leaves behind neither blocks nor pollutes the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.store.run_store import RunStore

# Saves three runs, then trains a long one while the store keeps saving (as the window does when
# notes are typed during a run); prints TRAINING once batches are going.
SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from lrexplorer.core import events as ev
    from lrexplorer.core.config import RunConfig
    from lrexplorer.core.store.records import RunRecord
    from lrexplorer.core.store.run_store import RunStore
    from lrexplorer.core.training.trainer import Trainer

    store = RunStore(sys.argv[1])
    config = RunConfig(optimizer="sgd", learning_rate=0.01, dataset="sample",
                       train_samples=8000, test_samples=64, batch_size=8, epochs=50)
    saved = []
    for number in range(3):
        record = RunRecord(id=f"earlier-{number}", config=config, label=f"run {number}")
        for step in range(1, 2001):
            record.apply(ev.BatchEnd(step, 1, step, 1.0, 0.5, 1.0, 0.5, 0.01, step * 0.01))
        record.apply(ev.RunFinished(ev.FINISHED, 20.0))
        store.save(record)
        saved.append(record)

    def keep_saving():
        for edit in range(10**9):
            saved[edit % 3].notes = f"edit {edit}"
            store.save(saved[edit % 3])

    def on_event(event):
        if isinstance(event, ev.BatchEnd) and event.step == 1:
            threading.Thread(target=keep_saving, daemon=True).start()
            print("TRAINING", flush=True)

    Trainer().run(config, on_event)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_while_training_and_saving_loses_no_earlier_run(tmp_path):
    folder = tmp_path / "runs"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout.readline().strip() == "TRAINING"
        time.sleep(0.5)  # saves are going on all the time now
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL

    store = RunStore(folder)
    records, warnings = store.load_all()
    assert warnings == []
    assert sorted(r.id for r in records) == ["earlier-0", "earlier-1", "earlier-2"]
    for record in records:
        assert record.status == ev.FINISHED
        store.load_history(record)
        assert len(record.batches["loss"]) == 2000  # each history whole, never half of one
    # Whatever the kill interrupted is gone after this start, and nothing else is there.
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"earlier-{n}{suffix}" for n in range(3)
                           for suffix in (".json", ".history.json"))  # fmt: skip
