"""The real window on the X11 platform, under Xvfb: what the offscreen tests cannot see (Qt's
xcb plugin and the system libraries it needs). It opens, trains a tiny run and closes, exit 0.

Skipped only where it cannot run (no xvfb-run, or the X11 plugin's libraries missing, named in
the reason) and LREXPLORER_REQUIRE_XVFB is not set; .ci/run sets it, so CI never skips it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.gui.window import platform_check
from tests.gui.window.window_process import ROOT, child_env, driver_command

CHILD_SECONDS = 240  # a hung child fails the test instead of the whole session
XVFB_SCREEN = "-screen 0 1280x800x24 -nolisten tcp"


def _why_it_cannot_run() -> str:
    missing = [tool for tool in ("xvfb-run", "xauth") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (Debian/Ubuntu: apt-get install xvfb xauth)"
    libraries = platform_check.missing_libraries("xcb")
    if libraries:
        return platform_check.missing_message(libraries)
    return ""


def test_the_window_opens_on_x11_trains_a_run_and_closes(tmp_path):
    reason = _why_it_cannot_run()
    if reason and os.environ.get("LREXPLORER_REQUIRE_XVFB"):
        pytest.fail(f"LREXPLORER_REQUIRE_XVFB is set, but {reason}")
    if reason:
        pytest.skip(reason)
    xvfb_run = ["xvfb-run", "--auto-servernum", f"--server-args={XVFB_SCREEN}"]
    env = child_env(QT_QPA_PLATFORM="xcb", WAYLAND_DISPLAY=None, DISPLAY=None)
    result = subprocess.run(
        [*xvfb_run, *driver_command(tmp_path, "finish")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "finished status=finished platform=xcb exposed=True" in result.stdout
    (record,), _warnings = RunStore(tmp_path / "runs").load_all()
    assert record.status == ev.FINISHED
