"""Every step's running loss and accuracy, kept on the device for a multi-step execution.

With `steps_per_execution=N` Keras calls callbacks once per N steps and shows only the last
step's logs. The compiled step writes each step's values into a small ring buffer and returns
the buffer with its logs, so the callback gets every step's values with the execution's own
outputs: no extra device read (reading a variable from Python costs ~0.3-1 ms here, more than
a tenth of a step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrexplorer.core.keras_api.loader import keras

# Keys of the step log's outputs in a step's logs.
ROWS = "lrexplorer_step_rows"
COUNT = "lrexplorer_step_count"


# Columns of a row: the running mean loss and accuracy after the step, the learning rate the
# step used, and 1 if the step trained (0 when the gate held it: stopped or diverged).
COLUMNS = ("mean_loss", "mean_accuracy", "learning_rate", "trained")


class StepLog:
    """A ring of `capacity` rows of `members` x COLUMNS."""

    def __init__(self, capacity: int, members: int = 1) -> None:
        keras()
        import tensorflow as tf

        self.capacity = capacity
        self.members = members
        self._tf = tf
        self._read = 0  # rows handed out so far
        with tf.init_scope():  # made outside any traced function, kept across executions
            self._rows = tf.Variable(tf.zeros([capacity, members, len(COLUMNS)]), trainable=False)
            self._count = tf.Variable(tf.constant(0, tf.int64), trainable=False)

    def write(self, row: Any) -> dict[str, Any]:
        """Inside the compiled step: append one (members, len(COLUMNS)) row; returns the
        outputs to add to the step's logs (the whole ring and its count, after this row)."""
        tf = self._tf
        index = tf.math.floormod(self._count, self.capacity)
        self._rows.scatter_nd_update(tf.reshape(index, [1, 1]), tf.cast(row, tf.float32)[None])
        self._count.assign_add(1)
        return {ROWS: self._rows.read_value(), COUNT: self._count.read_value()}

    def skip(self) -> None:
        """Forget rows written so far (a pooled model's log holds the previous run's)."""
        self._read = int(self._count.numpy())

    def take(self, logs: dict[str, Any]) -> np.ndarray:
        """The rows written since the last take, oldest first, as (steps, members, COLUMNS),
        from the logs of an execution's last step. Removes the log's own keys from `logs`.

        Counting written rows, not Keras's step numbers: the last execution of an epoch may
        run fewer steps than asked. At most `capacity` steps may pass between two takes.
        """
        return self.take_rows(np.asarray(logs.pop(ROWS)), int(np.asarray(logs.pop(COUNT))))

    def take_rows(self, rows: np.ndarray, count: int) -> np.ndarray:
        """As take(), from the ring and its count as read inside a step (a pause)."""
        steps = min(count - self._read, self.capacity)
        self._read = count
        order = [(count - steps + i) % self.capacity for i in range(steps)]
        return rows[order]


class Gate:
    """Requests that reach inside a compiled execution of several steps.

    Stop, pause and live learning-rate changes are set here from any thread (plain variable
    assignments) and read by the compiled step before each batch, so they take effect from the
    next batch even when one call trains `steps_per_execution` batches. A held step (after a
    stop, or after the loss stops being finite) trains nothing and costs next to nothing. A
    paused step calls back into Python (`on_pause`) before its batch and waits there.
    """

    def __init__(self, constant_rate: bool) -> None:
        keras()
        import tensorflow as tf

        self.constant_rate = constant_rate
        self.requested: dict[float, float] = {}  # float32 value -> the rate as typed
        # Called from inside the compiled step, before a batch, while `paused` is set: with
        # the step log's ring and count so far; returns when the run may go on.
        self.on_pause: Callable[[np.ndarray, int], None] | None = None
        self.pausable = False  # whether the step obeys `paused` (not under XLA): install()
        with tf.init_scope():
            # Each variable has one writer, so no request is lost to a step's write: `hold` and
            # `rate` are written from outside, `diverged` only by the step itself.
            self.hold = tf.Variable(False, trainable=False)
            self.paused = tf.Variable(False, trainable=False)
            self.diverged = tf.Variable(False, trainable=False)
            # A new rate is `rate` with a new `rate_version`; the step applies it once it sees
            # a version it has not applied yet (`applied`, written by the step).
            self.rate = tf.Variable(0.0, trainable=False)
            self.rate_version = tf.Variable(tf.constant(0, tf.int64), trainable=False)
            self.applied = tf.Variable(tf.constant(0, tf.int64), trainable=False)

    def reset(self, stopping: bool = False, paused: bool = False) -> None:
        """Before a run: open (or already held or paused, when asked before training began)."""
        self.hold.assign(stopping)
        self.paused.assign(paused)
        self.diverged.assign(False)
        self.applied.assign(self.rate_version)
        self.requested.clear()

    def stop(self) -> None:
        self.hold.assign(True)

    def pause(self, paused: bool) -> None:
        self.paused.assign(paused)

    def _wait(self, rows: Any, count: Any) -> bool:
        """Inside the step (a TensorFlow thread, the training thread waits in C++ meanwhile)."""
        if self.on_pause is not None:
            self.on_pause(rows.numpy(), int(count.numpy()))
        return True

    def set_learning_rate(self, rate: float) -> None:
        if self.constant_rate:
            self.requested[float(np.float32(rate))] = float(rate)
            self.rate.assign(rate)
            self.rate_version.assign_add(1)  # after the rate: a step seeing it sees the rate


def install(model: Any, capacity: int, constant_rate: bool = True) -> tuple[StepLog, Gate]:
    """Make `model`'s train step log each step and obey a Gate (call after compile, before
    its first fit).

    The training itself is Keras's own train step: the exported script, which runs plain
    `fit`, trains the same way at the same speed.
    """
    log = StepLog(capacity)
    gate = Gate(constant_rate)
    keras_step = model.train_step
    optimizer = model.optimizer
    tf = log._tf
    # XLA compiles the step whole and cannot call back into Python: such a run pauses at the
    # end of its compiled call (the fit callback), not before the next batch.
    pausable = gate.pausable = not model.jit_compile

    def wait_if_paused() -> Any:
        return tf.cond(
            gate.paused,
            lambda: tf.py_function(
                gate._wait, [log._rows.read_value(), log._count.read_value()], Tout=tf.bool
            ),
            lambda: tf.constant(False),
        )

    def take_new_rate(version: Any) -> Any:
        optimizer.learning_rate.assign(gate.rate)
        gate.applied.assign(version)
        return tf.constant(True)

    def train_step(data: Any) -> Any:
        with tf.control_dependencies([wait_if_paused()] if pausable else []):
            return gated_step(data)

    def gated_step(data: Any) -> Any:
        if constant_rate:
            version = gate.rate_version.read_value()
            tf.cond(
                tf.not_equal(version, gate.applied),
                lambda: take_new_rate(version),
                lambda: tf.constant(False),
            )
        rate = tf.cast(optimizer.learning_rate, tf.float32)  # what this step uses
        train = tf.logical_not(tf.logical_or(gate.hold, gate.diverged))
        # The training branch first: it builds the metrics the held branch reads.
        logs = tf.cond(train, lambda: keras_step(data), model.get_metrics_result)
        loss = tf.cast(logs["loss"], tf.float32)
        gate.diverged.assign(tf.logical_not(tf.math.is_finite(loss)))
        row = tf.stack(
            [loss, tf.cast(logs["accuracy"], tf.float32), rate, tf.cast(train, tf.float32)]
        )
        return logs | log.write(row[None])

    model.train_step = train_step
    return log, gate
