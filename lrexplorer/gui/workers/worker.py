"""Running work off the GUI thread: a QObject worker moved to its own QThread.

The wiring is the standard one (as in superqt's create_worker): thread.started -> work,
finished/errored -> thread.quit. Every exception in the work becomes `errored`, never a crash;
cancellation is cooperative, never QThread.terminate().

One departure: worker and thread are not deleted with deleteLater. Destroying a QObject made in
Python calls back into Python (PySide checks for overrides) while Qt holds a signal-slot lock;
done in the worker's thread, that waits for the GIL while the GUI thread, holding the GIL, waits
for the same lock (seen here as a hang of the whole app). So the worker moves itself back to the
GUI thread when its work ends, and both objects are let go from Python on the GUI thread.
"""

from __future__ import annotations

import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot


class Worker(QObject):
    """Runs `work(progress)` once in its thread. `progress` is a callable that emits `progress`.

    Signals carry plain Python objects (core dataclasses, records, strings), never widgets.
    """

    started = Signal()
    progress = Signal(object)
    finished = Signal(object)  # the work's return value
    errored = Signal(str, str)  # one-line message, traceback text
    aborted = Signal()  # cancelled before it began

    def __init__(self, work: Callable[[Callable[[Any], None]], Any]) -> None:
        super().__init__()
        self._work = work
        self._cancelled = False
        self.result: Any = None  # readable after the thread ends, even if signals are pending
        self.done = False

    def cancel(self) -> None:
        """Ask the worker not to begin; work already running must watch its own flag."""
        self._cancelled = True

    @Slot()
    def run(self) -> None:
        try:
            if self._cancelled:
                self.aborted.emit()
                return
            self.started.emit()
            self.result = self._work(self.progress.emit)
            self.finished.emit(self.result)
        except BaseException as error:  # the app must outlive anything the work raises
            lines = [line for line in str(error).splitlines() if line.strip()]
            message = f"{type(error).__name__}: {lines[0] if lines else 'no details'}"
            self.errored.emit(message, traceback.format_exc())
        finally:
            self.done = True
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())  # to be deleted on the GUI thread, see above


class ProgressInbox:
    """Progress handed from a worker thread to the GUI thread in bulk, in order.

    A queued signal per item (a training batch every few milliseconds) wakes the GUI thread,
    and takes the GIL from the worker, hundreds of times a second. Instead the worker `put`s
    each item here, and signals only for items that must be seen at once (`put` says when);
    the GUI thread `take`s everything pending when signalled and on its own timer.
    """

    def __init__(self, urgent: Callable[[Any], bool]) -> None:
        self._urgent = urgent
        self._lock = threading.Lock()
        self._items: list[Any] = []
        self._signalled = False  # a signal is on its way: the next take() delivers this too

    def put(self, item: Any) -> bool:
        """Keep `item` (worker thread); True if the GUI should be signalled now."""
        with self._lock:
            self._items.append(item)
            if self._signalled or not self._urgent(item):
                return False
            self._signalled = True
            return True

    def take(self) -> list[Any]:
        """Everything put since the last take, oldest first (GUI thread)."""
        with self._lock:
            items, self._items = self._items, []
            self._signalled = False
            return items


_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Worker threads still running (tests fail if any outlives them)."""
    alive = []
    for thread in list(_threads):
        try:
            if thread.isRunning():
                alive.append(thread)
        except RuntimeError:  # the C++ thread object was already deleted
            continue
    return alive


def start_worker(worker: Worker, name: str) -> QThread:
    """Move `worker` to a new QThread, wire it up and start it. Keep a reference to both."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # quit() is thread-safe: call it directly from the worker's thread. A queued call would
    # wait for the GUI event loop, so a GUI thread blocked in wait() (closing) would deadlock.
    direct = Qt.ConnectionType.DirectConnection
    worker.finished.connect(thread.quit, direct)
    worker.errored.connect(thread.quit, direct)
    worker.aborted.connect(thread.quit, direct)
    _reaper().hold(thread, worker)
    _threads.add(thread)
    thread.start()
    return thread


class _Reaper(QObject):
    """Keeps each started thread and its worker alive until the thread has ended, then drops
    them from Python on the GUI thread (where the GIL is held), never from a worker thread."""

    def __init__(self) -> None:
        super().__init__()
        self._held: list[tuple[QThread, Worker]] = []

    def hold(self, thread: QThread, worker: Worker) -> None:
        self._held.append((thread, worker))
        # The reaper lives on the GUI thread, so this slot runs there (a queued connection).
        thread.finished.connect(self._on_thread_finished)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._held = [(t, w) for t, w in self._held if not (w.done and t.wait(1000))]


_the_reaper: _Reaper | None = None


def _reaper() -> _Reaper:
    global _the_reaper
    if _the_reaper is None:
        _the_reaper = _Reaper()
    return _the_reaper
