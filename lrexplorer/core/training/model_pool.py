"""Compiled models kept between runs, so a session of many runs does not grow without bound.

Every fresh Keras model that is compiled and fitted leaves about 5 MB behind (traced functions
Keras never releases; clear_session does not help). Runs that differ only in learning rate or
seed can share one compiled model: its weights are overwritten with the initial weights a fresh
model would get from the run's seed, and its optimizer's state is reset to the state right after
it was built, so a reused model trains exactly like a new one.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config import RunConfig
from lrexplorer.core.keras_api.models import LOSS, METRICS, build_model
from lrexplorer.core.keras_api.optimizers import build_optimizer
from lrexplorer.core.training import step_log


@dataclass
class _Entry:
    model: Any
    initial_optimizer_state: list[Any]
    step_log: step_log.StepLog
    gate: step_log.Gate


class ModelPool:
    """At most `size` compiled models, least recently used dropped first."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self.builds = 0  # compiled models made so far, for tests and benchmarks

    @staticmethod
    def key(config: RunConfig) -> tuple[Any, ...]:
        """What a compiled model bakes in: everything except a constant learning rate."""
        rate = None if config.schedule is None else config.learning_rate
        return (
            config.model,
            config.optimizer,
            config.params,
            config.schedule,
            rate,
            config.steps_per_execution,
            config.jit_compile,
        )

    def acquire(self, config: RunConfig) -> Any:
        """A compiled model with fresh initial weights for the current Keras seed.

        Call keras.utils.set_random_seed(config.seed) first: the weights come from building
        the model anew, which is what makes a reused model start like a new one.
        """
        return self.acquire_logged(config)[0]

    def acquire_logged(self, config: RunConfig) -> tuple[Any, step_log.StepLog, step_log.Gate]:
        """acquire(), with the log its train step writes every step to and the gate it obeys."""
        fresh = build_model(config.model)
        key = self.key(config)
        entry = self._entries.get(key)
        if entry is None:
            optimizer = build_optimizer(config)
            fresh.compile(
                optimizer=optimizer,
                loss=LOSS,
                metrics=list(METRICS),
                steps_per_execution=config.steps_per_execution,
                jit_compile=config.jit_compile,
            )
            optimizer.build(fresh.trainable_variables)
            log, gate = step_log.install(
                fresh, config.steps_per_execution, constant_rate=config.schedule is None
            )
            entry = _Entry(fresh, [v.numpy() for v in optimizer.variables], log, gate)
            self._entries[key] = entry
            self.builds += 1
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return fresh, log, gate
        self._entries.move_to_end(key)
        model = entry.model
        model.set_weights(fresh.get_weights())
        for variable, value in zip(
            model.optimizer.variables, entry.initial_optimizer_state, strict=True
        ):
            variable.assign(value)
        if config.schedule is None:
            model.optimizer.learning_rate = config.learning_rate
        return model, entry.step_log, entry.gate
