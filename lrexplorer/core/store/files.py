"""Files that are either the old or the complete new text, never half: written to a temporary
file beside them and renamed. What a crashed save leaves behind is recognised and removed."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from lrexplorer.core.file_modes import give_open_mode

TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600.0  # a leftover whose writer cannot be told apart is removed after this


def write_json_atomic(path: Path, data: Any, indent: int | None = None) -> None:
    """Write JSON so that `path` holds either the old or the complete new text, never half,
    with the mode a new file gets (not mkstemp's private 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's process id in the name tells a crashed save's leftover from one in progress.
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            give_open_mode(handle.fileno(), path)
            separators = (",", ":") if indent is None else None
            json.dump(data, handle, indent=indent, separators=separators, allow_nan=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def writer_gone(temp: Path, now: float) -> bool:
    """A temporary file is a leftover if the process that wrote it has ended, or if it is old
    (its writer cannot be told: written by an older version, or on another machine)."""
    if age(temp, now) > STALE_SECONDS:
        return True
    # ".<file>.<pid>.<random>.tmp", as write_json_atomic names it
    parts = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    return not process_alive(int(parts[1]))


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True
