"""The sweep dialog builds the runs a teacher asked for (or says why it cannot), and the summary
shows every run with the best one marked."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.presets import PRESETS, preset_configs
from lrexplorer.core.keras_api.optimizers import registry
from lrexplorer.core.store.records import RunRecord, empty_batches
from lrexplorer.gui.dialogs.sweep_dialog import SweepDialog
from lrexplorer.gui.dialogs.sweep_summary import BEST_ROW, RATES, RUNS, SweepSummaryView

BASE = RunConfig(optimizer="rmsprop", learning_rate=1e-3, dataset="sample", train_samples=800)


@pytest.fixture
def dialog(qtbot):
    names = [spec.name for spec in registry().specs()]
    widget = SweepDialog(BASE, names)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def preview(dialog):
    return [dialog.preview.item(i).text() for i in range(dialog.preview.count())]


def tick(dialog, *names):
    for i in range(dialog.optimizer_list.count()):
        item = dialog.optimizer_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in names:
            item.setCheckState(Qt.CheckState.Checked)


def test_it_opens_on_a_custom_sweep_around_the_current_rate(dialog):
    assert dialog.preset_combo.currentData() == ""
    assert dialog.checked_optimizers() == ["rmsprop"]
    assert preview(dialog) == ["RMSprop 0.01", "RMSprop 1e-3", "RMSprop 1e-4"]
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Queue 3 runs"
    assert not dialog.error.isVisible()


def test_a_list_of_rates_times_the_ticked_optimizers(dialog, qtbot):
    dialog.rates_edit.setText("1e-3, 1e-4, 1e-5")
    tick(dialog, "sgd")
    configs = dialog.configs()
    assert [(c.optimizer, c.learning_rate) for c in configs] == [  # in the list's order
        ("rmsprop", 1e-3), ("rmsprop", 1e-4), ("rmsprop", 1e-5),
        ("sgd", 1e-3), ("sgd", 1e-4), ("sgd", 1e-5),
    ]  # fmt: skip
    assert all(c.dataset == "sample" and c.train_samples == 800 for c in configs)
    assert preview(dialog)[3] == "SGD 1e-3" and dialog.ok_button.text() == "Queue 6 runs"
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()


def test_a_log_range(dialog):
    dialog.range_radio.setChecked(True)
    assert not dialog.rates_edit.isEnabled() and dialog.count_spin.isEnabled()
    dialog.from_edit.setText("1e-4")
    dialog.to_edit.setText("1e-2")
    dialog.count_spin.setValue(4)
    assert [c.learning_rate for c in dialog.configs()] == [1e-4, 4.64e-4, 2.15e-3, 1e-2]
    assert preview(dialog) == ["RMSprop 1e-4", "RMSprop 4.64e-4", "RMSprop 2.15e-3", "RMSprop 0.01"]


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_preset_shows_its_description_and_queues_its_runs(dialog, name):
    dialog.select_preset(name)
    assert dialog.description.text() == PRESETS[name].description
    assert not dialog.custom.isEnabled()  # a preset decides rates and optimizers
    assert dialog.configs() == preset_configs(name, BASE)
    assert dialog.ok_button.isEnabled() and len(preview(dialog)) == len(dialog.configs())


@pytest.mark.parametrize(
    ("rates", "says"),
    [
        ("1e-3, 0", "learning rate #2 = 0.0 is not allowed: it must be > 0"),
        ("1e-3, -1e-4", "learning rate #2 = -0.0001 is not allowed"),
        ("1e-3 abc", "rate 2 'abc' is not a number"),
        ("1e-3, nan", "rate 2 'nan' is not a number"),
        ("", "type one or more rates"),
    ],
)
def test_an_invalid_rate_disables_ok_and_says_why(dialog, rates, says):
    dialog.rates_edit.setText(rates)
    assert not dialog.ok_button.isEnabled()
    assert dialog.error.isVisible() and says in dialog.error.text()
    assert dialog.configs() == [] and preview(dialog) == []
    dialog.rates_edit.setText("1e-3")  # fixing it brings OK back
    assert dialog.ok_button.isEnabled() and not dialog.error.isVisible()


def test_a_bad_range_or_no_optimizer_is_refused_too(dialog):
    dialog.range_radio.setChecked(True)
    dialog.to_edit.setText("1e-5")  # same as the start
    assert not dialog.ok_button.isEnabled() and "same rate" in dialog.error.text()
    dialog.to_edit.setText("1e-1")
    assert dialog.ok_button.isEnabled()
    for i in range(dialog.optimizer_list.count()):
        dialog.optimizer_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.ok_button.isEnabled() and "tick at least one optimizer" in dialog.error.text()


def test_repeat_with_seeds_runs_every_setting_with_the_next_seeds(dialog):
    seeds = dialog.findChild(object, "sweepSeedsSpin")
    assert seeds.value() == 1 and seeds.text() == "1 seed (no repeats)"
    dialog.rates_edit.setText("1e-3, 1e-4")
    seeds.setValue(3)
    assert [(c.learning_rate, c.seed) for c in dialog.configs()] == [
        (1e-3, 0), (1e-4, 0), (1e-3, 1), (1e-4, 1), (1e-3, 2), (1e-4, 2),
    ]  # fmt: skip
    assert preview(dialog)[:3] == ["RMSprop 1e-3 seed 0", "RMSprop 1e-4 seed 0",
                                   "RMSprop 1e-3 seed 1"]  # fmt: skip
    assert dialog.ok_button.text() == "Queue 6 runs"
    dialog.select_preset("budget")  # a preset repeats with seeds too
    assert len(dialog.configs()) == 9 and {c.seed for c in dialog.configs()} == {0, 1, 2}
    dialog.select_preset("defaults")
    seeds.setValue(10)  # every optimizer x 10 seeds is too many
    assert not dialog.ok_button.isEnabled() and "a sweep has at most 50" in dialog.error.text()


# --- the summary ---------------------------------------------------------------------------
def record(optimizer, rate, status, val_accuracy=None, loss=0.5):
    config = RunConfig(optimizer=optimizer, learning_rate=rate)
    rec = RunRecord(id=f"{optimizer}-{rate}", config=config, status=status, seconds=3.25)
    rec.optimizer_config = {"class_name": registry().get(optimizer).class_name}
    rec.batches = empty_batches()
    if status == ev.DIVERGED:
        for name in rec.batches:
            rec.batches[name] = [1.0, math.nan]
        rec.last_batch = {"step": 2, "mean_loss": math.nan, "mean_accuracy": 0.1}
        return rec
    rec.epochs = [
        {"epoch": 1, "step": 60, "loss": loss, "accuracy": 0.8, "val_loss": loss,
         "val_accuracy": val_accuracy, "seconds": 3.0},
    ]  # fmt: skip
    return rec


@pytest.fixture
def view(qtbot):
    widget = SweepSummaryView()
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    return widget


def table(view):
    return [
        [view.table.item(r, c).text() for c in range(view.table.columnCount())]
        for r in range(view.table.rowCount())
    ]


def test_the_summary_lists_every_run_and_marks_the_best(view):
    records = [
        record("rmsprop", 1e-3, ev.FINISHED, 0.912, loss=0.31),
        record("rmsprop", 1e-4, ev.FINISHED, 0.874, loss=0.52),
        record("rmsprop", 1e-5, ev.FINISHED, 0.601, loss=1.94),
        record("rmsprop", 10.0, ev.DIVERGED),
    ]
    view.set_records(records)
    rows = table(view)
    assert rows[0] == ["★ RMSprop 1e-3", "finished", "0.310", "80.0%", "91.2%", "3.2 s"]
    assert rows[2][0] == "RMSprop 1e-5" and rows[2][4] == "60.1%"
    assert rows[3][:3] == ["RMSprop 10", "diverged", "NaN"] and rows[3][4] == "–"
    assert view.best_row() == 0
    assert view.table.item(0, 0).background().color() == QColor(BEST_ROW)
    assert view.table.item(0, 0).font().bold() and not view.table.item(1, 0).font().bold()
    assert "Best: RMSprop 1e-3, 91.2% validation accuracy" in view.headline.text()
    # Against the learning rate: three points per curve, a "diverged" line at 10, the best starred.
    assert view.mode == RATES and view.accuracy_plot.getViewBox().state["logMode"][0]
    curves = [i for i in view.accuracy_plot.listDataItems() if i.opts["symbol"] == "o"]
    x, y = curves[0].getOriginalDataset()
    assert list(x) == [1e-5, 1e-4, 1e-3] and list(y) == pytest.approx([60.1, 87.4, 91.2])
    stars = [i for i in view.accuracy_plot.listDataItems() if i.opts["symbol"] == "star"]
    assert [list(s.getOriginalDataset()[0]) for s in stars] == [[1e-3]]
    lines = [i for i in view.accuracy_plot.items if i.__class__.__name__ == "InfiniteLine"]
    assert [round(line.value(), 6) for line in lines] == [1.0]  # log10(10)
    assert lines[0].label.format == "diverged"


def test_an_optimizer_comparison_gets_one_bar_per_run(view):
    view.set_records([
        record("sgd", 1e-2, ev.FINISHED, 0.87),
        record("adam", 1e-3, ev.FINISHED, 0.92),
        record("ftrl", 1e-3, ev.FINISHED, 0.11, loss=2.3),
    ])  # fmt: skip
    assert view.mode == RUNS
    assert table(view)[1][0] == "★ Adam 1e-3"
    bars = [i for i in view.accuracy_plot.items if i.__class__.__name__ == "BarGraphItem"]
    assert list(bars[0].opts["width"]) == pytest.approx([87, 92, 11])
    labels = view.accuracy_plot.getAxis("left")._tickLevels[0]
    assert [text for _, text in labels] == ["SGD 0.01", "★ Adam 1e-3", "Ftrl 1e-3"]


def test_no_finished_run_means_no_best(view):
    view.set_records([record("sgd", 10.0, ev.DIVERGED), record("sgd", 1.0, ev.DIVERGED)])
    assert view.best_row() == -1 and "no best run" in view.headline.text()
    assert [row[1] for row in table(view)] == ["diverged", "diverged"]


def test_the_summary_renders_to_an_image(view, tmp_path):
    view.set_records([record("rmsprop", r, ev.FINISHED, 0.5 + r * 100) for r in (1e-4, 1e-3)])
    path = tmp_path / "summary.png"
    assert view.export_image(str(path)) and path.stat().st_size > 10_000
