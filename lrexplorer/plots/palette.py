"""Run colours: Paul Tol's "bright" scheme, distinguishable with the common colour-blindnesses."""

from __future__ import annotations

from PySide6.QtGui import QColor

# https://personal.sron.nl/~pault/ ("bright"), then the "vibrant" colours that are not repeats.
RUN_COLOURS = (
    "#4477AA",  # blue
    "#EE6677",  # red
    "#228833",  # green
    "#CCBB44",  # yellow
    "#66CCEE",  # cyan
    "#AA3377",  # purple
    "#EE7733",  # orange
    "#009988",  # teal
)


def run_colour(index: int) -> QColor:
    """The colour of the index-th run; cycles after eight."""
    return QColor(RUN_COLOURS[index % len(RUN_COLOURS)])


class ColourBook:
    """Gives each run id a colour once and keeps it for the session (stable across redraws)."""

    def __init__(self) -> None:
        self._colours: dict[str, int] = {}
        self._next = 0

    def colour(self, run_id: str) -> QColor:
        if run_id not in self._colours:
            used = set(self._colours.values())
            free = [i for i in range(len(RUN_COLOURS)) if i not in used]
            self._colours[run_id] = free[0] if free else self._next % len(RUN_COLOURS)
            self._next += 1
        return run_colour(self._colours[run_id])

    def forget(self, run_id: str) -> None:
        self._colours.pop(run_id, None)
