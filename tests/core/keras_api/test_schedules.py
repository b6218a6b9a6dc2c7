"""The fast schedule preview gives the rate Keras itself computes, at every step."""

import numpy as np
import pytest

from lrexplorer.core.keras_api.schedules import build_schedule, learning_rates, suggested_params

CASES = [
    ("constant", {}),
    ("ExponentialDecay", {"decay_steps": 50, "decay_rate": 0.5}),
    ("ExponentialDecay", {"decay_steps": 30, "decay_rate": 0.9, "staircase": True}),
    ("InverseTimeDecay", {"decay_steps": 20, "decay_rate": 1.0}),
    ("InverseTimeDecay", {"decay_steps": 20, "decay_rate": 0.5, "staircase": True}),
    ("PolynomialDecay", {"decay_steps": 120}),
    (
        "PolynomialDecay",
        {"decay_steps": 40, "power": 2.0, "cycle": True, "end_learning_rate": 1e-5},
    ),
    ("PiecewiseConstantDecay", {"boundaries": (10, 60), "values": (1e-2, 1e-3, 1e-4)}),
    ("CosineDecay", {"decay_steps": 100}),
    ("CosineDecay", {"decay_steps": 100, "alpha": 0.1, "warmup_target": 1e-2, "warmup_steps": 20}),
    ("CosineDecayRestarts", {"first_decay_steps": 30}),
    ("CosineDecayRestarts", {"first_decay_steps": 25, "t_mul": 1.0, "m_mul": 0.8, "alpha": 0.05}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_preview_matches_keras_at_every_step(name, params):
    steps = 160
    ours = learning_rates(name, params, 1e-3, steps)
    if name == "constant":
        expected = np.full(steps, 1e-3)
    else:
        schedule = build_schedule(name, params, 1e-3)
        expected = np.array([float(schedule(i)) for i in range(steps)])
    # float32 in Keras: near a cosine trough only the absolute error is small.
    np.testing.assert_allclose(ours, expected, rtol=2e-5, atol=1e-10)


@pytest.mark.parametrize(
    "name", ["ExponentialDecay", "PolynomialDecay", "PiecewiseConstantDecay", "CosineDecayRestarts"]
)
def test_suggestions_fill_every_required_parameter(name):
    params = suggested_params(name, total_steps=469, learning_rate=1e-3)
    rates = learning_rates(name, params, 1e-3, 469)
    assert np.all(np.isfinite(rates)) and rates[0] == pytest.approx(1e-3)
    assert rates[-1] < rates[0]
