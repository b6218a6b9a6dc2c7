"""The window as a newcomer first sees it: a size that uses the screen, plots drawn for the run
Start would train with a hint on what to do, a runs list that says it is empty, and only the
basic settings in view."""

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from lrexplorer.gui.window.main_window import MainWindow
from tests.gui.reliability_support import TINY, run_to_end, window_maker


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


def test_the_first_window_takes_most_of_the_screen_and_then_keeps_its_size(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runs_folder=tmp_path / "runs", settings=settings)
    qtbot.addWidget(window)
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert abs(window.width() - 0.85 * area.width()) <= 1
    assert abs(window.height() - 0.85 * area.height()) <= 1
    window.show()
    # The user's own size; its height, since the test screen (800 x 600) is narrower than the
    # window can be.
    window.resize(window.width(), 450)
    window.close()
    again = MainWindow(runs_folder=tmp_path / "runs", settings=settings)
    qtbot.addWidget(again)
    assert again.height() == 450


def test_before_any_run_the_plots_say_what_to_do_and_show_the_run_to_come(make_window):
    window = make_window(TINY.replace(train_samples=None, epochs=2, batch_size=100))
    hint = window.plots.hint()
    assert "Start" in hint and "Presets" in hint and "Smaller is not always better" in hint
    window.plots.redraw_now()
    window.plots.findChild(QWidget, "livePlotArea").grab()
    (_, x1), _ = window.plots.plot_item("loss").vb.viewRange()
    assert 160 <= x1 < 180  # the bundled sample's 8,000 images, 100 a batch, twice
    _, (r0, r1) = window.plots.plot_item("learning_rate").vb.viewRange()
    assert r0 <= -4 and r1 >= -2  # RMSprop's default rate, 1e-3, a decade either side


def test_the_runs_list_says_it_is_empty_and_names_its_colour_column(make_window, qtbot):
    window = make_window()
    table = window.runs_panel.table
    assert "No runs yet" in table.empty_text()
    assert table.model().headerData(0, Qt.Orientation.Horizontal) == "Show"
    assert run_to_end(qtbot, window).status == "finished"
    assert table.empty_text() == ""
    qtbot.waitUntil(lambda: window.plots.hint() == "")


def test_with_saved_runs_the_hint_points_to_them(make_window, tmp_path, qtbot):
    first = make_window()
    run_to_end(qtbot, first)
    first.close()
    second = make_window(runs_folder=tmp_path / "runs")
    assert "Tick runs" in second.plots.hint()


def test_how_keras_runs_the_steps_is_folded_away_and_says_it_changes_only_speed(make_window):
    window = make_window()
    group = window.findChild(QWidget, "dataAdvancedGroup")
    body = window.findChild(QWidget, "dataAdvancedGroupBody")
    spin = window.findChild(QWidget, "stepsPerExecutionSpin")
    check = window.findChild(QWidget, "jitCompileCheck")
    assert group.isVisible() and not body.isVisible()
    assert body.isAncestorOf(spin) and body.isAncestorOf(check)
    for widget in (spin, check):
        assert "speed" in widget.toolTip()
    window.draft.set_config(TINY.replace(jit_compile=True))
    assert body.isVisible()  # a setting that is not the default is never hidden


def test_the_prediction_box_shows_its_whole_placeholder(make_window, qtbot):
    window = make_window()
    edit = window.run_bar.prediction

    def shown_whole() -> bool:
        needed = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        return edit.width() > needed

    window.resize(1280, 720)
    qtbot.waitUntil(lambda: edit.placeholderText() == "Prediction before you run (optional)")
    assert shown_whole()
    window.actions.toggle_presentation()  # larger text: a shorter placeholder when needed
    qtbot.waitUntil(shown_whole)
    window.actions.toggle_presentation()
    window.resize(window.minimumSizeHint().width(), 720)
    qtbot.waitUntil(lambda: edit.placeholderText() != "Prediction before you run (optional)")
    assert shown_whole()
