"""GUI measurements for bench.py, each in its own offscreen process (see probes.py)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import Any

from probes import config, result, rss_mb, session_configs


def _window(folder: str) -> Any:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from lrexplorer.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings = QSettings(f"{folder}/settings.ini", QSettings.Format.IniFormat)
    window = MainWindow(runs_folder=f"{folder}/runs", settings=settings)
    window.resize(1400, 900)
    window.show()
    _wait(app, lambda: window.keras is not None, 120)
    return app, window


def _wait(app: Any, done: Any, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.002)


class LatenessClock:
    """A 10 ms timer; how late each tick fires tells how long the event loop was busy."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.late_ms: list[float] = []
        self.at: list[float] = []
        self._last = 0.0
        self._timer = QTimer(interval=10, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late_ms.append(max(0.0, (now - self._last) * 1000 - 10))
        self.at.append(now)
        self._last = now

    def summary(self, since: float = 0.0) -> tuple[float, float]:
        """(p99, max) lateness in ms of the ticks after `since`."""
        late = sorted(v for v, t in zip(self.late_ms, self.at, strict=True) if t >= since)
        return late[int(0.99 * (len(late) - 1))], late[-1]


def _run_in_window(app: Any, window: Any, run: Any, timeout: float = 600) -> Any:
    """Train `run` in the window with the event loop running as in the app (exec, not a loop
    of processEvents and sleeps, which would itself cost the training thread CPU and GIL)."""
    from PySide6.QtCore import QEventLoop, QTimer

    finished: list[Any] = []
    loop = QEventLoop()

    def on_finished(record: Any) -> None:
        finished.append(record)
        loop.quit()

    window.controller.run_finished.connect(on_finished)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    window.lessons.start_runs([run])
    if not finished:
        loop.exec()
    window.controller.run_finished.disconnect(on_finished)
    if not finished:
        raise TimeoutError("the run did not finish in time")
    return finished[0]


def window_train(args: argparse.Namespace) -> None:
    """The window trains the config with live plots on, while a 10 ms timer measures lag."""
    with tempfile.TemporaryDirectory() as folder:
        app, window = _window(folder)
        clock = LatenessClock()
        first_batch: list[float] = []

        def on_event(record: Any, event: Any) -> None:
            if not first_batch and type(event).__name__ == "BatchEnd":
                first_batch.append(time.perf_counter())

        window.controller.run_event.connect(on_event)
        clock.start()
        record = _run_in_window(app, window, config(args))
        clock.stop()
        window.controller.shutdown()
        window.close()
    p99, worst = clock.summary()
    training_p99, training_worst = clock.summary(first_batch[0])
    result(
        epochs=record.epochs,
        batches={"epoch": record.batches["epoch"], "elapsed": record.batches["elapsed"]},
        status=record.status,
        lateness_p99_ms=p99,
        lateness_max_ms=worst,
        training_lateness_p99_ms=training_p99,
        training_lateness_max_ms=training_worst,
        ticks=len(clock.late_ms),
    )


def memory_gui(args: argparse.Namespace) -> None:
    """RSS after the first and after the last of many short runs in one window."""
    with tempfile.TemporaryDirectory() as folder:
        app, window = _window(folder)
        after: list[float] = []
        for run in session_configs(args.runs):
            _run_in_window(app, window, run)
            app.processEvents()
            after.append(rss_mb())
        window.controller.shutdown()
        window.close()
    result(first=after[0], last=after[-1], runs=len(after))


def overlay_redraw(args: argparse.Namespace) -> None:
    """LivePlots with 20 past runs of 5,000 points each and a live run: redraw times."""
    import numpy as np
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from lrexplorer.core import events as ev
    from lrexplorer.core.config import RunConfig
    from lrexplorer.core.store.records import RunRecord
    from lrexplorer.plots.live_plots import LivePlots

    app = QApplication.instance() or QApplication([])
    plots = LivePlots()
    plots.resize(1200, 800)
    plots.show()
    rng = np.random.default_rng(0)
    points = 5000
    past = []
    for index in range(20):
        record = RunRecord(id=f"past-{index}", config=RunConfig(learning_rate=10 ** -(index % 5)))
        loss = np.exp(-np.linspace(0, 3, points) * (1 + index / 10)) + rng.random(points) * 0.1
        steps = list(range(1, points + 1))
        assert record.batches is not None
        record.batches.update(
            step=steps,
            epoch=[1 + s // 500 for s in steps],
            batch=[1 + s % 500 for s in steps],
            loss=loss.tolist(),
            accuracy=(1 - loss / 2).tolist(),
            mean_loss=loss.tolist(),
            mean_accuracy=(1 - loss / 2).tolist(),
            learning_rate=[record.config.learning_rate] * points,
            elapsed=[s * 0.004 for s in steps],
        )
        record.label = f"run {index}"
        record.status = ev.FINISHED
        past.append((record, QColor.fromHsv(index * 18, 200, 200)))
    plots.set_overlays(past)
    live = RunRecord(id="live", config=RunConfig(learning_rate=1e-3))
    live.total_steps = points
    plots.begin_live(live, QColor("black"))
    plots.redraw_now()
    app.processEvents()
    full, fresh = [], []
    step = 0
    for round_index in range(args.runs):
        # A full redraw: the smoothing changed, so every curve is recomputed and redrawn.
        plots.set_smoothing(0.5 + 0.4 * (round_index % 2))
        began = time.perf_counter()
        plots.redraw_now()
        app.processEvents()
        full.append((time.perf_counter() - began) * 1000)
        # A live redraw: ~50 ms of new batches of the live run.
        for _ in range(10):
            step += 1
            event = ev.BatchEnd(step, 1, step, 0.5, 0.8, 0.5, 0.8, 1e-3, step * 0.005)
            live.apply(event)
            plots.on_run_event(live, event)
        began = time.perf_counter()
        plots.redraw_now()
        app.processEvents()
        fresh.append((time.perf_counter() - began) * 1000)
    # The keys are the rows of bench.py's table.
    figures = {"full redraw ms": full, "live redraw ms": fresh}
    result(**{key: statistics.median(times) for key, times in figures.items()})


PROBES = {"window-train": window_train, "memory-gui": memory_gui, "overlay-redraw": overlay_redraw}


def run_gui_probe(args: argparse.Namespace) -> None:
    PROBES[args.what](args)
