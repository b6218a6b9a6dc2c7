"""The trainer trains for real and reports what happened, batch by batch, with no Qt."""

import math
import threading
import time

import numpy as np
import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.keras_api.optimizers import registry
from lrexplorer.core.keras_api.validation import check_config
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.model_pool import ModelPool
from lrexplorer.core.training.trainer import Trainer

TINY = RunConfig(
    optimizer="rmsprop",
    learning_rate=1e-3,
    dataset="sample",
    train_samples=320,
    test_samples=100,
    epochs=2,
    batch_size=64,
    seed=1,
    # One batch per execution, so a test that acts on a batch's event acts before the next
    # batch trains; several steps per execution (the default) have their own tests below.
    steps_per_execution=1,
)


@pytest.fixture(scope="module")
def trainer():
    return Trainer()


def collect(trainer, config, control=None, hook=None):
    seen = []

    def on_event(event):
        seen.append(event)
        if hook is not None:
            hook(event)

    record = trainer.run(config, on_event, control)
    return record, seen


def of(kind, events):
    return [e for e in events if isinstance(e, kind)]


def test_a_run_reports_start_batches_epochs_and_end(trainer):
    record, events = collect(trainer, TINY)
    assert record.status == ev.FINISHED
    started = of(ev.RunStarted, events)[0]
    assert started.steps_per_epoch == 5 and started.total_steps == 10
    assert started.config.learning_rate == 1e-3
    assert started.optimizer_config["class_name"] == "RMSprop"
    batches = of(ev.BatchEnd, events)
    assert [b.step for b in batches] == list(range(1, 11))
    assert [b.batch for b in batches] == [1, 2, 3, 4, 5] * 2
    assert all(b.learning_rate == 1e-3 for b in batches)
    epochs = of(ev.EpochEnd, events)
    assert [e.epoch for e in epochs] == [1, 2]
    assert all(0 <= e.val_accuracy <= 1 for e in epochs)
    assert epochs[1].loss < epochs[0].loss  # it learns
    assert isinstance(events[-1], ev.RunFinished)
    assert record.batches["step"] == list(range(1, 11)) and len(record.epochs) == 2


def test_batch_values_are_each_batchs_own_not_the_running_mean(trainer):
    _, events = collect(trainer, TINY)
    batches = of(ev.BatchEnd, events)[:5]
    # Keras's running mean is the sample-weighted mean of the batches' own losses.
    sizes = np.full(5, 64)
    for i, batch in enumerate(batches):
        expected = np.average([b.loss for b in batches[: i + 1]], weights=sizes[: i + 1])
        assert batch.mean_loss == pytest.approx(expected, rel=1e-4)
    assert batches[0].loss == pytest.approx(batches[0].mean_loss)
    assert batches[4].loss != pytest.approx(batches[4].mean_loss, rel=1e-3)


def test_the_same_config_gives_the_same_losses_twice(trainer):
    first, _ = collect(trainer, TINY)
    second, _ = collect(trainer, TINY)
    fresh, _ = collect(Trainer(), TINY)  # a new model, not the pooled one
    assert first.batches["loss"] == second.batches["loss"] == fresh.batches["loss"]
    other_seed, _ = collect(trainer, TINY.replace(seed=2))
    assert other_seed.batches["loss"] != first.batches["loss"]


def test_runs_that_differ_only_in_rate_reuse_one_compiled_model(trainer):
    builds = trainer._pool.builds
    for rate in (1e-2, 1e-3, 1e-4):
        record, _ = collect(trainer, TINY.replace(learning_rate=rate, epochs=1))
        assert record.status == ev.FINISHED
        assert record.optimizer_config["config"]["learning_rate"] == pytest.approx(rate)
    assert trainer._pool.builds - builds <= 1


def test_stop_takes_effect_within_one_batch(trainer):
    control = TrainingControl()

    def stop_at_third(event):
        if isinstance(event, ev.BatchEnd) and event.step == 3:
            control.stop()

    record, events = collect(trainer, TINY, control, stop_at_third)
    assert record.status == ev.STOPPED
    assert record.batches["step"] == [1, 2, 3]
    assert of(ev.EpochEnd, events) == []  # a stopped epoch has no summary


def test_stop_before_training_begins(trainer):
    control = TrainingControl()
    control.stop()
    record, _ = collect(trainer, TINY, control)
    assert record.status == ev.STOPPED and record.batches["step"] == []


def test_pause_holds_training_and_resume_continues(trainer):
    control = TrainingControl()
    resumed_at = []

    def pause_at_second(event):
        if isinstance(event, ev.BatchEnd) and event.step == 2:
            control.pause()
            threading.Timer(0.4, control.resume).start()
        if isinstance(event, ev.Resumed):
            resumed_at.append(event)

    began = time.perf_counter()
    record, events = collect(trainer, TINY, control, pause_at_second)
    assert record.status == ev.FINISHED and record.batches["step"][-1] == 10
    assert len(of(ev.Paused, events)) == 1 and resumed_at[0].paused_seconds >= 0.35
    assert time.perf_counter() - began >= 0.4
    assert record.seconds < time.perf_counter() - began - 0.3  # pauses are not training time


def test_stop_while_paused(trainer):
    control = TrainingControl()

    def pause_then_stop(event):
        if isinstance(event, ev.BatchEnd) and event.step == 2:
            control.pause()
            threading.Timer(0.2, control.stop).start()

    record, _ = collect(trainer, TINY, control, pause_then_stop)
    assert record.status == ev.STOPPED and record.batches["step"] == [1, 2]


def test_pause_takes_effect_before_the_next_batch_inside_one_call_of_a_whole_epoch(
    trainer, monkeypatch
):
    """One compiled call trains the whole epoch of 40 batches. A pause asked for before batch
    21 holds training there: batches 1-20 are reported before Paused (the plots and progress
    show where training stopped), none trains while paused, and after Resumed the call goes on.

    Deterministic: the run is paused from the start, and the test lets the step's pause
    callback through for batches 1-20 (as if the pause had not been asked for yet), then
    holds at 21 until it has checked that nothing moves."""
    from lrexplorer.core.training import fit_callback

    config = TINY.replace(train_samples=320, batch_size=8, epochs=1, steps_per_execution=40)
    control = TrainingControl()
    control.pause()
    seen: list = []
    calls: list[int] = []
    original = fit_callback._EventCallbackMixin._pause_inside_execution

    def pause_before_21(self, rows, count):
        calls.append(count)
        if count == 20:  # 20 batches trained: this is the boundary before batch 21
            trained_before = [e.step for e in seen if isinstance(e, ev.BatchEnd)]
            assert trained_before == []  # nothing reported yet: the call is still running
            resume = threading.Timer(0.3, control.resume)
            resume.start()
            original(self, rows, count)  # reports 1-20, then waits until resumed
            # Nothing trained while paused: the step log still holds 20 rows.
            assert int(self.log._count.numpy()) - self.log._read == 0

    monkeypatch.setattr(
        fit_callback._EventCallbackMixin, "_pause_inside_execution", pause_before_21
    )
    record = trainer.run(config, seen.append, control)
    assert record.status == ev.FINISHED and record.batches["step"] == list(range(1, 41))
    paused = of(ev.Paused, seen)
    assert [p.step for p in paused] == [20]
    before = seen[: seen.index(paused[0])]
    assert [e.step for e in before if isinstance(e, ev.BatchEnd)] == list(range(1, 21))
    assert of(ev.Resumed, seen)[0].paused_seconds >= 0.25
    assert calls[: calls.index(20) + 1] == list(range(21))  # a callback before every batch
    assert len(of(ev.EpochEnd, seen)) == 1  # one epoch, one call: the same execution went on


def test_live_rate_change_applies_from_the_next_batch_like_a_piecewise_schedule(trainer):
    control = TrainingControl()

    def change_at_fourth(event):
        if isinstance(event, ev.BatchEnd) and event.step == 4:
            control.set_learning_rate(1e-4)

    live, events = collect(trainer, TINY, control, change_at_fourth)
    change = of(ev.LearningRateChanged, events)[0]
    assert (change.step, change.learning_rate, change.previous) == (5, 1e-4, 1e-3)
    assert live.batches["learning_rate"] == [1e-3] * 4 + [1e-4] * 6
    assert live.lr_changes == [{"step": 5, "learning_rate": 1e-4, "previous": 1e-3}]
    # The same rates as a schedule (iterations 0-3 at 1e-3) train identically.
    schedule = ScheduleConfig("PiecewiseConstantDecay", {"boundaries": [3], "values": [1e-3, 1e-4]})
    replay, _ = collect(trainer, TINY.replace(schedule=schedule))
    np.testing.assert_allclose(replay.batches["loss"], live.batches["loss"], rtol=1e-5)


def test_schedule_rate_is_reported_per_step(trainer):
    schedule = ScheduleConfig("ExponentialDecay", {"decay_steps": 2, "decay_rate": 0.5})
    record, _ = collect(trainer, TINY.replace(schedule=schedule))
    assert record.batches["learning_rate"][:4] == pytest.approx(
        [1e-3, 1e-3 * 0.5**0.5, 5e-4, 1e-3 * 0.5**1.5]
    )


def test_a_diverging_run_ends_as_diverged_and_keeps_its_history(trainer):
    record, events = collect(trainer, TINY.replace(optimizer="sgd", learning_rate=1e4))
    assert record.status == ev.DIVERGED
    assert "too high" in record.error
    losses = record.batches["loss"]
    assert losses and not math.isfinite(losses[-1])
    assert of(ev.RunFinished, events)[0].status == ev.DIVERGED


def test_an_exception_inside_training_becomes_a_message_and_the_next_run_works(monkeypatch):
    trainer = Trainer()

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure\nsecond line")

    monkeypatch.setattr("lrexplorer.core.training.trainer.prepare_images", explode)
    record, events = collect(trainer, TINY)
    assert record.status == ev.FAILED
    assert record.error == "RuntimeError: injected failure"
    assert "Traceback" in of(ev.RunFinished, events)[0].detail
    monkeypatch.undo()
    again, _ = collect(trainer, TINY)
    assert again.status == ev.FINISHED


def test_bad_config_fails_with_the_validation_message(trainer):
    record, _ = collect(trainer, TINY.replace(learning_rate=-1.0))
    assert record.status == ev.FAILED and "learning_rate" in record.error


@pytest.mark.parametrize("name", registry().names())
def test_every_optimizer_trains(trainer, name):
    config = TINY.replace(optimizer=name, learning_rate=None, epochs=1, train_samples=128)
    record, _ = collect(trainer, config)
    assert record.status in (ev.FINISHED, ev.DIVERGED), record.error
    assert len(record.batches["step"]) == 2


def test_several_steps_per_execution_still_report_every_batch(trainer):
    plain, _ = collect(trainer, TINY)
    grouped, events = collect(trainer, TINY.replace(steps_per_execution=3))
    assert grouped.status == ev.FINISHED
    assert grouped.batches["step"] == list(range(1, 11))
    assert grouped.batches["batch"] == [1, 2, 3, 4, 5] * 2
    np.testing.assert_allclose(grouped.batches["loss"], plain.batches["loss"], rtol=1e-5)
    np.testing.assert_allclose(grouped.batches["accuracy"], plain.batches["accuracy"], atol=1e-6)
    assert len(of(ev.EpochEnd, events)) == 2
    elapsed = grouped.batches["elapsed"]
    assert elapsed == sorted(elapsed) and elapsed[0] > 0


def test_with_several_steps_per_execution_a_stop_ends_the_execution_in_progress(trainer):
    control = TrainingControl()

    def stop_at_first(event):
        if isinstance(event, ev.BatchEnd) and event.step == 1:
            control.stop()

    record, _ = collect(trainer, TINY.replace(steps_per_execution=3), control, stop_at_first)
    assert record.status == ev.STOPPED
    assert record.batches["step"] == [1, 2, 3]  # the batches already trained are all reported


def test_with_several_steps_per_execution_a_live_rate_applies_from_the_next_execution(trainer):
    control = TrainingControl()

    def change_at_fourth(event):
        if isinstance(event, ev.BatchEnd) and event.step == 4:
            control.set_learning_rate(1e-4)

    # Executions of 3 steps, cut at each 5-step epoch's end: 1-3, 4-5, 6-8, 9-10.
    live, events = collect(trainer, TINY.replace(steps_per_execution=3), control, change_at_fourth)
    change = of(ev.LearningRateChanged, events)[0]
    assert (change.step, change.learning_rate) == (6, 1e-4)
    assert live.batches["learning_rate"] == [1e-3] * 5 + [1e-4] * 5
    schedule = ScheduleConfig("PiecewiseConstantDecay", {"boundaries": [4], "values": [1e-3, 1e-4]})
    replay, _ = collect(trainer, TINY.replace(schedule=schedule))
    np.testing.assert_allclose(replay.batches["loss"], live.batches["loss"], rtol=1e-5)


def test_a_run_trains_like_the_plain_keras_script_it_exports(trainer):
    """The app's speed-ups (tensors prepared once, several steps per execution, the step log)
    leave the training itself alone: plain fit on numpy arrays with the seed gives the same."""
    from lrexplorer.core.keras_api.loader import keras
    from lrexplorer.core.keras_api.models import LOSS, METRICS, build_model, prepare_images

    config = TINY.replace(steps_per_execution=2)
    record, _ = collect(trainer, config)
    data = trainer.load_data(config)
    k = keras()
    k.utils.set_random_seed(config.seed)
    model = build_model(config.model)
    model.compile(optimizer=k.optimizers.RMSprop(1e-3), loss=LOSS, metrics=list(METRICS))
    history = model.fit(
        prepare_images(config.model, data.x_train),
        data.y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=(prepare_images(config.model, data.x_test), data.y_test),
        verbose=0,
    )
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        ours = [epoch[name] for epoch in record.epochs]
        np.testing.assert_allclose(ours, history.history[name], rtol=1e-6, err_msg=name)


def test_inside_one_long_execution_a_rate_change_and_a_stop_apply_from_the_next_batch(
    trainer, monkeypatch
):
    """One compiled call trains the whole epoch (125 batches): requests must reach inside it.

    The requests are made from inside the step itself, before batches 21 and 41 (the step
    calls back into Python before each batch while its gate is paused; the test answers
    without waiting), so they land at exactly those batches on a machine of any speed."""
    from lrexplorer.core.training import fit_callback

    config = TINY.replace(
        train_samples=4000, batch_size=32, epochs=1, steps_per_execution=125, seed=3
    )
    control = TrainingControl()
    control.pause()  # the gate calls back before every batch; the test never waits there

    def requests_before_batches(self, rows, count):
        if count == 20:
            control.set_learning_rate(1e-4)
        elif count == 40:
            control.stop()

    monkeypatch.setattr(
        fit_callback._EventCallbackMixin, "_pause_inside_execution", requests_before_batches
    )
    record, events = collect(trainer, config, control)
    monkeypatch.undo()
    assert record.status == ev.STOPPED
    steps = len(record.batches["step"])
    assert steps == 40  # stopped inside the call, before batch 41, not at its end (125)
    (change,) = of(ev.LearningRateChanged, events)
    assert change.learning_rate == 1e-4 and change.step == 21
    rates = record.batches["learning_rate"]
    assert rates == [1e-3] * (change.step - 1) + [1e-4] * (steps - change.step + 1)
    # The rates really were the ones used: the same rates as a schedule train identically.
    schedule = ScheduleConfig(
        "PiecewiseConstantDecay", {"boundaries": [change.step - 2], "values": [1e-3, 1e-4]}
    )
    replay, _ = collect(trainer, config.replace(schedule=schedule))
    np.testing.assert_allclose(replay.batches["loss"][:steps], record.batches["loss"], rtol=1e-5)


def test_a_diverging_execution_stops_training_at_the_first_bad_batch(trainer):
    config = TINY.replace(
        optimizer="sgd", learning_rate=1e4, steps_per_execution=10, epochs=1, train_samples=1280
    )
    record, _ = collect(trainer, config)
    assert record.status == ev.DIVERGED
    losses = record.batches["loss"]
    assert not math.isfinite(losses[-1]) and all(math.isfinite(v) for v in losses[:-1])
    assert len(losses) < 20  # the call's later batches were held, not trained


def test_a_call_never_runs_more_steps_than_an_epoch_has(trainer):
    """Asked for 32 batches a call with 5 an epoch: compiled with 5 (Keras's own progress bar
    would otherwise count 32/5); the record keeps the setting asked for."""
    config = TINY.replace(steps_per_execution=32)  # 320 images in batches of 64: 5 a call
    record, _ = collect(trainer, config)
    assert record.status == ev.FINISHED and len(record.batches["step"]) == 10
    assert record.config.steps_per_execution == 32 and record.steps_per_epoch == 5
    compiled = check_config(config).replace(steps_per_execution=5)
    assert trainer._pool._entries[ModelPool.key(compiled)].model.steps_per_execution == 5
