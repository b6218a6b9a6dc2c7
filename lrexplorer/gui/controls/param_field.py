"""One editable hyperparameter, generated from core's ParamSpec: checkbox or validated text field,
with its Keras default shown, changes from it marked, and a reason next to refused text."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core.config.number_text import format_number, parse_float
from lrexplorer.core.config.params import ParamSpec, same_value

ERROR_COLOUR = "#cc3311"
CHANGED_TINT = "#fff1c9"  # a changed value stands out on a projector without looking like an error
# Labels sit at the top of their row so an error message under a field does not move them.
LABEL_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
_NONE_WORDS = ("none", "off", "null")


def value_text(value: Any) -> str:
    """A value as the user would type it: 0.9, 1e-7, 5, 'none', '156, 312'."""
    if value is None:
        return "none"
    if isinstance(value, tuple | list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)


class ParamField(QWidget):
    """Edits one parameter. Empty text means the Keras default (for a nullable one: none/off).

    The editor's objectName is f"{prefix}_{name}" (e.g. "param_rho"); the label, reset button
    and error message add "_label", "_reset" and "_error" to it.
    """

    edited = Signal(str, object)  # name, the new value (the default when cleared)
    problem_changed = Signal(str, object)  # name, why the typed text is refused, or None

    def __init__(
        self, spec: ParamSpec, prefix: str, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.required = required
        self._value: Any = spec.default
        self._problem: str | None = None
        self._shown_error: str | None = None
        base = f"{prefix}_{spec.name}"

        self.label = QLabel(spec.name, objectName=f"{base}_label")
        self.label.setToolTip(self._tooltip())
        if spec.kind == "bool":
            self.editor: QCheckBox | QLineEdit = QCheckBox(objectName=base)
            self.editor.toggled.connect(self._on_editor_toggled)
        else:
            self.editor = QLineEdit(objectName=base)
            self.editor.setPlaceholderText(self._placeholder())
            # Wide enough for "0.999 (default)"; a long name then puts its field on a new line.
            self.editor.setMinimumWidth(
                self.editor.fontMetrics().horizontalAdvance("0.999 (default)") + 16
            )
            self.editor.textEdited.connect(self._on_editor_text_edited)
            self.editor.editingFinished.connect(self._on_editor_editing_finished)
        self.editor.setToolTip(self._tooltip())
        self.reset = QToolButton(objectName=f"{base}_reset", text="↺")
        self.reset.setAutoRaise(True)
        self.reset.setToolTip(f"Back to the Keras default ({self._default_text()})")
        policy = self.reset.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the field keeps its width when the button hides
        self.reset.setSizePolicy(policy)
        self.reset.hide()
        self.reset.clicked.connect(self._on_reset_clicked)
        self.error = QLabel(objectName=f"{base}_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.editor, 1)
        row.addWidget(self.reset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self._mark()

    # --- model -> view ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    def problem(self) -> str | None:
        """Why the typed text is refused, or None."""
        return self._problem

    def show_value(self, value: Any) -> None:
        """Show the config's value (the default when the config leaves it out).

        Refused text stays while the config still holds the value it would replace; a new
        value (a loaded preset) replaces it.
        """
        if self._problem is not None and same_value(value, self._value):
            return
        self._set_problem(None)
        self._value = value
        if isinstance(self.editor, QCheckBox):
            self.editor.blockSignals(True)
            self.editor.setChecked(bool(value))
            self.editor.blockSignals(False)
        elif not self._text_means(value):
            is_default = not self.required and same_value(value, self.spec.default)
            self.editor.setText("" if is_default else value_text(value))
        self._mark()

    def show_problem(self, message: str | None) -> None:
        """Show a problem found by validating the config; refused typed text comes first."""
        if self._problem is None:
            self._show_error(message)

    def clear(self) -> None:
        """Forget refused text and show the default again (after "Reset to Keras defaults")."""
        self._set_problem(None)
        if isinstance(self.editor, QLineEdit):
            self.editor.clear()
        self.show_value(self.spec.default)

    # --- slots ------------------------------------------------------------------------------
    def _on_editor_toggled(self, checked: bool) -> None:
        self._value = checked
        self._mark()
        self.edited.emit(self.name, checked)

    def _on_editor_text_edited(self, _text: str) -> None:
        # Half-typed text ("1e-") is normal: a reason appears when editing ends and goes as soon
        # as the text is valid again.
        if self._problem is not None:
            self._set_problem(self._parse()[1])

    def _on_editor_editing_finished(self) -> None:
        value, problem = self._parse()
        self._set_problem(problem)
        if problem is None:
            self._value = value
            self._mark()
            self.edited.emit(self.name, value)

    def _on_reset_clicked(self) -> None:
        self.clear()
        self.edited.emit(self.name, self.spec.default)

    # --- helpers ----------------------------------------------------------------------------
    def _parse(self) -> tuple[Any, str | None]:
        text = self.editor.text().strip()
        if not text:
            if self.required:
                return None, f"{self.name} is required: it needs {self.spec.allowed()}"
            return self.spec.default, None
        if self.spec.nullable and text.lower() in _NONE_WORDS:
            return None, None
        try:
            if self.spec.kind in ("float", "int"):
                return self.spec.coerce(parse_float(text, self.name)), None
            return self.spec.coerce(text), None
        except ValueError as error:
            return None, str(error)

    def _text_means(self, value: Any) -> bool:
        """True if the text already says `value` (then it stays as typed, e.g. "0.90")."""
        if not isinstance(self.editor, QLineEdit) or not self.editor.text().strip():
            return False
        parsed, problem = self._parse()
        return problem is None and same_value(parsed, value)

    def _set_problem(self, message: str | None) -> None:
        self._show_error(message)
        if message != self._problem:
            self._problem = message
            self.problem_changed.emit(self.name, message)

    def _show_error(self, message: str | None) -> None:
        self._shown_error = message
        self.error.setText(message or "")
        self.error.setVisible(message is not None)
        self._mark()

    def _mark(self) -> None:
        changed = not self.required and not same_value(self._value, self.spec.default)
        font = QFont(self.label.font())
        font.setBold(changed)
        self.label.setFont(font)
        self.reset.setVisible(changed)
        if isinstance(self.editor, QLineEdit):
            if self._shown_error is not None:
                style = f"QLineEdit {{ border: 2px solid {ERROR_COLOUR}; }}"
            elif changed:
                # Dark text on the light tint, whatever the theme.
                style = f"QLineEdit {{ background: {CHANGED_TINT}; color: #1a1a1a; }}"
            else:
                style = ""
            self.editor.setStyleSheet(style)

    def _default_text(self) -> str:
        if self.required:
            return "none: Keras requires a value"
        return "none (off)" if self.spec.default is None else value_text(self.spec.default)

    def _placeholder(self) -> str:
        if self.required:
            return "required"
        if self.spec.default is None:
            return "none (off)"
        return f"{value_text(self.spec.default)} (default)"

    def _tooltip(self) -> str:
        parts = [
            f"<b>{html.escape(self.name)}</b> · Keras default: {html.escape(self._default_text())}"
        ]
        if self.spec.doc:
            parts.append(html.escape(self.spec.doc))
        parts.append(f"Allowed: {html.escape(self.spec.allowed())}")
        if self.spec.kind.endswith("_list"):
            parts.append("Type the items separated by commas, e.g. 100, 200")
        return "<qt>" + "<br>".join(parts) + "</qt>"
