"""RunConfig is immutable, serialises losslessly, and reports differences between runs."""

import dataclasses
import json

import pytest

from lrexplorer.core.config import RunConfig, ScheduleConfig, differences


def _rich_config():
    return RunConfig(
        optimizer="rmsprop",
        learning_rate=1e-4,
        params={"rho": 0.95, "centered": True, "epsilon": 0.1 + 0.2},
        schedule=ScheduleConfig(
            "PiecewiseConstantDecay", {"boundaries": [100, 200], "values": [1e-3, 1e-4, 1e-5]}
        ),
        model="mlp",
        dataset="file",
        data_path="digits.npz",
        train_samples=500,
        test_samples=100,
        epochs=3,
        batch_size=64,
        seed=7,
        steps_per_execution=4,
        jit_compile=True,
    )


def test_json_round_trip_is_lossless():
    config = _rich_config()
    text = config.to_json()
    again = RunConfig.from_json(text)
    assert again == config
    assert hash(again) == hash(config)
    assert json.loads(text)["learning_rate"] == 0.0001
    assert again.param_dict()["epsilon"] == 0.1 + 0.2  # not rounded on the way


def test_config_is_immutable_and_params_are_normalised():
    config = RunConfig(params={"b": 1, "a": [1, 2]})
    assert config.params == (("a", (1, 2)), ("b", 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.learning_rate = 1.0  # type: ignore[misc]
    changed = config.with_param("c", 3)
    assert changed.param_dict() == {"a": (1, 2), "b": 1, "c": 3}
    assert config.param_dict() == {"a": (1, 2), "b": 1}


def test_future_schema_and_unknown_fields_are_refused_with_a_reason():
    data = _rich_config().to_dict()
    with pytest.raises(ValueError, match="newer"):
        RunConfig.from_dict({**data, "schema": 99})
    with pytest.raises(ValueError, match="colour"):
        RunConfig.from_dict({**data, "colour": "red"})


def test_label_reads_like_a_person_would_say_it():
    assert RunConfig(learning_rate=1e-4).label("RMSprop") == "RMSprop 1e-4"
    assert RunConfig().label("SGD") == "SGD default"


def test_differences_lists_only_settings_that_differ():
    a = RunConfig(learning_rate=1e-3, params={"rho": 0.95})
    b = RunConfig(learning_rate=1e-4)
    c = RunConfig(learning_rate=1e-5, epochs=2)
    diff = differences([a, b, c])
    assert diff == {
        "learning_rate": [1e-3, 1e-4, 1e-5],
        "rho": [0.95, None, None],
        "epochs": [1, 1, 2],
    }
    assert differences([a, a]) == {}
