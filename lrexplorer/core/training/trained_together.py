"""Several runs trained at once: one compiled step feeds the same batch to every run's model.

Each run keeps its own weights, optimizer and metrics; the runs share only the batches, the
per-step dispatch and the data pipeline. With the same seed, a run trained together starts
from the same weights and sees the same shuffled batches as when trained alone, so its
per-batch losses are the same (to float rounding).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config import RunConfig
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.models import build_model
from lrexplorer.core.keras_api.optimizers import build_optimizer
from lrexplorer.core.training.step_log import StepLog


def together_key(config: RunConfig) -> tuple[Any, ...]:
    """What runs trained together must share: model, data, batches, seed and execution."""
    return (
        config.model,
        config.dataset,
        config.data_path,
        config.train_samples,
        config.test_samples,
        config.epochs,
        config.batch_size,
        config.seed,
        config.steps_per_execution,
        config.jit_compile,
    )


def member_logs(logs: dict[str, Any], index: int) -> dict[str, Any]:
    """One run's epoch logs out of the joint model's (`val_loss_2` -> `val_loss` for run 2)."""
    names = ("loss", "accuracy", "val_loss", "val_accuracy")
    return {name: logs[f"{name}_{index}"] for name in names if f"{name}_{index}" in logs}


@dataclass
class _Entry:
    model: Any
    initial_optimizer_states: list[list[Any]]


class TogetherPool:
    """Joint models kept between sweeps (building one per sweep would leak like any model)."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self.builds = 0

    @staticmethod
    def key(configs: list[RunConfig]) -> tuple[Any, ...]:
        from lrexplorer.core.training.model_pool import ModelPool

        return tuple(ModelPool.key(c) for c in configs)

    def acquire(self, configs: list[RunConfig]) -> Any:
        """A compiled joint model whose members start as fresh models for the current seed.

        Seeds Keras with the runs' seed itself, after any building, so that the random state
        at fit time is the one a single run has.
        """
        key = self.key(configs)
        entry = self._entries.pop(key, None)
        if entry is None:
            entry = self._build(configs)
        self._entries[key] = entry  # most recently used last
        while len(self._entries) > self.size:
            self._entries.pop(next(iter(self._entries)))
        keras().utils.set_random_seed(configs[0].seed)
        fresh = build_model(configs[0].model).get_weights()
        model = entry.model
        for member, optimizer, state, config in zip(
            model.members, model.member_optimizers, entry.initial_optimizer_states, configs,
            strict=True,
        ):  # fmt: skip
            member.set_weights(fresh)
            for variable, value in zip(optimizer.variables, state, strict=True):
                variable.assign(value)
            if config.schedule is None:
                optimizer.learning_rate = config.learning_rate
        return model

    def _build(self, configs: list[RunConfig]) -> _Entry:
        members = [build_model(c.model) for c in configs]
        optimizers = [build_optimizer(c) for c in configs]
        for member, optimizer in zip(members, optimizers, strict=True):
            optimizer.build(member.trainable_variables)
        first = configs[0]
        log = StepLog(first.steps_per_execution, len(configs))
        model = _joint_class()(members, optimizers, log)
        # Keras's fit wants a compiled optimizer; the members' own optimizers do the training.
        model.compile(
            optimizer=keras().optimizers.SGD(),
            steps_per_execution=first.steps_per_execution,
            jit_compile=first.jit_compile,
        )
        self.builds += 1
        states = [[v.numpy() for v in o.variables] for o in optimizers]
        return _Entry(model, states)


@functools.cache
def _joint_class() -> type:
    """The joint Keras model class, made on first use so importing this module needs no Keras."""
    k = keras()
    import tensorflow as tf

    class JointModel(k.Model):
        """Members side by side: one call, one loss per member, one optimizer per member."""

        def __init__(self, members: list[Any], optimizers: list[Any], log: StepLog) -> None:
            super().__init__()
            self.members = members
            self.member_optimizers = optimizers
            self.step_log = log
            self._loss_fn = k.losses.SparseCategoricalCrossentropy()
            count = len(members)
            self.loss_trackers = [k.metrics.Mean(name=f"loss_{i}") for i in range(count)]
            self.accuracies = [
                k.metrics.SparseCategoricalAccuracy(name=f"accuracy_{i}") for i in range(count)
            ]

        @property
        def metrics(self) -> list[Any]:
            return [*self.loss_trackers, *self.accuracies]

        def call(self, x: Any, training: bool = False) -> list[Any]:
            return [member(x, training=training) for member in self.members]

        def _measure(self, y: Any, predictions: list[Any], losses: list[Any]) -> None:
            batch = tf.shape(y)[0]
            for tracker, accuracy, loss, prediction in zip(
                self.loss_trackers, self.accuracies, losses, predictions, strict=True
            ):
                tracker.update_state(loss, sample_weight=batch)
                accuracy.update_state(y, prediction)

        def train_step(self, data: Any) -> dict[str, Any]:
            x, y = data[0], data[1]
            weights = [member.trainable_variables for member in self.members]
            with tf.GradientTape() as tape:
                predictions = self(x, training=True)
                losses = [self._loss_fn(y, p) for p in predictions]
                # Each loss depends on its own member's weights only, so the gradient of the
                # sum is, weight by weight, the gradient of that member's own loss.
                total = tf.add_n(losses)
            gradients = tape.gradient(total, [v for ws in weights for v in ws])
            # The rates this step uses: read before applying moves a schedule on.
            rates = [tf.cast(o.learning_rate, tf.float32) for o in self.member_optimizers]
            start = 0
            for optimizer, ws in zip(self.member_optimizers, weights, strict=True):
                optimizer.apply_gradients(zip(gradients[start : start + len(ws)], ws, strict=True))
                start += len(ws)
            self._measure(y, predictions, losses)
            logs = {m.name: m.result() for m in self.metrics}
            rows = [
                tf.stack([t.result(), a.result(), rate, 1.0])
                for t, a, rate in zip(self.loss_trackers, self.accuracies, rates, strict=True)
            ]
            return logs | self.step_log.write(tf.stack(rows))

        def test_step(self, data: Any) -> dict[str, Any]:
            x, y = data[0], data[1]
            predictions = self(x, training=False)
            self._measure(y, predictions, [self._loss_fn(y, p) for p in predictions])
            return {m.name: m.result() for m in self.metrics}

    return JointModel
