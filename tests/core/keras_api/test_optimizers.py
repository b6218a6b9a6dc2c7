"""The optimizer and schedule registries describe the installed Keras, read from Keras itself."""

import inspect

import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.optimizers import build_optimizer, registry
from lrexplorer.core.keras_api.schedules import schedule_names, schedule_specs
from lrexplorer.core.keras_api.validation import check_config

# The optimizers keras.optimizers.get accepted by name when this app was written.
KNOWN_BY_NAME = {
    "adadelta", "adafactor", "adagrad", "adam", "adamw", "adamax",
    "ftrl", "lion", "muon", "nadam", "rmsprop", "sgd",
}  # fmt: skip


def test_every_optimizer_keras_accepts_by_name_is_listed():
    names = set(registry().names())
    assert names >= KNOWN_BY_NAME
    for spec in registry().specs():
        if spec.by_name:
            assert type(keras().optimizers.get(spec.name)).__name__ == spec.class_name


def test_public_optimizers_outside_get_are_included_too():
    lamb = registry().get("lamb")
    assert lamb.class_name == "Lamb" and not lamb.by_name


def test_defaults_are_keras_own():
    for spec in registry().specs():
        signature = inspect.signature(getattr(keras().optimizers, spec.class_name).__init__)
        for param in spec.params:
            assert param.default == signature.parameters[param.name].default, (spec, param)
    assert registry().get("sgd").default_learning_rate == 0.01
    assert registry().get("rmsprop").default_learning_rate == 0.001


def test_common_parameters_are_marked_and_learning_rate_is_log_scale():
    common = {p.name for p in registry().get("adam").common_params}
    assert {"weight_decay", "clipnorm", "clipvalue", "global_clipnorm"} <= common
    assert {"use_ema", "ema_momentum"} <= common
    assert registry().get("adam").param("learning_rate").log_scale
    assert registry().get("adam").param("epsilon").log_scale
    assert not registry().get("adam").param("beta_1").log_scale


def test_parameters_carry_keras_documentation():
    assert "Discounting factor" in registry().get("rmsprop").param("rho").doc


@pytest.mark.parametrize("name", sorted(KNOWN_BY_NAME | {"lamb"}))
def test_every_optimizer_builds_with_its_defaults(name):
    optimizer = build_optimizer(check_config(RunConfig(optimizer=name)))
    assert optimizer.get_config()["learning_rate"] == pytest.approx(
        registry().get(name).default_learning_rate, rel=1e-6
    )


def test_every_keras_schedule_is_listed_with_its_parameters():
    module = keras().optimizers.schedules
    expected = {
        "ExponentialDecay", "InverseTimeDecay", "PolynomialDecay",
        "PiecewiseConstantDecay", "CosineDecay", "CosineDecayRestarts",
    }  # fmt: skip
    assert expected <= set(schedule_specs())
    assert schedule_names()[0] == "constant"
    cosine = schedule_specs()["CosineDecay"]
    assert {p.name for p in cosine.params} >= {
        "decay_steps",
        "alpha",
        "warmup_target",
        "warmup_steps",
    }
    assert cosine.required() == ("decay_steps",)
    signature = inspect.signature(module.PolynomialDecay.__init__)
    assert (
        schedule_specs()["PolynomialDecay"].param("end_learning_rate").default
        == signature.parameters["end_learning_rate"].default
    )
