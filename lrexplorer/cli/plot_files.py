"""--plot FILE.png|svg of run, sweep and find-lr: the option, its check before anything trains,
and writing the picture with the window's own plots (Qt is imported only when asked for)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lrexplorer.cli.common import BadInput, check_output

SUFFIXES = (".png", ".svg")


def add_plot_option(parser: argparse.ArgumentParser | Any, what: str) -> None:
    """--plot FILE: `what` says which picture, e.g. "the run's loss, accuracy and rate"."""
    parser.add_argument(
        "--plot", metavar="FILE.png|svg",
        help=f"write {what} to FILE, as PNG or SVG by its suffix (drawn offscreen: no display "
        "needed)",
    )  # fmt: skip


def check_plot(path: str | None) -> None:
    """BadInput now, before training, if the picture could not be written."""
    if not path:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "no suffix"
        raise BadInput(f"--plot {path}: {shown} is not an image type: use .png or .svg")
    check_output(path)


def write_plot(verb: str, path: str, draw: Callable[[str], Any], what: str) -> bool:
    """draw(path), then one line on stderr saying what was written where; False, with the
    reason on stderr, if it could not be written."""
    try:
        draw(path)
    except (OSError, ValueError) as error:
        print(f"lrexplorer {verb}: could not write {path}: {error}", file=sys.stderr)
        return False
    print(f"{what} written to {path}", file=sys.stderr)
    return True
