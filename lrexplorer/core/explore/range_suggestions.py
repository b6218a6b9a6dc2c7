"""Reading suggested learning rates off a range test's smoothed loss curve (core/lr_finder.py
measures the curve): the steepest fall, a tenth of the minimum, and fastai's "valley"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STEEPEST, MINIMUM_TENTH, VALLEY = "steepest", "minimum/10", "valley"
METHODS = (VALLEY, STEEPEST, MINIMUM_TENTH)  # display order; the first is the default
DEFAULT_METHOD = VALLEY
EXPLANATIONS = {
    VALLEY: "A rate early on the longest downhill stretch of the curve, where the loss falls "
    "steadily, well before the bottom where training turns unstable.",
    STEEPEST: "The rate where the loss fell fastest, so each batch of training gains the most.",
    MINIMUM_TENTH: "A tenth of the rate with the lowest loss, because at the lowest point "
    "training is already close to blowing up.",
}
_MIN_USABLE = 8  # points left after the warm-up below which no suggestion is honest
_MAX_WARMUP = 10  # first points skipped: the moving average has seen too few batches there
_FLAT = 0.02  # a fall of less than 2% of the loss is noise, not a dip
_BEGUN = 0.1  # the loss has begun to fall once it is 10% of the way down to its lowest


@dataclass(frozen=True)
class Suggestion:
    learning_rate: float
    loss: float  # the smoothed loss at that rate, where the plot marks it
    explanation: str
    reliable: bool = True

    @property
    def rounded_rate(self) -> float:
        """Two significant digits (1.3e-3, not 1.3182e-3): the method is not more precise
        than that, and a round number is what a learner types and reads back."""
        return float(f"{self.learning_rate:.2g}")


def suggest(
    learning_rates: Sequence[float], smoothed: Sequence[float], divergence: float = 4.0
) -> tuple[dict[str, Suggestion], tuple[str, ...]]:
    """Suggested rates read off a smoothed loss curve, and notes on anything doubtful.

    Only the part before the curve diverges is read, and the moving average's first points are
    skipped. Never raises: a curve with nothing to read gives no suggestions and a note.
    """
    log_rates = np.log10(np.asarray(learning_rates, dtype=float))
    values = np.asarray(smoothed, dtype=float)
    usable = _usable_length(values, divergence)
    warmup = min(_MAX_WARMUP, max(2, usable // 10))
    x, s = log_rates[warmup:usable], values[warmup:usable]
    if x.size < _MIN_USABLE:
        if usable < len(values):
            return {}, (
                f"The loss diverged after only {usable + 1} batches, too soon to read a rate "
                "off the curve: start the test at a smaller rate.",
            )
        return {}, (
            f"Only {len(values)} batches were measured, too few to read a rate off the curve: "
            "run the test with more steps.",
        )
    lowest = int(np.argmin(s))
    fall = s[: lowest + 1].max() - s[lowest]
    if lowest < 3 or fall < _FLAT * abs(s[: lowest + 1].max()):
        if lowest < 3:
            why = "The loss never fell: even the start rate is too high, so start lower."
        else:
            why = (
                "The loss hardly changed over the range (it fell by less than "
                f"{_FLAT:.0%}), so there is no clear best rate: try a wider range."
            )
        return {}, (why,)

    def at(position: float, explanation: str, reliable: bool = True) -> Suggestion:
        log_rate = float(np.interp(position, np.arange(x.size), x))
        return Suggestion(10**log_rate, float(np.interp(log_rate, x, s)), explanation, reliable)

    notes: list[str] = []
    still_falling = lowest >= x.size - 2 and usable == len(values)
    if still_falling:
        notes.append(
            "The loss was still falling at the end of the test, so its lowest point may lie "
            "beyond the end rate: minimum/10 is uncertain; rerun with a larger end rate."
        )
    suggestions = {VALLEY: at(_valley_position(s), EXPLANATIONS[VALLEY])}
    # Search where the loss has begun to fall: on the flat start, noise alone makes slopes.
    top = s[: lowest + 1].max()
    first = int(np.argmax(s[: lowest + 1] <= top - _BEGUN * fall))
    slopes = _slopes(x[: lowest + 1], s[: lowest + 1])[first:]
    if slopes.size and slopes.min() < 0:
        suggestions[STEEPEST] = at(first + float(np.argmin(slopes)), EXPLANATIONS[STEEPEST])
    tenth = 10 ** float(x[lowest]) / 10
    suggestions[MINIMUM_TENTH] = Suggestion(
        tenth,
        float(np.interp(math.log10(tenth), x, s)),
        EXPLANATIONS[MINIMUM_TENTH],
        reliable=not still_falling,
    )
    return suggestions, tuple(notes)


def _usable_length(values: np.ndarray, divergence: float) -> int:
    """Points before the first non-finite value or the first rise above divergence x best."""
    best = math.inf
    for index, value in enumerate(values):
        if not math.isfinite(value) or (best > 0 and value > divergence * best):
            return index
        best = min(best, value)
    return len(values)


def _valley_position(values: np.ndarray) -> float:
    """5/12 of the way into the longest run of falling values: halfway between its first third
    and its middle, a little past the start of the descent and well before the bottom.

    The run is contiguous. A decreasing subsequence that may skip points also collects the
    noise of the flat start (its wiggles drift down a little too), which stretches the run back
    towards the first batch and drags the suggestion a decade or more too low.
    """
    falling = np.diff(values) < 0
    best_start, best_length, start = 0, 0, 0
    for i, down in enumerate(falling):
        if not down:
            start = i + 1
        elif i + 1 - start > best_length:
            best_start, best_length = start, i + 1 - start
    return best_start + best_length * 5 / 12


def _slopes(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """d(loss)/d(log10 rate) over a window of a few points each side: neighbouring points are
    too close in rate for their difference to rise above the noise."""
    half = max(1, round(values.size / 25))
    padded_x = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    padded = np.concatenate([np.full(half, values[0]), values, np.full(half, values[-1])])
    rise = padded[2 * half :] - padded[: -2 * half]
    run = padded_x[2 * half :] - padded_x[: -2 * half]
    return rise / run
