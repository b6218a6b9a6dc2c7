"""The sweep summary with seeds and several epochs: each setting's mean and spread, whether two
settings differ by more than their seeds (in words), and the budget view."""

import pytest

from lrexplorer.core import events as ev
from lrexplorer.gui.dialogs.sweep_summary import BEST_ROW, SweepSummaryView
from tests.core.explore.test_seed_groups import record


@pytest.fixture
def view(qtbot):
    widget = SweepSummaryView()
    qtbot.addWidget(widget)
    widget.resize(1100, 860)
    widget.show()
    return widget


def table(view):
    return [
        [view.table.item(r, c).text() for c in range(view.table.columnCount())]
        for r in range(view.table.rowCount())
    ]


def seeded_records():
    values = {1e-3: (0.910, 0.906, 0.912), 1e-4: (0.905, 0.908, 0.901), 1e-5: (0.755, 0.760, 0.749)}
    return [
        record(rate, seed, v[seed], loss=0.4) for seed in range(3) for rate, v in values.items()
    ]


def test_with_seeds_the_table_has_a_row_per_setting_with_mean_and_spread(view):
    view.set_records(seeded_records())
    header = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert header == ["Setting", "Finished", "Final loss", "Accuracy", "Val. accuracy", "Time"]
    rows = table(view)
    assert rows[0] == ["★ RMSprop 1e-3", "3 of 3", "0.400 ± 0.000", "80.00% ± 0.00 (80.00–80.00)",
                       "90.93% ± 0.31 (90.60–91.20)", "3.0 s"]  # fmt: skip
    assert rows[2][0] == "RMSprop 1e-5" and rows[2][4] == "75.47% ± 0.55 (74.90–76.00)"
    assert view.best_row() == 0
    assert view.table.item(0, 4).background().color().name() == BEST_ROW.lower()
    assert "seed 2: finished, validation accuracy 91.2%" in view.table.item(0, 0).toolTip()
    assert view.headline.text() == (
        "★ Best on average: RMSprop 1e-3, 90.93% ± 0.31 (90.60–91.20) validation accuracy over "
        "3 seeds, within seed noise of RMSprop 1e-4"
    )
    assert view.noise.isVisible() and view.noise.text().startswith(
        "1e-3 and 1e-4 are within seed noise after one epoch"
    )
    assert "1e-4 beats 1e-5 beyond seed noise" in view.noise.text()
    # The plot: the means joined by a line, each seed a dot, and a bar from lowest to highest.
    means = [i for i in view.accuracy_plot.listDataItems() if i.opts["symbolSize"] > 15]
    x, y = means[0].getOriginalDataset()
    assert list(x) == [1e-5, 1e-4, 1e-3] and list(y) == pytest.approx([75.467, 90.467, 90.933],
                                                                     abs=1e-3)  # fmt: skip
    bars = [i for i in view.accuracy_plot.items if i.__class__.__name__ == "ErrorBarItem"]
    assert bars[0].opts["top"] + bars[0].opts["y"] == pytest.approx([76.0, 90.8, 91.2])
    assert bars[0].opts["y"] - bars[0].opts["bottom"] == pytest.approx([74.9, 90.1, 90.6])
    assert view.tabs.count() == 1  # one epoch: no budget to compare


def test_without_seeds_nothing_is_said_about_noise(view):
    view.set_records([record(1e-3, 0, 0.91), record(1e-4, 0, 0.90)])
    assert not view.noise.isVisible() and table(view)[0][0] == "★ RMSprop 1e-3"
    assert view.table.horizontalHeaderItem(0).text() == "Run"


def test_several_epochs_add_the_budget_view(view):
    records = [
        record(1e-3, 0, [0.91, 0.93, 0.940], epochs=3),
        record(1e-4, 0, [0.90, 0.93, 0.945], epochs=3),
        record(1e-5, 0, [0.75, 0.82, 0.850], epochs=3),
    ]
    view.set_records(records)
    assert view.tabs.count() == 2 and view.tabs.currentIndex() == 1
    assert view.tabs.tabText(1) == "Budget: each epoch"
    budget = view.budget
    assert budget.line_data() == {
        ("RMSprop", 1): ([1e-5, 1e-4, 1e-3], pytest.approx([75.0, 90.0, 91.0])),
        ("RMSprop", 2): ([1e-5, 1e-4, 1e-3], pytest.approx([82.0, 93.0, 93.0])),
        ("RMSprop", 3): ([1e-5, 1e-4, 1e-3], pytest.approx([85.0, 94.5, 94.0])),
    }
    assert budget.cell_texts[(0, 1)] == "91.0" and budget.cell_texts[(1, 3)] == "94.5"
    assert budget.cell_texts[(2, 1)] == "75.0" and len(budget.cell_texts) == 9
    labels = budget.heat_plot.getAxis("left")._tickLevels[0]
    assert [text for _, text in labels] == ["1e-3", "1e-4", "1e-5"]
    assert view.budget_notes.text().startswith("1e-4 overtakes 1e-3 at epoch 3 (94.5% against")
    view.set_records([record(1e-3, 0, 0.9)])  # one epoch again: the tab goes
    assert view.tabs.count() == 1


def test_a_setting_whose_seeds_all_diverged_has_no_final_value(view):
    records = [record(1e-3, s, 0.9) for s in range(2)]
    records += [record(10.0, s, None, status=ev.DIVERGED) for s in range(2)]
    view.set_records(records)
    assert table(view)[1][:2] == ["RMSprop 10", "0 of 2"] and table(view)[1][4] == "–"


def test_the_heat_maps_numbers_stay_readable_in_the_dark_theme(view):
    from PySide6.QtGui import QColor

    from lrexplorer.plots.theme import style_plots_in

    view.set_records([record(1e-3, 0, [0.91, 0.95], epochs=2), record(1e-4, 0, [0.6, 0.8],
                                                                     epochs=2)])  # fmt: skip
    style_plots_in(view, "dark")
    texts = {i.toPlainText(): i.color for i in view.budget.heat_plot.items
             if i.__class__.__name__ == "TextItem"}  # fmt: skip
    # The highest value's cell is light (viridis yellow): its number stays dark; the lowest's
    # cell is dark purple: its number stays light.
    assert texts["95.0"].lightness() < 64 and texts["60.0"].lightness() > 192
    assert QColor(texts["95.0"]).name() != QColor("#e6e6e6").name()
