"""Ready-made sweeps for the classroom: each a short lesson about the learning rate, with a
title and a paragraph for the teacher on what to expect and what to ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.sweep import check_all


def _lesson(base: RunConfig) -> RunConfig:
    """The base's data settings with what the lessons depend on fixed: the tutorial model, one
    epoch, a constant rate and default hyperparameters (the outcomes below were seen there)."""
    return base.replace(model="tutorial", epochs=1, params=(), schedule=None, learning_rate=None)


def classic(base: RunConfig) -> list[RunConfig]:
    """RMSprop at 1e-3, 1e-4 and 1e-5 for one epoch each."""
    lesson = _lesson(base).replace(optimizer="rmsprop")
    return check_all([lesson.replace(learning_rate=rate) for rate in (1e-3, 1e-4, 1e-5)])


# Five epochs: enough for the answer, short enough to watch. On full MNIST (seed 0) 1e-4
# overtakes 1e-3 at epoch 2 and leads by 0.5 points at epoch 5; over three seeds its lead is
# beyond seed noise from epoch 2 on, and ten epochs change nothing but the size of the lead
# (92.4% against 91.5%). The three runs take about a minute on full MNIST (44 s for
# `lrexplorer sweep --preset budget` on a 2-core machine); ten epochs would double it.
BUDGET_EPOCHS = 5


def budget(base: RunConfig) -> list[RunConfig]:
    """RMSprop at 1e-3, 1e-4 and 1e-5 for BUDGET_EPOCHS epochs each, read at every epoch."""
    lesson = _lesson(base).replace(optimizer="rmsprop", epochs=BUDGET_EPOCHS)
    return check_all([lesson.replace(learning_rate=rate) for rate in (1e-3, 1e-4, 1e-5)])


def momentum(base: RunConfig) -> list[RunConfig]:
    """SGD, SGD with momentum 0.9 and Adam, all at 1e-2."""
    lesson = _lesson(base).replace(learning_rate=1e-2)
    return check_all(
        [
            lesson.replace(optimizer="sgd"),
            lesson.replace(optimizer="sgd", params={"momentum": 0.9}),
            lesson.replace(optimizer="adam"),
        ]
    )


# On the tutorial model SGD's loss becomes infinite or NaN at about step 14 at rate 10 and
# step 33 at rate 1, at every batch size (32-256) and seed tried, on full MNIST and on the
# bundled sample; at 0.1 it learns (about 91% validation accuracy after one MNIST epoch).
TOO_HIGH_RATES = (10.0, 1.0)
SENSIBLE_RATE = 0.1


def too_high(base: RunConfig) -> list[RunConfig]:
    """SGD at 10 and 1 (both diverge, the first sooner) next to SGD at 0.1 (learns)."""
    lesson = _lesson(base).replace(optimizer="sgd")
    rates = (*TOO_HIGH_RATES, SENSIBLE_RATE)
    return check_all([lesson.replace(learning_rate=rate) for rate in rates])


def defaults(base: RunConfig) -> list[RunConfig]:
    """Every optimizer Keras accepts by name, at its own Keras default learning rate."""
    from lrexplorer.core.keras_api.optimizers import registry

    lesson = _lesson(base)
    return check_all([lesson.replace(optimizer=s.name) for s in registry().specs() if s.by_name])


@dataclass(frozen=True)
class Preset:
    name: str  # used on the command line: --preset classic
    title: str
    description: str  # for the teacher: what happens, and what to ask the class
    build: Callable[[RunConfig], list[RunConfig]]

    def configs(self, base: RunConfig) -> list[RunConfig]:
        """The preset's checked runs, on the data settings of `base`."""
        return self.build(base)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "classic",
            "Smaller is not always better (RMSprop 1e-3, 1e-4, 1e-5)",
            "The tutorial model with RMSprop at three learning rates, one epoch each. 1e-3 (the "
            "Keras default) does best, about 91% validation accuracy on full MNIST; 1e-4 is "
            "a little behind; 1e-5 learns far more slowly: about 75% on full MNIST, and "
            "about 20% on the small offline sample, where one epoch is few steps. Before you "
            "start, ask the class which rate will do best, and why the smallest step is not "
            "the safest choice when the number of steps is fixed.",
            classic,
        ),
        Preset(
            "budget",
            f"Does the small rate catch up? (RMSprop 1e-3, 1e-4, 1e-5, {BUDGET_EPOCHS} epochs)",
            "The classic lesson's three rates, each trained for "
            f"{BUDGET_EPOCHS} epochs and read at the end of every epoch: validation accuracy "
            "against the learning rate with one line per number of epochs, and a rate x epoch "
            "table. A smaller rate is not better after one epoch; this shows whether it "
            "becomes better given more. On full MNIST 1e-3 leads after one epoch (91.0% "
            "against 90.7%), 1e-4 overtakes it at epoch 2 and leads from then on (92.2% "
            "against 91.7% after five), and 1e-5 climbs from 75% to 89% but stays behind; on "
            "the small offline sample 1e-4 draws level only at epoch 5. Ask the class first: "
            "with five times the training, which rate wins, and why might the answer change "
            "with the budget?",
            budget,
        ),
        Preset(
            "momentum",
            "Same rate, different optimizers (SGD, SGD + momentum, Adam at 1e-2)",
            "SGD, SGD with momentum 0.9 and Adam, all at learning rate 1e-2 for one epoch. "
            "Plain SGD is the slowest (about 87% validation accuracy on full MNIST); with "
            "momentum the same rate goes much further (about 91%), since each step keeps "
            "most of the one before; Adam scales its step per weight, and 1e-2 is ten times "
            "its default. Ask the class whether a learning rate means the same thing for "
            "every optimizer, and what momentum adds.",
            momentum,
        ),
        Preset(
            "too-high",
            "A rate that is too high (SGD at 10, 1 and 0.1)",
            "Plain SGD at learning rates 10, 1 and 0.1. At 10 the loss shoots up and becomes "
            "infinite within about fifteen batches and the run stops as diverged; at 1 it "
            "survives a little longer, about thirty batches, then blows up the same way; "
            "at 0.1 the same model learns steadily. Ask the class what the loss looks like "
            "just before it blows up, why a rate ten times too high fails sooner, and how "
            "they would find the highest rate that still works.",
            too_high,
        ),
        Preset(
            "defaults",
            "Every optimizer at its Keras default rate",
            'Each optimizer Keras accepts by name, as in optimizer="adam", one epoch each at '
            "the learning rate Keras gives it when none is set (most use 1e-3, SGD 1e-2). "
            "The results spread widely: Adam, Nadam and RMSprop reach about 91% on full "
            "MNIST, while Adadelta and Ftrl stay near guessing (10-20%). Muon takes several "
            "times longer per epoch than the rest. Ask the class why the name form, which "
            "hides the learning rate, can make a good optimizer look bad, and what they "
            "would change first.",
            defaults,
        ),
    )
}


def preset_configs(name: str, base: RunConfig) -> list[RunConfig]:
    """The named preset's runs; KeyError lists the presets."""
    try:
        preset = PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}") from None
    return preset.configs(base)
