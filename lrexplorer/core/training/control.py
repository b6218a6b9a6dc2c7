"""TrainingControl: stop, pause and learning-rate requests to a training, from any thread.

The training thread runs Keras's fit and has no event loop, so requests are thread-safe
primitives it reads. All three reach the compiled step itself (core/training/step_log.py's
Gate) and apply from the next batch, even inside a compiled call of many batches; a run
compiled with XLA pauses at the end of its call instead (XLA cannot call back into Python).
"""

from __future__ import annotations

import math
import queue
import threading

from lrexplorer.core.training.step_log import Gate


class TrainingControl:
    """Requests to a running training, safe to make from any thread.

    While a model trains, its step gate is attached: requests go straight to it and take
    effect from the next batch, even inside a compiled call of several batches.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._rates: queue.SimpleQueue[float] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._gate: Gate | None = None

    def attach(self, gate: Gate) -> None:
        """Route requests to `gate` while its model trains (a rate asked for earlier too)."""
        with self._lock:
            gate.reset(stopping=self._stop.is_set(), paused=self.paused)
            rate = self.pending_learning_rate()
            if rate is not None:
                gate.set_learning_rate(rate)
            self._gate = gate

    def detach(self) -> None:
        with self._lock:
            self._gate = None

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            if self._gate is not None:
                self._gate.stop()
            # Only now may a paused run wake up: held first, it trains nothing more.
            self._running.set()

    def pause(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._running.clear()
            if self._gate is not None:
                self._gate.pause(True)

    def resume(self) -> None:
        with self._lock:
            if self._gate is not None:
                self._gate.pause(False)
            self._running.set()

    def set_learning_rate(self, rate: float) -> None:
        if not (rate > 0 and math.isfinite(rate)):
            return
        with self._lock:
            if self._gate is not None:
                self._gate.set_learning_rate(float(rate))
            else:
                self._rates.put(float(rate))

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancel_event(self) -> threading.Event:
        """Set when a stop is requested; data downloads watch it."""
        return self._stop

    def pending_learning_rate(self) -> float | None:
        """The latest requested rate since the last call (older requests are superseded)."""
        rate = None
        while True:
            try:
                rate = self._rates.get_nowait()
            except queue.Empty:
                return rate

    def wait_while_paused(self) -> None:
        while not self._running.wait(0.1):
            pass
