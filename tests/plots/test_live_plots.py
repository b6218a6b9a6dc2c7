"""LivePlots: what a learner sees while a run trains and when past runs are overlaid."""

import math
import statistics
import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots.canvas import PlotCanvas
from lrexplorer.plots.live_plots import LIVE_REDRAW_MS, REDRAW_MS, LivePlots
from lrexplorer.plots.palette import run_colour
from lrexplorer.plots.series import nearest_point, room_for


def batch(step, loss, accuracy=0.5, rate=1e-3, per_epoch=100):
    return ev.BatchEnd(
        step=step, epoch=(step - 1) // per_epoch + 1, batch=(step - 1) % per_epoch + 1,
        loss=loss, accuracy=accuracy, mean_loss=loss, mean_accuracy=accuracy,
        learning_rate=rate, elapsed=step * 0.01,
    )  # fmt: skip


def make_record(run_id, rate=1e-3, steps=300, per_epoch=100, seed=0, losses=None):
    """A synthetic RMSprop learning curve, folded in through RunRecord.apply like a real run."""
    config = RunConfig(optimizer="rmsprop", learning_rate=rate)
    record = RunRecord(id=run_id, config=config, label=config.label("RMSprop"))
    rng = np.random.default_rng(seed)
    for step in range(1, steps + 1):
        base = 0.1 + 2.2 * math.exp(-step * rate * 20)
        loss = losses[step - 1] if losses is not None else base * math.exp(rng.normal(0, 0.1))
        record.apply(batch(step, loss, 1 - base / 2.6, rate, per_epoch))
        if step % per_epoch == 0:
            record.apply(
                ev.EpochEnd(epoch=step // per_epoch, step=step, loss=base, accuracy=1 - base / 2.5,
                            val_loss=base * 0.9, val_accuracy=1 - base / 2.7, seconds=1.0)
            )  # fmt: skip
    return record


@pytest.fixture
def plots(qtbot):
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_live_events_are_drawn_by_the_timer_not_per_event(plots, qtbot):
    record = make_record("live", steps=0)
    plots.begin_live(record, run_colour(0))
    for step in range(1, 51):
        plots.on_run_event(record, batch(step, 2.0 / step))
    assert plots.curve_data("live", "loss")[0].size == 0  # nothing drawn inside the slot
    qtbot.waitUntil(lambda: plots.curve_data("live", "loss")[0].size == 50, timeout=30000)
    steps, losses = plots.curve_data("live", "loss")
    np.testing.assert_array_equal(steps, np.arange(1, 51))
    np.testing.assert_allclose(losses, 2.0 / np.arange(1, 51))
    np.testing.assert_allclose(plots.curve_data("live", "learning_rate")[1], 1e-3)


def drawn_strokes(plots, plot):
    """Every line and set of marks on a plot's canvases, as drawn at the last redraw."""
    items = plots.plot_item(plot).items
    return [stroke for item in items if isinstance(item, PlotCanvas) for stroke in item.strokes()]


def curve_pen(plots, plot, colour):
    """The pen of the line drawn in `colour` (the per-batch curve, not its paler raw values)."""
    (stroke,) = [
        stroke for stroke in drawn_strokes(plots, plot)
        if stroke.symbol is None and stroke.pen.color().name() == colour.name()
    ]  # fmt: skip
    return stroke.pen


def test_events_at_200_per_second_are_drawn_about_12_times_a_second(plots, qtbot):
    record = make_record("live", steps=0)
    plots.begin_live(record, run_colour(0))
    qtbot.wait(2 * REDRAW_MS)
    drawn = [0]
    start = time.perf_counter()
    for step in range(1, 201):
        plots.on_run_event(record, batch(step, 1.0))
        if step % 5 == 0:
            qtbot.wait(25)  # the event loop runs between batches, as with a training thread
        size = plots.curve_data("live", "loss")[0].size
        if size != drawn[-1]:
            drawn.append(size)
    qtbot.waitUntil(lambda: plots.curve_data("live", "loss")[0].size == 200, timeout=30000)
    elapsed_ms = (time.perf_counter() - start) * 1000
    redraws = len(drawn) - 1
    assert 2 <= redraws <= elapsed_ms / LIVE_REDRAW_MS + 2


def test_the_whole_planned_run_shows_from_its_first_batch_and_is_named_once_known(plots, qtbot):
    record = make_record("live", steps=0)
    record.label = ""
    plots.begin_live(record, run_colour(0))
    record.label, record.total_steps = "RMSprop 1e-4", 938  # what RunStarted brings
    plots.on_run_event(record, batch(1, 2.3))
    qtbot.waitUntil(lambda: plots.curve_data("live", "loss")[0].size == 1)
    plots.findChild(object, "livePlotArea").grab()  # lets the view settle its range
    (x0, x1), (y0, _) = plots.plot_item("loss").vb.viewRange()
    assert x0 <= 1 and 938 <= x1 < 1100
    assert y0 <= 0  # a linear loss axis starts at zero
    assert plots.legend_labels()[0] == "RMSprop 1e-4 (live)"


def test_end_of_epoch_points_are_drawn_at_their_step(plots, qtbot):
    record = make_record("live", steps=0)
    plots.begin_live(record, run_colour(0))
    for step in range(1, 101):
        plots.on_run_event(record, batch(step, 1.0))
    plots.on_run_event(record, ev.EpochEnd(1, 100, 0.8, 0.7, 0.6, 0.75, 2.0))
    qtbot.waitUntil(lambda: plots.points_data("live", "loss", "train")[0].size == 1)
    assert plots.points_data("live", "loss", "train") == ([100.0], [0.8])
    assert plots.points_data("live", "loss", "validation") == ([100.0], [0.6])
    assert plots.points_data("live", "accuracy", "train") == ([100.0], [0.7])
    assert plots.points_data("live", "accuracy", "validation") == ([100.0], [0.75])


def test_an_epoch_without_validation_draws_only_the_train_point(plots):
    record = make_record("old", steps=0)
    record.apply(ev.EpochEnd(1, 100, 0.8, 0.7, None, None, 2.0))
    plots.set_overlays([(record, run_colour(1))])
    plots.redraw_now()
    assert plots.points_data("old", "loss", "train")[0].size == 1
    assert plots.points_data("old", "loss", "validation")[0].size == 0


def test_nan_and_inf_of_a_diverging_run_never_reach_pyqtgraph(plots, qtbot):
    losses = [2.0, 1.5, 1.0, 40.0, math.inf, math.nan, math.nan]
    saved = make_record("diverged", steps=len(losses), losses=losses)
    saved.batches["accuracy"][5] = math.nan
    live = make_record("live", steps=0)
    plots.set_overlays([(saved, run_colour(1))])
    plots.begin_live(live, run_colour(0))
    for step, loss in enumerate([1.0, math.nan, math.inf, -math.inf], start=1):
        plots.on_run_event(live, batch(step, loss))
    qtbot.waitUntil(lambda: plots.curve_data("live", "loss")[0].size == 1)
    assert plots.curve_data("diverged", "loss")[1].tolist() == [2.0, 1.5, 1.0, 40.0]
    assert plots.curve_data("diverged", "accuracy")[0].size == len(losses) - 1
    for name in ("loss", "accuracy", "learning_rate"):
        for item in plots.plot_item(name).listDataItems():
            x, y = item.getData()
            if x is not None:
                assert np.isfinite(x).all() and np.isfinite(y).all()
        strokes = drawn_strokes(plots, name)
        assert strokes
        for stroke in strokes:
            assert np.isfinite(stroke.x).all() and np.isfinite(stroke.y).all()


def loss_view_top(plots) -> float:
    plots.redraw_now()
    plots.findChild(object, "livePlotArea").grab()  # brings the view range up to date
    return plots.plot_item("loss").vb.viewRange()[1][1]


def test_a_run_that_blew_up_does_not_flatten_the_others_on_a_linear_loss_axis(plots, qtbot):
    blown = [2.3, 2.0, 5.0, 1e5, 1e30, math.nan]  # finite, then far too big, then NaN
    plots.set_overlays([
        (make_record("sensible"), run_colour(0)),
        (make_record("blew-up", steps=len(blown), losses=blown), run_colour(1)),
    ])  # fmt: skip
    top = loss_view_top(plots)
    # Three times the highest first-batch loss: the sensible run's curve fills the plot, the
    # other leaves it at the top.
    assert 2.3 < top < 3.0 * 2.3 * 1.1
    # A live run that blows up is held to the same limit while it trains.
    plots.set_overlays([(make_record("sensible"), run_colour(0))])
    live = make_record("live", steps=0)
    plots.begin_live(live, run_colour(2))
    for step, loss in enumerate([2.3, 2.2, 50.0, 1e12, 1e33], start=1):
        plots.on_run_event(live, batch(step, loss))
    assert 2.3 < loss_view_top(plots) < 3.0 * 2.3 * 1.1
    # On a log axis nothing is cut off.
    plots.findChild(object, "logLossCheck").setChecked(True)
    assert loss_view_top(plots) >= 33


def colour_at(plots, plot, x, y, candidates):
    """Which of `candidates` is on screen at data point (x, y) of a plot (the nearest in RGB:
    the edge of an anti-aliased line is a blend)."""
    view = plots.findChild(object, "livePlotArea")
    image = view.grab().toImage()  # also brings the view range up to date
    point = view.mapFromScene(plots.plot_item(plot).vb.mapViewToScene(QPointF(x, y)))
    pixel = image.pixelColor(point)

    def distance(colour):
        pairs = zip(pixel.getRgb()[:3], colour.getRgb()[:3], strict=True)
        return sum((a - b) ** 2 for a, b in pairs)

    return min(candidates, key=distance).name()


def test_overlays_are_drawn_with_the_live_run_on_top_and_thicker(plots, qtbot):
    slow, fast = make_record("slow", 1e-4, seed=1), make_record("fast", 1e-3, seed=2)
    plots.set_overlays([(slow, run_colour(1)), (fast, run_colour(2))])
    plots.set_smoothing(0.0)
    live = make_record("live", 1e-4, seed=1, steps=0)  # the very same curve as "slow"
    plots.begin_live(live, run_colour(0))
    for step, loss in zip(slow.batches["step"], slow.batches["loss"], strict=True):
        plots.on_run_event(live, batch(step, loss))
    qtbot.waitUntil(lambda: plots.curve_data("live", "loss")[0].size == 300)
    assert plots.run_ids() == ["slow", "fast", "live"]
    colours = [run_colour(i) for i in range(3)] + [QColor("white")]
    steps, losses = plots.curve_data("fast", "loss")
    assert colour_at(plots, "loss", steps[200], losses[200], colours) == run_colour(2).name()
    steps, losses = plots.curve_data("slow", "loss")
    assert colour_at(plots, "loss", steps[200], losses[200], colours) == run_colour(0).name()
    live_width = curve_pen(plots, "loss", run_colour(0)).widthF()
    assert live_width > curve_pen(plots, "loss", run_colour(1)).widthF()


def test_unticked_runs_disappear_and_the_ended_live_run_stays_until_overlays_change(plots):
    a, b = make_record("a"), make_record("b")
    plots.set_overlays([(a, run_colour(1)), (b, run_colour(2))])
    live = make_record("live", steps=0)
    plots.begin_live(live, run_colour(0))
    plots.on_run_event(live, batch(1, 2.0))
    plots.set_overlays([(b, run_colour(2))])
    plots.end_live()
    plots.redraw_now()
    assert plots.run_ids() == ["b", "live"]
    assert plots.curve_data("live", "loss")[0].size == 1
    plots.set_overlays([(b, run_colour(2))])
    assert plots.run_ids() == ["b"]
    plots.clear()
    plots.redraw_now()
    assert plots.run_ids() == [] and plots.curve_data("b", "loss")[0].size == 0


def test_events_of_another_run_are_ignored(plots):
    plots.begin_live(make_record("live", steps=0), run_colour(0))
    plots.on_run_event(make_record("other", steps=0), batch(1, 1.0))
    plots.redraw_now()
    assert plots.curve_data("live", "loss")[0].size == 0
    assert plots.run_ids() == ["live"]


def test_log_loss_checkbox_switches_the_axis_and_drops_zero_losses(plots, qtbot):
    record = make_record("r", steps=4, losses=[1.0, 0.0, 0.5, 0.25])
    plots.set_overlays([(record, run_colour(0))])
    plots.redraw_now()
    assert plots.curve_data("r", "loss")[0].size == 4
    check = plots.findChild(object, "logLossCheck")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert plots.plot_item("loss").getAxis("left").logMode
    qtbot.waitUntil(lambda: plots.curve_data("r", "loss")[0].size == 3)
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert not plots.plot_item("loss").getAxis("left").logMode
    qtbot.waitUntil(lambda: plots.curve_data("r", "loss")[0].size == 4)


def test_learning_rate_axis_is_logarithmic_and_labelled_as_rates_are_typed(plots):
    plots.set_overlays([(make_record("r", 1e-4), run_colour(0))])
    plots.redraw_now()
    axis = plots.plot_item("learning_rate").getAxis("left")
    assert axis.logMode
    assert axis.logTickStrings([-4.0, -3.0], 1.0, 1.0) == ["1e-4", "1e-3"]
    assert "(x" not in axis.labelString()  # no SI scaling such as "(x0.001)"


def test_smoothing_slider_smooths_the_line_but_not_the_data(plots, qtbot):
    record = make_record("r", seed=3)
    plots.set_overlays([(record, run_colour(0))])
    slider = plots.findChild(object, "smoothingSlider")
    slider.setValue(0)
    plots.redraw_now()
    _, raw = plots.curve_data("r", "loss")
    np.testing.assert_array_equal(plots.curve_data("r", "loss", smoothed=True)[1], raw)
    slider.setValue(90)
    assert plots.findChild(object, "smoothingValue").text() == "0.90"
    plots.redraw_now()
    _, smoothed = plots.curve_data("r", "loss", smoothed=True)
    assert smoothed[0] == pytest.approx(raw[0])
    assert np.abs(np.diff(smoothed)).mean() < 0.5 * np.abs(np.diff(raw)).mean()
    np.testing.assert_array_equal(plots.curve_data("r", "loss")[1], raw)


def test_learning_rate_changes_are_marked_on_all_three_plots(plots, qtbot):
    saved = make_record("saved")
    saved.lr_changes.append({"step": 120, "learning_rate": 3e-4, "previous": 1e-3})
    plots.set_overlays([(saved, run_colour(1))])
    live = make_record("live", steps=0)
    plots.begin_live(live, run_colour(0))
    plots.on_run_event(live, batch(1, 2.0))
    plots.on_run_event(live, ev.LearningRateChanged(step=2, learning_rate=1e-4, previous=1e-3))
    qtbot.waitUntil(lambda: plots.marker_steps("live") == [2])
    assert plots.marker_steps("saved") == [120]
    for name in ("loss", "accuracy", "learning_rate"):
        lines = [i for i in plots.plot_item(name).items if type(i).__name__ == "InfiniteLine"]
        assert sorted(line.value() for line in lines) == [2, 120]
        assert all(line.pen.style() == Qt.PenStyle.DashLine for line in lines)


def test_hover_names_the_nearest_point(plots, qtbot):
    plots.set_overlays([(make_record("r", 1e-4), run_colour(0))])
    plots.set_smoothing(0.0)
    plots.redraw_now()
    qtbot.wait(50)
    steps, losses = plots.curve_data("r", "loss")
    plot = plots.plot_item("loss")
    view = plots.findChild(object, "livePlotArea")
    target = view.mapFromScene(plot.vb.mapViewToScene(QPointF(steps[150], losses[150])))
    with qtbot.waitSignal(plots.point_hovered, timeout=30000) as hovered:
        qtbot.mouseMove(view.viewport(), target)
    assert "RMSprop 1e-4" in hovered.args[0]
    assert (
        "step 151" in hovered.args[0]
        or "step 150" in hovered.args[0]
        or "step 152" in hovered.args[0]
    )


def test_export_png_and_svg(plots, tmp_path):
    plots.set_overlays([(make_record("r"), run_colour(0))])
    plots.export_image(str(tmp_path / "plots.png"))
    plots.export_image(str(tmp_path / "plots.svg"))
    image = QImage(str(tmp_path / "plots.png"))
    assert image.width() >= 1000 and image.height() >= 600
    svg = (tmp_path / "plots.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "loss (cross-entropy)" in svg and "<path" in svg
    assert "<image" not in svg  # curves and axes as vectors, not pictures of them
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.export_image(str(tmp_path / "plots.gif"))


def test_a_hidden_widget_does_not_draw_until_shown(qtbot):
    widget = LivePlots()
    qtbot.addWidget(widget)
    record = make_record("live", steps=0)
    widget.begin_live(record, run_colour(0))
    for step in range(1, 21):
        widget.on_run_event(record, batch(step, 1.0))
    qtbot.wait(5 * REDRAW_MS)
    assert widget.curve_data("live", "loss")[0].size == 0
    widget.show()
    qtbot.waitUntil(lambda: widget.curve_data("live", "loss")[0].size == 20, timeout=30000)
    widget.hide()
    widget.on_run_event(record, batch(21, 1.0))
    qtbot.wait(5 * REDRAW_MS)
    assert widget.curve_data("live", "loss")[0].size == 20


def test_presentation_scale_enlarges_text_and_lines(plots):
    plots.set_overlays([(make_record("r"), run_colour(0))])
    plots.redraw_now()
    axis = plots.plot_item("loss").getAxis("left")
    normal_font = axis.style["tickFont"].pointSizeF()
    normal_width = curve_pen(plots, "loss", run_colour(0)).widthF()
    plots.set_presentation(1.6)
    plots.redraw_now()
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(1.6 * normal_font)
    assert curve_pen(plots, "loss", run_colour(0)).widthF() == pytest.approx(1.6 * normal_width)


def long_record(run_id, seed):
    """5,000 steps, filled in directly: RunRecord.apply would take seconds for twenty."""
    record = make_record(run_id, steps=0)
    rng = np.random.default_rng(seed)
    steps = np.arange(1, 5001)
    base = 0.1 + 2.2 * np.exp(-steps / (300 + 100 * seed))
    loss = base * np.exp(rng.normal(0, 0.1, steps.size))
    columns = {"step": steps, "loss": loss, "accuracy": 1 - base / 2.6, "learning_rate": 1e-3}
    record.batches = {name: np.broadcast_to(value, steps.shape).tolist()
                      for name, value in columns.items()}  # fmt: skip
    record.epochs = [{"epoch": e, "step": e * 1000, "loss": 1.0, "accuracy": 0.5,
                      "val_loss": 1.0, "val_accuracy": 0.5} for e in range(1, 6)]  # fmt: skip
    return record


@pytest.mark.slow
def test_redraw_of_twenty_overlays_and_a_live_run_is_fast(plots):
    """20 past runs of 5,000 steps and a live one: the timer's redraw, then a full paint. A
    timed check, so a load test (make load-test); make bench measures the same."""
    plots.set_overlays([(long_record(f"r{i}", i), run_colour(i)) for i in range(20)])
    live = make_record("live", steps=0)
    live.total_steps = 6000  # known from RunStarted in a real run
    plots.begin_live(live, run_colour(0))
    for step in range(1, 5001):
        plots.on_run_event(live, batch(step, 2.0 / math.sqrt(step), rate=1e-3))
    view = plots.findChild(object, "livePlotArea")
    plots.redraw_now()
    view.grab()
    redraws, frames = [], []
    for step in range(5001, 5031):
        plots.on_run_event(live, batch(step, 0.03, rate=1e-3))
        start = time.perf_counter()
        plots.redraw_now()
        middle = time.perf_counter()
        view.grab()  # paints everything, as the screen would after the redraw
        redraws.append(middle - start)
        frames.append(time.perf_counter() - start)
    redraw_ms, frame_ms = statistics.median(redraws) * 1000, statistics.median(frames) * 1000
    print(
        f"\n20 x 5,000-step overlays + live: redraw {redraw_ms:.1f}, with paint {frame_ms:.1f} ms"
    )
    assert redraw_ms < 100 and frame_ms < 100


def test_room_for_a_growing_axis_is_a_round_number():
    assert [room_for(n) for n in (0, 1, 99, 100, 101, 470, 5001)] == [
        0,
        1,
        100,
        100,
        150,
        500,
        7500,
    ]


def test_nearest_point_is_searched_in_pixels_near_the_mouse_only():
    x = np.arange(0.0, 1000.0)
    y = np.zeros(1000)
    y[500] = 10.0
    assert nearest_point(x, y, (500.2, 9.9), (1.0, 0.1), 24) == (500, pytest.approx(1.0198, 1e-3))
    assert nearest_point(x, y, (500.0, 50.0), (1.0, 0.1), 24) is None  # 400 px away
    assert nearest_point(x, y, (5000.0, 0.0), (1.0, 0.1), 24) is None
