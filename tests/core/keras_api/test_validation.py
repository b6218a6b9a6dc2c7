"""Bad settings are refused before training, each with a message naming what and why."""

import math

import pytest

from lrexplorer.core.config import MAX_EPOCHS, RunConfig, ScheduleConfig
from lrexplorer.core.keras_api.validation import ConfigError, check_config, check_learning_rate


def problems(config):
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return {p.field: p.message for p in caught.value.problems}


@pytest.mark.parametrize("rate", [0, -1e-3, math.nan, math.inf, -math.inf])
def test_learning_rate_must_be_positive_and_finite(rate):
    found = problems(RunConfig(learning_rate=rate))
    assert "learning_rate" in found
    assert "> 0" in found["learning_rate"]


@pytest.mark.parametrize(
    ("optimizer", "param", "value", "allowed"),
    [
        ("adam", "beta_1", 1.0, "[0, 1)"),
        ("adam", "beta_2", 1.5, "[0, 1)"),
        ("rmsprop", "rho", -0.1, "[0, 1)"),
        ("adam", "epsilon", -1e-7, "> 0"),
        ("sgd", "momentum", -0.5, "[0, 1]"),
        ("sgd", "momentum", 1.5, "[0, 1]"),
        ("adam", "weight_decay", -1.0, ">= 0"),
        ("adam", "gradient_accumulation_steps", 1, ">= 2"),
        ("adam", "amsgrad", 3, "true or false"),
        ("adam", "ema_momentum", "high", "not a number"),
    ],
)
def test_out_of_range_hyperparameters_name_the_value_and_the_range(
    optimizer, param, value, allowed
):
    message = problems(RunConfig(optimizer=optimizer, params={param: value}))[param]
    assert param in message and repr(value) in message and allowed in message


def test_unknown_optimizer_lists_the_choices():
    message = problems(RunConfig(optimizer="adamm"))["optimizer"]
    assert "'adamm'" in message and "adam" in message and "rmsprop" in message


def test_unknown_parameter_names_the_optimizer_and_what_it_takes():
    message = problems(RunConfig(optimizer="sgd", params={"rho": 0.9}))["rho"]
    assert "SGD" in message and "momentum" in message and "nesterov" in message


def test_only_one_clipping_option():
    found = problems(RunConfig(params={"clipnorm": 1.0, "clipvalue": 0.5}))
    assert any("only one of" in m for m in found.values())


def test_schedule_problems_are_reported():
    bad_order = ScheduleConfig(
        "PiecewiseConstantDecay", {"boundaries": [200, 100], "values": [1, 2, 3]}
    )
    assert "increase" in problems(RunConfig(schedule=bad_order))["schedule.boundaries"]
    too_few = ScheduleConfig("PiecewiseConstantDecay", {"boundaries": [100], "values": [1e-3]})
    assert "2 values" in problems(RunConfig(schedule=too_few))["schedule.values"]
    missing = ScheduleConfig("ExponentialDecay", {"decay_steps": 100})
    assert "decay_rate" in problems(RunConfig(schedule=missing))["schedule.decay_rate"]
    unknown = ScheduleConfig("WarmDecay")
    assert "CosineDecay" in problems(RunConfig(schedule=unknown))["schedule"]
    zero_steps = ScheduleConfig("CosineDecay", {"decay_steps": 0})
    assert ">= 1" in problems(RunConfig(schedule=zero_steps))["schedule.decay_steps"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("epochs", 0), ("batch_size", -1), ("seed", -3), ("train_samples", 0), ("model", "resnet")],
)
def test_run_settings_are_checked(field, value):
    assert field in problems(RunConfig(**{field: value}))


def test_all_problems_are_reported_at_once():
    found = problems(RunConfig(learning_rate=-1, epochs=0, params={"rho": 2}))
    assert {"learning_rate", "epochs", "rho"} <= set(found)


def test_resolution_fills_the_keras_default_and_drops_default_values():
    config = check_config(RunConfig(optimizer="SGD", params={"momentum": 0.0, "nesterov": True}))
    assert config.optimizer == "sgd"
    assert config.learning_rate == 0.01
    assert config.param_dict() == {"nesterov": True}


def test_values_are_coerced_to_their_types():
    config = check_config(
        RunConfig(
            params={"epsilon": 1, "centered": "true"},
            schedule=ScheduleConfig(
                "PiecewiseConstantDecay", {"boundaries": "100, 200", "values": "1e-3 1e-4 1e-5"}
            ),
        )  # fmt: skip
    )
    assert config.param_dict() == {"epsilon": 1.0, "centered": True}
    assert isinstance(config.param_dict()["epsilon"], float)
    assert config.schedule.param_dict() == {"boundaries": (100, 200), "values": (1e-3, 1e-4, 1e-5)}
    assert config.learning_rate == 1e-3  # the piecewise schedule's first value


def test_a_valid_config_passes_unchanged():
    config = RunConfig(optimizer="adam", learning_rate=3e-4, params={"beta_1": 0.8})
    assert check_config(config) == config


@pytest.mark.parametrize(
    ("rate", "says"),
    [(1e300, "1e300 is too large for a float32"), (3.5e38, "is too large for a float32"),
     (1e-40, "1e-40 is too small for a float32"), (5e-324, "too small")],
)  # fmt: skip
def test_a_learning_rate_must_fit_the_float32_keras_keeps_it_in(rate, says):
    message = problems(RunConfig(learning_rate=rate))["learning_rate"]
    assert says in message and "from 1.2e-38 to 3.4e38" in message
    assert check_learning_rate(3.4e38) == 3.4e38 and check_learning_rate(1.2e-38) == 1.2e-38


@pytest.mark.parametrize(
    ("config", "field", "says"),
    [
        (RunConfig(optimizer="adam", params={"epsilon": 1e39}), "epsilon",
         "epsilon = 1e+39 is too large for a float32 (the type Keras keeps it in): "
         "epsilon needs a number > 0, at most 3.4e38"),
        (RunConfig(optimizer="adamw", params={"weight_decay": 1e-45}), "weight_decay",
         "at least 1.2e-38 unless 0"),
        (RunConfig(schedule=ScheduleConfig("CosineDecay", {"decay_steps": 1e39})),
         "schedule.decay_steps", "decay_steps = 1e+39 is too large"),
        (RunConfig(schedule=ScheduleConfig("PiecewiseConstantDecay",
                                           {"boundaries": [10], "values": [1e-3, 1e-50]})),
         "schedule.values", "values[1] = 1e-50 is too small"),
    ],
    ids=["epsilon", "weight_decay", "decay_steps", "piecewise values"],
)  # fmt: skip
def test_hyperparameters_must_fit_a_float32_too(config, field, says):
    assert says in problems(config)[field]


def test_zero_is_not_too_small():
    config = check_config(RunConfig(optimizer="adamw", params={"weight_decay": 0.0}))
    assert config.param_dict() == {"weight_decay": 0.0}


def test_epochs_have_a_sane_upper_bound():
    assert check_config(RunConfig(epochs=MAX_EPOCHS)).epochs == MAX_EPOCHS == 100_000
    message = problems(RunConfig(epochs=10**9))["epochs"]
    assert message == (
        "epochs = 1000000000 is out of range: it must be a whole number >= 1 and <= 100000"
    )
