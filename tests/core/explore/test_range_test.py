"""The learning-rate range test: a real short test on the sample, and its suggestions on
synthetic curves whose best rate is known."""

import json
import math

import numpy as np
import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.explore.range_suggestions import (
    DEFAULT_METHOD,
    MINIMUM_TENTH,
    STEEPEST,
    VALLEY,
    suggest,
)
from lrexplorer.core.explore.range_test import (
    FinderFinished,
    FinderPoint,
    FinderStarted,
    check_range,
    find_lr,
    rates,
    run_range_test,
)
from lrexplorer.core.explore.smoothing import smooth
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.models import LOSS, build_model, prepare_images
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.trainer import Trainer

SAMPLE = RunConfig(optimizer="rmsprop", dataset="sample", train_samples=2000, test_samples=100)
SMALL = SAMPLE.replace(train_samples=300, batch_size=32, seed=3)
TRUE_MIN = -2.0  # log10 of the rate where the synthetic loss is lowest


@pytest.fixture(scope="module")
def trainer():
    return Trainer()


def u_shaped_loss(log_rate: np.ndarray) -> np.ndarray:
    """Flat at small rates, down into a valley over about two decades, then exploding."""
    falling = 0.3 + 2.0 * (1 - np.exp(-(((log_rate - TRUE_MIN) / 1.0) ** 2)))
    exploding = 0.3 * np.exp(5 * (log_rate - TRUE_MIN))
    return np.where(log_rate < TRUE_MIN, falling, exploding)


def noisy_curve(seed: int, noise: float, steps: int = 100):
    lrs = rates(1e-7, 10.0, steps)
    rng = np.random.default_rng(seed)
    losses = u_shaped_loss(np.log10(lrs)) * np.exp(rng.normal(0.0, noise, steps))
    return lrs, smooth(losses, 0.98)


# --- suggestions on synthetic curves -------------------------------------------------------
@pytest.mark.parametrize("noise", [0.05, 0.2])
@pytest.mark.parametrize("seed", range(6))
def test_suggestions_on_a_noisy_u_curve_sit_on_the_way_down_to_the_minimum(seed, noise):
    suggestions, notes = suggest(*noisy_curve(seed, noise))
    assert notes == ()
    assert list(suggestions) == [VALLEY, STEEPEST, MINIMUM_TENTH]
    assert all(s.reliable and s.explanation.endswith(".") for s in suggestions.values())
    steepest = math.log10(suggestions[STEEPEST].learning_rate)
    valley = math.log10(suggestions[VALLEY].learning_rate)
    tenth = math.log10(suggestions[MINIMUM_TENTH].learning_rate)
    assert TRUE_MIN - 1.0 < steepest < TRUE_MIN
    # The valley is earlier in the descent: safer, and still within ~a decade of the bottom.
    assert TRUE_MIN - 1.5 < valley < steepest
    assert abs(tenth - (TRUE_MIN - 1.0)) < 0.5
    # Each suggestion is marked on the curve at its own (smoothed) loss.
    assert all(0.3 < s.loss < 2.5 for s in suggestions.values())


def test_a_curve_that_diverges_at_once_gives_no_suggestion_and_says_why():
    lrs = rates(1.0, 1e4, 50)
    losses = [2.3, 40.0, math.nan]
    suggestions, notes = suggest(lrs[:3], smooth(losses, 0.98))
    assert suggestions == {}
    assert len(notes) == 1 and "smaller rate" in notes[0]


def test_a_flat_curve_gives_no_suggestion_and_says_why():
    lrs = rates(1e-7, 1e-5, 60)
    flat = 2.3 * np.exp(np.random.default_rng(0).normal(0, 0.002, 60))
    suggestions, notes = suggest(lrs, smooth(flat, 0.98))
    assert suggestions == {} and "hardly changed" in notes[0]


def test_a_curve_that_only_rises_tells_to_start_lower():
    lrs = rates(1.0, 100.0, 60)
    suggestions, notes = suggest(lrs, smooth(np.linspace(2.3, 6.0, 60), 0.98))
    assert suggestions == {} and "start lower" in notes[0]


def test_a_curve_still_falling_at_the_end_marks_minimum_tenth_uncertain():
    lrs = rates(1e-7, 1e-3, 100)
    falling = u_shaped_loss(np.log10(lrs))  # the bottom (1e-2) is beyond the end
    suggestions, notes = suggest(lrs, smooth(falling, 0.98))
    assert not suggestions[MINIMUM_TENTH].reliable
    assert suggestions[VALLEY].reliable and "larger end rate" in notes[0]


def test_bad_ranges_are_refused_with_a_readable_reason():
    with pytest.raises(ValueError, match="larger than the start"):
        check_range(1e-2, 1e-3, 100)
    with pytest.raises(ValueError, match="at least 5"):
        check_range(1e-7, 10.0, 4)
    with pytest.raises(ValueError, match="> 0"):
        check_range(0.0, 10.0, 100)


# --- the training loop, on a stand-in model whose loss depends only on the rate --------------
class _Variable:
    def __init__(self, value: float) -> None:
        self.value = value

    def numpy(self) -> float:
        return self.value

    def assign(self, value: float) -> None:
        self.value = value


class _Optimizer:
    built = True

    def __init__(self) -> None:
        self.iterations = _Variable(0)
        self.variables = [self.iterations]
        self.learning_rate = 0.01


class RateModel:
    """Loss = loss_of(rate); counts its batches in a weight so restoring it can be checked."""

    def __init__(self, loss_of) -> None:
        self.optimizer = _Optimizer()
        self.trainable_variables = []
        self.loss_of = loss_of
        self.weights = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        self.weights = [w.copy() for w in weights]

    def train_on_batch(self, x, y):
        self.weights[0] += 1
        self.optimizer.iterations.value += 1
        return [self.loss_of(self.optimizer.learning_rate), 0.5]


def test_the_test_stops_once_the_smoothed_loss_passes_four_times_its_best():
    model = RateModel(lambda rate: 1.0 if rate < 1e-3 else 50.0)
    points = []
    lrs = rates(1e-6, 1.0, 60)
    x, y = np.zeros((100, 3)), np.zeros(100)
    result = run_range_test(model, x, y, lrs, 10, on_point=points.append, smoothing=0.9)
    assert result.status == ev.DIVERGED and result.stopped_early
    assert "4 times its best" in result.stop_reason
    best = min(result.smoothed)
    assert result.smoothed[-1] > 4 * best
    assert all(s <= 4 * best for s in result.smoothed[:-1])  # stopped at the first one
    assert [p.index for p in points] == list(range(len(result.losses)))
    assert result.learning_rates == pytest.approx(lrs[: len(result.losses)])
    # Weights and optimizer state are back where they started.
    assert model.weights[0].tolist() == [0, 0] and model.optimizer.iterations.value == 0


def test_a_nan_loss_ends_the_test_at_once():
    model = RateModel(lambda rate: 2.0 if rate < 1e-2 else math.nan)
    result = run_range_test(model, np.zeros((50, 3)), np.zeros(50), rates(1e-6, 1.0, 40), 10)
    assert result.status == ev.DIVERGED and "NaN" in result.stop_reason
    assert math.isnan(result.losses[-1]) and all(math.isfinite(v) for v in result.losses[:-1])
    payload = json.dumps(result.to_dict(), allow_nan=False)  # NaN is written as null
    assert json.loads(payload)["losses"][-1] is None


def test_batches_cycle_through_small_data_with_shuffled_full_batches():
    seen = []

    class Recording(RateModel):
        def train_on_batch(self, x, y):
            seen.append(x[:, 0].astype(int).tolist())
            return super().train_on_batch(x, y)

    x = np.arange(25, dtype=float).reshape(25, 1)
    run_range_test(Recording(lambda rate: 1.0), x, np.zeros(25), rates(1e-3, 1.0, 12), 10)
    assert len(seen) == 12 and all(len(batch) == 10 for batch in seen)
    # Two full batches per pass (the last 5 rows wait for the next shuffle), no row twice.
    for first, second in zip(seen[::2], seen[1::2], strict=True):
        assert not set(first) & set(second)
    assert seen[0] != seen[2]  # reshuffled on the next pass


# --- for real, on the bundled sample ---------------------------------------------------------
def test_rmsprop_on_the_sample_suggests_a_valley_between_1e_4_and_1e_1(trainer):
    events = []
    result = find_lr(SAMPLE, on_event=events.append, trainer=trainer)
    assert result.status == ev.DIVERGED  # 10 is far too high for RMSprop
    assert 1e-4 <= result.suggestions[VALLEY].learning_rate <= 1e-1
    assert result.default == DEFAULT_METHOD == VALLEY
    assert {STEEPEST, MINIMUM_TENTH} <= set(result.suggestions)
    assert min(result.losses) < 0.5 * result.losses[0]  # it learned on the way
    n = len(result.losses)
    assert result.learning_rates == pytest.approx(list(rates(1e-7, 10.0, 100)[:n]))
    started = next(e for e in events if isinstance(e, FinderStarted))
    assert (started.steps, started.train_samples) == (100, 2000)
    points = [e for e in events if isinstance(e, FinderPoint)]
    assert [p.loss for p in points] == list(result.losses)
    assert isinstance(events[-1], FinderFinished) and events[-1].result is result
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["default"] == "valley" and data["config"]["optimizer"] == "rmsprop"
    assert (
        data["suggestions"]["valley"]["learning_rate"] == result.suggestions[VALLEY].learning_rate
    )


def test_a_later_run_trains_exactly_as_if_the_finder_had_not_run(trainer):
    run = SMALL.replace(learning_rate=1e-3)
    before = trainer.run(run).batches["loss"]
    find_lr(SMALL, steps=30, end=1e3, trainer=trainer)
    after = trainer.run(run).batches["loss"]
    assert after == before
    # And two finder runs on the same config see the same curve.
    first = find_lr(SMALL, steps=20, trainer=trainer)
    second = find_lr(SMALL, steps=20, trainer=trainer)
    assert first.losses == second.losses


def test_a_real_model_gets_its_weights_and_optimizer_state_back(trainer):
    k = keras()
    k.utils.set_random_seed(0)
    model = build_model("tutorial")
    model.compile(optimizer=k.optimizers.SGD(), loss=LOSS, metrics=["accuracy"])
    data = trainer.load_data(SMALL)
    before = [w.copy() for w in model.get_weights()]
    result = run_range_test(
        model,
        data.x_train,
        data.y_train,
        rates(1e-2, 1e5, 40),
        32,
        prepare=lambda images: prepare_images("tutorial", images),
    )
    assert result.stopped_early  # it diverged, and still...
    for restored, original in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(restored, original)
    assert int(model.optimizer.iterations.numpy()) == 0


def test_a_config_that_diverges_at_once_gives_a_clear_result_without_raising(trainer):
    result = find_lr(SMALL.replace(optimizer="sgd"), start=1e4, end=1e8, steps=30, trainer=trainer)
    assert result.status == ev.DIVERGED and len(result.losses) < 8
    assert result.suggestions == {} and result.default is None
    assert "smaller rate" in " ".join(result.notes)


def test_stop_between_batches(trainer):
    control = TrainingControl()

    def stop_at_third(event):
        if isinstance(event, FinderPoint) and event.index == 2:
            control.stop()

    result = find_lr(SMALL, steps=50, on_event=stop_at_third, control=control, trainer=trainer)
    assert result.status == ev.STOPPED and len(result.losses) == 3
    assert "stopped the test after 3 of 50" in result.stop_reason
    assert result.suggestions == {}


def test_a_schedule_in_the_config_is_ignored_and_the_notes_say_so(trainer):
    schedule = ScheduleConfig("ExponentialDecay", {"decay_steps": 10, "decay_rate": 0.5})
    result = find_lr(SMALL.replace(schedule=schedule), steps=20, trainer=trainer)
    assert "ExponentialDecay schedule is ignored" in result.notes[0]
    assert result.learning_rates == pytest.approx(list(rates(1e-7, 10.0, 20)[: len(result.losses)]))
