"""The notes box under the runs table: the selected run's notes, saved shortly after the last
keystroke rather than on each one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QWidget

from lrexplorer.core.store.records import RunRecord

NOTES_SAVE_MS = 800  # notes are saved this long after the last keystroke, not on each one


class RunNotes(QWidget):
    """`edited(record)` when a run's notes have changed and should be saved."""

    edited = Signal(object)  # RunRecord

    def __init__(
        self, lookup: Callable[[str], RunRecord | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup  # the run with this id, if it is still in the list
        self._run_id: str | None = None
        self.edit = QPlainTextEdit(objectName="runNotesEdit")
        self.edit.setTabChangesFocus(True)
        self.edit.setToolTip("Your notes on the selected run; they are saved with it")
        label = QLabel("Notes")
        label.setBuddy(self.edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.edit, 1)
        self._fit()
        self._timer = QTimer(self, singleShot=True, interval=NOTES_SAVE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.show_run(None)

    @property
    def run_id(self) -> str | None:
        return self._run_id

    def show_run(self, record: RunRecord | None) -> None:
        self._run_id = record.id if record is not None else None
        self.edit.blockSignals(True)  # showing notes is not editing them
        self.edit.setPlainText(record.notes if record is not None else "")
        self.edit.blockSignals(False)
        self.edit.setEnabled(record is not None)
        self.edit.setPlaceholderText(
            f"Notes on “{record.label}”: what you expected, what you saw"
            if record is not None
            else "Select a run to write notes on it"
        )

    def save_pending(self) -> None:
        """Save notes still waiting for their timer now (another run is about to be shown)."""
        if self._timer.isActive():
            self._timer.stop()
            self._on_timer_timeout()

    def _record(self) -> RunRecord | None:
        return self._lookup(self._run_id) if self._run_id else None

    def _on_edit_text_changed(self) -> None:
        record = self._record()
        if record is not None:
            record.notes = self.edit.toPlainText()
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        record = self._record()
        if record is not None:
            self.edited.emit(record)

    def _fit(self) -> None:
        # Two to three lines, following the font: the table keeps the room.
        lines = self.edit.fontMetrics().lineSpacing()
        frame = 2 * (self.edit.frameWidth() + round(self.edit.document().documentMargin()))
        self.edit.setMinimumHeight(2 * lines + frame)
        self.edit.setMaximumHeight(3 * lines + frame)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()
