"""The optimizer and schedule panels, driven through their widgets like a user would."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.keras_api.validation import ConfigError, check_config
from lrexplorer.gui.controls.draft import DraftConfig
from lrexplorer.gui.controls.lr_control import _tick_of
from lrexplorer.gui.controls.optimizer_panel import OptimizerPanel
from lrexplorer.gui.controls.schedule_panel import SchedulePanel
from lrexplorer.gui.workers.keras_loader import _load


@pytest.fixture(scope="module")
def ready():
    return _load(None)  # imports Keras once for the module (~3 s)


@pytest.fixture
def draft():
    return DraftConfig(RunConfig(optimizer="rmsprop", learning_rate=1e-3))


@pytest.fixture
def panel(qtbot, draft, ready):
    widget = OptimizerPanel(draft)
    qtbot.addWidget(widget)
    widget.set_keras(ready)
    widget.resize(380, 700)
    widget.show()
    return widget


@pytest.fixture
def schedule_panel(qtbot, draft, ready):
    widget = SchedulePanel(draft)
    qtbot.addWidget(widget)
    widget.set_keras(ready)
    widget.resize(380, 500)
    widget.show()
    return widget


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def rate_edit(panel) -> QLineEdit:
    return panel.findChild(QWidget, "learningRateSpin").lineEdit()


def field(panel, name: str):
    return panel.findChild(QWidget, name)


def select(combo, data: str) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data} is not offered"
    combo.setCurrentIndex(index)


# --- before and after Keras ---------------------------------------------------------------------
def test_says_keras_is_loading_until_it_is_ready(qtbot, draft, ready):
    widget = OptimizerPanel(draft)
    qtbot.addWidget(widget)
    widget.show()
    loading = widget.findChild(QLabel, "optimizerLoading")
    assert loading.isVisible() and "Loading Keras" in loading.text()
    assert not widget.findChild(object, "optimizerCombo").isEnabled()
    assert widget.findChild(object, "learningRateSpin").isEnabled()  # the draft has a rate

    widget.set_keras(ready)
    combo = widget.findChild(object, "optimizerCombo")
    assert not loading.isVisible() and combo.isEnabled()
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert {"RMSprop", "SGD", "Adam", "AdamW"} <= set(texts)
    assert combo.currentText() == "RMSprop"
    assert "Lamb (object form only)" in texts
    assert texts.index("Lamb (object form only)") > texts.index("SGD")  # by-name ones first


# --- learning rate --------------------------------------------------------------------------
def test_choosing_optimizer_and_typing_a_rate_edits_the_draft(qtbot, panel, draft):
    select(panel.findChild(object, "optimizerCombo"), "adam")
    type_into(qtbot, rate_edit(panel), "3e-4")
    assert draft.config.optimizer == "adam"
    assert draft.config.learning_rate == pytest.approx(3e-4)
    assert rate_edit(panel).text() == "3e-4"
    slider = panel.findChild(object, "learningRateSlider")
    assert slider.value() == _tick_of(3e-4)
    assert draft.input_problems == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("abc", "not a number"),
        ("1e", "not a number"),
        ("0", "> 0"),
        ("-1", "> 0"),
        ("nan", "NaN"),
        ("inf", "infinite"),
        ("1e400", "too large"),
        ("0,001", "comma"),
    ],
)
def test_bad_rate_text_is_refused_with_the_reason(qtbot, panel, draft, text, reason):
    error = panel.findChild(QLabel, "learningRateError")
    type_into(qtbot, rate_edit(panel), text)
    assert error.isVisible() and reason in error.text()
    assert reason in draft.input_problems["learning_rate"]
    assert rate_edit(panel).text() == text  # kept next to its reason, not silently replaced
    assert draft.config.learning_rate == 1e-3

    type_into(qtbot, rate_edit(panel), "0.002")
    assert not error.isVisible()
    assert "learning_rate" not in draft.input_problems
    assert draft.config.learning_rate == pytest.approx(2e-3)


def test_slider_and_box_stay_in_step_on_a_log_scale(qtbot, panel, draft):
    slider = panel.findChild(object, "learningRateSlider")
    slider.setValue((_tick_of(1e-4) + _tick_of(1e-2)) // 2)
    assert rate_edit(panel).text() == "0.001"
    assert draft.config.learning_rate == pytest.approx(1e-3, rel=0.02)

    type_into(qtbot, rate_edit(panel), "1e-5")
    assert slider.value() == _tick_of(1e-5)
    assert slider.value() < (slider.minimum() + slider.maximum()) / 2


def test_dragging_the_slider_changes_the_rate_once_on_release(qtbot, panel, draft):
    slider = panel.findChild(object, "learningRateSlider")
    changes = []
    panel.findChild(object, "learningRate").rate_changed.connect(changes.append)
    slider.setSliderDown(True)
    for rate in (2e-3, 5e-3, 1e-2):
        slider.setValue(_tick_of(rate))
        assert rate_edit(panel).text() == format(rate, "g")  # the box follows the drag
    assert changes == [] and draft.config.learning_rate == 1e-3
    slider.setSliderDown(False)
    assert changes == [pytest.approx(1e-2)] and draft.config.learning_rate == pytest.approx(1e-2)


def test_refused_text_stays_until_fixed_or_replaced_by_a_new_rate(qtbot, panel, draft):
    type_into(qtbot, rate_edit(panel), "abc")
    type_into(qtbot, field(panel, "param_rho"), "0.95")  # editing elsewhere keeps it
    assert rate_edit(panel).text() == "abc" and "learning_rate" in draft.input_problems
    draft.update(learning_rate=5e-4)  # e.g. a loaded preset
    assert rate_edit(panel).text() == "5e-4" and "learning_rate" not in draft.input_problems
    assert not panel.findChild(QLabel, "learningRateError").isVisible()


def test_box_steps_through_each_decade(qtbot, panel, draft):
    box = panel.findChild(object, "learningRateSpin")
    type_into(qtbot, rate_edit(panel), "1e-5")
    box.stepBy(1)
    assert rate_edit(panel).text() == "2e-5"
    assert draft.config.learning_rate == pytest.approx(2e-5)
    type_into(qtbot, rate_edit(panel), "9e-5")
    box.stepBy(1)
    assert rate_edit(panel).text() == "1e-4"
    box.stepBy(-1)
    assert rate_edit(panel).text() == "9e-5"


def test_every_valid_change_is_signalled_for_live_runs(qtbot, panel):
    control = panel.findChild(object, "learningRate")
    with qtbot.waitSignal(control.rate_changed) as signal:
        type_into(qtbot, rate_edit(panel), "5e-4")
    assert signal.args == [pytest.approx(5e-4)]


def test_use_default_puts_back_the_keras_default(qtbot, panel, draft):
    select(panel.findChild(object, "optimizerCombo"), "sgd")
    default = panel.findChild(QLabel, "learningRateDefault")
    assert "0.01" in default.text() and 'optimizer="sgd"' in default.text()
    button = panel.findChild(QPushButton, "learningRateUseDefault")
    assert button.isVisible()
    button.click()
    assert draft.config.learning_rate == pytest.approx(0.01)
    assert rate_edit(panel).text() == "0.01"
    assert not button.isVisible()


def test_switching_optimizer_keeps_the_chosen_rate_and_says_so(qtbot, panel, draft):
    type_into(qtbot, rate_edit(panel), "1e-4")
    select(panel.findChild(object, "optimizerCombo"), "sgd")
    assert draft.config.optimizer == "sgd"
    assert draft.config.learning_rate == pytest.approx(1e-4)
    note = panel.findChild(QLabel, "learningRateNote")
    assert note.isVisible()
    assert "0.01" in note.text() and "1e-4" in note.text()


def test_switching_optimizer_drops_what_the_new_one_lacks(qtbot, panel, draft):
    type_into(qtbot, field(panel, "param_rho"), "0.95")
    type_into(qtbot, field(panel, "param_clipnorm"), "1")
    select(panel.findChild(object, "optimizerCombo"), "adam")
    assert draft.config.param_dict() == {"clipnorm": 1.0}
    assert "rho" in panel.findChild(QLabel, "learningRateNote").text()
    assert field(panel, "param_rho") is None
    assert field(panel, "param_beta_1") is not None


# --- hyperparameters ----------------------------------------------------------------------------
def test_rmsprop_fields_show_the_keras_defaults(panel):
    form = panel.findChild(QFormLayout, "hyperparameters")
    assert form is not None and form.rowCount() >= 4
    assert field(panel, "param_rho").placeholderText().startswith("0.9 ")
    assert field(panel, "param_momentum").placeholderText().startswith("0.0 ")
    assert field(panel, "param_epsilon").placeholderText().startswith("1e-7 ")
    centered = field(panel, "param_centered")
    assert isinstance(centered, QCheckBox) and not centered.isChecked()
    assert "Keras default: 0.9" in field(panel, "param_rho").toolTip()
    assert "[0, 1)" in field(panel, "param_rho").toolTip()


def test_a_changed_value_goes_into_the_draft_and_is_marked(qtbot, panel, draft):
    label = panel.findChild(QLabel, "param_rho_label")
    reset = panel.findChild(QToolButton, "param_rho_reset")
    assert not label.font().bold() and not reset.isVisible()
    type_into(qtbot, field(panel, "param_rho"), "0.95")
    assert draft.config.param_dict() == {"rho": 0.95}
    assert label.font().bold() and reset.isVisible()

    reset.click()
    assert draft.config.param_dict() == {}
    assert field(panel, "param_rho").text() == "" and not label.font().bold()


def test_out_of_range_value_is_refused_with_the_range(qtbot, panel, draft):
    type_into(qtbot, field(panel, "param_rho"), "1.5")
    error = panel.findChild(QLabel, "param_rho_error")
    assert error.isVisible() and "[0, 1)" in error.text()
    assert "param.rho" in draft.input_problems
    assert draft.config.param_dict() == {}
    type_into(qtbot, field(panel, "param_rho"), "0.8")
    assert not error.isVisible() and draft.input_problems == {}


def test_checkbox_and_nullable_fields(qtbot, panel, draft):
    field(panel, "param_centered").click()
    assert draft.config.param_dict() == {"centered": True}
    type_into(qtbot, field(panel, "param_clipnorm"), "1.0")
    type_into(qtbot, field(panel, "param_clipnorm"), "")  # empty is none: off again
    assert draft.config.param_dict() == {"centered": True}


def test_reset_to_keras_defaults_keeps_the_rate(qtbot, panel, draft):
    type_into(qtbot, rate_edit(panel), "2e-4")
    type_into(qtbot, field(panel, "param_rho"), "0.95")
    type_into(qtbot, field(panel, "param_momentum"), "2")  # refused
    panel.findChild(QPushButton, "resetDefaultsButton").click()
    assert draft.config.param_dict() == {}
    assert draft.input_problems == {}
    assert draft.config.learning_rate == pytest.approx(2e-4)
    assert field(panel, "param_rho").text() == "" and field(panel, "param_momentum").text() == ""


def test_advanced_settings_are_tucked_away_unless_they_matter(qtbot, panel, draft):
    advanced = panel.findChild(object, "advancedGroup")
    clipnorm = field(panel, "param_clipnorm")
    assert advanced.isVisible() and not clipnorm.isVisible()

    select(panel.findChild(object, "optimizerCombo"), "adamw")
    weight_decay = field(panel, "param_weight_decay")  # AdamW's own default: shown up front
    assert weight_decay.isVisible() and weight_decay.placeholderText().startswith("0.004")

    draft.update(params={"clipvalue": 0.5})  # e.g. a loaded preset
    assert field(panel, "param_clipvalue").isVisible()
    assert field(panel, "param_clipvalue").text() == "0.5"


def test_validation_problems_show_on_their_fields(panel, draft):
    draft.update(params={"rho": 1.5})
    with pytest.raises(ConfigError) as caught:
        check_config(draft.config)
    panel.show_problems({p.field: p.message for p in caught.value.problems})
    error = panel.findChild(QLabel, "param_rho_error")
    assert error.isVisible() and "rho" in error.text()
    panel.show_problems({})
    assert not error.isVisible()


# --- schedule -----------------------------------------------------------------------------------
def test_choosing_a_schedule_suggests_params_for_this_run(qtbot, schedule_panel, draft):
    draft.update(epochs=2, batch_size=128)
    steps = math.ceil(60000 / 128) * 2
    select(schedule_panel.findChild(object, "scheduleCombo"), "CosineDecay")
    assert draft.config.schedule == ScheduleConfig("CosineDecay", {"decay_steps": steps})
    assert field(schedule_panel, "schedule_decay_steps").text() == str(steps)
    assert field(schedule_panel, "schedule_alpha").placeholderText().startswith("0.0")
    preview = schedule_panel.findChild(object, "schedulePreview")
    assert preview.isVisible()
    assert len(schedule_panel.preview_curve.xData) == steps
    note = schedule_panel.findChild(QLabel, "scheduleNote")
    assert note.isVisible() and "initial" in note.text()

    draft.update(epochs=3)
    assert len(schedule_panel.preview_curve.xData) == steps // 2 * 3

    select(schedule_panel.findChild(object, "scheduleCombo"), "constant")
    assert draft.config.schedule is None and not preview.isVisible()


def test_bad_piecewise_boundaries_show_a_problem(qtbot, schedule_panel, draft):
    select(schedule_panel.findChild(object, "scheduleCombo"), "PiecewiseConstantDecay")
    assert draft.config.schedule.param_dict()["values"] == pytest.approx((1e-3, 1e-4, 1e-5))
    boundaries = field(schedule_panel, "schedule_boundaries")
    type_into(qtbot, boundaries, "100, abc")
    error = schedule_panel.findChild(QLabel, "schedule_boundaries_error")
    assert error.isVisible() and "'abc' is not a number" in error.text()
    assert "schedule.boundaries" in draft.input_problems

    type_into(qtbot, boundaries, "100, 300")
    assert not error.isVisible() and draft.input_problems == {}
    assert draft.config.schedule.param_dict()["boundaries"] == (100, 300)


def test_optimizer_panel_says_what_the_rate_means_under_a_schedule(panel, draft):
    note = panel.findChild(QLabel, "learningRateScheduleNote")
    assert not note.isVisible()
    draft.update(schedule=ScheduleConfig("ExponentialDecay", {"decay_steps": 100}))
    assert note.isVisible() and "initial" in note.text()


def test_execution_settings_edit_the_draft_and_show_its_values(qtbot, draft):
    from lrexplorer.gui.controls.data_panel import DataPanel

    data_panel = DataPanel(draft)
    qtbot.addWidget(data_panel)
    data_panel.show()
    assert data_panel.steps_per_execution.value() == RunConfig().steps_per_execution
    assert data_panel.jit_compile.isChecked() is RunConfig().jit_compile
    data_panel.steps_per_execution.setValue(8)
    data_panel.jit_compile.click()
    assert draft.config.steps_per_execution == 8 and draft.config.jit_compile is True
    draft.set_config(RunConfig(steps_per_execution=1))  # e.g. a run's settings put back
    assert data_panel.steps_per_execution.value() == 1 and not data_panel.jit_compile.isChecked()
