"""The plots' smoothing: TensorBoard's debiased exponential moving average."""

import math

import numpy as np
import pytest

from lrexplorer.core.explore.smoothing import smooth


def _loop(values, weight):
    """The reference: TensorBoard's loop, one point at a time, skipping non-finite values."""
    last, seen, out = 0.0, 0, []
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        seen += 1
        out.append(last / (1 - weight**seen))
    return np.array(out)


def test_first_value_is_the_first_raw_value():
    assert smooth([2.3, 1.0, 0.5], 0.9)[0] == pytest.approx(2.3)


def test_constant_input_stays_constant():
    np.testing.assert_allclose(smooth(np.full(5000, 0.42), 0.99), 0.42, rtol=1e-12)


def test_matches_a_hand_computed_example():
    # weight 0.5: ema 0.5, 1.25, 1.875; debiased by 1 - 0.5**n = 0.5, 0.75, 0.875
    np.testing.assert_allclose(smooth([1.0, 2.0, 2.5], 0.5), [1.0, 5 / 3, 15 / 7])


@pytest.mark.parametrize("weight", [0.01, 0.3, 0.6, 0.9, 0.99])
def test_long_noisy_curve_equals_the_point_by_point_loop(weight):
    values = np.random.default_rng(1).lognormal(size=12_000)
    np.testing.assert_allclose(smooth(values, weight), _loop(values, weight), rtol=1e-11)


def test_weight_zero_returns_the_values():
    np.testing.assert_array_equal(smooth([3.0, 1.0, 2.0], 0.0), [3.0, 1.0, 2.0])


def test_nan_and_inf_stay_where_they_are_and_do_not_poison_the_average():
    values = [1.0, math.nan, 3.0, math.inf, 5.0]
    out = smooth(values, 0.6)
    assert math.isnan(out[1]) and math.isinf(out[3])
    np.testing.assert_allclose(out[[0, 2, 4]], _loop([1.0, 3.0, 5.0], 0.6))


def test_huge_values_of_a_diverging_run_do_not_overflow():
    out = smooth([1e38, 1e38, 1e37], 0.99)
    assert np.isfinite(out).all()
    assert out[0] == pytest.approx(1e38)


def test_empty_input_and_bad_weight():
    assert smooth([], 0.6).size == 0
    with pytest.raises(ValueError, match="smoothing weight"):
        smooth([1.0], 1.0)
