"""File > Export lesson bundle: the runs' results, code and the plots on screen, in one folder or
zip (core/bundle.py writes it); problems are said in the window's message strip."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lrexplorer.core.export.bundle import write_bundle
from lrexplorer.core.store.records import RunRecord

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lrexplorer.gui.window.main_window import MainWindow

IMAGE_NAMES = ("plots.png", "plots.svg")


def export_bundle(
    window: MainWindow, records: list[RunRecord], path: str | Path, as_zip: bool
) -> Path | None:
    """Write the bundle of `records` at `path`; its path, or None after saying what failed."""
    if not records:
        window.banner.show_message("There are no runs to put in a lesson bundle yet.", "info")
        return None
    for record in records:
        window.store.load_history(record)  # saved runs are listed before their history is read
    with _busy():
        images, problem = plot_images(window)
        try:
            written = write_bundle(records, path, images, as_zip=as_zip, title=Path(path).stem)
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            window.banner.show_message(f"Could not write the lesson bundle: {reason}", "error")
            return None
    count = f"{len(records)} run{'s' if len(records) != 1 else ''}"
    if problem:
        window.banner.show_message(f"Saved {written.name} ({count}) without the plots: {problem}")
    window.statusBar().showMessage(f"Saved the lesson bundle {written.name} ({count})", 8000)
    return written


def plot_images(window: MainWindow) -> tuple[dict[str, bytes], str | None]:
    """The live plots as PNG and SVG bytes, and why not if they could not be drawn."""
    images = {}
    with tempfile.TemporaryDirectory(prefix="lrexplorer-plots-") as folder:
        try:
            for name in IMAGE_NAMES:
                target = Path(folder) / name
                window.plots.export_image(str(target))
                images[name] = target.read_bytes()
        except (OSError, ValueError) as error:
            return {}, str(error)
    return images, None


@contextmanager
def _busy() -> Iterator[None]:
    # Rendering the code imports Keras if the window has not yet: a few seconds, said by the cursor.
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
