"""TensorFlow's start-up chatter kept off the user's terminal while `import keras` loads it.

TensorFlow's shared libraries log from static initialisers as they are loaded ("All log
messages before absl::InitializeLog() ...", "oneDNN custom operations are on ..."), before
TensorFlow reads TF_CPP_MIN_LOG_LEVEL, straight to file descriptor 2. Only a filter on fd 2
catches them: during the import fd 2 is a pipe, and a small child process forwards every line
to the real stderr except absl's INFO and WARNING lines. A child, not a temporary file or a
thread: it forwards other threads' output as it comes (the window imports Keras in a worker
thread while the GUI thread runs), and it still forwards a fatal error's last words when
TensorFlow aborts the import (e.g. a CPU without AVX), since it reads until the pipe closes.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator

# Lines dropped, as regular expressions over one whole line (without its line break).
NOISE = (
    # absl's INFO or WARNING: severity, MMDD (0000 before InitializeLog), time, thread, file:line]
    r"[IW]\d{4} [\d:.]+ +\d+ [^\s\]]+:\d+\] .*",
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    # TensorFlow's own format before 2.16: "2024-01-31 12:00:00.123456: I tensorflow/...] ..."
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] .*",
    # the second line of cpu_feature_guard's INFO message
    r"To enable the following instructions: .* rebuild TensorFlow with the appropriate "
    r"compiler flags\.",
)
_NOISE = [re.compile(pattern.encode()) for pattern in NOISE]

# The child: forwards stdin to stderr line by line, without the lines matching an argument.
# It ignores Ctrl+C and SIGTERM (sent to the whole process group) and ends when the pipe closes,
# which happens at the latest when this process ends, however it ends.
_FILTER = r"""
import os, re, signal, sys
for name in ("SIGINT", "SIGTERM", "SIGHUP"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
noise = [re.compile(pattern.encode()) for pattern in sys.argv[1:]]
def forward(lines):
    kept = b"".join(line for line in lines
                    if not any(p.fullmatch(line.rstrip(b"\r\n")) for p in noise))
    try:
        if kept:
            os.write(2, kept)
    except OSError:
        pass  # nowhere to write: keep draining, so the writers never block
rest = b""
while True:
    try:
        chunk = os.read(0, 65536)
    except InterruptedError:
        continue
    if not chunk:
        break
    *lines, rest = (rest + chunk).split(b"\n")
    forward([line + b"\n" for line in lines])
if rest:
    forward([rest])
"""

_busy = threading.Lock()  # fd 2 is the whole process's: one filter at a time, never nested


def is_noise(line: bytes) -> bool:
    """True for a line the filter drops (what the child decides, for tests)."""
    stripped = line.rstrip(b"\r\n")
    return any(pattern.fullmatch(stripped) for pattern in _NOISE)


@contextlib.contextmanager
def stderr_filtered() -> Iterator[None]:
    """fd 2 goes through the noise filter while the block runs. Where a filter cannot be
    started (no fd 2, a frozen app without a Python to run, a filter already running),
    the block runs unfiltered: the noise shows, nothing else changes."""
    if getattr(sys, "frozen", False) or not sys.executable or not _busy.acquire(blocking=False):
        yield
        return
    try:
        with _through_filter():
            yield
    finally:
        _busy.release()


@contextlib.contextmanager
def _through_filter() -> Iterator[None]:
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all (pythonw, a daemon)
        yield
        return
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _FILTER, *NOISE],
            stdin=read_end,
            stdout=subprocess.DEVNULL,  # its stderr is ours: the real one, inherited
        )
    except OSError:
        child = None
    os.close(read_end)
    if child is None:
        os.close(write_end)
        os.close(saved)
        yield
        return
    _flush_stderr()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        _flush_stderr()
        os.dup2(saved, 2)  # the pipe's last write end closes: the child reads to the end
        os.close(saved)
        # Its lines before ours. A process started inside the block may still hold the pipe
        # (and the child forwards its output until it ends): don't wait for that.
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=2)


def _flush_stderr() -> None:
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stderr.flush()
