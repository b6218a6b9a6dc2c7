"""One run's plot data in growable numpy buffers, and the nearest-point search for hovering.

No Qt here: the window's slots append at event rate, LivePlots reads arrays at frame rate.
"""

from __future__ import annotations

import numpy as np

from lrexplorer.core import events as ev
from lrexplorer.core.store.records import RunRecord

PLOTS = ("loss", "accuracy", "learning_rate")  # per-batch columns drawn against "step"
EPOCH_PLOTS = ("loss", "accuracy")
EPOCH_KINDS = {"train": "", "validation": "val_"}  # point kind -> EpochEnd field prefix


class GrowableColumn:
    """A float buffer that doubles its capacity when full: appending stays O(1) amortised."""

    __slots__ = ("_data", "size")

    def __init__(self, values: object = ()) -> None:
        # A finished run's list becomes an array once, here, and never again per frame.
        self._data = np.array(values, dtype=float)  # None (a value saved as null) becomes NaN
        self.size = self._data.size

    def append(self, value: float) -> None:
        if self.size == self._data.size:
            grown = np.empty(max(1024, 2 * self._data.size))
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size] = value
        self.size += 1

    @property
    def values(self) -> np.ndarray:
        """The filled part, as a view (no copy)."""
        return self._data[: self.size]


class RunSeries:
    """What the plots need of one run: per-batch columns, epoch results, rate changes."""

    def __init__(self, record: RunRecord) -> None:
        self.id = record.id
        self.label = record.label or record.id
        batches = record.batches or {}
        self.columns = {name: GrowableColumn(batches.get(name, ())) for name in ("step", *PLOTS)}
        self.epochs = [dict(e) for e in record.epochs]
        self.lr_changes = record.rate_changes()
        # (plot, log) -> (points, x, y): a past run's arrays are filtered once, not per redraw
        self._drawable: dict[tuple[str, bool], tuple[int, np.ndarray, np.ndarray]] = {}

    def append(self, event: object) -> str | None:
        """Fold in a BatchEnd, EpochEnd or LearningRateChanged; say which part changed."""
        if isinstance(event, ev.BatchEnd):
            for name, column in self.columns.items():
                column.append(getattr(event, name))
            return "batches"
        if isinstance(event, ev.EpochEnd):
            self.epochs.append(
                {"epoch": event.epoch, "step": event.step, "loss": event.loss,
                 "accuracy": event.accuracy, "val_loss": event.val_loss,
                 "val_accuracy": event.val_accuracy}
            )  # fmt: skip
            return "epochs"
        if isinstance(event, ev.LearningRateChanged):
            self.lr_changes.append((event.step, event.learning_rate))
            return "lr_changes"
        return None

    @property
    def last_step(self) -> int:
        steps = self.columns["step"]
        if steps.size:
            return int(steps.values[-1])
        return int(self.epochs[-1]["step"]) if self.epochs else 0

    def matches(self, record: RunRecord) -> bool:
        """Same run with the same history, so these arrays can be kept as they are."""
        steps = len(record.batches["step"]) if record.batches else 0
        return (
            record.id == self.id
            and steps == self.columns["step"].size
            and len(record.epochs) == len(self.epochs)
            and len(record.lr_changes) == len(self.lr_changes)
        )

    def batch_values(self, plot: str, log: bool) -> tuple[np.ndarray, np.ndarray]:
        """(step, value) of the points that can be drawn: finite, positive on a log axis. The
        same arrays again while no batch was added."""
        size = self.columns["step"].size
        cached = self._drawable.get((plot, log))
        if cached is None or cached[0] != size:
            x, y = drawable(self.columns["step"].values, self.columns[plot].values, log)
            cached = self._drawable[(plot, log)] = (size, x, y)
        return cached[1], cached[2]

    def epoch_values(
        self, plot: str, kind: str, log: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(step, value, epoch) of the end-of-epoch results of one kind that can be drawn."""
        key = EPOCH_KINDS[kind] + plot
        steps = np.array([e["step"] for e in self.epochs], dtype=float)
        values = np.array([e.get(key) for e in self.epochs], dtype=float)
        epochs = np.array([e["epoch"] for e in self.epochs], dtype=int)
        keep = _keep(steps, values, log)
        return steps[keep], values[keep], epochs[keep]


def _keep(x: np.ndarray, y: np.ndarray, log: bool) -> np.ndarray:
    keep = np.isfinite(x) & np.isfinite(y)
    if log:
        keep &= y > 0
    return keep


def drawable(x: np.ndarray, y: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Drop what must never reach pyqtgraph: NaN, inf (a diverging run) and, on a log axis,
    values <= 0. The curve then simply ends where the run blew up."""
    n = min(x.size, y.size)
    x, y = x[:n], y[:n]
    keep = _keep(x, y, log)
    return x[keep], y[keep]


def nearest_point(
    x: np.ndarray, y: np.ndarray, at: tuple[float, float], pixel: tuple[float, float],
    radius: float,
) -> tuple[int, float] | None:  # fmt: skip
    """Index of the point of a curve (x ascending, in view units) nearest `at`, and its
    distance in pixels, if within `radius` pixels. Only points near `at` in x are examined."""
    px, py = pixel
    lo = int(np.searchsorted(x, at[0] - radius * px))
    hi = int(np.searchsorted(x, at[0] + radius * px, side="right"))
    if lo >= hi:
        return None
    distance = np.hypot((x[lo:hi] - at[0]) / px, (y[lo:hi] - at[1]) / py)
    i = int(np.argmin(distance))
    return (lo + i, float(distance[i])) if distance[i] <= radius else None


def room_for(steps: int) -> int:
    """A round number of steps, at least `steps`, for an x axis to grow into: 470 -> 500,
    5001 -> 7500. The axis then changes a few times in a run, not at every batch."""
    if steps <= 0:
        return 0
    magnitude = 10 ** (len(str(int(steps))) - 1)
    return next(int(m * magnitude) for m in (1, 1.5, 2, 3, 5, 7.5, 10) if m * magnitude >= steps)
