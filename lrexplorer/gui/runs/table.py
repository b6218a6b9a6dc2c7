"""RunsTable: the runs panel's table view. Result columns fit their contents and the run's name
takes the rest, at any font size, without re-measuring every row once a second."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from lrexplorer.gui.runs.model import COL_LABEL, COL_PREDICTION, HEADERS

_FITTED = tuple(c for c in range(len(HEADERS)) if c not in (COL_LABEL, COL_PREDICTION))
_FEW_ROWS = 3  # a change to more rows than this is measured in one deferred pass
MEASURED_ROWS = 50
EMPTY_TEXT = "No runs yet: each run you start is listed here, with its colour and its results."


class RunsTable(QTableView):
    """Newest run first until a header is clicked; a third click returns to that order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        # Columns fit the rows on screen and some more, not every row: measuring a thousand
        # saved runs took over two seconds of start-up.
        header.setResizeContentsPrecision(MEASURED_ROWS)
        # Sized here rather than by ResizeToContents, which measures every row on every
        # change: with a hundred runs that made each live update take a tenth of a second.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # no column: the model's order
        self.setSortingEnabled(True)
        header.sectionResized.connect(self._on_header_section_resized)
        self._label_need = 0
        # Per (row, column), the length of the text last measured: a live row's numbers change
        # a few times a second but rarely get longer, and measuring a cell costs ~2 ms.
        self._measured: dict[tuple[int, int], int] = {}
        self._prediction_need = 0
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self.fit_columns)
        self._fit_rows()

    def setModel(self, model: QAbstractItemModel) -> None:  # noqa: N802 (Qt's name)
        super().setModel(model)
        self.setColumnHidden(COL_PREDICTION, True)  # until a run has a prediction
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.schedule_fit)
        model.dataChanged.connect(self._on_model_data_changed)

    # --- sizing -----------------------------------------------------------------------------
    def schedule_fit(self) -> None:
        """Measure all rows once, after the current batch of changes (e.g. 100 runs loaded)."""
        self._measured.clear()  # rows may have moved
        self._fit_timer.start()

    def fit_columns(self) -> None:
        self._fit_timer.stop()
        self._measured.clear()
        model, header = self.model(), self.horizontalHeader()
        if model is None:
            return
        rows = range(model.rowCount())
        wanted = any(model.index(r, COL_PREDICTION).data() for r in rows)
        self.setColumnHidden(COL_PREDICTION, not wanted)
        for column in _FITTED:
            width = max(header.sectionSizeHint(column), self.sizeHintForColumn(column))
            header.resizeSection(column, width)
        self._label_need = max(header.sectionSizeHint(COL_LABEL), self.sizeHintForColumn(COL_LABEL))
        self._prediction_need = max(
            header.sectionSizeHint(COL_PREDICTION), self.sizeHintForColumn(COL_PREDICTION)
        )
        self._share_room()

    def _grow_to_fit(self, row: int) -> None:
        """A live update can only widen what one row needs; shrinking waits for fit_columns."""
        header, model = self.horizontalHeader(), self.model()
        if self.isColumnHidden(COL_PREDICTION) and model.index(row, COL_PREDICTION).data():
            self.schedule_fit()  # the first prediction: the column appears
        for column in (*_FITTED, COL_LABEL, COL_PREDICTION):
            index = model.index(row, column)
            length = len(str(index.data() or ""))
            if length <= self._measured.get((row, column), -1):
                continue  # no longer than when it was last measured: it still fits
            self._measured[(row, column)] = length
            width = self.sizeHintForIndex(index).width()
            width += int(self.showGrid())
            if column == COL_LABEL:
                self._label_need = max(self._label_need, width)
            elif column == COL_PREDICTION:
                self._prediction_need = max(self._prediction_need, width)
            elif width > header.sectionSize(column):
                header.resizeSection(column, width)
        self._share_room()

    def _share_room(self) -> None:
        """The name and the prediction split what the result columns leave; the prediction
        gives way first (its full text is in the tooltip). Below a readable name the table
        scrolls sideways rather than hide who is who."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in _FITTED if not header.isSectionHidden(c))
        room = self.viewport().width() - others
        prediction = 0
        if not self.isColumnHidden(COL_PREDICTION):
            least = header.sectionSizeHint(COL_PREDICTION)  # its header stays readable
            prediction = min(self._prediction_need, max(room - self._label_need, least))
            header.resizeSection(COL_PREDICTION, prediction)
        readable = min(self._label_need, 14 * self.fontMetrics().averageCharWidth())
        header.resizeSection(COL_LABEL, max(room - prediction, readable))

    def _fit_rows(self) -> None:
        # Row height and icons follow the font: a projector font makes them larger.
        height = self.fontMetrics().height()
        self.verticalHeader().setDefaultSectionSize(round(height * 1.8))
        self.setIconSize(QSize(round(height * 1.8), round(height * 0.9)))

    def empty_text(self) -> str:
        """The line the table shows in place of rows, while it has none."""
        model = self.model()
        return EMPTY_TEXT if model is not None and model.rowCount() == 0 else ""

    # --- slots and events -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        text = self.empty_text()
        if text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(8, 8, -8, -8)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _on_model_data_changed(self, first: QModelIndex, last: QModelIndex, *_roles) -> None:
        if last.row() - first.row() >= _FEW_ROWS:
            self.schedule_fit()
            return
        for row in range(first.row(), last.row() + 1):
            self._grow_to_fit(row)

    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column in _FITTED:  # a result column grew, or the user dragged it
            self._share_room()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._share_room()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_rows()
            self.schedule_fit()
