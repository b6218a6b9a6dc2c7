"""What the window shows before the first run: plots already drawn for the run that Start would
train (its steps, its learning rate), a hint on what to do first, and a size that uses the
screen until the user's own is remembered."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.presets import PRESETS
from lrexplorer.gui.controls.schedule_panel import total_steps

if TYPE_CHECKING:
    from lrexplorer.gui.window.main_window import MainWindow

SCREEN_SHARE = 0.85  # of the screen's free area, the first time (then the size is remembered)
_LESSON = PRESETS["classic"].title.split(" (")[0]
FIRST_HINT = (
    "Press <b>Start</b> to train with these settings,<br>or try "
    f"<b>Run &gt; Presets &gt; {_LESSON}</b>, the classic lesson."
)
RUNS_HINT = (
    "Tick runs in the list below to compare them here,<br>or press <b>Start</b> for a new one."
)


def use_the_screen(window: QWidget) -> None:
    """Size the window to most of its screen's free area, centred."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    size = QSize(round(area.width() * SCREEN_SHARE), round(area.height() * SCREEN_SHARE))
    window.resize(size)
    window.move(area.center() - QPoint(size.width() // 2, size.height() // 2))


class FirstLaunch(QObject):
    """Keeps the empty plots in step with the draft and the hint with the runs list."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        window.draft.changed.connect(self._on_draft_changed)
        window.loader.ready.connect(self._on_loader_ready)
        model = window.runs_panel.table.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._on_runs_changed)
        self._on_draft_changed(window.draft.config)
        self._on_runs_changed()

    def _on_draft_changed(self, config: RunConfig) -> None:
        rate, keras = config.learning_rate, self._window.keras
        if rate is None and keras is not None:
            # An optimizer this Keras lacks: the check before Start says so.
            with contextlib.suppress(KeyError, ValueError):
                rate = keras.optimizers.get(config.optimizer).default_learning_rate
        self._window.plots.set_plan(total_steps(config), rate)

    def _on_loader_ready(self, _ready: object) -> None:
        self._on_draft_changed(self._window.draft.config)  # the optimizer's default rate

    def _on_runs_changed(self, *_args: object) -> None:
        has_runs = self._window.runs_panel.table.model().rowCount() > 0
        self._window.plots.set_hint(RUNS_HINT if has_runs else FIRST_HINT)
