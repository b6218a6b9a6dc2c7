"""Trains runs with Keras's own model.fit and reports them as plain events, batch by batch.

Stop, pause and learning-rate requests arrive from other threads through TrainingControl
(thread-safe primitives: the training thread runs fit and has no event loop). Stop and rate
changes reach the compiled step itself (core/step_log.py's Gate) and apply from the next
batch; pause waits at the end of the current execution (`steps_per_execution` batches, whose
events are emitted together when it ends).
"""

from __future__ import annotations

import functools
import math
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.data.datasets import DataError, Dataset, DownloadCancelled, load_dataset
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.models import MODELS, prepare_images
from lrexplorer.core.keras_api.validation import ConfigError, check_config
from lrexplorer.core.store.records import RunRecord, new_run_id, versions
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.fit_callback import make_callback
from lrexplorer.core.training.model_pool import ModelPool
from lrexplorer.core.training.reporter import RunReporter
from lrexplorer.core.training.trained_together import TogetherPool, member_logs, together_key

EventSink = Callable[[ev.Event], None]
TaggedSink = Callable[[str, ev.Event], None]  # (run id, event), for several runs at once
# Runs trained together at most: each adds its own compute to every execution, so more would
# only make stop and pause slower to answer, and the first step slower to trace.
MAX_TOGETHER = 8


class Trainer:
    """Runs trainings one after another in the calling thread.

    Keeps the last dataset and a pool of compiled models between runs: building a fresh Keras
    model per run leaks about 5 MB that Keras never returns.
    """

    def __init__(self) -> None:
        self._pool = ModelPool()
        self._together = TogetherPool()
        self._data_key: tuple[Any, ...] | None = None
        self._data: Dataset | None = None
        self._prepared: dict[str, _Arrays] = {}

    def run(
        self,
        config: RunConfig,
        on_event: EventSink | None = None,
        control: TrainingControl | None = None,
        run_id: str | None = None,
    ) -> RunRecord:
        """Train `config` to the end (or until stopped) and return its record. Never raises
        for a problem with the run itself: failures end as status "failed" with a message."""
        control = control or TrainingControl()
        record = RunRecord(id=run_id or new_run_id(), config=config, versions=versions())
        emit = _emitter(record, on_event)
        _guarded([record], [emit], lambda: self._train(check_config(config), record, emit, control))
        return record

    def run_many(
        self,
        configs: list[RunConfig],
        on_event: TaggedSink | None = None,
        control: TrainingControl | None = None,
        run_ids: list[str] | None = None,
    ) -> list[RunRecord]:
        """Train several runs, each as `run` would, and return their records in order.

        Runs that share model, data, batches, seed and execution settings (together_key) train
        together: one compiled step updates each run's own model with its own optimizer on the
        same batch, so they cost much less than one after another and report the same losses.
        Events arrive as on_event(run_id, event). One stop stops all; live learning-rate
        requests do not apply to runs trained together.
        """
        control = control or TrainingControl()
        ids = run_ids or [new_run_id() for _ in configs]
        records = [
            RunRecord(id=i, config=c, versions=versions())
            for i, c in zip(ids, configs, strict=True)
        ]
        emitters = [_emitter(r, _tagged(on_event, r.id)) for r in records]
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, config in enumerate(configs):
            try:
                checked = check_config(config)
            except ConfigError as error:
                emitters[index](ev.RunFinished(ev.FAILED, 0.0, str(error)))
                continue
            groups.setdefault(together_key(checked), []).append(index)
            records[index].config = checked
        chunks = [
            indices[i : i + MAX_TOGETHER]
            for indices in groups.values()
            for i in range(0, len(indices), MAX_TOGETHER)
        ]
        for indices in chunks:
            group = [records[i] for i in indices]
            sinks = [emitters[i] for i in indices]
            if control.stopping:
                for sink in sinks:
                    sink(ev.RunFinished(ev.STOPPED, 0.0))
            elif len(indices) == 1:
                work = functools.partial(self._train, group[0].config, group[0], sinks[0], control)
                _guarded(group, sinks, work)
            else:
                _guarded(
                    group, sinks, functools.partial(self._train_together, group, sinks, control)
                )
        return records

    def _train(
        self, config: RunConfig, record: RunRecord, emit: EventSink, control: TrainingControl
    ) -> None:
        data = self.load_data(config, emit, control.cancel_event)
        arrays = self._prepare(config, data)
        train_samples = len(arrays.y_train)
        steps_per_epoch = math.ceil(train_samples / config.batch_size)
        keras().utils.set_random_seed(config.seed)
        model, log, gate = self._pool.acquire_logged(_executed(config, steps_per_epoch))
        total_steps = steps_per_epoch * config.epochs
        emit(_run_started(record.id, config, model.optimizer, steps_per_epoch, arrays, data))
        reporter = RunReporter(config, train_samples, total_steps, emit, gate.requested)
        callback = make_callback([reporter], log, control, gate=gate)
        if control.stopping:
            emit(ev.RunFinished(ev.STOPPED, 0.0))
            return
        control.attach(gate)
        try:
            _fit(model, arrays, config, callback)
        finally:
            control.detach()
        emit(reporter.finished())

    def _train_together(
        self, records: list[RunRecord], emitters: list[EventSink], control: TrainingControl
    ) -> None:
        configs = [r.config for r in records]
        first = configs[0]

        def progress(event: ev.Event) -> None:
            for emit in emitters:
                emit(event)

        data = self.load_data(first, progress, control.cancel_event)
        arrays = self._prepare(first, data)
        train_samples = len(arrays.y_train)
        steps_per_epoch = math.ceil(train_samples / first.batch_size)
        model = self._together.acquire([_executed(c, steps_per_epoch) for c in configs])
        total_steps = steps_per_epoch * first.epochs
        reporters = []
        for record, emit, optimizer in zip(records, emitters, model.member_optimizers, strict=True):
            emit(_run_started(record.id, record.config, optimizer, steps_per_epoch, arrays, data))
            reporters.append(RunReporter(record.config, train_samples, total_steps, emit))
        if control.stopping:
            for emit in emitters:
                emit(ev.RunFinished(ev.STOPPED, 0.0))
            return
        callback = make_callback(reporters, model.step_log, control, member_logs)
        _fit(model, arrays, first, callback)
        for reporter in reporters:
            reporter.emit(reporter.finished())

    def load_data(
        self,
        config: RunConfig,
        progress: EventSink | None = None,
        cancel: threading.Event | None = None,
    ) -> Dataset:
        """The run's data, kept for the next run with the same data settings.

        Raises DataError; the command line calls it first so bad data is bad input (exit 2).
        """
        key = (config.dataset, config.data_path, config.train_samples, config.test_samples)
        if key != self._data_key or self._data is None:
            self._data = None
            self._prepared.clear()
            self._data = load_dataset(config, progress=progress, cancel=cancel)
            self._data_key = key
        return self._data

    def _prepare(self, config: RunConfig, data: Dataset) -> _Arrays:
        """Model inputs as TensorFlow tensors, cached: converting full MNIST to float32 costs
        ~0.2 s and 200 MB, and fit would otherwise copy the numpy arrays into tensors again
        at every run."""
        how = MODELS[config.model].prepare
        if how not in self._prepared:
            self._prepared[how] = _Arrays(
                _tensor(prepare_images(config.model, data.x_train)),
                _tensor(data.y_train),
                _tensor(prepare_images(config.model, data.x_test)),
                _tensor(data.y_test),
            )
        return self._prepared[how]


class _Arrays(NamedTuple):
    x_train: Any
    y_train: Any
    x_test: Any
    y_test: Any


def _executed(config: RunConfig, steps_per_epoch: int) -> RunConfig:
    """The config the model is compiled with; the record keeps the one asked for."""
    return config.replace(steps_per_execution=config.capped_steps_per_execution(steps_per_epoch))


def _fit(model: Any, arrays: _Arrays, config: RunConfig, callback: Any) -> None:
    """Keras's fit over the prepared arrays, validated on the test split after each epoch; the
    callback reports every batch and carries out stop, pause and rate changes."""
    model.fit(
        arrays.x_train,
        arrays.y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=(arrays.x_test, arrays.y_test),
        callbacks=[callback],
        verbose=0,
    )


def _tensor(array: np.ndarray) -> Any:
    """`array` as a tensor, converted a few MB at a time: converting full MNIST in one go holds
    Python's GIL for ~0.2 s, which freezes the window; the joining op runs without it."""
    keras()
    import tensorflow as tf

    rows = max(1, (4 << 20) // max(1, array[:1].nbytes))
    parts = [tf.convert_to_tensor(array[i : i + rows]) for i in range(0, len(array), rows)]
    return parts[0] if len(parts) == 1 else tf.concat(parts, axis=0)


def _emitter(record: RunRecord, on_event: EventSink | None) -> EventSink:
    def emit(event: ev.Event) -> None:
        record.apply(event)
        if on_event is not None:
            on_event(event)

    return emit


def _tagged(on_event: TaggedSink | None, run_id: str) -> EventSink | None:
    if on_event is None:
        return None
    return lambda event: on_event(run_id, event)


def _guarded(records: list[RunRecord], emitters: list[EventSink], work: Callable[[], None]) -> None:
    """Run `work`; any failure ends each of its unfinished runs as failed, never the caller."""
    started = time.perf_counter()
    try:
        work()
    except DownloadCancelled:  # a stop while the data was downloading: nothing went wrong
        failure = ev.RunFinished(ev.STOPPED, time.perf_counter() - started)
    except (ConfigError, DataError) as error:
        failure = ev.RunFinished(ev.FAILED, time.perf_counter() - started, str(error))
    except Exception as error:  # any failure inside Keras must end the run, not the app
        failure = ev.RunFinished(
            ev.FAILED, time.perf_counter() - started, _one_line(error), traceback.format_exc()
        )
    else:
        return
    for record, emit in zip(records, emitters, strict=True):
        if record.status == ev.RUNNING:
            emit(failure)


def _run_started(
    run_id: str,
    config: RunConfig,
    optimizer: Any,
    steps_per_epoch: int,
    arrays: _Arrays,
    data: Dataset,
) -> ev.RunStarted:
    return ev.RunStarted(
        run_id=run_id,
        config=config,
        optimizer_config=_optimizer_summary(optimizer),
        steps_per_epoch=steps_per_epoch,
        total_steps=steps_per_epoch * config.epochs,
        train_samples=len(arrays.y_train),
        test_samples=len(arrays.y_test),
        data_source=data.source,
        data_notice=data.notice,
    )


def _optimizer_summary(optimizer: Any) -> dict[str, Any]:
    config = keras().optimizers.serialize(optimizer)
    return {"class_name": type(optimizer).__name__, "config": _plain(config.get("config", {}))}


def _plain(value: Any) -> Any:
    """Keras configs may hold numpy scalars; JSON wants Python numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0] if lines else 'no details'}"
