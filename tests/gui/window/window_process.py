"""Running the window, or `lrexplorer` itself, in a process of its own (tests/gui/window)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).with_name("window_driver.py")


def child_env(**changes: str | None) -> dict[str, str]:
    """This environment with the checkout first on the path; a change of None removes a name."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def driver_command(folder: Path, mode: str) -> list[str]:
    return [sys.executable, str(DRIVER), str(folder), mode]


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
