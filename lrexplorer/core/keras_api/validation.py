"""Checks a RunConfig against the installed Keras before anything trains.

`check_config` returns the resolved config (default learning rate filled in, values coerced to
their types, parameters equal to the Keras default dropped) or raises ConfigError, whose
problems each name the setting, the value and what is allowed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config import DATASETS, MAX_EPOCHS, RunConfig, ScheduleConfig
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.config.params import FLOAT32_RANGE, float32_problem, same_value
from lrexplorer.core.keras_api.models import MODELS
from lrexplorer.core.keras_api.optimizers import OptimizerSpec, registry
from lrexplorer.core.keras_api.schedules import CONSTANT, resolve_name, schedule_specs

_CLIP_OPTIONS = ("clipnorm", "clipvalue", "global_clipnorm")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config. `field` is a config field, a parameter, or schedule.X."""

    field: str
    message: str


class ConfigError(ValueError):
    """A config that cannot train; str() is one readable sentence per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def check_learning_rate(value: Any, name: str = "learning_rate", typed: str | None = None) -> float:
    """A learning rate is a number > 0 that fits a float32 (Keras keeps it in one); raise
    ValueError saying so otherwise, quoting `typed` (the text it was read from) if given."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} = {value!r} is not a number: it must be a number > 0")
    if not math.isfinite(value):
        raise ValueError(f"{name} = {value!r} is not finite: it must be a finite number > 0")
    shown = typed or format_number(value)
    if value <= 0:
        raise ValueError(f"{name} = {shown} is not allowed: it must be > 0")
    problem = float32_problem(value)
    if problem:
        raise ValueError(f"{name} = {shown} {problem}: it must be a number {FLOAT32_RANGE}")
    return float(value)


def check_config(config: RunConfig) -> RunConfig:
    """The resolved, validated config, or ConfigError listing every problem found."""
    problems: list[Problem] = []
    resolved: dict[str, Any] = {}
    try:
        spec = registry().get(config.optimizer)
    except KeyError as error:
        problems.append(Problem("optimizer", error.args[0]))
        spec = None
    if spec is not None:
        resolved["optimizer"] = spec.name
        resolved["learning_rate"] = _learning_rate(config, spec, problems)
        resolved["params"] = _optimizer_params(config, spec, problems)
    schedule = _schedule(config, problems)
    resolved["schedule"] = schedule
    if schedule is not None and schedule.name == "PiecewiseConstantDecay":
        values = schedule.param_dict().get("values")
        if values:
            resolved["learning_rate"] = float(values[0])
    _run_settings(config, problems)
    if problems:
        raise ConfigError(problems)
    return config.replace(**resolved)


def _learning_rate(config: RunConfig, spec: OptimizerSpec, problems: list[Problem]) -> Any:
    if config.learning_rate is None:
        return spec.default_learning_rate
    try:
        return check_learning_rate(config.learning_rate)
    except ValueError as error:
        problems.append(Problem("learning_rate", str(error)))
        return config.learning_rate


def _optimizer_params(
    config: RunConfig, spec: OptimizerSpec, problems: list[Problem]
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in config.params:
        if name == "learning_rate":
            problems.append(Problem(name, "set the learning rate with --lr, not as a parameter"))
            continue
        if not spec.has_param(name):
            choices = ", ".join(p.name for p in spec.params if p.name != "learning_rate")
            problems.append(
                Problem(
                    name, f"unknown parameter {name!r} for {spec.class_name}: it takes {choices}"
                )
            )
            continue
        param = spec.param(name)
        try:
            value = param.coerce(value)
        except ValueError as error:
            problems.append(Problem(name, f"{spec.class_name}: {error}"))
            continue
        if not same_value(value, param.default):
            kept[name] = value
    clips = [name for name in _CLIP_OPTIONS if kept.get(name) is not None]
    if len(clips) > 1:
        problems.append(
            Problem(
                clips[1],
                f"only one of clipnorm, clipvalue and global_clipnorm can be set "
                f"(got {', '.join(clips)})",
            )
        )
    return kept


def _schedule(config: RunConfig, problems: list[Problem]) -> ScheduleConfig | None:
    schedule = config.schedule
    if schedule is None:
        return None
    try:
        name = resolve_name(schedule.name)
    except KeyError as error:
        problems.append(Problem("schedule", error.args[0]))
        return schedule
    if name == CONSTANT:
        return None
    spec = schedule_specs()[name]
    values: dict[str, Any] = {}
    for key, value in schedule.params:
        try:
            param = spec.param(key)
        except KeyError:
            choices = ", ".join(p.name for p in spec.params)
            problems.append(
                Problem(
                    f"schedule.{key}", f"unknown parameter {key!r} for {name}: it takes {choices}"
                )
            )
            continue
        try:
            values[key] = param.coerce(value)
        except ValueError as error:
            problems.append(Problem(f"schedule.{key}", f"{name}: {error}"))
    for key in spec.required():
        if key not in values and not any(p.field == f"schedule.{key}" for p in problems):
            problems.append(Problem(f"schedule.{key}", f"{name} needs {key}"))
    if name == "PiecewiseConstantDecay":
        _check_piecewise(values, problems)
    kept = {
        key: value
        for key, value in values.items()
        if key in spec.required() or not same_value(value, spec.param(key).default)
    }
    return ScheduleConfig(name, kept)


def _check_piecewise(values: dict[str, Any], problems: list[Problem]) -> None:
    boundaries, rates = values.get("boundaries"), values.get("values")
    if boundaries is None or rates is None:
        return
    if any(later <= earlier for earlier, later in itertools.pairwise(boundaries)):
        problems.append(
            Problem(
                "schedule.boundaries",
                f"PiecewiseConstantDecay boundaries {list(boundaries)} must increase strictly",
            )
        )
    if len(rates) != len(boundaries) + 1:
        problems.append(
            Problem(
                "schedule.values",
                f"PiecewiseConstantDecay needs one more value than boundaries: "
                f"{len(boundaries)} boundaries need {len(boundaries) + 1} values, got {len(rates)}",
            )
        )


def _run_settings(config: RunConfig, problems: list[Problem]) -> None:
    if config.model not in MODELS:
        problems.append(
            Problem("model", f"unknown model {config.model!r}: choose one of {', '.join(MODELS)}")
        )
    if config.dataset not in DATASETS:
        problems.append(
            Problem(
                "dataset",
                f"unknown dataset {config.dataset!r}: choose one of {', '.join(DATASETS)}",
            )
        )
    if config.dataset == "file" and not config.data_path:
        problems.append(Problem("data_path", "dataset 'file' needs a path (--data PATH)"))
    _whole("train_samples", config.train_samples, 1, problems, optional=True)
    _whole("test_samples", config.test_samples, 1, problems, optional=True)
    _whole("epochs", config.epochs, 1, problems, high=MAX_EPOCHS)
    _whole("batch_size", config.batch_size, 1, problems)
    _whole("seed", config.seed, 0, problems, high=2**32 - 1)
    _whole("steps_per_execution", config.steps_per_execution, 1, problems)
    if not isinstance(config.jit_compile, bool):
        problems.append(
            Problem(
                "jit_compile", f"jit_compile = {config.jit_compile!r}: it must be true or false"
            )
        )


def _whole(
    name: str,
    value: Any,
    low: int,
    problems: list[Problem],
    optional: bool = False,
    high: int | None = None,
) -> None:
    if value is None and optional:
        return
    allowed = f"a whole number >= {low}" + (f" and <= {high}" if high is not None else "")
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(name, f"{name} = {value!r} is not allowed: it must be {allowed}"))
    elif value < low or (high is not None and value > high):
        problems.append(Problem(name, f"{name} = {value} is out of range: it must be {allowed}"))
