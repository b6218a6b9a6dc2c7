"""One line of progress redrawn in place on a terminal: bar, percent, count, rate, elapsed and
time left, fitted to the terminal's width. Only for a TTY; elsewhere callers print plain lines."""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable
from typing import Any

REDRAW_SECONDS = 0.1  # at most ~10 redraws a second: enough to look live, cheap to write
MIN_BAR = 10  # narrower than this, the bar is left out rather than squeezed
CLEAR = "\r\x1b[K"  # back to the line's start and erase it


def terminal_columns(stream: Any) -> int:
    """The width of the terminal `stream` writes to: $COLUMNS if set, else the terminal's own
    (stderr's, which may differ from stdout's), else 80."""
    if not os.environ.get("COLUMNS"):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            pass
    return shutil.get_terminal_size((80, 24)).columns


def duration(seconds: float) -> str:
    """0:07, 12:34, 1:02:03."""
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def size(count: float) -> str:
    """Bytes as people read them: 512 B, 1.2 kB, 11.5 MB."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


class ProgressBar:
    """`label [#####-----]  42%  336/800  812 batch/s  0:03 elapsed  0:05 left  note`.

    `unit` names what is counted ("batch"); "B" counts bytes, shown as kB and MB. The rate is
    measured from the first update, so a slow start (compiling the model) does not drag it.
    """

    def __init__(
        self,
        stream: Any,
        total: int | None,
        unit: str = "batch",
        label: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total = total
        self.unit = unit
        self.label = label
        self.clock = clock
        self.started = clock()
        self._first: tuple[float, int] | None = None  # (time, count) of the first update
        self._drawn_at = -math.inf
        self._bar_width = 0
        self.shown = False
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "█░".encode(encoding)
            self._fill, self._empty = "█", "░"
        except (LookupError, UnicodeEncodeError):
            self._fill, self._empty = "#", "-"

    def update(self, done: int, note: str = "") -> None:
        """Redraw for `done` units, at most every REDRAW_SECONDS (always at the end)."""
        now = self.clock()
        if self._first is None:
            self._first = (now, done)
        finished = self.total is not None and done >= self.total
        if now - self._drawn_at < REDRAW_SECONDS and not finished:
            return
        self._drawn_at = now
        self.stream.write(CLEAR + self.line(done, note, now))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line, e.g. before printing a line of text in its place."""
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False

    def line(self, done: int, note: str = "", now: float | None = None) -> str:
        """The text for `done` units, as wide as the terminal allows: on a narrow one the
        elapsed time goes first, then the rate, then the bar; the rest is cut at the edge."""
        now = self.clock() if now is None else now
        rate = self._rate(done, now)
        count, speed = self._count(done), self._rate_text(rate)
        elapsed = f"{duration(now - self.started)} elapsed"
        left = [f"{duration((self.total - done) / rate)} left"] if self.total and rate else []
        width = terminal_columns(self.stream) - 1  # the last column would wrap on some terminals
        head = f"{self.label} " if self.label else ""
        tail = f"  {note}" if note else ""
        if not self.total:
            return f"{head}{'  '.join([count, speed, elapsed])}{tail}"[:width]
        share = min(1.0, max(0.0, done / self.total))
        percent = f"{share:4.0%}"
        for parts in ([count, speed, elapsed, *left], [count, speed, *left], [count, *left]):
            stats = "  ".join([percent, *parts])
            room = width - len(head) - len(stats) - len(tail) - 3  # the brackets, a space
            if room >= MIN_BAR:
                # Never wider than before: a bar whose width follows the text beside it jitters.
                room = self._bar_width = min(room, self._bar_width or room)
                filled = round(room * share)
                bar = f"[{self._fill * filled}{self._empty * (room - filled)}]"
                return f"{head}{bar} {stats}{tail}"
        return f"{head}{stats}{tail}"[:width]

    def _rate(self, done: int, now: float) -> float | None:
        if self._first is None:
            return None
        began, first_done = self._first
        if now - began <= 0 or done <= first_done:
            return None
        return (done - first_done) / (now - began)

    def _count(self, done: int) -> str:
        if self.unit == "B":
            return size(done) + (f" of {size(self.total)}" if self.total else "")
        return f"{done}/{self.total}" if self.total else str(done)

    def _rate_text(self, rate: float | None) -> str:
        if rate is None:
            return f"-- {self.unit}/s"
        if self.unit == "B":
            return f"{size(rate)}/s"
        return f"{rate:.0f} {self.unit}/s" if rate >= 10 else f"{rate:.1f} {self.unit}/s"
