"""Saving a pyqtgraph layout as PNG or SVG, as it is on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

SUFFIXES = (".png", ".svg")


def check_suffix(path: str | Path) -> str:
    """The file's suffix, lower case; ValueError unless it is .png or .svg."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"cannot save plots as {suffix or 'a file without a suffix'}: use .png or .svg"
        )
    return suffix


def save_layout(
    area: pg.GraphicsLayoutWidget,
    path: str | Path,
    set_vector: Callable[[bool], None] = lambda vector: None,
) -> None:
    """Save `area` at `path` by its suffix. `set_vector(True)` is called around an SVG's
    drawing, for items that paint from cached images on screen."""
    if check_suffix(path) == ".png":
        if not area.grab().save(str(path), "PNG"):
            raise OSError(f"could not write the image {path}")
        return
    # Qt's own generator, not pyqtgraph's SVGExporter: with pyqtgraph 0.14 and Qt 6.11 that
    # fails on every closed path Qt writes ("not enough values to unpack", pyqtgraph #3485).
    # The screen's resolution, or pyqtgraph draws the axes at the wrong scale.
    rect = area.viewport().rect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(rect.size())
    generator.setViewBox(rect)
    generator.setResolution(area.logicalDpiX())
    generator.setTitle("lrexplorer training plots")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write the image {path}")
    set_vector(True)
    try:
        area.render(painter)
    finally:
        painter.end()
        set_vector(False)
