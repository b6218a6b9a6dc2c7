"""The window's menus and shortcuts, and the exports they start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from lrexplorer.core.explore.presets import PRESETS
from lrexplorer.core.store.records import RunRecord

if TYPE_CHECKING:
    from lrexplorer.gui.dialogs.travel_exports import TensorBoardExport
    from lrexplorer.gui.window.main_window import MainWindow

SHORTCUTS = (
    ("Ctrl+Return", "Start a run"),
    ("Space", "Pause / resume"),
    ("Esc", "Stop after the current batch"),
    ("Ctrl+Shift+Return", "Sweep several learning rates"),
    ("Ctrl+L", "Learning-rate range test (find a rate)"),
    ("Ctrl+E", "Export the selected run's Keras code"),
    ("F5", "Presentation mode on / off"),
    ("Ctrl+= / Ctrl+-", "Larger / smaller text"),
    ("Ctrl+Q", "Quit"),
)


class WindowActions:
    """Builds the menu bar and window-wide shortcuts; holds presentation state."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.font_scale = float(window.settings.value("view/fontScale", 1.0))
        self.presenting = False
        self._base_font = QApplication.font()
        menu = window.menuBar()

        file_menu = menu.addMenu("&File")
        self.export_code_action = self._action(
            file_menu, "Export Keras code…", "Ctrl+E", self._on_export_code_triggered
        )
        self._action(file_menu, "Export plots (PNG/SVG)…", "Ctrl+Shift+S", self.export_plots)
        self._action(file_menu, "Export history as CSV…", None, self._on_export_csv_triggered)
        self._action(
            file_menu, "Export notebook…", None, self._on_export_notebook_triggered
        ).setObjectName("exportNotebookAction")
        self._action(
            file_menu, "Export to TensorBoard…", None, self.export_tensorboard
        ).setObjectName("exportTensorBoardAction")
        self.tensorboard: TensorBoardExport | None = None  # made by the first export
        file_menu.addSeparator()
        self._action(file_menu, "Open session…", "Ctrl+O", self.open_session)
        self._action(file_menu, "Save session…", None, self.save_session)
        self._action(file_menu, "Export lesson bundle…", None, self.export_lesson_bundle)
        file_menu.addSeparator()
        self._action(file_menu, "Open runs folder", None, self.open_runs_folder)
        file_menu.addSeparator()
        self._action(file_menu, "Quit", "Ctrl+Q", window.close)

        run_menu = menu.addMenu("&Run")
        self.start_action = self._action(run_menu, "Start", "Ctrl+Return", window.start_run)
        self.start_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.pause_action = self._action(run_menu, "Pause / resume", "Space", window.toggle_pause)
        self.stop_action = self._action(run_menu, "Stop", "Esc", window.stop_run)
        run_menu.addSeparator()
        self.sweep_action = self._action(
            run_menu, "Sweep…", "Ctrl+Shift+Return", window.lessons.open_sweep_dialog
        )
        presets_menu = run_menu.addMenu("Presets")
        presets_menu.setToolTipsVisible(True)
        for name, preset in PRESETS.items():
            action = self._action(
                presets_menu, preset.title, None, lambda n=name: window.lessons.start_preset(n)
            )
            action.setToolTip(preset.description)
        self._action(run_menu, "Find learning rate…", "Ctrl+L", window.lessons.open_lr_finder)
        self._action(run_menu, "Summary of ticked runs", None, window.lessons.show_summary)

        view_menu = menu.addMenu("&View")
        self.presentation_action = self._action(
            view_menu, "Presentation mode", "F5", self.toggle_presentation
        )
        self.presentation_action.setCheckable(True)
        self._action(view_menu, "Larger text", "Ctrl+=", lambda: self.scale_font(1.15))
        self._action(view_menu, "Smaller text", "Ctrl+-", lambda: self.scale_font(1 / 1.15))
        view_menu.addSeparator()
        window.theme.add_menu(view_menu)

        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", "F1", self.show_shortcuts)
        self._apply_font()

    def _action(self, menu, text: str, shortcut: str | None, slot) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda checked=False: slot())
        menu.addAction(action)
        return action

    # --- exports ----------------------------------------------------------------------------
    def _selected(self) -> RunRecord | None:
        record = self.window.runs_panel.selected() or self.window.controller.current
        if record is None:
            self.window.banner.show_message("Select a run in the runs list first.", "info")
        return record

    def _on_export_code_triggered(self) -> None:
        record = self._selected()
        if record is not None:
            self.export_code(record)

    def _on_export_csv_triggered(self) -> None:
        record = self._selected()
        if record is not None:
            self.export_csv(record)

    def _on_export_notebook_triggered(self) -> None:
        record = self._selected()
        if record is not None:
            self.export_notebook(record)

    def export_notebook(self, record: RunRecord) -> None:
        from lrexplorer.gui.dialogs.travel_exports import export_notebook

        filters = "Jupyter notebook (*.ipynb)"
        path = self.ask_save_path("Export notebook", f"{record.label}.ipynb", filters)
        if path:
            export_notebook(self.window, record, path)

    def export_tensorboard(self) -> None:
        """The ticked runs (every run when none is ticked) as TensorBoard logs, in the
        background; `self.tensorboard.wait` waits for it."""
        from lrexplorer.gui.dialogs.travel_exports import TensorBoardExport

        records = self._lesson_runs()
        if not records:
            self.window.banner.show_message("There are no runs to export to TensorBoard yet.")
            return
        last = str(self.window.settings.value("export/tensorboardFolder", ""))
        folder = self.ask_folder("Export to TensorBoard: choose the log folder", last)
        if not folder:
            return
        self.window.settings.setValue("export/tensorboardFolder", folder)
        if self.tensorboard is None:
            self.tensorboard = TensorBoardExport(self.window)
        self.tensorboard.start(records, folder)

    def export_code(self, record: RunRecord) -> None:
        from lrexplorer.gui.dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(record, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def export_csv(self, record: RunRecord) -> None:
        from lrexplorer.core.export.csv_export import batches_csv, epochs_csv

        self.window.store.load_history(record)
        path = self.ask_save_path("Export history as CSV", f"{record.label}.csv", "CSV (*.csv)")
        if not path:
            return
        target = Path(path)
        try:
            target.write_text(batches_csv(record), encoding="utf-8")
            epochs = target.with_name(f"{target.stem}-epochs.csv")
            epochs.write_text(epochs_csv(record), encoding="utf-8")
        except OSError as error:
            self.window.banner.show_message(f"Could not write {target}: {error.strerror}", "error")
            return
        self.window.statusBar().showMessage(f"Saved {target.name} and {epochs.name}", 5000)

    def export_plots(self) -> None:
        path = self.ask_save_path(
            "Export plots", "lrexplorer-plots.png", "PNG (*.png);;SVG (*.svg)"
        )
        if not path:
            return
        if Path(path).suffix.lower() not in (".png", ".svg"):
            path += ".png"
        try:
            self.window.plots.export_image(path)
        except (OSError, ValueError) as error:
            self.window.banner.show_message(f"Could not write {path}: {error}", "error")
            return
        self.window.statusBar().showMessage(f"Saved {Path(path).name}", 5000)

    def _lesson_runs(self) -> list[RunRecord]:
        """The ticked runs; every run when none is ticked."""
        return self.window.runs_panel.checked() or self.window.runs_panel.records()

    def save_session(self) -> None:
        from lrexplorer.gui.dialogs.session_files import FILE_FILTER, save_session_file

        records = self._lesson_runs()
        path = self.ask_save_path("Save session", "lesson.lrsession", FILE_FILTER)
        if path:
            save_session_file(self.window, records, path)

    def open_session(self) -> None:
        from lrexplorer.gui.dialogs.session_files import FILE_FILTER, open_session_file

        path = self.ask_open_path("Open session", FILE_FILTER)
        if path:
            open_session_file(self.window, path)

    def export_lesson_bundle(self) -> None:
        """One folder or zip to hand out: each run's JSON, CSVs, code, and the plots."""
        from lrexplorer.gui.dialogs.bundle_export import export_bundle

        records = self._lesson_runs()
        path = self.ask_save_path(
            "Export lesson bundle", "lesson.zip", "Zip archive (*.zip);;Folder (*)"
        )
        if path:
            export_bundle(self.window, records, path, as_zip=path.lower().endswith(".zip"))

    def ask_open_path(self, title: str, filters: str) -> str:
        """An open-file dialog; tests replace this method."""
        path, _ = QFileDialog.getOpenFileName(self.window, title, "", filters)
        return path

    def ask_folder(self, title: str, start: str = "") -> str:
        """A folder dialog; tests replace this method."""
        return QFileDialog.getExistingDirectory(self.window, title, start)

    def ask_save_path(self, title: str, name: str, filters: str) -> str:
        """A save-file dialog; tests replace this method."""
        safe = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name)
        path, _ = QFileDialog.getSaveFileName(self.window, title, safe, filters)
        return path

    def open_runs_folder(self) -> None:
        self.window.store.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.window.store.folder)))

    # --- view -------------------------------------------------------------------------------
    def toggle_presentation(self) -> None:
        """Projector mode: plots fill the screen, text and lines grow; same key to leave."""
        self.presenting = not self.presenting
        self.presentation_action.setChecked(self.presenting)
        window = self.window
        window.main_splitter.widget(0).setVisible(not self.presenting)
        window.runs_panel.setVisible(not self.presenting)
        if self.presenting:
            window.showFullScreen()
        else:
            window.showNormal()
        self._apply_font()

    def scale_font(self, factor: float) -> None:
        self.font_scale = min(max(self.font_scale * factor, 0.7), 3.0)
        self._apply_font()

    def _apply_font(self) -> None:
        scale = self.font_scale * (1.4 if self.presenting else 1.0)
        font = self._base_font
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        scaled = type(font)(font)
        scaled.setPointSizeF(size * scale)
        self.window.setFont(scaled)
        self.window.plots.set_presentation(scale)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{d}</td></tr>" for k, d in SHORTCUTS)
        QMessageBox.information(self.window, "Keyboard shortcuts", f"<table>{rows}</table>")

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("view/fontScale", self.font_scale)
