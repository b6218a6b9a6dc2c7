"""Starts the Qt application and shows the window; Keras loads behind it.

Before Qt loads, a missing display or system library is told in plain words
(gui/window/platform_check.py): Qt itself would abort with a message that blames the wrong
library. SIGTERM and SIGINT close the window as its close button does.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from typing import Any

from lrexplorer.gui.window import platform_check

_LAUNCHED = time.perf_counter()
# A signal closes the window as a click does (runs saved, a run in progress saved as stopped);
# the exit code is then 128 + its number, as a shell reports a process it ended (143, 130).
CLOSING_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    problem = platform_check.launch_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        from PySide6.QtWidgets import QApplication  # noqa: F401 - loads Qt's libraries
    except ImportError as error:
        message = platform_check.qt_import_message(error)
        if not message:
            raise
        print(message, file=sys.stderr)
        return 1
    from lrexplorer.gui.window.main_window import MainWindow

    app = make_application(argv)
    window = MainWindow()
    if os.environ.get("LREXPLORER_STARTUP_PROBE"):
        _probe_startup(app, window)
    return run_window(app, window)


def make_application(argv: list[str] | None = None) -> Any:
    """The QApplication, named so that settings and data folders are lrexplorer's."""
    from PySide6.QtWidgets import QApplication

    from lrexplorer import __version__

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("lrexplorer")
    app.setOrganizationName("lrexplorer")
    app.setApplicationVersion(__version__)
    return app


def run_window(app: Any, window: Any) -> int:
    """Show the window and run Qt's event loop until it closes; the exit code."""
    received: list[int] = []
    restore = _close_on_signals(app, received)
    try:
        window.show()
        code = app.exec()
    finally:
        restore()
    return 128 + received[0] if received else code


def _close_on_signals(app: Any, received: list[int]) -> Any:
    """Close every window on SIGTERM or SIGINT; returns what undoes it.

    Python runs a signal handler only when the interpreter gets control, which Qt's event loop
    does not give it: the signal's number is written to a socket (signal.set_wakeup_fd) whose
    notifier wakes the loop, and the windows are closed from there, in the event loop, never
    from inside whatever Python code the handler would have interrupted."""
    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    previous = {signum: signal.signal(signum, _ignore) for signum in CLOSING_SIGNALS}
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def on_reader_activated() -> None:
        try:
            numbers = reader.recv(64)
        except BlockingIOError:
            return
        closing = [number for number in numbers if number in CLOSING_SIGNALS]
        if closing and not received:
            received.append(closing[0])
            app.closeAllWindows()  # each window's closeEvent: runs stopped and saved
            app.quit()

    notifier.activated.connect(on_reader_activated)

    def restore() -> None:
        notifier.setEnabled(False)
        signal.set_wakeup_fd(previous_fd)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        reader.close()
        writer.close()

    return restore


def _ignore(_signum: int, _frame: object) -> None:
    """The handler Python runs; the work is done in the event loop (see _close_on_signals)."""


def _probe_startup(app: Any, window: Any) -> None:
    """For benchmarks: print when the window had been painted and when Keras was ready, then
    quit."""

    def shown() -> None:
        print(f"window_shown {time.perf_counter() - _LAUNCHED:.3f}", flush=True)

    def ready(_result: object) -> None:
        print(f"keras_ready {time.perf_counter() - _LAUNCHED:.3f}", flush=True)
        app.quit()

    window.first_painted.connect(shown)
    window.loader.ready.connect(ready)
