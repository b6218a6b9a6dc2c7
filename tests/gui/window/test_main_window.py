"""The whole window, driven like a teacher would: real widgets, real training, offscreen."""

import threading

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from lrexplorer.core import events as ev
from lrexplorer.core.keras_api.optimizers import build_optimizer
from lrexplorer.core.keras_api.validation import check_config
from lrexplorer.gui.window.main_window import MainWindow
from tests.gui.reliability_support import TINY, Hold, window_maker


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_maker(qtbot, tmp_path)


def start_and_wait(qtbot, window, timeout=60000):
    with qtbot.waitSignal(window.controller.run_finished, timeout=timeout) as finished:
        qtbot.mouseClick(window.run_bar.start, Qt.MouseButton.LeftButton)
    return finished.args[0]


def choose(qtbot, window, optimizer, rate_text):
    combo = window.optimizer_panel.findChild(object, "optimizerCombo")
    combo.setCurrentIndex(combo.findData(optimizer))
    spin = window.findChild(object, "learningRateSpin")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), rate_text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def test_the_window_shows_before_keras_and_start_waits_for_it(make_window):
    window = make_window(wait_for_keras=False)
    if window.keras is None:  # Keras may already be imported by an earlier test
        assert not window.run_bar.start.isEnabled()
        assert "Loading Keras" in window.run_bar.start.text()


def test_choose_optimizer_and_rate_start_and_see_the_curves(qtbot, make_window):
    window = make_window()
    choose(qtbot, window, "adam", "3e-4")
    assert window.draft.config.optimizer == "adam" and window.draft.config.learning_rate == 3e-4
    record = start_and_wait(qtbot, window)
    assert record.status == ev.FINISHED and record.label == "Adam 3e-4"
    assert record.config.learning_rate == 3e-4
    window.plots.redraw_now()
    steps, losses = window.plots.curve_data(record.id, "loss")
    assert list(steps) == record.batches["step"] and len(steps) == 8
    assert list(losses) == pytest.approx(record.batches["loss"])
    assert window.runs_panel.records()[0] is record
    assert "finished" in window.run_bar.progress_label.text()


def test_two_runs_overlay_and_the_export_rebuilds_the_optimizer(qtbot, make_window):
    window = make_window(TINY.replace(learning_rate=1e-3))
    first = start_and_wait(qtbot, window)
    window.draft.update(learning_rate=1e-4)
    second = start_and_wait(qtbot, window)
    window.runs_panel.set_checked(first.id, True)
    window.runs_panel.set_checked(second.id, True)
    qtbot.waitUntil(lambda: set(window.plots.run_ids()) >= {first.id, second.id})
    window.runs_panel.select(first.id)
    window.actions.export_code(first)
    dialog = window.findChild(object, "ExportDialog")
    namespace: dict = {}
    exec(dialog.code("object").replace("model.compile", "_ = dict"), namespace)
    built = namespace["optimizer"].get_config()
    expected = build_optimizer(check_config(first.config)).get_config()
    built.pop("name"), expected.pop("name")
    assert built == expected
    assert dialog.findChild(object, "nameWarning").isVisibleTo(dialog) is False  # 1e-3 = default
    dialog.close()


def test_bad_learning_rate_blocks_start_with_the_reason(qtbot, make_window):
    window = make_window()
    spin = window.findChild(object, "learningRateSpin")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1e")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert not window.run_bar.start.isEnabled()
    assert "not a number" in window.run_bar.start.text() + window.run_bar.start.toolTip()
    assert window.start_run() is None
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1e-3")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert window.run_bar.start.isEnabled()


def test_stop_mid_run_keeps_a_stopped_run(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(train_samples=2000, batch_size=16, epochs=3))
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's batches
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
        window.start_run()
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        qtbot.mouseClick(window.run_bar.stop, Qt.MouseButton.LeftButton)
        hold.released.set()
    record = finished.args[0]
    assert record.status == ev.STOPPED
    assert record.steps_done < record.total_steps
    assert not window.run_bar.stop.isEnabled() and window.run_bar.start.isEnabled()


def test_pause_and_resume(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(train_samples=2000, batch_size=16))
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's batches
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
        window.start_run()
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        qtbot.mouseClick(window.run_bar.pause, Qt.MouseButton.LeftButton)
        hold.released.set()
        assert window.run_bar.pause.text() == "Resume"
        qtbot.waitUntil(lambda: any(isinstance(e, ev.Paused) for e in events), timeout=60000)
        held = window.controller.current.steps_done
        qtbot.wait(400)
        assert window.controller.current.steps_done == held
        qtbot.mouseClick(window.run_bar.pause, Qt.MouseButton.LeftButton)
    assert finished.args[0].status == ev.FINISHED


events: list = []


@pytest.fixture(autouse=True)
def _collect_events(make_window, monkeypatch):
    events.clear()
    original = MainWindow._on_controller_run_event

    def spy(self, record, event):
        events.append(event)
        original(self, record, event)

    monkeypatch.setattr(MainWindow, "_on_controller_run_event", spy)


def test_moving_the_rate_during_a_run_changes_it_live(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(train_samples=2000, batch_size=16, learning_rate=1e-3))
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's 32 batches
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
        window.start_run()
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        window.findChild(object, "learningRate").set_rate(1e-4)
        hold.released.set()
    record = finished.args[0]
    assert len(record.lr_changes) == 1 and record.lr_changes[0]["learning_rate"] == 1e-4
    change_step = record.lr_changes[0]["step"]
    assert change_step == 33  # the next batch
    rates = record.batches["learning_rate"]
    assert rates[change_step - 2] == 1e-3 and rates[change_step - 1] == 1e-4
    assert window.plots.marker_steps(record.id) == [change_step]


def test_closing_during_a_run_saves_it_as_stopped_and_it_reloads(
    qtbot, make_window, tmp_path, monkeypatch
):
    window = make_window(TINY)
    done = start_and_wait(qtbot, window)  # one finished run first
    window.draft.set_config(TINY.replace(train_samples=8000, epochs=3))
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's 32 batches
    window.start_run()
    qtbot.waitUntil(hold.reached.is_set, timeout=60000)
    qtbot.waitUntil(lambda: window.controller.current.steps_done >= 2, timeout=60000)
    threading.Timer(0.2, hold.released.set).start()  # while close() waits for the run
    window.close()
    assert not window.controller.busy
    again = make_window(TINY)
    records = {r.id: r for r in again.runs_panel.records()}
    assert records[done.id].status == ev.FINISHED
    stopped = [r for r in records.values() if r.id != done.id]
    assert len(stopped) == 1 and stopped[0].status == ev.STOPPED
    assert stopped[0].steps_done >= 2


def test_settings_survive_a_restart(qtbot, make_window):
    window = make_window(TINY.replace(optimizer="sgd", learning_rate=0.05, epochs=2))
    window.close()
    settings_path = window.settings.fileName()
    reopened = MainWindow(
        runs_folder=window.store.folder,
        settings=QSettings(settings_path, QSettings.Format.IniFormat),
    )
    qtbot.addWidget(reopened)
    assert reopened.draft.config.optimizer == "sgd"
    assert reopened.draft.config.learning_rate == 0.05 and reopened.draft.config.epochs == 2


def test_a_failing_run_shows_a_message_and_the_next_one_works(qtbot, make_window, monkeypatch):
    window = make_window()

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr("lrexplorer.core.training.trainer.prepare_images", explode)
    record = start_and_wait(qtbot, window)
    assert record.status == ev.FAILED
    assert "injected failure" in window.banner.message()
    monkeypatch.undo()
    assert start_and_wait(qtbot, window).status == ev.FINISHED


def test_a_preset_queues_its_runs_and_ends_with_a_summary(qtbot, make_window):
    window = make_window()
    records = window.lessons.start_preset("classic")
    assert [r.label for r in records] == ["RMSprop 1e-3", "RMSprop 1e-4", "RMSprop 1e-5"]
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=120000)
    assert all(r.status == ev.FINISHED for r in records)
    qtbot.waitUntil(lambda: window.findChild(object, "SweepSummaryDialog") is not None)
    summary = window.findChild(object, "SweepSummaryDialog")
    assert summary.isVisible()
    summary.close()


def test_shortcuts_start_and_stop(qtbot, make_window, monkeypatch):
    window = make_window(TINY.replace(train_samples=4000, batch_size=16))
    window.activateWindow()
    hold = Hold(monkeypatch, "on_train_batch_end")  # after the first call's batches
    with qtbot.waitSignal(window.controller.run_finished, timeout=60000) as finished:
        window.actions.start_action.trigger()
        assert window.controller.busy
        qtbot.waitUntil(hold.reached.is_set, timeout=60000)
        window.actions.stop_action.trigger()
        hold.released.set()
    assert finished.args[0].status == ev.STOPPED
    keys = {a.shortcut().toString() for a in window.findChildren(type(window.actions.stop_action))}
    assert {"Ctrl+Return", "Space", "Esc"} <= keys


def test_buttons_have_stable_object_names(make_window):
    window = make_window()
    for name in ("startButton", "pauseButton", "stopButton", "progressBar", "predictionEdit"):
        assert window.findChild(object, name) is not None, name
    assert isinstance(window.findChild(QPushButton, "startButton"), QPushButton)
