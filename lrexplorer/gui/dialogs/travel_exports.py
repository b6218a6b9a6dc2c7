"""File > Export notebook… and File > Export to TensorBoard…: a run as a Jupyter notebook and runs
as TensorBoard event files (core/export writes both). The TensorBoard export runs in a worker
thread: it imports TensorFlow if the window has not yet, and a long lesson takes seconds."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from lrexplorer.core.events import RUNNING
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.workers.worker import Worker, start_worker

if TYPE_CHECKING:
    from PySide6.QtCore import QThread

    from lrexplorer.core.store.run_store import RunStore
    from lrexplorer.gui.window.main_window import MainWindow

CLOSE_WAIT_MS = 30000  # closing the window lets an export in progress finish its files


def write_notebook_file(
    record: RunRecord, path: str | Path, form: str = "object", import_style: str = "keras"
) -> Path:
    """The run's notebook at `path` (".ipynb" added if it has no suffix). Builds the code with
    Keras (imported now if the window has not yet), so the cursor says it is busy."""
    from lrexplorer.core.export.notebook import record_notebook, write_notebook

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return write_notebook(record_notebook(record, form, import_style), path)
    finally:
        QApplication.restoreOverrideCursor()


def export_notebook(window: MainWindow, record: RunRecord, path: str | Path) -> Path | None:
    """Write the run's notebook and say so in the status bar; a failure in the banner."""
    try:
        written = write_notebook_file(record, path)
    except OSError as error:
        reason = error.strerror or str(error)
        window.banner.show_message(f"Could not write {Path(path).name}: {reason}", "error")
        return None
    except Exception as error:  # noqa: BLE001 - a config this Keras refuses: said, not a crash
        window.banner.show_message(f"This run cannot be exported as a notebook: {error}", "error")
        return None
    window.statusBar().showMessage(f"Saved {written.name}", 5000)
    return written


class TensorBoardExport(QObject):
    """One export to TensorBoard at a time, in a worker thread; the window's close waits for
    it (at most CLOSE_WAIT_MS), so no run's files are left half written."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._thread: QThread | None = None
        self._folder = Path()
        self._left_out = 0
        window.installEventFilter(self)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, records: list[RunRecord], folder: str | Path) -> bool:
        """Export `records` into `folder`; False (and said why) if nothing was started."""
        window = self._window
        if self.busy:
            window.banner.show_message("An export to TensorBoard is still being written.")
            return False
        done = [record for record in records if record.status != RUNNING]
        self._left_out = len(records) - len(done)
        if not done:
            window.banner.show_message("There are no finished runs to export to TensorBoard yet.")
            return False
        self._folder = Path(folder)
        store = window.store
        worker = Worker(
            lambda _progress: _write([_with_history(store, r) for r in done], self._folder)
        )
        worker.finished.connect(self._on_worker_finished)
        worker.errored.connect(self._on_worker_errored)
        self._thread = start_worker(worker, "tensorboard-export")
        window.statusBar().showMessage(f"Exporting {_runs(len(done))} to TensorBoard…")
        return True

    def wait(self, milliseconds: int) -> bool:
        """Wait for an export in progress; True when none is left."""
        return self._thread is None or self._thread.wait(milliseconds)

    def _on_worker_finished(self, written: list[Path] | str) -> None:
        self._thread = None
        if isinstance(written, str):
            self._on_worker_errored(written, "")
            return
        left_out = ", the run still training left out" if self._left_out else ""
        self._window.statusBar().showMessage(
            f"Exported {_runs(len(written))} to TensorBoard{left_out}: "
            f"tensorboard --logdir {self._folder}",
            15000,
        )

    def _on_worker_errored(self, message: str, details: str) -> None:
        self._thread = None
        self._window.statusBar().clearMessage()
        self._window.banner.show_message(
            f"Could not export to TensorBoard: {message}", "error", details or None
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.wait(CLOSE_WAIT_MS)
        return False


def _with_history(store: RunStore, record: RunRecord) -> RunRecord:
    """The record with its per-batch history (worker thread). Listed runs are read without it;
    reading ten long histories takes the better part of a second, so it is read here, into a
    copy: the window's record is not touched from this thread."""
    if record.batches is not None:
        return record
    loaded = copy.copy(record)
    store.load_history(loaded)
    return loaded


def _write(records: list[RunRecord], folder: Path) -> list[Path] | str:
    """The folders written (worker thread), or why the disk refused, in words."""
    from lrexplorer.core.export.tensorboard import write_tensorboard

    try:
        return write_tensorboard(records, folder)
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror or error}{where}"


def _runs(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"
