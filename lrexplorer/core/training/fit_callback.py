"""The Keras callback that reports runs batch by batch and applies TrainingControl requests.

Keras calls it once per execution (`steps_per_execution` batches); the execution's step log
holds every batch's values, so each batch still gets its own event. A pause inside an execution
calls it from the step itself (the gate's on_pause): the batches trained so far are reported
first, so the plots and the progress shown while paused are where training stopped.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from lrexplorer.core import events as ev
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.reporter import RunReporter
from lrexplorer.core.training.step_log import Gate, StepLog


@functools.cache
def _callback_class() -> type:
    """The Keras callback class, made on first use so importing this module needs no Keras."""
    return type("EventCallback", (_EventCallbackMixin, keras().callbacks.Callback), {})


def make_callback(
    reporters: list[RunReporter],
    log: StepLog,
    control: TrainingControl,
    member_logs: Callable[[dict[str, Any], int], dict[str, Any]] | None = None,
    gate: Gate | None = None,
) -> Any:
    """A Keras callback that reports `reporters`' runs from `log` and applies `control`; with
    the model's `gate`, a pause takes effect before the next batch, inside an execution."""
    return _callback_class()(reporters, log, control, member_logs, gate)


class _EventCallbackMixin:
    """Turns Keras callbacks into events and applies control requests between executions.

    One execution is `steps_per_execution` batches, reported together when it ends (every
    batch, read from the step log). Stop, pause and rate changes take effect inside it,
    through the step gate; without a gate (runs trained together, XLA) pause waits here,
    between executions.
    """

    model: Any

    def __init__(
        self,
        reporters: list[RunReporter],
        log: StepLog,
        control: TrainingControl,
        member_logs: Callable[[dict[str, Any], int], dict[str, Any]] | None,
        gate: Gate | None,
    ) -> None:
        super().__init__()
        self.reporters = reporters
        self.log = log
        self.control = control
        self.gate = gate
        # Pauses inside an execution, before the next batch; otherwise between executions.
        self._pauses_inside = gate is not None and gate.pausable
        self.member_logs = member_logs or (lambda logs, index: logs)
        self._started = False

    # --- epochs -------------------------------------------------------------------------
    def on_train_begin(self, logs: Any = None) -> None:
        self.log.skip()
        if self.gate is not None:
            self.gate.on_pause = self._pause_inside_execution
        for reporter in self.reporters:
            reporter.start()

    def on_train_end(self, logs: Any = None) -> None:
        if self.gate is not None:
            self.gate.on_pause = None

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        for reporter in self.reporters:
            reporter.begin_epoch(epoch + 1)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        for index, reporter in enumerate(self.reporters):
            reporter.end_epoch(self.member_logs(logs or {}, index))

    # --- executions ---------------------------------------------------------------------
    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        paused_before_training = not self._started and self.control.paused
        if paused_before_training and not self._pauses_inside:
            self._pause()
        self._started = True
        if self.control.stopping:
            self.model.stop_training = True
        for reporter in self.reporters:
            reporter.begin_group()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._report(self.log.take(logs))
        if not any(reporter.active for reporter in self.reporters):
            self.model.stop_training = True
            return
        # Pause here, after the batches, so a stop while paused ends fit before another one.
        if self.control.paused and not self.control.stopping and not self._pauses_inside:
            self._pause()
        if self.control.stopping:
            self._stop()

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.control.stopping:
            self._stop()
            self.model.stop_evaluating = True

    def _report(self, rows: Any) -> None:
        for index, reporter in enumerate(self.reporters):
            reporter.end_group(rows[:, index])

    # --- requests -----------------------------------------------------------------------
    def _pause_inside_execution(self, rows: Any, count: int) -> None:
        """Before a batch inside an execution, while paused: report what trained, then wait.

        Called from the compiled step, in one of TensorFlow's threads; the training thread
        waits inside Keras meanwhile, so nothing else touches the reporters."""
        self._report(self.log.take_rows(rows, count))
        if self.control.paused and not self.control.stopping:
            self._pause()
        for reporter in self.reporters:
            reporter.begin_group()

    def _stop(self) -> None:
        for reporter in self.reporters:
            reporter.stopped()
        self.model.stop_training = True

    def _pause(self) -> None:
        began = time.perf_counter()
        for reporter in self.reporters:
            reporter.emit(ev.Paused(reporter.step))
        self.control.wait_while_paused()
        waited = time.perf_counter() - began
        for reporter in self.reporters:
            reporter.paused(waited)
            reporter.emit(ev.Resumed(reporter.step, waited))
