"""`lrexplorer` the window as a process: what it says with no display, and what SIGTERM and
SIGINT do to it (close it as its close button does, runs saved)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.store.run_store import RunStore
from tests.gui.window.window_process import ROOT, child_env, driver_command, start

CHILD_SECONDS = 240  # a hung child fails the test instead of the whole session


def test_with_no_display_it_says_so_in_one_line_with_the_offscreen_hint():
    env = child_env(DISPLAY=None, WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None)
    result = subprocess.run(
        [sys.executable, "-m", "lrexplorer"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "qt.qpa" not in result.stderr and "Aborted" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_window_as_a_close_does_and_the_run_is_saved_as_stopped(
    tmp_path, signum
):
    child = start(driver_command(tmp_path, "train"), child_env(QT_QPA_PLATFORM="offscreen"))
    try:
        line = child.stdout.readline()  # the first batch has been trained
        assert line.strip() == "training", line or child.stderr.read()
        child.send_signal(signum)
        out, err = child.communicate(timeout=CHILD_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 128 + signum, err[-2000:]  # 143 for SIGTERM, 130 for SIGINT
    assert "finished status=stopped" in out
    records, warnings = RunStore(tmp_path / "runs").load_all()
    assert warnings == []
    (record,) = records
    assert record.status == ev.STOPPED
    RunStore(tmp_path / "runs").load_history(record)
    assert 1 <= record.steps_done < record.total_steps
    assert (tmp_path / "settings.ini").read_text().count("geometry") >= 1  # closed as a close
