"""Ctrl+C on the command line: the run stops at the next batch and is kept."""

from __future__ import annotations

import signal
import sys
from typing import Any


class StopOnInterrupt:
    """Ctrl+C asks the run to stop at the next batch (it is saved as stopped); twice aborts."""

    def __init__(self, control: Any) -> None:
        self.control = control
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.control.stopping:
            raise KeyboardInterrupt
        print("\nstopping after this batch (Ctrl+C again to abort)", file=sys.stderr)
        self.control.stop()

    def __enter__(self) -> StopOnInterrupt:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self._previous)
