"""The runs list: what each row says, ticking, renaming, notes, delete with undo, differences."""

import math
import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionViewItem

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.runs.cells import format_loss, format_seconds
from lrexplorer.gui.runs.model import (
    COL_ACCURACY,
    COL_LABEL,
    COL_LOSS,
    COL_PREDICTION,
    COL_SHOW,
    COL_STATUS,
    COL_TIME,
    COL_VAL_ACCURACY,
)
from lrexplorer.gui.runs.panel import RunsPanel
from lrexplorer.plots.palette import RUN_COLOURS, ColourBook


def make_record(n, status=ev.FINISHED, loss=0.25, accuracy=0.9, val=0.95, seconds=12.34, **kw):
    config = RunConfig(optimizer=kw.pop("optimizer", "rmsprop"), learning_rate=kw.pop("lr", 1e-3))
    record = RunRecord(
        id=f"run-{n:03d}",
        config=config,
        label=kw.pop("label", f"Run {n}"),
        status=status,
        seconds=seconds,
        created=f"2026-11-25T10:{n // 60:02d}:{n % 60:02d}+01:00",
        **kw,
    )
    if loss is not None:
        record.epochs.append(
            dict(epoch=1, step=10, loss=loss, accuracy=accuracy, val_loss=None,
                 val_accuracy=val, seconds=seconds)
        )  # fmt: skip
    return record


@pytest.fixture
def panel(qtbot):
    widget = RunsPanel(ColourBook())
    qtbot.addWidget(widget)
    widget.resize(700, 350)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(panel, run_id, column, role=Qt.ItemDataRole.DisplayRole):
    model = panel.table.model()
    for row in range(model.rowCount()):
        if model.index(row, COL_LABEL).data(Qt.ItemDataRole.UserRole + 2).id == run_id:
            return model.index(row, column).data(role)
    raise KeyError(run_id)


def labels(panel):
    model = panel.table.model()
    return [model.index(row, COL_LABEL).data() for row in range(model.rowCount())]


def test_rows_show_results_duration_and_status(panel):
    panel.add_run(make_record(1, loss=0.22134, accuracy=0.93612, val=0.96, seconds=65.2))
    panel.add_run(
        make_record(2, ev.DIVERGED, loss=math.nan, accuracy=0.0987, val=None, seconds=3.2)
    )
    panel.add_run(make_record(3, ev.FAILED, loss=None, seconds=0.4, error="no data"))
    assert [cell(panel, "run-001", c) for c in (COL_LOSS, COL_ACCURACY, COL_VAL_ACCURACY)] == [
        "0.2213",
        "93.6%",
        "96.0%",
    ]
    assert cell(panel, "run-001", COL_TIME) == "1 min 05 s"
    assert cell(panel, "run-002", COL_TIME) == "3.2 s"
    assert cell(panel, "run-002", COL_STATUS) == "diverged"
    assert cell(panel, "run-002", COL_LOSS) == "NaN"
    assert cell(panel, "run-002", COL_VAL_ACCURACY) == ""
    assert cell(panel, "run-003", COL_STATUS) == "failed"
    assert cell(panel, "run-003", COL_LOSS) == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0 s"), (12.34, "12.3 s"), (59.97, "1 min 00 s"), (65.2, "1 min 05 s"),
     (3725, "1 h 02 min")],
)  # fmt: skip
def test_durations_read_naturally(seconds, text):
    assert format_seconds(seconds) == text


def test_a_blown_up_loss_shows_its_size_not_forty_digits():
    assert format_loss(3.2e12) == "3.20e+12"
    assert format_loss(math.inf) == "∞"


def test_a_failed_runs_tooltip_gives_the_error_and_every_setting(panel):
    panel.add_run(make_record(1, ev.FAILED, loss=None, error="Could not load MNIST", lr=3e-4))
    tip = cell(panel, "run-001", COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert "Could not load MNIST" in tip
    assert "learning_rate" in tip and "0.0003" in tip and "batch_size" in tip


def test_the_running_run_shows_live_values(panel):
    record = make_record(1, ev.RUNNING, loss=None, seconds=0.0)
    record.total_steps = 200
    panel.add_run(record)
    assert cell(panel, "run-001", COL_STATUS) == "running 0%"
    for step in range(1, 101):
        record.apply(ev.BatchEnd(step, 1, step, 0.5, 0.8, 0.6, 0.75, 1e-3, step * 0.05))
    panel.update_run(record)
    assert cell(panel, "run-001", COL_STATUS) == "running 50%"
    assert cell(panel, "run-001", COL_LOSS) == "0.6000"
    assert cell(panel, "run-001", COL_ACCURACY) == "75.0%"
    assert cell(panel, "run-001", COL_TIME) == "5.0 s"


def test_newest_run_is_on_top_and_headers_sort(panel, qtbot):
    for n, loss in [(1, 0.5), (3, math.nan), (2, 0.1), (4, None)]:
        panel.add_run(make_record(n, loss=loss))
    assert labels(panel) == ["Run 4", "Run 3", "Run 2", "Run 1"]
    header = panel.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(COL_LOSS) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert labels(panel)[:2] == ["Run 2", "Run 1"]  # best first, diverged and blank after
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert labels(panel)[-2:] == ["Run 1", "Run 2"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)  # third click
    assert labels(panel) == ["Run 4", "Run 3", "Run 2", "Run 1"]


def test_clicking_a_checkbox_ticks_the_run_for_the_plots(panel, qtbot):
    panel.add_run(make_record(1), checked=False)
    panel.add_run(make_record(2), checked=True)
    assert [r.id for r in panel.checked()] == ["run-002"]
    index = panel.table.model().index(1, COL_SHOW)  # run 1, below the newer run 2
    option = QStyleOptionViewItem()
    panel.table.initViewItemOption(option)
    option.rect = panel.table.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = panel.table.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, panel.table
    )
    with qtbot.waitSignal(panel.checked_changed) as blocker:
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    assert [r.id for r in blocker.args[0]] == ["run-002", "run-001"]  # display order
    with qtbot.waitSignal(panel.checked_changed) as blocker:
        panel.set_checked("run-002", False)
    assert [r.id for r in blocker.args[0]] == ["run-001"]


def test_tick_all_and_untick_all_from_the_context_menu(panel):
    for n in range(1, 4):
        panel.add_run(make_record(n), checked=False)
    menu = panel.context_menu()
    assert {"Tick all", "Untick all", "Rename", "Delete"} <= {a.text() for a in menu.actions()}
    panel.tick_all_action.trigger()
    assert len(panel.checked()) == 3
    panel.untick_all_action.trigger()
    assert panel.checked() == []


def test_the_run_in_progress_is_always_shown_and_cannot_be_deleted(panel):
    panel.add_run(make_record(1, ev.RUNNING, loss=None), checked=False)
    panel.set_checked("run-001", False)
    panel.untick_all_action.trigger()
    assert [r.id for r in panel.checked()] == ["run-001"]
    panel.select("run-001")
    assert not panel.delete_button.isEnabled()
    assert "stop it first" in panel.delete_button.toolTip()
    assert panel.delete_selected() is False
    assert len(panel.records()) == 1


def test_a_run_that_finishes_can_be_unticked(panel):
    record = make_record(1, ev.RUNNING, loss=None)
    panel.add_run(record, checked=False)
    record.status = ev.FINISHED
    panel.update_run(record)
    assert [r.id for r in panel.checked()] == ["run-001"]  # still on the plots, no surprise
    panel.set_checked("run-001", False)
    assert panel.checked() == []


def test_each_run_gets_its_colour_when_added_so_plots_and_list_agree(qtbot):
    book = ColourBook()
    widget = RunsPanel(book)
    qtbot.addWidget(widget)
    for n in range(1, 4):
        widget.add_run(make_record(n))
    # Asked newest first (as a plot might), the colours still follow the order of adding.
    assert [book.colour(f"run-00{n}").name().upper() for n in (3, 2, 1)] == [
        c.upper() for c in reversed(RUN_COLOURS[:3])
    ]


def test_rename_in_place_updates_the_record_and_asks_to_save(panel, qtbot):
    record = make_record(1, label="RMSprop")
    panel.add_run(record)
    panel.select("run-001")
    panel.rename_action.trigger()
    editor = panel.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "RMSprop"
    editor.selectAll()
    qtbot.keyClicks(editor, "RMSprop 1e-4")
    with qtbot.waitSignal(panel.record_edited) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args[0] is record
    assert record.label == "RMSprop 1e-4"
    assert cell(panel, "run-001", COL_LABEL) == "RMSprop 1e-4"


def test_an_empty_name_is_refused(panel, qtbot):
    record = make_record(1, label="Adam 1e-3")
    panel.add_run(record)
    with qtbot.assertNotEmitted(panel.record_edited):
        panel.table.model().setData(panel.table.model().index(0, COL_LABEL), "   ")
    assert record.label == "Adam 1e-3"


def test_notes_go_into_the_selected_run_and_are_saved(panel, qtbot):
    first, second = make_record(1), make_record(2, notes="too slow")
    panel.add_run(first)
    panel.add_run(second)
    assert not panel.notes.isEnabled()  # nothing selected yet
    panel.select("run-001")
    with qtbot.waitSignal(panel.record_edited, timeout=30000) as blocker:
        qtbot.keyClicks(panel.notes, "smooth curve")
    assert blocker.args[0] is first
    assert first.notes == "smooth curve"
    panel.select("run-002")
    assert panel.notes.toPlainText() == "too slow"


def test_notes_typed_just_before_switching_runs_are_still_saved(panel, qtbot):
    first = make_record(1)
    panel.add_run(first)
    panel.add_run(make_record(2))
    panel.select("run-001")
    qtbot.keyClicks(panel.notes, "x")
    with qtbot.waitSignal(panel.record_edited, timeout=100) as blocker:
        panel.select("run-002")
    assert blocker.args[0] is first and first.notes == "x"


def test_delete_then_undo_brings_the_run_back_as_it_was(panel, qtbot):
    for n in range(1, 4):
        panel.add_run(make_record(n), checked=n != 1)
    panel.select("run-002")
    with qtbot.assertNotEmitted(panel.runs_deleted), qtbot.waitSignal(panel.checked_changed):
        qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
        assert [r.id for r in panel.records()] == ["run-003", "run-001"]
        assert panel.undo_button.isVisible()
        assert "Run 2" in panel.undo_label.text()
        qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert [r.id for r in panel.records()] == ["run-003", "run-002", "run-001"]
    assert [r.id for r in panel.checked()] == ["run-003", "run-002"]
    assert panel.selected().id == "run-002"
    assert not panel.undo_button.isVisible()


def test_a_deletion_becomes_final_when_the_undo_window_has_passed(panel, qtbot):
    panel.add_run(make_record(1))
    panel.add_run(make_record(2))
    panel.undo_ms = 50
    panel.select("run-001")
    with qtbot.waitSignal(panel.runs_deleted, timeout=30000) as blocker:
        panel.delete_selected()
    assert [r.id for r in blocker.args[0]] == ["run-001"]
    assert not panel.undo_button.isVisible()
    assert panel.undo_delete() is False
    assert [r.id for r in panel.records()] == ["run-002"]


def test_deletions_undo_latest_first_and_become_final_together(panel, qtbot):
    for n in range(1, 4):
        panel.add_run(make_record(n))
    panel.select("run-001")
    panel.delete_selected()
    panel.select("run-002")
    with qtbot.assertNotEmitted(panel.runs_deleted):
        panel.delete_selected()
        panel.undo_delete()
    assert [r.id for r in panel.records()] == ["run-003", "run-002"]
    assert panel.undo_button.isVisible()  # run 1 can still come back
    with qtbot.waitSignal(panel.runs_deleted) as blocker:
        panel.select("run-003")
        panel.delete_selected()
        panel.commit_deletes()  # e.g. the window is closing
    assert sorted(r.id for r in blocker.args[0]) == ["run-001", "run-003"]
    assert not panel.undo_button.isVisible()


def test_delete_key_deletes_and_ctrl_z_undoes(panel, qtbot):
    panel.add_run(make_record(1))
    panel.add_run(make_record(2))
    panel.activateWindow()
    panel.select("run-001")
    panel.table.setFocus()
    qtbot.waitUntil(panel.table.hasFocus)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert [r.id for r in panel.records()] == ["run-002"]
    assert panel.selected().id == "run-002"  # the next run, ready for another Delete
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [r.id for r in panel.records()] == ["run-002", "run-001"]


def test_differences_view_shows_only_settings_that_differ(panel, qtbot):
    panel.add_run(make_record(1, optimizer="rmsprop", lr=None, label="RMSprop default"))
    panel.add_run(make_record(2, optimizer="rmsprop", lr=1e-4, label="RMSprop 1e-4"))
    panel.add_run(make_record(3, optimizer="adam", lr=3e-4), checked=False)
    qtbot.mouseClick(panel.differences_button, Qt.MouseButton.LeftButton)
    table = panel.findChild(type(panel.differences.table), "differencesView")
    assert table.isVisible()
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert rows == ["learning_rate"]  # same optimizer, epochs, batch size...: not shown
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["RMSprop 1e-4", "RMSprop default"]
    assert [table.item(0, c).text() for c in range(2)] == ["0.0001", "default"]
    panel.set_checked("run-003", True)  # the view follows the ticks
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert rows == ["optimizer", "learning_rate"]
    panel.untick_all_action.trigger()
    assert not table.isVisible()
    assert "Tick two or more" in panel.differences.message.text()


def test_selection_and_export_buttons_report_the_selected_run(panel, qtbot):
    record = make_record(1)
    panel.add_run(record)
    assert not panel.export_button.isEnabled()
    with qtbot.waitSignal(panel.selection_changed) as blocker:
        panel.select("run-001")
    assert blocker.args[0] is record and panel.selected() is record
    with qtbot.waitSignal(panel.export_requested) as blocker:
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is record
    with qtbot.waitSignal(panel.csv_requested) as blocker:
        qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is record
    with qtbot.waitSignal(panel.selection_changed) as blocker:
        panel.table.clearSelection()
    assert blocker.args[0] is None


def test_prediction_column_appears_only_when_a_run_has_one(panel, qtbot):
    panel.add_run(make_record(1))
    qtbot.wait(10)
    assert panel.table.isColumnHidden(COL_PREDICTION)
    panel.add_run(make_record(2, prediction="1e-5 will beat 1e-3"))
    qtbot.waitUntil(lambda: not panel.table.isColumnHidden(COL_PREDICTION))
    assert cell(panel, "run-002", COL_PREDICTION) == "1e-5 will beat 1e-3"


@pytest.mark.slow
def test_a_hundred_runs_stay_responsive(panel, qtbot):
    """Timed, so a load test (make load-test); test_a_hundred_runs_show_and_update checks the
    same runs without a clock."""
    started = time.perf_counter()
    for n in range(100):
        panel.add_run(make_record(n, loss=0.1 + n / 1000), checked=n % 2 == 0)
    added = time.perf_counter() - started
    live = make_record(100, ev.RUNNING, loss=None)
    live.total_steps = 1000
    panel.add_run(live)
    started = time.perf_counter()
    for step in range(1, 21):
        live.apply(ev.BatchEnd(step, 1, step, 0.5, 0.8, 0.6, 0.75, 1e-3, step * 0.05))
        panel.update_run(live)
        qtbot.wait(0)  # let the view repaint, as it would between updates
    per_update = (time.perf_counter() - started) / 20
    assert len(panel.records()) == 101
    assert len(panel.checked()) == 51
    assert added < 5.0
    assert per_update < 0.05, f"update_run took {per_update * 1000:.0f} ms"


def test_a_hundred_runs_show_and_update(panel, qtbot):
    for n in range(100):
        panel.add_run(make_record(n, loss=0.1 + n / 1000), checked=n % 2 == 0)
    live = make_record(100, ev.RUNNING, loss=None)
    live.total_steps = 1000
    panel.add_run(live)
    for step in range(1, 21):
        live.apply(ev.BatchEnd(step, 1, step, 0.5, 0.8, 0.6, 0.75, 1e-3, step * 0.05))
        panel.update_run(live)
    assert len(panel.records()) == 101 and len(panel.checked()) == 51
    assert panel.records()[0] is live  # newest first
    progress = cell(panel, live.id, 2)
    assert "20" in progress or "2%" in progress, progress


def test_the_label_is_never_squeezed_out_by_the_prediction(panel, qtbot):
    panel.add_run(make_record(1, label="Adam 1e-3 (ExponentialDecay)"))
    panel.add_run(make_record(2, prediction="the smaller rate will win by a wide margin, surely"))
    qtbot.waitUntil(lambda: not panel.table.isColumnHidden(COL_PREDICTION))
    header = panel.table.horizontalHeader()
    assert header.sectionSize(COL_LABEL) >= panel.table.fontMetrics().averageCharWidth() * 14
    right_edge = header.sectionViewportPosition(COL_PREDICTION) + header.sectionSize(COL_PREDICTION)
    assert right_edge <= panel.table.viewport().width()  # no sideways scrolling at 700 px
