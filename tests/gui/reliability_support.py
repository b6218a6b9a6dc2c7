"""What the window reliability tests share: a window on a fresh runs folder, typing into fields,
and what makes a download fail or hang (tests/reliability_support.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from lrexplorer.core.config import RunConfig
from lrexplorer.core.training import fit_callback
from lrexplorer.gui.window.main_window import MainWindow
from tests.reliability_support import (  # noqa: F401 - for the window tests
    closed_port_url,
    point_keras_home,
    silent_server_url,
    without_stall_timeout,
)

# ~256 images in batches of 32: a run takes about a second.
TINY = RunConfig(
    dataset="sample", train_samples=256, test_samples=64, epochs=1, batch_size=32, seed=0
)
# Long enough to act on while it trains (about 1 ms a batch here): stopped or closed, never run out.
LONG = TINY.replace(train_samples=8000, batch_size=8, epochs=20)


def window_maker(qtbot, tmp_path: Path) -> Iterator:
    """For a `make_window` fixture: yields make(config, runs_folder=None) -> a shown MainWindow
    with Keras ready, and closes every window made at the end."""
    windows = []

    def make(config=TINY, runs_folder=None, wait_for_keras=True):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(runs_folder=runs_folder or tmp_path / "runs", settings=settings)
        qtbot.addWidget(window)
        window.draft.set_config(config)
        window.show()
        if wait_for_keras:
            qtbot.waitUntil(lambda: window.keras is not None, timeout=60000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()


def type_text(qtbot, edit, text: str) -> None:
    """Replace a line edit's text as a user would, ending with Enter."""
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def start_reason(window: MainWindow) -> str:
    """Why Start is disabled, as the button and its tooltip say it."""
    return window.run_bar.start.text() + "\n" + window.run_bar.start.toolTip()


def run_to_end(qtbot, window: MainWindow, timeout: int = 60000):
    with qtbot.waitSignal(window.controller.run_finished, timeout=timeout) as finished:
        qtbot.mouseClick(window.run_bar.start, Qt.MouseButton.LeftButton)
    return finished.args[0]


class Hold:
    """Holds the training thread in a fit-callback method, once `when` says so, until the test
    releases it: the test acts while the run is at a known point, on a machine of any speed."""

    def __init__(self, monkeypatch, method, when=lambda *args: True, after=True):
        self.reached, self.released = threading.Event(), threading.Event()
        self.seconds = 0.0  # how long the thread was held
        original = getattr(fit_callback._EventCallbackMixin, method)

        def held(callback, *args, **kwargs):
            result = original(callback, *args, **kwargs) if after else None
            if not self.reached.is_set() and when(callback, *args):
                began = time.monotonic()
                self.reached.set()
                self.released.wait(120)
                self.seconds = time.monotonic() - began
            return result if after else original(callback, *args, **kwargs)

        monkeypatch.setattr(fit_callback._EventCallbackMixin, method, held)
