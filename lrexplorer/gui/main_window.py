"""The stable import path for scripts and pytest-qt tests: `from lrexplorer.gui.main_window
import MainWindow`. The window itself lives in gui/window/main_window.py."""

from lrexplorer.gui.window.main_window import MainWindow

__all__ = ["MainWindow"]
