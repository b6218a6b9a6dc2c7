"""The learning-rate range test (Leslie Smith's "LR finder"): train briefly while the rate grows
exponentially, record each batch's loss, and suggest a rate from the smoothed curve.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.number_text import compact_number
from lrexplorer.core.explore.range_suggestions import METHODS, Suggestion, suggest
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.models import prepare_images
from lrexplorer.core.keras_api.validation import check_config, check_learning_rate
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.model_pool import ModelPool
from lrexplorer.core.training.trainer import Trainer

MIN_STEPS = 5


@dataclass(frozen=True)
class FinderStarted:
    """The test is about to train `steps` batches, from rate `start` to `end`."""

    steps: int
    start: float
    end: float
    train_samples: int
    batch_size: int
    data_source: str
    data_notice: str | None = None


@dataclass(frozen=True)
class FinderPoint:
    """One trained batch: `loss` is the batch's own, `smoothed` the debiased moving average."""

    index: int  # 0-based
    learning_rate: float
    loss: float
    smoothed: float


@dataclass(frozen=True)
class FinderResult:
    """The measured curve, why it ended, and the suggested rates by method name."""

    learning_rates: tuple[float, ...]
    losses: tuple[float, ...]
    smoothed: tuple[float, ...]
    status: str  # events.FINISHED (all steps), DIVERGED or STOPPED (by the user)
    stop_reason: str  # one sentence; "" when every planned batch was trained
    suggestions: dict[str, Suggestion]
    notes: tuple[str, ...]  # plain sentences: why a suggestion is missing or doubtful, etc.
    start: float
    end: float
    steps: int
    seconds: float = 0.0
    config: RunConfig | None = None
    data_source: str = ""

    @property
    def stopped_early(self) -> bool:
        return self.status != ev.FINISHED

    @property
    def default(self) -> str | None:
        """The method to preselect: valley when it is reliable, else the first reliable one."""
        ranked = [m for m in METHODS if m in self.suggestions]
        reliable = [m for m in ranked if self.suggestions[m].reliable]
        return (reliable or ranked or [None])[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the curve, each suggestion by name; NaN and inf losses become null."""
        names = ("data_source", "start", "end", "steps", "status", "stopped_early", "stop_reason")
        return {
            "config": None if self.config is None else self.config.to_dict(),
            **{name: getattr(self, name) for name in names},
            "seconds": round(self.seconds, 3),
            "learning_rates": list(self.learning_rates),
            "losses": [_json_float(v) for v in self.losses],
            "smoothed": [_json_float(v) for v in self.smoothed],
            "default": self.default,
            "suggestions": {
                name: {**asdict(s), "loss": _json_float(s.loss)}
                for name, s in self.suggestions.items()
            },
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class FinderFinished:
    result: FinderResult


FinderEvent = ev.DataProgress | FinderStarted | FinderPoint | FinderFinished
FinderSink = Callable[[Any], None]


def check_range(start: float, end: float, steps: int) -> None:
    """ValueError with one readable sentence unless 0 < start < end and steps >= MIN_STEPS."""
    check_learning_rate(start, "the start rate")
    check_learning_rate(end, "the end rate")
    if end <= start:
        raise ValueError(
            f"the end rate ({compact_number(end)}) must be larger than the start rate "
            f"({compact_number(start)})"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < MIN_STEPS:
        raise ValueError(f"steps = {steps!r}: the test needs at least {MIN_STEPS} batches")


def rates(start: float, end: float, steps: int) -> np.ndarray:
    """The test's rates: start * (end / start) ** (i / (steps - 1)), i = 0 .. steps - 1."""
    return start * (end / start) ** (np.arange(steps) / (steps - 1))


# Models the finder trained, kept between tests (each fresh compiled model leaks ~5 MB) and
# separate from any Trainer's, so a test never disturbs a model a run is using.
_pool = ModelPool(size=2)
_pool_lock = threading.Lock()


def find_lr(
    config: RunConfig,
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 100,
    on_event: FinderSink | None = None,
    control: TrainingControl | None = None,
    trainer: Trainer | None = None,
    smoothing: float = 0.98,
    divergence: float = 4.0,
) -> FinderResult:
    """Run the range test on `config`'s data, model and optimizer and suggest rates.

    Raises ValueError for a bad range, ConfigError for a bad config and DataError for data that
    cannot be loaded; a curve too short or flat to read gives a result whose notes say why.
    """
    check_range(start, end, steps)
    config = check_config(config)
    control = control or TrainingControl()
    emit = on_event or (lambda event: None)
    notes = []
    if config.schedule is not None:
        notes.append(
            f"The config's {config.schedule.name} schedule is ignored: the test sets the rate "
            "itself at every batch."
        )
    data = (trainer or Trainer()).load_data(config, emit, control.cancel_event)
    emit(
        FinderStarted(
            steps, start, end, len(data.x_train), config.batch_size, data.source, data.notice
        )
    )
    # One batch per call, so the compiled step must be one batch whatever the run uses.
    model_config = config.replace(schedule=None, steps_per_execution=1)
    with _pool_lock:
        keras().utils.set_random_seed(config.seed)
        model = _pool.acquire(model_config)
        result = run_range_test(
            model,
            data.x_train,
            data.y_train,
            rates(start, end, steps),
            config.batch_size,
            config.seed,
            prepare=lambda images: prepare_images(config.model, images),
            on_point=emit,
            control=control,
            smoothing=smoothing,
            divergence=divergence,
        )
    result = replace(
        result, config=config, data_source=data.source, notes=tuple(notes) + result.notes
    )
    emit(FinderFinished(result))
    return result


def run_range_test(
    model: Any,
    x: Any,
    y: Any,
    learning_rates: Sequence[float],
    batch_size: int,
    seed: int = 0,
    *,
    prepare: Callable[[Any], Any] | None = None,
    on_point: Callable[[FinderPoint], None] | None = None,
    control: TrainingControl | None = None,
    smoothing: float = 0.98,
    divergence: float = 4.0,
) -> FinderResult:
    """Train compiled `model` one batch per rate (shuffled batches, cycling through x) and
    leave its weights and optimizer state as they were. `prepare` turns a slice of x into input.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    planned = [float(r) for r in learning_rates]
    optimizer = model.optimizer
    if not optimizer.built:  # its slots must exist now to be restored afterwards
        optimizer.build(model.trainable_variables)
    weights = model.get_weights()
    state = [v.numpy() for v in optimizer.variables]
    done_rates: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    status, reason = ev.FINISHED, ""
    average, best = 0.0, math.inf
    began = time.perf_counter()
    try:
        batches = _batches(len(x), batch_size, seed)
        for index, rate in enumerate(planned):
            if control is not None and control.stopping:
                status = ev.STOPPED
                reason = f"You stopped the test after {index} of {len(planned)} batches."
                break
            rows = next(batches)
            inputs = x[rows] if prepare is None else prepare(x[rows])
            optimizer.learning_rate = rate
            loss = _first(model.train_on_batch(inputs, y[rows]))
            average = smoothing * average + (1.0 - smoothing) * loss
            smooth = average / (1.0 - smoothing ** (index + 1))
            done_rates.append(rate)
            losses.append(loss)
            smoothed.append(smooth)
            if on_point is not None:
                on_point(FinderPoint(index, rate, loss, smooth))
            if not math.isfinite(loss):
                status = ev.DIVERGED
                reason = (
                    f"The loss became {_nan_or_inf(loss)} at rate {_rate_text(rate)} "
                    f"after {index + 1} of {len(planned)} batches: that rate is far too high."
                )
                break
            best = min(best, smooth)
            if best > 0 and smooth > divergence * best:
                status = ev.DIVERGED
                reason = (
                    f"The smoothed loss rose above {divergence:g} times its best at rate "
                    f"{_rate_text(rate)}, so the test stopped after {index + 1} of "
                    f"{len(planned)} batches."
                )
                break
    finally:
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables, state, strict=True):
            variable.assign(value)
    suggestions, notes = suggest(done_rates, smoothed, divergence)
    if status == ev.STOPPED and losses:
        notes = (f"The suggestions use only the {len(losses)} batches measured.", *notes)
    return FinderResult(
        learning_rates=tuple(done_rates),
        losses=tuple(losses),
        smoothed=tuple(smoothed),
        status=status,
        stop_reason=reason,
        suggestions=suggestions,
        notes=notes,
        start=planned[0] if planned else math.nan,
        end=planned[-1] if planned else math.nan,
        steps=len(planned),
        seconds=time.perf_counter() - began,
    )


def _batches(samples: int, batch_size: int, seed: int) -> Iterator[np.ndarray]:
    """Index arrays of shuffled full batches, reshuffled on every pass through the data."""
    rng = np.random.default_rng(seed)
    size = max(1, min(batch_size, samples))
    while True:
        order = rng.permutation(samples)
        for begin in range(0, samples - size + 1, size):
            # Sorted rows gather faster; the order within a batch does not change its loss.
            yield np.sort(order[begin : begin + size])


def _first(value: Any) -> float:
    """train_on_batch gives [loss, *metrics], or the bare loss for a model without metrics."""
    if isinstance(value, list | tuple):
        value = value[0]
    return float(value)


def _rate_text(rate: float) -> str:
    return compact_number(float(f"{rate:.2g}"))


def _nan_or_inf(value: float) -> str:
    return "NaN" if math.isnan(value) else "infinite"


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None
