"""Every step's running loss and accuracy, kept on the device for a multi-step execution.

With `steps_per_execution=N` Keras calls callbacks once per N steps and shows only the last
step's logs. The compiled step writes each step's values into a small ring buffer and returns
the buffer with its logs, so the callback gets every step's values with the execution's own
outputs: no extra device read (reading a variable from Python costs ~0.3-1 ms here, more than
a tenth of a step).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrexplorer.core.backend import keras

# Keys of the step log's outputs in a step's logs.
ROWS = "lrexplorer_step_rows"
COUNT = "lrexplorer_step_count"


class StepLog:
    """A ring of `capacity` rows of `members` x (mean loss, mean accuracy)."""

    def __init__(self, capacity: int, members: int = 1) -> None:
        keras()
        import tensorflow as tf

        self.capacity = capacity
        self.members = members
        self._tf = tf
        self._read = 0  # rows handed out so far
        with tf.init_scope():  # made outside any traced function, kept across executions
            self._rows = tf.Variable(tf.zeros([capacity, members, 2]), trainable=False)
            self._count = tf.Variable(tf.constant(0, tf.int64), trainable=False)

    def write(self, row: Any) -> dict[str, Any]:
        """Inside the compiled step: append one (members, 2) row; returns the outputs to add
        to the step's logs (the whole ring and its count, as they are after this row)."""
        tf = self._tf
        index = tf.math.floormod(self._count, self.capacity)
        self._rows.scatter_nd_update(tf.reshape(index, [1, 1]), tf.cast(row, tf.float32)[None])
        self._count.assign_add(1)
        return {ROWS: self._rows.read_value(), COUNT: self._count.read_value()}

    def skip(self) -> None:
        """Forget rows written so far (a pooled model's log holds the previous run's)."""
        self._read = int(self._count.numpy())

    def take(self, logs: dict[str, Any]) -> np.ndarray:
        """The rows written since the last take, oldest first, as (steps, members, 2), from
        the logs of an execution's last step. Removes the log's own keys from `logs`.

        Counting written rows, not Keras's step numbers: the last execution of an epoch may
        run fewer steps than asked. At most `capacity` steps may pass between two takes.
        """
        count = int(np.asarray(logs.pop(COUNT)))
        rows = np.asarray(logs.pop(ROWS))
        steps = min(count - self._read, self.capacity)
        self._read = count
        order = [(count - steps + i) % self.capacity for i in range(steps)]
        return rows[order]


def install(model: Any, capacity: int) -> StepLog:
    """Make `model`'s train step log each step's running means (call before its first fit).

    The step itself is Keras's own: the exported script, which runs plain `fit`, trains the
    same way at the same speed.
    """
    log = StepLog(capacity)
    keras_step = model.train_step
    tf = log._tf

    def train_step(data: Any) -> Any:
        logs = keras_step(data)
        return logs | log.write(tf.stack([logs["loss"], logs["accuracy"]])[None])

    model.train_step = train_step
    return log
