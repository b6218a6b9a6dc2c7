"""ExportDialog: one run as Keras code in every form Keras accepts, to copy, save as a .py file
or save as a Jupyter notebook.

The code is rendered by core/snippets.py; this dialog only shows it. The name form's warning
(what `optimizer="rmsprop"` would silently lose) sits in plain view above the code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QEvent, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.export.notebook import NOTEBOOK_FORMS
from lrexplorer.core.export.snippets import FORMS, IMPORT_LINES, IMPORT_STYLES, render
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.dialogs.highlighter import PythonHighlighter, is_dark
from lrexplorer.gui.dialogs.message_box import MessageBox
from lrexplorer.gui.dialogs.travel_exports import write_notebook_file

TITLES = {"name": "Name", "dict": "Dict", "object": "Object", "script": "Full script"}
EXPLANATIONS = {
    "name": 'optimizer="{optimizer}": the shortest form. Keras builds the optimizer with every '
    "setting at its default, whatever this run used.",
    "dict": "keras.optimizers.get(...) with a config dict: every setting explicit, easy to "
    "store as JSON.",
    "object": "An optimizer object such as keras.optimizers.RMSprop(...): settings as keyword "
    "arguments, and the object is yours to inspect or reuse.",
    "script": "A complete script: loads the data, builds the same model with the same seed and "
    "trains it with this run's settings. Runs on its own wherever Keras is installed.",
}
OK_NOTE = "The name form reproduces this run exactly: every setting is Keras's default."
WARNING_HEADING = "The name form does not reproduce this run."
COPIED_FOR_MS = 2000
CODE_COLUMNS = 82  # the snippets' 79 columns and a little air


def _code_font(base: QFont) -> QFont:
    """Monospace, a few points above the interface text so the back of a classroom can read it."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(max(13.0, base.pointSizeF() + 3))
    return font


def _file_stem(label: str, form: str) -> str:
    """ "RMSprop 1e-4", "script" -> "RMSprop_1e-4_script": safe on every file system."""
    stem = re.sub(r"[^\w.-]+", "_", label).strip("_.") or "run"
    return f"{stem}_{form}"


class _SnippetPage(QWidget):
    """One form: what it is for, the code, and Copy / Save as .py… buttons."""

    def __init__(self, form: str, optimizer: str, font: QFont, parent: QWidget) -> None:
        super().__init__(parent)
        self.form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        self.explanation = QLabel(EXPLANATIONS[form].format(optimizer=optimizer), self)
        self.explanation.setObjectName(f"explain_{form}")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.notes = QVBoxLayout()  # the name page puts its warning here, above the code
        layout.addLayout(self.notes)

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName(f"snippet_{form}")
        self.editor.setReadOnly(True)
        self.editor.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        # Wrapped code is wrong code to a learner copying it by eye: scroll sideways instead.
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setTabChangesFocus(True)
        self.editor.setFont(font)
        self.editor.setPlaceholderText("No code: the message above says why.")
        self.highlighter = PythonHighlighter(self.editor.document())
        layout.addWidget(self.editor, 1)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName(f"copy_{form}")
        self.copy_button.setToolTip("Put this code on the clipboard")
        # Wide enough for "Copied ✓" too, so the row does not jump when it changes.
        width = self.copy_button.fontMetrics().horizontalAdvance("  Copied ✓  ")
        self.copy_button.setMinimumWidth(max(self.copy_button.sizeHint().width(), width + 24))
        self.save_button = QPushButton("Save as .py…", self)
        self.save_button.setObjectName(f"save_{form}")
        self.save_button.setToolTip("Write this code to a Python file")
        self.notebook_button: QPushButton | None = None
        if form in NOTEBOOK_FORMS:
            self.notebook_button = QPushButton("Save as notebook…", self)
            self.notebook_button.setObjectName(f"notebook_{form}")
            self.notebook_button.setToolTip(
                "Write a Jupyter notebook that trains this run, compiling in this form"
            )
        self.status = QLabel(self)
        self.status.setObjectName(f"status_{form}")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        if self.notebook_button is not None:
            buttons.addWidget(self.notebook_button)
        buttons.addSpacing(8)
        buttons.addWidget(self.status, 1)
        layout.addLayout(buttons)

        self.copied_timer = QTimer(self)
        self.copied_timer.setSingleShot(True)
        self.copied_timer.setInterval(COPIED_FOR_MS)
        self.copied_timer.timeout.connect(self._on_copied_timer_timeout)

    def set_code(self, code: str) -> None:
        """Show new code, keeping the scroll position (switching imports should not jump)."""
        bar = self.editor.verticalScrollBar()
        position = bar.value()
        self.editor.setPlainText(code)
        bar.setValue(position)
        self.copy_button.setEnabled(bool(code))
        self.save_button.setEnabled(bool(code))
        if self.notebook_button is not None:
            self.notebook_button.setEnabled(bool(code))

    def show_copied(self) -> None:
        self.copy_button.setText("Copied ✓")
        self.copied_timer.start()

    def _on_copied_timer_timeout(self) -> None:
        self.copy_button.setText("Copy")


class ExportDialog(QDialog):
    """A run's Keras code: name, dict, object and full-script forms, each to copy or save."""

    import_style_changed = Signal(str)  # "keras" or "tf.keras", so the window can remember it

    _last_folder: str | None = None  # where the last file was saved, for the next Save dialog

    def __init__(self, record: RunRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExportDialog")
        self._record = record
        self._lr_changes = record.rate_changes()
        self._codes: dict[str, str] = dict.fromkeys(FORMS, "")
        label = record.label or record.config.label()
        self._label = label
        self.setWindowTitle(f"Export {label}")
        self.setSizeGripEnabled(True)
        self._build(label)
        self._apply_theme()
        self._render()
        self._size_to_code()

    # --- public -----------------------------------------------------------------------------
    @property
    def record(self) -> RunRecord:
        return self._record

    @property
    def import_style(self) -> str:
        return self._import_combo.currentData()

    def set_import_style(self, style: str) -> None:
        """Re-render every form with `style` ("keras" or "tf.keras") as its import line."""
        index = self._import_combo.findData(style)
        if index < 0:
            raise ValueError(f"unknown import style {style!r}: one of {', '.join(IMPORT_STYLES)}")
        self._import_combo.setCurrentIndex(index)

    def code(self, form: str) -> str:
        """The code shown for `form` (one of core.snippets.FORMS); "" if it could not render."""
        return self._codes[form]

    def choose_notebook_path(self, suggested: str) -> str:
        """Ask where to save the notebook; "" if cancelled. Tests replace this."""
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save as a Jupyter notebook", suggested, "Jupyter notebooks (*.ipynb)"
        )
        return path

    def show_form(self, form: str) -> None:
        self._tabs.setCurrentIndex(FORMS.index(form))

    def choose_save_path(self, suggested: str) -> str:
        """Ask where to save; "" if cancelled. Tests replace this to skip the file dialog."""
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the code as a Python file", suggested, "Python files (*.py)"
        )
        return path

    # --- building ---------------------------------------------------------------------------
    def _build(self, label: str) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        top = QHBoxLayout()
        heading = QLabel(f"Keras code for <b>{html.escape(label)}</b>", self)
        heading.setObjectName("exportHeading")
        heading_font = heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading.setFont(heading_font)
        top.addWidget(heading, 1)
        imports_label = QLabel("&Imports:", self)
        self._import_combo = QComboBox(self)
        self._import_combo.setObjectName("importStyleCombo")
        self._import_combo.setToolTip(
            "Keras 3 on its own, or the Keras that comes with TensorFlow (tf.keras)"
        )
        for style in IMPORT_STYLES:
            self._import_combo.addItem(IMPORT_LINES[style], style)
        imports_label.setBuddy(self._import_combo)
        top.addWidget(imports_label)
        top.addWidget(self._import_combo)
        layout.addLayout(top)

        self._error = MessageBox("exportError", QStyle.StandardPixmap.SP_MessageBoxCritical, self)
        self._error.hide()
        layout.addWidget(self._error)

        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("exportTabs")
        self._pages: dict[str, _SnippetPage] = {}
        font = _code_font(self.font())
        for form in FORMS:
            page = _SnippetPage(form, self._record.config.optimizer, font, self._tabs)
            page.copy_button.clicked.connect(lambda _=False, f=form: self._on_copy_clicked(f))
            page.save_button.clicked.connect(lambda _=False, f=form: self._on_save_clicked(f))
            if page.notebook_button is not None:
                page.notebook_button.clicked.connect(
                    lambda _=False, f=form: self._on_notebook_clicked(f)
                )
            self._pages[form] = page
            self._tabs.addTab(page, TITLES[form])
        name_page = self._pages["name"]
        self._warning = MessageBox(
            "nameWarning", QStyle.StandardPixmap.SP_MessageBoxWarning, name_page
        )
        self._ok = MessageBox("nameOk", QStyle.StandardPixmap.SP_MessageBoxInformation, name_page)
        self._ok.text.setText(OK_NOTE)
        name_page.notes.addWidget(self._warning)
        name_page.notes.addWidget(self._ok)
        layout.addWidget(self._tabs, 1)

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.setObjectName("exportButtons")
        box.rejected.connect(self.reject)
        box.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeButton")
        layout.addWidget(box)

        self._import_combo.currentIndexChanged.connect(self._on_import_combo_changed)

    def _size_to_code(self) -> None:
        """900x650 at least, wider if the code font needs it to show 79 columns unscrolled."""
        editor = self._pages["script"].editor
        code_width = QFontMetricsF(editor.font()).horizontalAdvance("x" * CODE_COLUMNS)
        width, height = max(900, int(code_width) + 100), 650
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.9))
        self.resize(width, height)

    def _apply_theme(self) -> None:
        dark = is_dark(self.palette())
        for page in self._pages.values():
            page.highlighter.set_dark(dark)
        for box in (self._warning, self._ok, self._error):
            box.set_dark(dark)

    # --- rendering --------------------------------------------------------------------------
    def _render(self) -> None:
        # The first render imports Keras (2-3 s) if the window has not loaded it yet.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._render_forms()
        finally:
            QGuiApplication.restoreOverrideCursor()

    def _render_forms(self) -> None:
        style = self.import_style
        errors: list[str] = []
        warning: str | None = None
        name_ok = False
        for form in FORMS:
            try:
                snippet = render(
                    self._record.config,
                    form,
                    style,
                    self._lr_changes,
                    steps_per_epoch=self._record.steps_per_epoch or None,
                )
            except Exception as error:  # noqa: BLE001 - any failure is shown, never a crash
                message = str(error) or type(error).__name__
                if message not in errors:
                    errors.append(message)
                self._codes[form] = ""
            else:
                self._codes[form] = snippet.code
                if form == "name":
                    warning, name_ok = snippet.warning, snippet.warning is None
            self._pages[form].set_code(self._codes[form])
        if warning:
            self._warning.text.setText(
                f"<b>{html.escape(WARNING_HEADING)}</b><br>{html.escape(warning)}"
            )
        self._warning.setVisible(bool(warning))
        # The warning's icon on the Name tab too, so it is noticed from the other tabs.
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._tabs.setTabIcon(FORMS.index("name"), icon if warning else QIcon())
        self._ok.setVisible(name_ok)
        if errors:
            self._error.text.setText(
                "<b>This run cannot be exported as Keras code.</b><br>"
                + "<br>".join(html.escape(message) for message in errors)
            )
        self._error.setVisible(bool(errors))

    # --- slots ------------------------------------------------------------------------------
    def _on_import_combo_changed(self, _index: int) -> None:
        self._render()
        self.import_style_changed.emit(self.import_style)

    def _on_copy_clicked(self, form: str) -> None:
        QGuiApplication.clipboard().setText(self._codes[form])
        self._pages[form].show_copied()

    def _suggested(self, form: str, suffix: str) -> str:
        folder = ExportDialog._last_folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return str(Path(folder or Path.home(), _file_stem(self._label, form) + suffix))

    def _on_save_clicked(self, form: str) -> None:
        chosen = self.choose_save_path(self._suggested(form, ".py"))
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".py")
        try:
            path.write_text(self._codes[form], encoding="utf-8")
        except OSError as error:
            self._say_not_saved(form, path, error)
            return
        self._say_saved(form, path)

    def _on_notebook_clicked(self, form: str) -> None:
        chosen = self.choose_notebook_path(self._suggested(form, ".ipynb"))
        if not chosen:
            return
        try:
            path = write_notebook_file(self._record, chosen, form, self.import_style)
        except OSError as error:
            self._say_not_saved(form, Path(chosen), error)
            return
        self._say_saved(form, path)

    def _say_saved(self, form: str, path: Path) -> None:
        ExportDialog._last_folder = str(path.parent)
        status = self._pages[form].status
        status.setStyleSheet("")
        status.setText(f"Saved {path.name}")
        status.setToolTip(str(path))

    def _say_not_saved(self, form: str, path: Path, error: OSError) -> None:
        status = self._pages[form].status
        status.setText(f"Could not save {path.name}: {error.strerror or error}")
        colour = "#FF8A80" if is_dark(self.palette()) else "#B71C1C"
        status.setStyleSheet(f"color: {colour};")

    # --- events -----------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # The user switched between light and dark themes while the dialog was open.
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme()
        super().changeEvent(event)
