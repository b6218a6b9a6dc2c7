"""The plots before any run: axes already drawn for the run Start would train, and a hint on
what to do first that goes once a run is drawn."""

import math

import pytest

from lrexplorer.plots.live_plots import LivePlots
from lrexplorer.plots.palette import run_colour
from tests.plots.test_live_plots import batch, make_record


@pytest.fixture
def plots(qtbot):
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settled_range(plots, name):
    plots.redraw_now()
    plots.findChild(object, "livePlotArea").grab()  # lets the views settle their ranges
    return plots.plot_item(name).vb.viewRange()


def test_before_any_run_the_axes_show_the_planned_run(plots):
    plots.set_plan(469, 1e-3)
    (x0, x1), (y0, y1) = settled_range(plots, "loss")
    assert x0 <= 0 and 469 <= x1 < 520  # steps from 0 to the run's length
    assert y0 <= 0 <= y0 + 0.2 and 2.3 <= y1 < 3  # loss from 0 to above an untrained model's
    _, (a0, a1) = plots.plot_item("accuracy").vb.viewRange()
    assert a0 <= 0 and 1 <= a1 < 1.1
    _, (r0, r1) = plots.plot_item("learning_rate").vb.viewRange()
    assert r0 <= -4 and r1 >= -2  # a decade either side of 1e-3 (log10 view units)


def test_the_planned_run_follows_the_draft(plots):
    plots.set_plan(100, 0.05)
    (_, x1), _ = settled_range(plots, "loss")
    _, (r0, r1) = plots.plot_item("learning_rate").vb.viewRange()
    assert 100 <= x1 < 120
    assert r0 <= math.log10(0.05) - 1 and math.log10(0.05) + 1 <= r1


def test_the_learning_rate_axis_is_labelled_in_powers_of_ten_only(plots):
    axis = plots.plot_item("learning_rate").getAxis("left")
    exponents = [-4.0, math.log10(2e-4), math.log10(5e-4), -3.0, -2.0, -1.0, 0.0, 1.0]
    assert axis.logTickStrings(exponents, 1.0, 1.0) == [
        "1e-4", "", "", "1e-3", "1e-2", "1e-1", "1", "10",
    ]  # fmt: skip


def test_the_hint_shows_until_a_run_is_drawn_and_sits_inside_the_loss_plot(plots, qtbot):
    plots.set_hint("Press <b>Start</b>")
    plots.redraw_now()
    assert "Start" in plots.hint()
    hint = plots.findChild(object, "plotsHint")
    area = plots.findChild(object, "livePlotArea")
    view = area.mapFromScene(plots.plot_item("loss").vb.sceneBoundingRect()).boundingRect()
    assert view.contains(hint.geometry())
    assert abs(hint.geometry().center().x() - view.center().x()) <= 2
    record = make_record("live", steps=0)
    plots.begin_live(record, run_colour(0))
    plots.on_run_event(record, batch(1, 2.3))
    qtbot.waitUntil(lambda: plots.hint() == "")
    plots.clear()
    qtbot.waitUntil(lambda: "Start" in plots.hint())


def test_a_long_hint_wraps_inside_a_narrow_plot(plots):
    plots.resize(420, 500)
    plots.set_hint("Press <b>Start</b> to train with these settings, " * 4)
    plots.redraw_now()
    hint = plots.findChild(object, "plotsHint")
    area = plots.findChild(object, "livePlotArea")
    view = area.mapFromScene(plots.plot_item("loss").vb.sceneBoundingRect()).boundingRect()
    assert hint.width() <= view.width() and hint.wordWrap()
