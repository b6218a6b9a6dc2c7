"""The command line: the window by default, headless verbs for scripts and classrooms."""

from lrexplorer.cli.entry import main

__all__ = ["main"]
