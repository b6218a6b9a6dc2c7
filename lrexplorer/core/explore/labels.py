"""What sweeps call their runs and settings: "RMSprop 1e-3", "RMSprop 1e-3 seed 1", and the
setting a run repeats (its config without the seed), by which seeds are grouped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.number_text import format_number


def setting_key(config: RunConfig) -> RunConfig:
    """The setting `config` repeats: the same config with seed 0. Runs with equal keys differ
    only in their seed, so their spread is the seed's noise."""
    return config.replace(seed=0)


def run_label(config: RunConfig, class_name: str | None = None) -> str:
    """What a sweep calls a run: "RMSprop 1e-3", "SGD 0.01 momentum=0.9" (its own settings)."""
    return config.label(class_name or class_name_of(config.optimizer))


def sweep_labels(configs: Sequence[RunConfig]) -> list[str]:
    """run_label of each, with " seed N" added where the same setting repeats with other seeds
    ("RMSprop 1e-3 seed 0", "RMSprop 1e-3 seed 1"), so that every run has its own name."""
    seeds: dict[RunConfig, set[int]] = {}
    for config in configs:
        seeds.setdefault(setting_key(config), set()).add(config.seed)
    labels = []
    for config in configs:
        label = run_label(config)
        if len(seeds[setting_key(config)]) > 1:
            label += f" seed {config.seed}"
        labels.append(label)
    return labels


def series_name(config: RunConfig, class_name: str | None = None) -> str:
    """Runs that differ only in learning rate share a series: "SGD momentum=0.9"."""
    parts = [class_name or class_name_of(config.optimizer)]
    parts += [f"{k}={format_number(v) if _is_number(v) else v}" for k, v in config.params]
    if config.schedule is not None:
        parts.append(f"({config.schedule.name})")
    return " ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def class_name_of(optimizer: str) -> str:
    """Keras's spelling of an optimizer ("rmsprop" -> "RMSprop"); the name itself if unknown."""
    from lrexplorer.core.keras_api.optimizers import registry

    try:
        return registry().get(optimizer).class_name
    except KeyError:
        return optimizer
