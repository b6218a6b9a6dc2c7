"""What the live plots' axes span: every past run drawn, room for the live run to grow, loss
from 0 and accuracy from 0 to 1 (still while the live run improves, and honest), a linear
loss axis capped so that a diverging run cannot flatten the others, and before any run, the
run that Start would train."""

from __future__ import annotations

import math
from collections.abc import Sequence

from lrexplorer.plots.items import DrawnRun
from lrexplorer.plots.series import room_for

# A linear loss axis reaches at most this many times the highest first-batch loss of the runs
# shown (the untrained model's loss).
LOSS_CAP_FACTOR = 3.0
EMPTY_LOSS = 2.5  # the top of the loss axis before any run
FALLBACK_RATE = 1e-3  # the rate axis's centre before the optimizer's default is known


def steps_extent(runs: Sequence[DrawnRun], live: DrawnRun | None, live_steps: int) -> int:
    """The last step the x axis shows: the longest past run, and the live run's planned length
    (or room to grow until that is known)."""
    steps = max((r.series.last_step for r in runs if not r.live), default=0)
    if live is not None:
        done = live.series.last_step
        steps = max(steps, live_steps if live_steps >= done else room_for(done))
    return steps


def loss_cap(runs: Sequence[DrawnRun]) -> float | None:
    """The top of a linear loss axis: a few times the highest first-batch loss of the runs
    shown. A run that diverges (a loss of 1e30 before it is NaN, often within a few batches)
    then goes off the top instead of squashing every other curve into a flat line at 0; the
    log axis shows all."""
    starts = []
    for run in runs:
        _steps, losses = run.series.batch_values("loss", False)
        if losses.size:
            starts.append(float(losses[0]))
    return LOSS_CAP_FACTOR * max(starts) if starts else None


def value_span(
    name: str,
    runs: Sequence[DrawnRun],
    log: bool,
    cap: float | None,
    live_rate: float | None,
) -> tuple[float, float] | None:
    """The y range of plot `name` (in log10 units on a log axis) over the past runs drawn."""
    spans = [r.y_ranges[name] for r in runs if not r.live and name in r.y_ranges]
    if name == "loss" and cap is not None:
        spans = [(min(low, cap), min(high, cap)) for low, high in spans]
    if name == "accuracy":
        spans.append((0.0, 1.0))
    elif name == "loss" and not log:
        spans.append((0.0, 0.0))
    elif name == "learning_rate" and live_rate:
        # The live run's rate is known before its first batch: the axis is set up while the
        # model compiles, not in the first frame of training.
        spans.append((math.log10(live_rate),) * 2)
    return (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None


def empty_span(name: str, log: bool, rate: float | None) -> tuple[float, float]:
    """The y range of plot `name` before any run is drawn, in view units: loss from 0 to a
    little above an untrained model's (ln 10 = 2.3 for ten classes), accuracy 0 to 1, and a
    decade either side of the rate Start would use."""
    if name == "loss":
        return (-1.0, math.log10(EMPTY_LOSS)) if log else (0.0, EMPTY_LOSS)
    if name == "accuracy":
        return (0.0, 1.0)
    centre = math.log10(rate) if rate and rate > 0 else math.log10(FALLBACK_RATE)
    return (centre - 1.0, centre + 1.0)
