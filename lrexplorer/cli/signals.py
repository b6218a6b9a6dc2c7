"""Ctrl+C (SIGINT) and SIGTERM on the command line: the work stops at the next batch and is kept.

SIGTERM is what `timeout`, `kill`, systemd and CI send; it is treated exactly like Ctrl+C, and
the exit code says which arrived (130 for SIGINT, 143 for SIGTERM: 128 + the signal's number).
"""

from __future__ import annotations

import signal
import sys
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_code_for(signum: int) -> int:
    """The shell's convention for a command ended by a signal."""
    return 128 + int(signum)


class Interrupted(KeyboardInterrupt):
    """The command was stopped by `signum` before it had a result to keep."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.signum)

    @property
    def what(self) -> str:
        return "interrupted" if self.signum == signal.SIGINT else "terminated"


class StopOnInterrupt:
    """The first SIGINT or SIGTERM asks the run to stop at the next batch (it is saved as
    stopped); a second one aborts. Any KeyboardInterrupt leaving the block is an Interrupted
    naming the signal that arrived, so the exit code says which it was."""

    def __init__(self, control: Any) -> None:
        self.control = control
        self.received: int | None = None  # the first stop signal, if any
        self._previous: dict[int, Any] = {}

    @property
    def exit_code(self) -> int:
        """The exit code of a command this stopped (130 when nothing was received)."""
        return exit_code_for(self.received or signal.SIGINT)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.control.stopping:
            raise Interrupted(signum)
        self.received = signum
        if signum == signal.SIGINT:
            text = "stopping after this batch (Ctrl+C again to abort)"
        else:
            name = signal.Signals(signum).name
            text = f"{name} received: stopping after this batch ({name} or Ctrl+C again to abort)"
        print(f"\n{text}", file=sys.stderr, flush=True)
        self.control.stop()

    def __enter__(self) -> StopOnInterrupt:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
            # e.g. a download cancelled by the first signal: report the signal that did it
            raise Interrupted(self.received or signal.SIGINT) from exc
