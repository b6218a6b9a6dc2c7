"""Every step's running loss and accuracy, kept on the device for a multi-step execution.

With `steps_per_execution=N` Keras calls callbacks once per N steps and shows only the last
step's logs. The compiled step writes each step's values into a small ring buffer instead, and
the callback reads the buffer once per execution (one host sync for N steps), so the app still
reports every batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrexplorer.core.backend import keras


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

    def write(self, row: Any) -> None:
        """Inside the compiled step: append one (members, 2) row."""
        tf = self._tf
        index = tf.math.floormod(self._count, self.capacity)
        self._rows.scatter_nd_update(tf.reshape(index, [1, 1]), tf.cast(row, tf.float32)[None])
        self._count.assign_add(1)

    def read_new(self) -> np.ndarray:
        """The rows written since the last read, oldest first, as (steps, members, 2).

        Counting written rows, not Keras's step numbers: the last execution of an epoch may
        run fewer steps than asked. At most `capacity` steps may pass between two reads.
        """
        count = int(self._count.numpy())
        rows = self._rows.numpy()
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
        log.write(tf.stack([logs["loss"], logs["accuracy"]])[None])
        return logs

    model.train_step = train_step
    return log
