"""Turns one run's per-step running means into BatchEnd and EpochEnd events.

Keras reports running means over the epoch; a batch's own loss and accuracy are recovered from
two consecutive means. Steps arrive in groups (one group per compiled execution), so the
reporter takes a group of rows at a time and spreads their timestamps across the group.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.keras_api.schedules import learning_rates

EventSink = Callable[[ev.Event], None]


class RunReporter:
    """One run's step counter, rates, clock and status; emits its events through `emit`."""

    def __init__(
        self,
        config: RunConfig,
        train_samples: int,
        total_steps: int,
        emit: EventSink,
        typed_rates: dict[float, float] | None = None,
    ) -> None:
        self.config = config
        # Live rates as typed (0.0001), by the float32 value the step reports (9.9999997e-05).
        self.typed_rates = typed_rates if typed_rates is not None else {}
        self.train_samples = train_samples
        self.emit = emit
        self.status = ev.FINISHED
        self.error: str | None = None
        self.step = 0  # global steps reported
        self.epoch = 0
        self._prev_mean = (0.0, 0.0)
        self._prev_seen = 0
        self._paused_total = 0.0
        self._paused_in_epoch = 0.0
        self._t0 = time.perf_counter()
        self._epoch_t0 = self._t0
        self._group_t0 = self._t0
        self.constant = config.schedule is None
        self.rate = float(config.learning_rate or 0.0)
        self._schedule_rates = (
            None
            if self.constant
            else learning_rates(
                config.schedule.name, config.schedule.param_dict(), self.rate, total_steps + 1
            )
        )

    @property
    def active(self) -> bool:
        """Still training: not diverged and not stopped."""
        return self.status == ev.FINISHED

    def seconds(self) -> float:
        return time.perf_counter() - self._t0 - self._paused_total

    def start(self) -> None:
        self._t0 = time.perf_counter()

    def begin_epoch(self, epoch: int) -> None:
        """`epoch` is 1-based."""
        self.epoch = epoch
        self._prev_mean = (0.0, 0.0)
        self._prev_seen = 0
        self._epoch_t0 = time.perf_counter()
        self._paused_in_epoch = 0.0

    def begin_group(self) -> None:
        self._group_t0 = self.seconds()

    def end_group(self, rows: Sequence[Sequence[float]]) -> None:
        """Rows of core.step_log.COLUMNS (running mean loss and accuracy, the rate used,
        trained or held), one per step, in order; held steps trained nothing."""
        trained = [row for row in rows if row[3]]
        group_end = self.seconds()
        for i, (mean_loss, mean_acc, rate, _) in enumerate(trained):
            if not self.active:
                return
            if self.constant and np.float32(rate) != np.float32(self.rate):
                self._rate_changed(float(np.float32(rate)))
            # The steps of one execution finish together; spread them evenly over its time.
            elapsed = self._group_t0 + (group_end - self._group_t0) * (i + 1) / len(trained)
            self._one_step(float(mean_loss), float(mean_acc), elapsed)

    def _rate_changed(self, rate32: float) -> None:
        rate = self.typed_rates.get(rate32, rate32)
        self.emit(ev.LearningRateChanged(self.step + 1, rate, self.rate))
        self.rate = rate

    def _one_step(self, mean_loss: float, mean_acc: float, elapsed: float) -> None:
        seen = min(self._prev_seen + self.config.batch_size, self.train_samples)
        size = seen - self._prev_seen
        loss = (mean_loss * seen - self._prev_mean[0] * self._prev_seen) / size
        accuracy = (mean_acc * seen - self._prev_mean[1] * self._prev_seen) / size
        # Running means are float32; a batch's own accuracy cannot leave [0, 1].
        accuracy = min(max(accuracy, 0.0), 1.0)
        batch = seen // self.config.batch_size + (seen % self.config.batch_size > 0)
        self.step += 1
        self._prev_mean, self._prev_seen = (mean_loss, mean_acc), seen
        self.emit(
            ev.BatchEnd(
                step=self.step,
                epoch=self.epoch,
                batch=batch,
                loss=loss,
                accuracy=accuracy,
                mean_loss=mean_loss,
                mean_accuracy=mean_acc,
                learning_rate=self.rate_at(self.step),
                elapsed=elapsed,
            )
        )
        if not (math.isfinite(loss) and math.isfinite(mean_loss)):
            self.status = ev.DIVERGED
            self.error = (
                f"the loss became {'NaN' if math.isnan(loss) else 'infinite'} at step "
                f"{self.step}: the learning rate is too high for this model"
            )

    def end_epoch(self, logs: dict[str, Any]) -> None:
        """Emit the epoch's summary, unless the epoch was cut short (no honest summary)."""
        if not self.active or self._prev_seen < self.train_samples:
            return
        self.emit(
            ev.EpochEnd(
                epoch=self.epoch,
                step=self.step,
                loss=_float(logs.get("loss")),
                accuracy=_float(logs.get("accuracy")),
                val_loss=_float(logs.get("val_loss"), None),
                val_accuracy=_float(logs.get("val_accuracy"), None),
                seconds=time.perf_counter() - self._epoch_t0 - self._paused_in_epoch,
            )
        )

    def stopped(self) -> None:
        if self.active:
            self.status = ev.STOPPED

    def paused(self, seconds: float) -> None:
        self._paused_total += seconds
        self._paused_in_epoch += seconds

    def rate_at(self, step: int) -> float:
        if self._schedule_rates is None:
            return self.rate
        # Keras evaluates the schedule at the optimizer's iteration count, step - 1.
        return float(self._schedule_rates[min(step - 1, len(self._schedule_rates) - 1)])

    def finished(self) -> ev.RunFinished:
        return ev.RunFinished(self.status, self.seconds(), self.error)


def _float(value: Any, default: float | None = math.nan) -> Any:
    if value is None:
        return default
    return float(value)
