"""What the Run menu starts besides one run: sweeps, classroom presets, the learning-rate range
test, and the summary a sweep ends with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.theme import style_plots_in

if TYPE_CHECKING:
    from lrexplorer.gui.window.main_window import MainWindow


class Lessons:
    """Starts the window's multi-run lessons; one sweep at a time, summarised when it ends."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.sweep: list[RunRecord] = []  # the queued sweep, summarised when the queue ends
        self.finder: QWidget | None = None
        window.controller.busy_changed.connect(self._on_controller_busy_changed)

    def _can_start(self) -> bool:
        return self.window.keras is not None and not self.window.controller.busy

    def start_runs(self, configs: list[RunConfig]) -> list[RunRecord]:
        """Queue several runs (a sweep); they run one after another, each watched live, overlay,
        and end with a summary. Labels name what differs (SGD 0.01 vs SGD 0.01 momentum=0.9,
        seed 0 vs seed 1); a setting repeated with seeds is drawn as its mean and band as soon
        as two of its seeds are done."""
        from lrexplorer.core.explore.labels import setting_key, sweep_labels

        labels = sweep_labels(configs)
        start = self.window.controller.start
        records = [start(c, label=n) for c, n in zip(configs, labels, strict=True)]
        if len({setting_key(c) for c in configs}) < len(configs):  # repeated with seeds
            self.window.plots.bands.show_settings(records)
        self.sweep = records if len(records) > 1 else []
        return records

    def open_sweep_dialog(self) -> None:
        if not self._can_start():
            return
        from lrexplorer.gui.dialogs.sweep_dialog import SweepDialog

        window = self.window
        dialog = SweepDialog(window.draft.config, window.keras.optimizers.names(), window)
        if dialog.exec():
            self.start_runs(dialog.configs())

    def start_preset(self, name: str) -> list[RunRecord]:
        """One click for a classroom lesson: the preset's runs, with the current data."""
        if not self._can_start():
            return []
        from lrexplorer.core.explore.presets import preset_configs
        from lrexplorer.core.keras_api.validation import ConfigError

        try:
            configs = preset_configs(name, self.window.draft.config)
        except ConfigError as error:
            self.window.banner.show_message(f"Can't start the preset: {error}", "error")
            return []
        return self.start_runs(configs)

    def open_lr_finder(self) -> None:
        """The range test on the current settings; its chosen rate becomes the draft's."""
        if not self._can_start():
            return
        from lrexplorer.core.keras_api.validation import ConfigError, check_config
        from lrexplorer.gui.dialogs.range_test_dialog import LrFinderDialog

        window = self.window
        try:
            config = check_config(window.draft.config)
        except ConfigError as error:
            window.banner.show_message(f"Fix the settings first: {error}", "warning")
            return
        dialog = LrFinderDialog(config, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.rate_chosen.connect(lambda rate: window.draft.update(learning_rate=rate))
        self.finder = dialog
        style_plots_in(dialog, window.theme.current())
        dialog.show()

    def show_summary(self, records: list[RunRecord] | None = None) -> None:
        """The sweep summary (table and results against learning rate) of the ticked runs."""
        from lrexplorer.gui.dialogs.sweep_summary import SweepSummaryDialog

        window = self.window
        records = records if records is not None else window.runs_panel.checked()
        if not records:
            window.banner.show_message("Tick the runs to summarise first.", "info")
            return
        dialog = SweepSummaryDialog(records, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        style_plots_in(dialog, window.theme.current())
        dialog.show()

    def _on_controller_busy_changed(self, busy: bool) -> None:
        if busy or not self.sweep:
            return
        records, self.sweep = self.sweep, []
        self.show_summary(records)
