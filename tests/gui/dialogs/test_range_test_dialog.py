"""The LR finder dialog runs a real range test in a thread, draws it live, marks the suggested
rates, and hands the chosen one back; stopping or closing it never leaves a thread behind."""

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QPushButton, QRadioButton, QSpinBox

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.gui.dialogs.range_test_dialog import LrFinderDialog
from lrexplorer.gui.workers.worker import running_threads

TINY = RunConfig(
    optimizer="rmsprop", dataset="sample", train_samples=300, test_samples=50, batch_size=32
)
TEST_TIMEOUT_MS = 120_000  # the first test in a session also loads Keras


def _dialog(qtbot, config=TINY, steps=30):
    dialog = LrFinderDialog(config)
    qtbot.addWidget(dialog)
    dialog.findChild(QSpinBox, "finderStepsSpin").setValue(steps)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _button(dialog, name):
    return dialog.findChild(QPushButton, name)


def _run_to_the_end(qtbot, dialog):
    qtbot.mouseClick(_button(dialog, "finderRunButton"), Qt.MouseButton.LeftButton)
    assert dialog.running
    qtbot.waitUntil(lambda: not dialog.running, timeout=TEST_TIMEOUT_MS)


def _curves(dialog):
    plot = dialog.findChild(pg.PlotWidget, "finderPlot").getPlotItem()
    curves = [item for item in plot.listDataItems() if isinstance(item, pg.PlotDataItem)]
    return [tuple(np.asarray([] if v is None else v) for v in c.getData()) for c in curves]


def _marks(dialog):
    plot = dialog.findChild(pg.PlotWidget, "finderPlot").getPlotItem()
    return [item for item in plot.items if isinstance(item, pg.InfiniteLine)]


def test_a_test_runs_draws_the_curve_and_offers_the_suggestions(qtbot):
    dialog = _dialog(qtbot)
    assert dialog.objectName() == "LrFinderDialog"
    assert not _button(dialog, "finderUseButton").isEnabled()
    _run_to_the_end(qtbot, dialog)
    result = dialog.finder_result
    assert result is not None and result.suggestions
    # Raw and smoothed curves, against log10 of the rate, with every drawn value finite.
    (raw_x, raw_y), (smooth_x, smooth_y) = _curves(dialog)
    assert len(smooth_x) == len(result.losses) and np.isfinite(smooth_y).all()
    assert smooth_x[0] == pytest.approx(math.log10(result.learning_rates[0]))
    # Each suggestion: a line on the plot and a radio button, the default one chosen.
    assert len(_marks(dialog)) == len(result.suggestions)
    plot = dialog.findChild(pg.PlotWidget, "finderPlot")
    for method, rate in plot.marked_rates().items():
        assert rate == pytest.approx(result.suggestions[method].learning_rate)
    group = dialog.findChild(QGroupBox, "finderSuggestions")
    buttons = group.findChildren(QRadioButton)
    assert len(buttons) == len(result.suggestions)
    checked = [b for b in buttons if b.isChecked()]
    assert [b.objectName() for b in checked] == ["finderSuggestion_valley"]
    explanations = " ".join(label.text() for label in group.findChildren(QLabel))
    assert result.suggestions["valley"].explanation in explanations
    use = _button(dialog, "finderUseButton")
    assert use.isEnabled() and _button(dialog, "finderRunButton").isEnabled()
    with qtbot.waitSignal(dialog.rate_chosen) as chosen:
        qtbot.mouseClick(use, Qt.MouseButton.LeftButton)
    assert chosen.args == [result.suggestions["valley"].rounded_rate]
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()


def test_another_suggestion_can_be_chosen(qtbot):
    dialog = _dialog(qtbot)
    _run_to_the_end(qtbot, dialog)
    steepest = dialog.findChild(QRadioButton, "finderSuggestion_steepest")
    steepest.setChecked(True)
    with qtbot.waitSignal(dialog.rate_chosen) as chosen:
        qtbot.mouseClick(_button(dialog, "finderUseButton"), Qt.MouseButton.LeftButton)
    assert chosen.args == [dialog.finder_result.suggestions["steepest"].rounded_rate]


def test_stop_ends_the_test_after_the_current_batch(qtbot):
    dialog = _dialog(qtbot, steps=3000)
    qtbot.mouseClick(_button(dialog, "finderRunButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_curves(dialog)[1][0]) >= 3, timeout=TEST_TIMEOUT_MS)
    qtbot.mouseClick(_button(dialog, "finderStopButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.finder_result.status == ev.STOPPED and len(dialog.finder_result.losses) < 3000
    assert _button(dialog, "finderRunButton").isEnabled()
    assert not _button(dialog, "finderStopButton").isEnabled()
    assert "stopped the test" in dialog.findChild(QLabel, "finderStatus").text()


def test_closing_mid_test_stops_it_and_leaves_no_thread(qtbot):
    dialog = _dialog(qtbot, steps=3000)
    qtbot.mouseClick(_button(dialog, "finderRunButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_curves(dialog)[1][0]) >= 2, timeout=TEST_TIMEOUT_MS)
    dialog.close()
    assert running_threads() == []
    assert not dialog.isVisible()


def test_a_range_that_diverges_at_once_shows_why_and_draws_only_finite_values(qtbot):
    dialog = _dialog(qtbot, TINY.replace(optimizer="sgd"))
    dialog.findChild(pg.SpinBox, "finderStartSpin").setValue(1e4)
    dialog.findChild(pg.SpinBox, "finderEndSpin").setValue(1e6)
    _run_to_the_end(qtbot, dialog)
    for _, y in _curves(dialog):
        assert np.isfinite(y).all()
    assert dialog.finder_result.suggestions == {} and _marks(dialog) == []
    assert "smaller rate" in dialog.findChild(QLabel, "finderNotes").text()
    assert not _button(dialog, "finderUseButton").isEnabled()


def test_a_bad_range_or_config_becomes_a_message_not_a_crash(qtbot):
    dialog = _dialog(qtbot, TINY.replace(optimizer="no-such-optimizer"))
    dialog.findChild(pg.SpinBox, "finderStartSpin").setValue(1.0)
    dialog.findChild(pg.SpinBox, "finderEndSpin").setValue(0.1)
    qtbot.mouseClick(_button(dialog, "finderRunButton"), Qt.MouseButton.LeftButton)
    notes = dialog.findChild(QLabel, "finderNotes")
    assert not dialog.running and "larger than the start rate" in notes.text()
    dialog.findChild(pg.SpinBox, "finderEndSpin").setValue(10.0)
    _run_to_the_end(qtbot, dialog)
    assert "could not run: unknown optimizer 'no-such-optimizer'" in notes.text()
    assert _button(dialog, "finderRunButton").isEnabled()
