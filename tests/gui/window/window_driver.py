"""Drives the real window in a process of its own, for tests that need one: the X11 platform
under Xvfb, or a signal sent to the window. Built as gui/window/app.py's main() builds it, on a
runs folder and settings of the test's own.

    python window_driver.py FOLDER finish   one tiny run to its end, then close (exit 0)
    python window_driver.py FOLDER train    a long run; says "training" at its first batch and
                                            trains until a signal closes the window
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.gui.window.app import make_application, run_window
from lrexplorer.gui.window.main_window import MainWindow

TINY = RunConfig(
    dataset="sample", train_samples=256, test_samples=64, epochs=1, batch_size=32, seed=0
)
LONG = TINY.replace(train_samples=8000, batch_size=8, epochs=50, steps_per_execution=1)


def main() -> int:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    app = make_application(sys.argv[:1])
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runs_folder=folder / "runs", settings=settings)
    window.draft.set_config(TINY if mode == "finish" else LONG)

    def say(text: str) -> None:
        print(text, flush=True)

    def start() -> None:
        record = window.start_run()
        if record is None:
            say(f"could not start: {window.run_bar.start.text()}")
            app.exit(3)

    def on_run_event(_record: object, event: object) -> None:
        if isinstance(event, ev.BatchEnd) and event.step == 1:
            say("training")

    def on_run_finished(record: object) -> None:
        handle = window.windowHandle()
        exposed = handle is not None and handle.isExposed()
        say(f"finished status={record.status} platform={app.platformName()} exposed={exposed}")
        if mode == "finish":
            window.close()

    window.loader.ready.connect(lambda _ready: QTimer.singleShot(0, start))
    window.controller.run_event.connect(on_run_event)
    window.controller.run_finished.connect(on_run_finished)
    return run_window(app, window)


if __name__ == "__main__":
    sys.exit(main())
