"""Take the README's screenshots from the app itself: the classic lesson, mid-way through its
third run, with the first two overlaid; or with --first-launch, the window as a newcomer
first sees it (default settings, no runs).

    python scripts/screenshot.py docs/screenshot.png [--data mnist.npz] [--size 1600x1000]
    python scripts/screenshot.py docs/first-launch.png --first-launch

Without --data it trains on the bundled sample. Runs and settings go to a temporary folder, so
the user's saved runs and settings are untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=lambda p: Path(p).resolve())
    parser.add_argument("--data", help="a Keras-layout mnist.npz (default: the bundled sample)")
    parser.add_argument("--size", default="1600x1000")
    parser.add_argument("--fraction", type=float, default=0.55, help="how far into run three")
    parser.add_argument("--first-launch", action="store_true", help="no runs, default settings")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from lrexplorer.core.config import RunConfig
    from lrexplorer.gui.window.main_window import MainWindow

    app = QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="lrexplorer-screenshot-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runs_folder=folder / "runs", settings=settings)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    if args.first_launch:
        return first_launch(app, window, args.output)
    data = {"dataset": "sample"}
    if args.data:
        # Shown in the window as plain "mnist.npz", whatever folder the file is in.
        (folder / "mnist.npz").symlink_to(Path(args.data).resolve())
        os.chdir(folder)
        data = {"dataset": "file", "data_path": "mnist.npz"}
    window.draft.set_config(RunConfig(learning_rate=1e-5, **data))
    window.show()

    def spin(until, timeout: float) -> None:
        began = time.monotonic()
        while not until() and time.monotonic() - began < timeout:
            app.processEvents()
            time.sleep(0.01)

    spin(lambda: window.keras is not None, 120)
    records = window.lessons.start_preset("classic")
    third = records[-1]
    spin(lambda: third.total_steps and third.steps_done >= args.fraction * third.total_steps, 600)
    for run in records[:2]:
        window.runs_panel.set_checked(run.id, True)
    spin(lambda: False, 0.5)  # let the plots redraw and the labels refresh
    args.output.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.output))
    print(f"saved {args.output} ({third.label} at step {third.steps_done}/{third.total_steps})")
    window.close()
    return 0


def first_launch(app, window, output: Path) -> int:
    window.show()
    began = time.monotonic()
    while window.keras is None and time.monotonic() - began < 120:  # Start reads "Start"
        app.processEvents()
        time.sleep(0.01)
    for _ in range(50):  # the plots redraw and the hint settles
        app.processEvents()
        time.sleep(0.01)
    output.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(output))
    print(f"saved {output} (first launch)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
