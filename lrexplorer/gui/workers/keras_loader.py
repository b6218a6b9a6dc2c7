"""Loads Keras behind a window that is already shown (importing TensorFlow takes 2-3 s)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from lrexplorer.gui.workers.worker import Worker, start_worker


@dataclass(frozen=True)
class KerasReady:
    """What the window needs from Keras, gathered off the GUI thread."""

    version: str
    optimizers: Any  # core.optimizers.OptimizerRegistry
    schedules: dict[str, Any]  # name -> core.schedules.ScheduleSpec
    seconds: float


def _load(progress: Any) -> KerasReady:
    began = time.perf_counter()
    from lrexplorer.core.keras_api.loader import keras, keras_version
    from lrexplorer.core.keras_api.optimizers import registry
    from lrexplorer.core.keras_api.schedules import schedule_specs

    keras()
    # The trainer's modules too, here rather than on the GUI thread when Start is pressed.
    import lrexplorer.core.training.trainer  # noqa: F401

    return KerasReady(keras_version(), registry(), schedule_specs(), time.perf_counter() - began)


class KerasLoader(QObject):
    """Starts the import once; emits `ready(KerasReady)` or `failed(message)` on the GUI thread."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: KerasReady | None = None
        self._thread: QThread | None = None
        self._worker: Worker | None = None

    def start(self) -> None:
        if self._worker is not None:
            return
        self._worker = Worker(_load)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.errored.connect(self._on_worker_errored)
        self._thread = start_worker(self._worker, "keras-loader")

    @property
    def loading(self) -> bool:
        return self._thread is not None

    def _on_worker_finished(self, result: KerasReady) -> None:
        self._end()
        self.result = result
        self.ready.emit(result)

    def _on_worker_errored(self, message: str, detail: str) -> None:
        self._end()
        self.failed.emit(
            f"Keras could not be loaded ({message}). Check that TensorFlow is installed: "
            "pip install tensorflow"
        )

    def _end(self) -> None:
        # Not on QThread.finished: the thread object is deleted as it finishes.
        if self._thread is not None:
            self._thread.wait()
        self._thread = None

    def wait(self) -> bool:
        """Block until the import ends (used when closing the window early). An import cannot
        be interrupted, and the thread must end before the app does: on a busy machine
        importing TensorFlow has taken longer than half a minute."""
        if self._thread is None:
            return True
        return self._thread.wait()
