"""A sweep with seeds in the window: each run trains on its own and is watched live; a setting
whose seeds are done is drawn as their mean and band; the summary gives each setting's mean and
spread and, after several epochs, the budget view."""

import numpy as np
from PySide6.QtWidgets import QWidget

from lrexplorer.core import events as ev
from lrexplorer.gui.dialogs.sweep_dialog import SweepDialog
from lrexplorer.gui.dialogs.sweep_summary import SweepSummaryDialog
from tests.gui.window.test_main_window import TINY, make_window  # noqa: F401 (a fixture)


def test_a_sweep_with_seeds_ends_as_bands_and_a_summary_of_mean_and_spread(qtbot, make_window):  # noqa: F811
    window = make_window(TINY.replace(epochs=2, learning_rate=1e-3))
    dialog = SweepDialog(window.draft.config, window.keras.optimizers.names(), window)
    qtbot.addWidget(dialog)
    dialog.rates_edit.setText("1e-2, 1e-3")
    dialog.findChild(QWidget, "sweepSeedsSpin").setValue(2)
    records = window.lessons.start_runs(dialog.configs())
    assert [r.label for r in records] == [
        "RMSprop 0.01 seed 0", "RMSprop 1e-3 seed 0", "RMSprop 0.01 seed 1", "RMSprop 1e-3 seed 1",
    ]  # fmt: skip
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=240000)
    assert all(r.status == ev.FINISHED for r in records)
    plots = window.plots
    qtbot.waitUntil(lambda: plots.bands.is_banded(records[3].id), timeout=10000)
    assert plots.bands.band_labels() == [
        "RMSprop 0.01: mean of 2 seeds", "RMSprop 1e-3: mean of 2 seeds",
    ]  # fmt: skip
    band = plots.bands.band_data(records[1].id, "accuracy")
    seeds = [plots.curve_data(r.id, "accuracy", smoothed=True)[1] for r in records[1::2]]
    np.testing.assert_allclose(band.mean, np.mean(seeds, axis=0))
    np.testing.assert_allclose(band.high, np.max(seeds, axis=0))
    qtbot.waitUntil(lambda: window.findChild(SweepSummaryDialog) is not None, timeout=10000)
    view = window.findChild(SweepSummaryDialog).view
    rows = [view.table.item(r, 0).text().removeprefix("★ ") for r in range(view.table.rowCount())]
    assert rows == ["RMSprop 0.01", "RMSprop 1e-3"]
    assert view.table.item(0, 1).text() == "2 of 2" and "±" in view.table.item(0, 4).text()
    assert view.tabs.currentWidget().objectName() == "sweepBudgetPage"
    assert len(view.budget.cell_texts) == 4  # 2 rates x 2 epochs
    window.findChild(SweepSummaryDialog).close()
