"""RunConfig: everything that describes a run, as one immutable value.

The window edits copies of it, the trainer trains from it, the snippet exporter renders it and
the run store saves it: one source of truth. `check_config` (core/validation.py) resolves and
validates it against the installed Keras.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config.number_text import compact_number

SCHEMA_VERSION = 1

# Name -> what the user sees. "file" reads `data_path`; "sample" is the bundled offline subset.
DATASETS = {
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
    "file": "Local file",
    "sample": "Bundled MNIST sample (offline)",
}

Params = tuple[tuple[str, Any], ...]

# The most epochs a run may ask for: far more than any lesson needs (a run of a few hundred
# images trains for thousands), and a typo's extra zeros are refused instead of running for
# days with a record growing by a row per epoch. The window's epochs box and the command line
# both follow it.
MAX_EPOCHS = 100_000


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _frozen_params(params: Any) -> Params:
    items = params.items() if isinstance(params, dict) else params
    return tuple(sorted((str(k), _freeze(v)) for k, v in items))


def _short(value: Any) -> str:
    if isinstance(value, float):
        return compact_number(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class ScheduleConfig:
    """A Keras learning-rate schedule by class name, with its parameters.

    `initial_learning_rate` is not stored here: it is the run's `learning_rate`.
    """

    name: str
    params: Params = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_params(self.params))

    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": {k: _thaw(v) for k, v in self.params}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScheduleConfig:
        return cls(name=data["name"], params=data.get("params", {}))


@dataclass(frozen=True)
class RunConfig:
    """One run. `learning_rate=None` means the optimizer's Keras default until resolved."""

    optimizer: str = "rmsprop"
    learning_rate: float | None = None
    params: Params = ()
    schedule: ScheduleConfig | None = None
    model: str = "tutorial"
    dataset: str = "mnist"
    data_path: str | None = None
    train_samples: int | None = None
    test_samples: int | None = None
    epochs: int = 1
    batch_size: int = 128
    seed: int = 0
    # How Keras executes the run; both show in the exported script so it runs at the same speed.
    # 32 batches per compiled call: measured here, an epoch of the tutorial model on full MNIST
    # in ~0.6x the time of plain `fit` (1: ~1.0x). Every batch is still logged and plotted; a
    # stop or a rate change still applies from the next batch (core/step_log.py).
    steps_per_execution: int = 32
    jit_compile: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_params(self.params))
        if isinstance(self.schedule, dict):
            object.__setattr__(self, "schedule", ScheduleConfig.from_dict(self.schedule))

    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)

    def replace(self, **changes: Any) -> RunConfig:
        return dataclasses.replace(self, **changes)

    def capped_steps_per_execution(self, steps_per_epoch: int | None) -> int:
        """steps_per_execution as Keras is given it: never more than an epoch's batches (more
        trains the same, but Keras's progress bar then counts past the end: "32/8")."""
        if not steps_per_epoch:
            return self.steps_per_execution
        return max(1, min(self.steps_per_execution, steps_per_epoch))

    def with_param(self, name: str, value: Any) -> RunConfig:
        params = self.param_dict()
        params[name] = value
        return self.replace(params=params)

    def label(self, class_name: str | None = None) -> str:
        """Short human label: "RMSprop 1e-4", "SGD 0.01 momentum=0.9 (CosineDecay)"."""
        rate = "default" if self.learning_rate is None else compact_number(self.learning_rate)
        parts = [class_name or self.optimizer, rate]
        parts += [f"{k}={_short(v)}" for k, v in self.params]
        if self.schedule is not None:
            parts.append(f"({self.schedule.name})")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "params":
                value = {k: _thaw(v) for k, v in value}
            elif f.name == "schedule":
                value = None if value is None else value.to_dict()
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Read a config written by to_dict; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a run config must be a JSON object")
        schema = data.get("schema", SCHEMA_VERSION)
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise ValueError(
                f"config schema version {schema!r} is newer than this lrexplorer understands "
                f"({SCHEMA_VERSION}); update lrexplorer to read it"
            )
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known - {"schema"}
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(sorted(unknown))}")
        kwargs = {k: v for k, v in data.items() if k in known}
        if kwargs.get("schedule") is not None:
            kwargs["schedule"] = ScheduleConfig.from_dict(kwargs["schedule"])
        return cls(**kwargs)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        return cls.from_dict(json.loads(text))

    def flat(self) -> dict[str, Any]:
        """Settings as one flat mapping, for "differences only" views and tables."""
        items: dict[str, Any] = {}
        for key, value in self.to_dict().items():
            if key == "schema":
                continue
            if key == "params":
                items.update({f"{k}": v for k, v in value.items()})
            elif key == "schedule":
                items["schedule"] = "constant" if value is None else value["name"]
                if value is not None:
                    items.update({f"schedule.{k}": v for k, v in value["params"].items()})
            else:
                items[key] = value
        return items


def differences(configs: list[RunConfig]) -> dict[str, list[Any]]:
    """Settings whose values are not the same in every config, in a stable order."""
    flats = [c.flat() for c in configs]
    keys: list[str] = []
    for flat in flats:
        keys.extend(k for k in flat if k not in keys)
    result = {}
    for key in keys:
        values = [flat.get(key) for flat in flats]
        if any(v != values[0] for v in values[1:]):
            result[key] = values
    return result
