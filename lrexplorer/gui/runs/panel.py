"""RunsPanel: every run of this and earlier sessions, to tick for the plots, compare, rename,
annotate, export and delete (with undo)."""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lrexplorer.core import events as ev
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.runs.differences import DifferencesView
from lrexplorer.gui.runs.model import (
    COL_LABEL,
    RECORD_ROLE,
    SORT_ROLE,
    RunsModel,
)
from lrexplorer.gui.runs.notes import RunNotes
from lrexplorer.gui.runs.table import RunsTable
from lrexplorer.plots.palette import ColourBook

UNDO_MS = 10_000  # how long a deletion can be undone before its files go


class RunsPanel(QWidget):
    """The runs list. Deleting is final only after the undo window: see `runs_deleted`."""

    checked_changed = Signal(list)  # list[RunRecord] ticked, in display order
    selection_changed = Signal(object)  # RunRecord | None
    record_edited = Signal(object)  # RunRecord whose label or notes changed: save it
    export_requested = Signal(object)  # RunRecord
    csv_requested = Signal(object)  # RunRecord
    # Rows disappear at once; this fires when their undo window has passed (or commit_deletes
    # is called): delete their files now. Undone deletions never fire it.
    runs_deleted = Signal(list)  # list[RunRecord]

    def __init__(self, colours: ColourBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RunsPanel")
        self._colours = colours
        self._model = RunsModel(colours, self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setSortRole(SORT_ROLE)
        self._pending: list[list] = []  # what each deletion removed (RunsModel.remove), until final
        self._last_checked: tuple[str, ...] = ()
        self._last_selected: str | None = None
        self.undo_ms = UNDO_MS
        self._build()
        self._build_actions()
        self._connect()
        self._update_buttons()
        self.notes_box.show_run(None)

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.differences_button = QPushButton("Differences only", objectName="differencesButton")
        self.differences_button.setCheckable(True)
        self.differences_button.setToolTip("Show only the settings that differ between ticked runs")
        self.export_button = QPushButton("Export…", objectName="exportRunButton")
        self.export_button.setToolTip("Export the selected run as a Python script or JSON")
        self.csv_button = QPushButton("Export CSV…", objectName="exportCsvButton")
        self.csv_button.setToolTip("Save the selected run's history for a spreadsheet")
        self.delete_button = QPushButton("Delete", objectName="deleteRunButton")
        self.undo_label = QLabel(objectName="undoDeleteLabel")
        self.undo_button = QPushButton("Undo", objectName="undoDeleteButton")
        self.undo_button.setToolTip("Bring the deleted runs back (Ctrl+Z)")
        self.undo_label.hide()
        self.undo_button.hide()
        bar = QHBoxLayout()
        for button in (self.differences_button, self.export_button, self.csv_button):
            bar.addWidget(button)
        bar.addWidget(self.delete_button)
        bar.addStretch(1)
        bar.addWidget(self.undo_label)
        bar.addWidget(self.undo_button)

        self.table = RunsTable()
        self.table.setModel(self._proxy)

        self.differences = DifferencesView(self._colours)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.differences)

        self.notes_box = RunNotes(self._record_by_id)
        self.notes = self.notes_box.edit

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.notes_box)
        self._undo_timer = QTimer(self, singleShot=True)

    def _build_actions(self) -> None:
        def action(text: str, name: str, slot, shortcut=None, owner: QWidget | None = None):
            act = QAction(text, self, objectName=name)
            act.triggered.connect(slot)
            if shortcut is not None:
                act.setShortcut(shortcut)
                # The table's keys only while it has focus, so Delete in the notes deletes text.
                context = Qt.ShortcutContext.WidgetShortcut
                if owner is self:
                    context = Qt.ShortcutContext.WidgetWithChildrenShortcut
                act.setShortcutContext(context)
                (owner or self.table).addAction(act)
            return act

        self.rename_action = action("Rename", "renameRunAction", self._on_rename_triggered, "F2")
        self.tick_all_action = action("Tick all", "tickAllAction", self._on_tick_all_triggered)
        self.untick_all_action = action(
            "Untick all", "untickAllAction", self._on_untick_all_triggered
        )
        self.export_action = action("Export…", "exportRunAction", self._on_export_clicked)
        self.csv_action = action("Export CSV…", "exportCsvAction", self._on_csv_clicked)
        self.delete_action = action(
            "Delete", "deleteRunAction", self.delete_selected, QKeySequence.StandardKey.Delete
        )
        self.undo_action = action(
            "Undo delete", "undoDeleteAction", self.undo_delete, QKeySequence.StandardKey.Undo, self
        )
        self.undo_action.setEnabled(False)  # only while a deletion can be undone

    def _connect(self) -> None:
        self._model.renamed.connect(self._on_model_renamed)
        self._model.ticks_changed.connect(self._on_ticks_changed)
        self._proxy.layoutChanged.connect(self._on_ticks_changed)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._on_table_selection_changed)
        selection.currentRowChanged.connect(self._on_table_selection_changed)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.differences_button.toggled.connect(self._on_differences_toggled)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.csv_button.clicked.connect(self._on_csv_clicked)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.notes_box.edited.connect(self.record_edited)
        self._undo_timer.timeout.connect(self.commit_deletes)

    # --- what the window calls --------------------------------------------------------------
    def add_run(self, record: RunRecord, checked: bool = True) -> None:
        """Show a run (an id already shown is updated). A run in progress is always ticked."""
        self._model.add(record, checked)
        self._after_rows_changed()

    def add_runs(self, records: list[RunRecord], checked: bool = False) -> None:
        """add_run for many runs at once (start-up, an opened session); the selected run stays
        selected."""
        selected = self.selected()
        self._model.add_many(records, checked)
        if selected is not None:
            self.select(selected.id)
        self._after_rows_changed()

    def update_run(self, record: RunRecord) -> None:
        """Its values changed (status, results, time); cheap enough to call every second."""
        if self._model.update(record):
            self.table.schedule_fit()  # e.g. "running 99%" became "finished": narrower
        if record.id == self._last_selected:
            self._update_buttons()

    def save_pending_edits(self) -> None:
        """Ask now for the saving of notes still waiting for their delay (before closing)."""
        self.notes_box.save_pending()

    def records(self) -> list[RunRecord]:
        """Every run shown (not those awaiting final deletion), newest first."""
        return self._model.records()

    def checked(self) -> list[RunRecord]:
        """Ticked runs in display order (a run in progress is always ticked)."""
        proxy = self._proxy
        rows = (proxy.mapToSource(proxy.index(r, 0)).row() for r in range(proxy.rowCount()))
        records = (self._model.record(row) for row in rows)
        return [r for r in records if self._model.is_ticked(r.id)]

    def set_checked(self, run_id: str, checked: bool) -> None:
        self._model.set_ticked(run_id, checked)

    def set_all_checked(self, checked: bool) -> None:
        self._model.set_all_ticked(checked)

    def select(self, run_id: str) -> None:
        row = self._model.row_of(run_id)
        if row is None:
            return
        index = self._proxy.mapFromSource(self._model.index(row, COL_LABEL))
        self.table.setCurrentIndex(index)  # selects the row too
        self.table.scrollTo(index)

    def selected(self) -> RunRecord | None:
        """The run the notes, Export and Rename apply to: the current row if selected."""
        current = self.table.currentIndex()
        selection = self.table.selectionModel()
        if current.isValid() and selection.isRowSelected(current.row(), QModelIndex()):
            return current.data(RECORD_ROLE)
        chosen = self.selected_records()
        return chosen[0] if chosen else None

    def selected_records(self) -> list[RunRecord]:
        rows = self.table.selectionModel().selectedRows(COL_LABEL)
        return [index.data(RECORD_ROLE) for index in sorted(rows, key=QModelIndex.row)]

    # --- delete and undo --------------------------------------------------------------------
    def delete_selected(self) -> bool:
        """Remove the selected runs (not one in progress) from the list, and select the next.

        Deletions stay undoable, latest first, until `undo_ms` passes with no new one; then
        they all become final together (`runs_deleted`).
        """
        doomed = [r for r in self.selected_records() if r.status != ev.RUNNING]
        if not doomed:
            return False
        self.notes_box.save_pending()
        next_row = min(index.row() for index in self.table.selectionModel().selectedRows())
        self._pending.append(self._model.remove([r.id for r in doomed]))
        self._after_rows_changed()
        if self._proxy.rowCount():  # so Delete, Delete walks down the list
            self.table.selectRow(min(next_row, self._proxy.rowCount() - 1))
        self._show_undo()
        return True

    def undo_delete(self) -> bool:
        """Put the latest deleted runs back, ticked and selected as they were."""
        if not self._pending:
            return False
        restored = self._pending.pop()
        self._model.restore(restored)
        self._after_rows_changed()
        self.select(restored[0][0].id)
        selection = self.table.selectionModel()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for record, _, _ in restored[1:]:
            row = self._model.row_of(record.id)
            selection.select(self._proxy.mapFromSource(self._model.index(row, 0)), flags)
        self._show_undo()
        return True

    def commit_deletes(self) -> None:
        """Make pending deletions final now (the window calls this before closing)."""
        gone = [record for batch in self._pending for record, _, _ in batch]
        self._pending = []
        self._show_undo()
        if gone:
            for record in gone:
                self._colours.forget(record.id)
            self.runs_deleted.emit(gone)

    def _show_undo(self) -> None:
        """The undo button names what it brings back, and the wait restarts at each change."""
        if not self._pending:
            self._undo_timer.stop()
        else:
            batch = self._pending[-1]
            name = batch[0][0].label or batch[0][0].id
            name = name if len(name) <= 28 else name[:27] + "…"
            text = f"Deleted “{name}”" if len(batch) == 1 else f"Deleted {len(batch)} runs"
            self.undo_label.setText(text)
            self._undo_timer.start(self.undo_ms)
        for widget in (self.undo_label, self.undo_button):
            widget.setVisible(bool(self._pending))
        self.undo_action.setEnabled(bool(self._pending))

    # --- slots ------------------------------------------------------------------------------
    def _on_model_renamed(self, record: RunRecord) -> None:
        self.record_edited.emit(record)
        if record.id == self.notes_box.run_id:
            self.notes_box.show_run(record)  # the notes box names the run
        if self.differences_button.isChecked():
            self.differences.show_runs(self.checked())

    def _on_ticks_changed(self) -> None:
        ticked = self.checked()
        ids = tuple(r.id for r in ticked)
        if ids != self._last_checked:
            self._last_checked = ids
            if self.differences_button.isChecked():
                self.differences.show_runs(ticked)
            self.checked_changed.emit(ticked)

    def _on_table_selection_changed(self, *_args: object) -> None:
        record = self.selected()
        self._update_buttons()
        run_id = record.id if record is not None else None
        if run_id == self._last_selected:
            return
        self._last_selected = run_id
        self.notes_box.save_pending()  # the previous run's notes, before the box shows another's
        self.notes_box.show_run(record)
        self.selection_changed.emit(record)

    def _on_rename_triggered(self) -> None:
        record = self.selected()
        if record is not None:
            row = self._model.row_of(record.id)
            index = self._proxy.mapFromSource(self._model.index(row, COL_LABEL))
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    def _on_tick_all_triggered(self) -> None:
        self.set_all_checked(True)

    def _on_untick_all_triggered(self) -> None:
        self.set_all_checked(False)

    def _on_export_clicked(self) -> None:
        record = self.selected()
        if record is not None:
            self.export_requested.emit(record)

    def _on_csv_clicked(self) -> None:
        record = self.selected()
        if record is not None:
            self.csv_requested.emit(record)

    def _on_differences_toggled(self, on: bool) -> None:
        if on:  # built only when shown: nothing to keep current while hidden
            self.differences.show_runs(self.checked())
        self.stack.setCurrentWidget(self.differences if on else self.table)

    def _on_table_context_menu(self, position: QPoint) -> None:
        self.context_menu().popup(self.table.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        """The table's right-click menu (public so scripts and tests can reach its actions)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addActions([self.rename_action, self.tick_all_action, self.untick_all_action])
        menu.addSeparator()
        menu.addActions([self.export_action, self.csv_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    # --- keeping the view tidy --------------------------------------------------------------
    def _after_rows_changed(self) -> None:
        self._on_ticks_changed()
        self._on_table_selection_changed()

    def _update_buttons(self) -> None:
        record = self.selected()
        chosen = self.selected_records()
        deletable = [r for r in chosen if r.status != ev.RUNNING]
        for widget in (self.export_button, self.csv_button, self.export_action, self.csv_action):
            widget.setEnabled(record is not None)
        self.rename_action.setEnabled(record is not None)
        self.delete_button.setEnabled(bool(deletable))
        self.delete_action.setEnabled(bool(deletable))
        if chosen and not deletable:
            tip = "A run in progress cannot be deleted: stop it first"
        else:
            tip = f"Delete the selected runs (Delete key); undo within {self.undo_ms // 1000} s"
        self.delete_button.setToolTip(tip)

    def _record_by_id(self, run_id: str) -> RunRecord | None:
        row = self._model.row_of(run_id)
        return None if row is None else self._model.record(row)
