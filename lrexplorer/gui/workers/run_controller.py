"""The bridge between the window and core's Trainer: one run at a time in a QThread.

Runs queue up (a sweep is several queued runs). Each run's events reach the GUI thread in bulk
(a ProgressInbox: ~25 times a second, at once for anything but a batch) and are folded into a
RunRecord here, so every view reads the same record. Stop, pause and learning-rate changes go
to core's TrainingControl, which the training thread reads at the next batch boundary.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord, new_run_id, versions
from lrexplorer.gui.workers.worker import ProgressInbox, Worker, start_worker

# Batches are collected this often: the plots redraw at ~12 Hz and the text less often, so
# nobody sees the difference, and the GUI thread wakes 25 times a second, not per batch.
COLLECT_MS = 40


class RunController(QObject):
    """Starts, queues and controls training runs. All signals fire on the GUI thread."""

    run_started = Signal(object)  # RunRecord, status "running", before any event
    run_event = Signal(object, object)  # RunRecord, the core event just folded into it
    run_finished = Signal(object)  # RunRecord in its final state
    busy_changed = Signal(bool)
    queue_changed = Signal(int)  # runs waiting after the current one

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._trainer_made = None  # made at the first run: the window opens without it
        self._queue: deque[RunRecord] = deque()
        self._current: RunRecord | None = None
        self._control = None
        self._thread: QThread | None = None
        self._worker: Worker | None = None
        self._inbox: ProgressInbox | None = None
        self._collect = QTimer(self)
        self._collect.setInterval(COLLECT_MS)
        self._collect.timeout.connect(self._on_collect_timer_timeout)

    # --- state ------------------------------------------------------------------------------
    @property
    def _trainer(self):
        if self._trainer_made is None:
            from lrexplorer.core.training.trainer import (
                Trainer,  # imports no Keras until a run starts
            )

            self._trainer_made = Trainer()
        return self._trainer_made

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def current(self) -> RunRecord | None:
        return self._current

    @property
    def paused(self) -> bool:
        return self._control is not None and self._control.paused

    @property
    def queued(self) -> int:
        return len(self._queue)

    # --- requests ---------------------------------------------------------------------------
    def start(self, config: RunConfig, prediction: str = "", label: str = "") -> RunRecord:
        """Queue a run (it starts now if nothing is running) and return its record."""
        record = RunRecord(
            id=new_run_id(), config=config, prediction=prediction, label=label, versions=versions()
        )
        self._queue.append(record)
        self.queue_changed.emit(self.queued)
        if not self.busy:
            self._start_next()
        return record

    def stop(self) -> None:
        """Stop the current run at the next batch and drop the queue."""
        self.cancel_queue()
        if self._control is not None:
            self._control.stop()

    def cancel_queue(self) -> None:
        if self._queue:
            self._queue.clear()
            self.queue_changed.emit(0)

    def pause(self) -> None:
        if self._control is not None:
            self._control.pause()

    def resume(self) -> None:
        if self._control is not None:
            self._control.resume()

    def set_learning_rate(self, rate: float) -> None:
        """Change the current run's rate from its next batch on (constant-rate runs only)."""
        if self._control is not None:
            self._control.set_learning_rate(rate)

    def shutdown(self, msecs: int = 5000) -> bool:
        """Stop everything and wait for the training thread; True if it ended in time.

        Pending events are delivered before returning, so the last record is complete.
        """
        self.stop()
        thread = self._thread
        if thread is not None and not thread.wait(msecs):
            return False
        QCoreApplication.sendPostedEvents(self)
        QCoreApplication.sendPostedEvents()
        return True

    # --- the run's life ---------------------------------------------------------------------
    def _start_next(self) -> None:
        from lrexplorer.core.training.control import TrainingControl

        record = self._queue.popleft()
        self.queue_changed.emit(self.queued)
        control = TrainingControl()
        trainer = self._trainer
        config = record.config
        # A new inbox per run: nothing of a run that ended can reach the next one.
        inbox = ProgressInbox(urgent=lambda event: not isinstance(event, ev.BatchEnd))

        def work(progress):  # runs in the training thread
            def report(event: object) -> None:
                if inbox.put(event):
                    progress(None)  # a nudge: the events themselves wait in the inbox

            return trainer.run(config, report, control, run_id=record.id)

        worker = Worker(work)
        worker.progress.connect(self._on_worker_progress)
        worker.finished.connect(self._on_worker_finished)
        worker.errored.connect(self._on_worker_errored)
        self._current, self._control, self._worker = record, control, worker
        self._inbox = inbox
        self.busy_changed.emit(True)
        self.run_started.emit(record)
        self._thread = start_worker(worker, "training")
        self._collect.start()

    def _on_worker_progress(self, _nudge: object) -> None:
        self._collect_events()

    def _on_collect_timer_timeout(self) -> None:
        self._collect_events()

    def _collect_events(self) -> None:
        """Fold the events waiting in the inbox into the record, and tell the views."""
        record, inbox = self._current, self._inbox
        if record is None or inbox is None:
            return
        for event in inbox.take():
            if (
                isinstance(event, ev.RunFinished)
                and event.status == ev.FAILED
                and record.total_steps == 0
                and self._control is not None
                and self._control.stopping
            ):
                # Stopped before training began, e.g. during a download: the user's stop, not
                # a failure ("download cancelled" is what the loader says to the trainer).
                event = ev.RunFinished(ev.STOPPED, event.seconds)
            record.apply(event)
            self.run_event.emit(record, event)

    def _on_worker_finished(self, result: object) -> None:
        self._collect_events()  # the last batches, and RunFinished
        record = self._current
        if record is not None and record.status == ev.RUNNING:
            # Every trainer path ends with RunFinished; this only guards against a lost event.
            record.apply(ev.RunFinished(ev.FAILED, 0.0, "the run ended without a result"))
        self._end_run()

    def _on_worker_errored(self, message: str, detail: str) -> None:
        self._collect_events()
        record = self._current
        if record is not None and record.status == ev.RUNNING:
            finished = ev.RunFinished(ev.FAILED, 0.0, message, detail)
            record.apply(finished)
            self.run_event.emit(record, finished)
        self._end_run()

    def _end_run(self) -> None:
        # The worker's last signal ends the run; its thread is at most a moment from ending.
        if self._thread is not None:
            self._thread.wait()  # quit() was already called from the worker's thread
        self._collect.stop()
        record = self._current
        self._current, self._control, self._worker, self._thread = None, None, None, None
        self._inbox = None
        if record is not None:
            self.run_finished.emit(record)
        if self._queue:
            self._start_next()
        else:
            self.busy_changed.emit(False)
