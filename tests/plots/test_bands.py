"""Seed groups on the live plots: runs that differ only in seed drawn as their mean and a band,
group by group from the "Seed groups" menu, instead of one line each."""

import numpy as np
import pytest
from PySide6.QtWidgets import QGraphicsPathItem

from lrexplorer.core.explore.seed_groups import STD
from lrexplorer.core.explore.smoothing import smooth
from lrexplorer.plots.canvas import PlotCanvas
from lrexplorer.plots.palette import run_colour
from tests.plots.test_live_plots import make_record, plots  # noqa: F401 (a fixture)


def seeded(rate, seeds, colour, steps=300):
    """Runs of one setting with other seeds: other noise, other curves."""
    records = []
    for seed in seeds:
        noise = seed + round(1e6 * rate)  # other noise for each run
        record = make_record(f"{rate}-{seed}", rate=rate, steps=steps, seed=noise)
        record.config = record.config.replace(seed=seed)
        record.optimizer_config = {"class_name": "RMSprop"}
        records.append((record, run_colour(colour)))
    return records


def drawn_colours(plots, plot="loss"):  # noqa: F811
    """The colour and point count of every line on the plot's canvases."""
    items = plots.plot_item(plot).items
    return [(s.pen.color().name(), s.x.size) for item in items if isinstance(item, PlotCanvas)
            for s in item.strokes() if s.symbol is None]  # fmt: skip


def menu_actions(plots):  # noqa: F811
    return {a.text(): a for a in plots.options.seeds_button.menu().actions() if a.text()}


def test_the_seed_groups_button_waits_for_a_group(plots, qtbot):  # noqa: F811
    button = plots.options.seeds_button
    plots.set_overlays(seeded(1e-3, [0], 0) + seeded(1e-4, [0], 1))
    plots.redraw_now()
    assert not button.isEnabled() and "differ only in their seed" in button.toolTip()
    plots.set_overlays(seeded(1e-3, [0, 1, 2], 0))
    plots.redraw_now()
    assert button.isEnabled()
    assert "RMSprop 1e-3 (3 seeds)" in menu_actions(plots)


def test_a_group_drawn_as_its_mean_and_band(plots):  # noqa: F811
    runs = seeded(1e-3, [0, 1, 2], 0) + seeded(3e-4, [0, 1], 1)
    plots.set_overlays(runs)
    plots.redraw_now()
    before = drawn_colours(plots)
    assert len([c for c in before if c[0] == run_colour(0).name()]) == 3  # a line per seed
    menu_actions(plots)["RMSprop 1e-3 (3 seeds)"].trigger()
    plots.redraw_now()
    ids = [record.id for record, _ in runs]
    assert [plots.bands.is_banded(i) for i in ids] == [True, True, True, False, False]
    # One line for the group (its mean) where there were three; the other group is untouched.
    after = drawn_colours(plots)
    assert len([c for c in after if c[0] == run_colour(0).name()]) == 1
    assert len([c for c in after if c[0] == run_colour(1).name()]) == 2
    # The band spans the three seeds' lines as they were drawn (smoothed), step by step.
    band = plots.bands.band_data(ids[0], "loss")
    curves = np.array([smooth(np.array(r.batches["loss"]), plots.smoothing()) for r, _ in runs[:3]])
    np.testing.assert_array_equal(band.x, np.arange(1, 301))
    np.testing.assert_allclose(band.mean, curves.mean(axis=0))
    np.testing.assert_allclose(band.low, curves.min(axis=0))
    np.testing.assert_allclose(band.high, curves.max(axis=0))
    assert plots.legend_labels()[:3] == [
        "RMSprop 1e-3: mean of 3 seeds", "RMSprop 3e-4", "RMSprop 3e-4",
    ]  # fmt: skip
    # Shaded behind the lines: a filled path with the group's colour, see-through.
    fills = [i for i in plots.plot_item("loss").items if isinstance(i, QGraphicsPathItem)]
    assert len(fills) == 1 and not fills[0].path().isEmpty()
    colour = fills[0].brush().color()
    assert colour.rgb() == run_colour(0).rgb() and 0 < colour.alphaF() < 0.5
    # And back to one line per seed.
    menu_actions(plots)["RMSprop 1e-3 (3 seeds)"].trigger()
    plots.redraw_now()
    assert drawn_colours(plots) == before and not plots.bands.is_banded(ids[0])
    assert fills[0].scene() is None


def test_every_group_at_once_and_a_band_of_one_standard_deviation(plots):  # noqa: F811
    runs = seeded(1e-3, [0, 1, 2], 0) + seeded(3e-4, [0, 1], 1)
    plots.set_overlays(runs)
    plots.redraw_now()
    menu_actions(plots)["Every group as mean and band"].trigger()
    plots.redraw_now()
    assert plots.bands.band_labels() == [
        "RMSprop 1e-3: mean of 3 seeds", "RMSprop 3e-4: mean of 2 seeds",
    ]  # fmt: skip
    minmax = plots.bands.band_data(runs[0][0].id, "loss")
    menu_actions(plots)["Band: mean ± 1 standard deviation"].trigger()
    plots.redraw_now()
    assert plots.bands.kind == STD
    std = plots.bands.band_data(runs[0][0].id, "loss")
    curves = np.array([plots.curve_data(r.id, "loss", smoothed=True)[1] for r, _ in runs[:3]])
    np.testing.assert_allclose(std.mean, minmax.mean)
    np.testing.assert_allclose(std.high - std.mean, curves.std(axis=0, ddof=1))
    # The mean end-of-epoch results are marked where the runs' were.
    canvases = [i for i in plots.plot_item("accuracy").items if isinstance(i, PlotCanvas)]
    (marks,) = [s for canvas in canvases for s in canvas.strokes()
                if s.symbol == "d" and s.pen.color() == run_colour(0)]  # fmt: skip
    assert marks.x.tolist() == [100, 200, 300]
    expected = np.mean([[e["val_accuracy"] for e in r.epochs] for r, _ in runs[:3]], axis=0)
    np.testing.assert_allclose(marks.y, expected)


def test_a_group_on_a_log_loss_axis_and_when_a_seed_is_unticked(plots, qtbot):  # noqa: F811
    runs = seeded(1e-3, [0, 1, 2], 0)
    plots.set_overlays(runs)
    plots.bands.set_all(True)
    plots.options.log_check.setChecked(True)
    plots.redraw_now()
    band = plots.bands.band_data(runs[0][0].id, "loss")
    assert band.x.size == 300 and np.all(band.low > 0)
    plots.set_overlays(runs[:1])  # one seed left: no group, its own line again
    plots.redraw_now()
    assert not plots.bands.is_banded(runs[0][0].id) and plots.bands.band_labels() == []
    assert not plots.options.seeds_button.isEnabled()


def test_a_live_run_is_drawn_on_its_own_beside_its_groups_band(plots):  # noqa: F811
    runs = seeded(1e-3, [0, 1], 0)
    plots.set_overlays(runs)
    plots.bands.set_all(True)
    live, _ = seeded(1e-3, [2], 2, steps=0)[0]
    plots.begin_live(live, run_colour(2))
    plots.redraw_now()
    assert plots.bands.band_labels() == ["RMSprop 1e-3: mean of 2 seeds"]
    assert not plots.bands.is_banded(live.id)
    plots.end_live()  # done: it joins its group
    plots.redraw_now()
    assert plots.bands.band_labels() == ["RMSprop 1e-3: mean of 3 seeds"]


def test_the_band_goes_to_svg_as_a_shape(plots, tmp_path):  # noqa: F811
    plots.set_overlays(seeded(1e-3, [0, 1], 0))
    plots.bands.set_all(True)
    path = tmp_path / "bands.svg"
    plots.export_image(str(path))
    text = path.read_text()
    assert "mean of 2 seeds" in text and 'fill-opacity="0.2' in text


@pytest.mark.parametrize("steps", [1, 2])
def test_very_short_runs_make_no_band_shape(plots, steps):  # noqa: F811
    plots.set_overlays(seeded(1e-3, [0, 1], 0, steps=steps))
    plots.bands.set_all(True)
    plots.redraw_now()
    assert plots.bands.band_data(f"{1e-3}-0", "loss").x.size == steps
