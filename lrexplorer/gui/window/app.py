"""Starts the Qt application and shows the window; Keras loads behind it."""

from __future__ import annotations

import os
import sys
import time

_LAUNCHED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from lrexplorer import __version__
    from lrexplorer.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("lrexplorer")
    app.setOrganizationName("lrexplorer")
    app.setApplicationVersion(__version__)
    window = MainWindow()
    window.show()
    if os.environ.get("LREXPLORER_STARTUP_PROBE"):
        _probe_startup(app, window)
    return app.exec()


def _probe_startup(app, window) -> None:
    """For benchmarks: print when the window had been painted and when Keras was ready, then
    quit."""

    def shown() -> None:
        print(f"window_shown {time.perf_counter() - _LAUNCHED:.3f}", flush=True)

    def ready(_result: object) -> None:
        print(f"keras_ready {time.perf_counter() - _LAUNCHED:.3f}", flush=True)
        app.quit()

    window.first_painted.connect(shown)
    window.loader.ready.connect(ready)
