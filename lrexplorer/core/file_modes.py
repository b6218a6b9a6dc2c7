"""The mode of the files the app writes: the user's usual 0666 & ~umask, as open() gives.

Files written atomically start as tempfile.mkstemp's private 0600 and keep that mode through
the rename; runs, sessions and downloads in a shared lesson folder would then be unreadable to
everyone else. Writers call give_open_mode() on the temporary file before renaming it.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

_STATUS = "/proc/self/status"  # Linux 4.7+: "Umask:\t0022", read without changing anything


def _umask_from_proc() -> int | None:
    try:
        with open(_STATUS, encoding="ascii", errors="replace") as status:
            for line in status:
                match = re.fullmatch(r"Umask:\s*([0-7]+)\s*", line)
                if match:
                    return int(match.group(1), 8)
    except OSError:
        pass
    return None


def _umask_by_setting_it() -> int:
    # os.umask can only be read by setting it, for the whole process: a file another thread
    # created between these two calls would get the private 0600, never a wider mode. Done
    # once, at import, before the app starts its threads; only where /proc cannot tell.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


_UMASK_AT_IMPORT = _umask_from_proc()
if _UMASK_AT_IMPORT is None:
    _UMASK_AT_IMPORT = _umask_by_setting_it()


def current_umask() -> int:
    """The process's umask now where the system says so safely, else the one at start-up."""
    mask = _umask_from_proc()
    return _UMASK_AT_IMPORT if mask is None else mask


def new_file_mode() -> int:
    """What open(path, "w") would give a new file: 0666 minus the umask's bits."""
    return 0o666 & ~current_umask()


def give_open_mode(fd: int, target: Path) -> None:
    """Give `fd` (a temporary file that will replace `target`) the mode open(target, "w")
    would leave: the mode `target` already has, or a new file's."""
    if not hasattr(os, "fchmod"):  # Windows: a file has no such mode
        return
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:  # not there yet (or unreadable): a new file
        mode = new_file_mode()
    os.fchmod(fd, mode)
