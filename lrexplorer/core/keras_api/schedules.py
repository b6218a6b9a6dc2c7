"""Learning-rate schedules: the Keras schedule classes, their parameters, and a fast preview.

Parameters and defaults are read from `keras.optimizers.schedules`. The preview evaluates each
schedule with NumPy because calling a Keras schedule costs about 2 ms per step in eager mode, too
slow for a plot that redraws while a user drags a slider. tests/core/test_schedules.py checks
that the two agree at every step.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrexplorer.core.config.params import POSITIVE, Bounds, ParamSpec, find_param
from lrexplorer.core.keras_api.loader import keras

CONSTANT = "constant"
LINKED = "initial_learning_rate"  # taken from the run's learning rate, not edited here

PARAM_RANGES: dict[str, tuple[str, Bounds, bool]] = {
    "decay_steps": ("int", Bounds(1, None), False),
    "first_decay_steps": ("int", Bounds(1, None), False),
    "decay_rate": ("float", POSITIVE, False),
    "staircase": ("bool", Bounds(), False),
    "end_learning_rate": ("float", Bounds(0.0, None), True),
    "power": ("float", POSITIVE, False),
    "cycle": ("bool", Bounds(), False),
    "alpha": ("float", Bounds(0.0, 1.0), False),
    "warmup_target": ("float", POSITIVE, True),
    "warmup_steps": ("int", Bounds(0, None), False),
    "t_mul": ("float", POSITIVE, False),
    "m_mul": ("float", POSITIVE, False),
    "boundaries": ("int_list", Bounds(0, None), False),
    "values": ("float_list", POSITIVE, True),
}


@dataclass(frozen=True)
class ScheduleSpec:
    """One schedule class. Parameters with default None and not nullable are required."""

    name: str  # Keras class name, e.g. "ExponentialDecay"
    params: tuple[ParamSpec, ...]  # without initial_learning_rate and name
    linked: bool  # takes initial_learning_rate from the run's learning rate
    doc: str = ""

    def param(self, name: str) -> ParamSpec:
        return find_param(self.params, name)

    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.default is None and not p.nullable)


@functools.cache
def schedule_specs() -> dict[str, ScheduleSpec]:
    """Every public schedule class of the installed Keras, by class name."""
    k = keras()
    module = k.optimizers.schedules
    specs = {}
    for attr in sorted(dir(module)):
        cls = getattr(module, attr)
        if (
            inspect.isclass(cls)
            and issubclass(cls, module.LearningRateSchedule)
            and cls is not module.LearningRateSchedule
        ):
            specs[cls.__name__] = _spec_for(cls)
    return specs


def schedule_names() -> list[str]:
    return [CONSTANT, *schedule_specs()]


def resolve_name(name: str) -> str:
    """Canonical schedule name from any capitalisation or snake_case; KeyError if unknown."""
    wanted = name.replace("_", "").lower()
    for candidate in schedule_names():
        if candidate.lower() == wanted:
            return candidate
    raise KeyError(f"unknown schedule {name!r}: choose one of {', '.join(schedule_names())}")


def _spec_for(cls: type) -> ScheduleSpec:
    signature = inspect.signature(cls.__init__)
    params = []
    linked = False
    for p in signature.parameters.values():
        if p.name in ("self", "name") or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if p.name == LINKED:
            linked = True
            continue
        required = p.default is inspect.Parameter.empty
        default = None if required else p.default
        kind, bounds, log_scale = PARAM_RANGES.get(p.name, (_kind_of(default), Bounds(), False))
        if isinstance(default, int | float) and not isinstance(default, bool) and kind == "float":
            default = float(default)
        params.append(
            ParamSpec(
                name=p.name,
                default=default,
                kind=kind,
                bounds=bounds,
                nullable=not required and default is None,
                log_scale=log_scale,
            )
        )
    doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    return ScheduleSpec(cls.__name__, tuple(params), linked, doc)


def _kind_of(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    return "float"


def suggested_params(name: str, total_steps: int, learning_rate: float) -> dict[str, Any]:
    """Starting values for the parameters Keras requires but gives no default for.

    They fit the run at hand: decay over the whole run, piecewise steps at thirds.
    """
    total = max(int(total_steps), 3)
    suggestions: dict[str, Any] = {
        "decay_steps": total,
        "first_decay_steps": -(-total // 3),  # with t_mul=2 the run ends late in cycle two
        "decay_rate": 0.5 if name == "ExponentialDecay" else 1.0,
        "boundaries": (total // 3, 2 * total // 3),
        "values": (learning_rate, learning_rate / 10, learning_rate / 100),
    }
    if name == CONSTANT:
        return {}
    spec = schedule_specs()[name]
    return {key: suggestions[key] for key in spec.required() if key in suggestions}


def learning_rates(
    name: str, params: dict[str, Any], learning_rate: float, steps: int
) -> np.ndarray:
    """The rate the optimizer uses at iterations 0..steps-1 (float64), like Keras computes it."""
    step = np.arange(steps, dtype=np.float64)
    if name == CONSTANT:
        return np.full(steps, float(learning_rate))
    full = {p.name: p.default for p in schedule_specs()[name].params}
    full.update(params)
    formula = _FORMULAS.get(name)
    if formula is None:  # a schedule newer than this app: ask Keras, one step at a time
        schedule = build_schedule(name, params, learning_rate)
        return np.array([float(schedule(i)) for i in range(steps)], dtype=np.float64)
    return formula(step, float(learning_rate), full)


def build_schedule(name: str, params: dict[str, Any], learning_rate: float) -> Any:
    """The Keras schedule object for a validated schedule config."""
    spec = schedule_specs()[name]
    kwargs = {
        key: list(value) if isinstance(value, tuple) else value for key, value in params.items()
    }
    if spec.linked:
        kwargs = {LINKED: learning_rate, **kwargs}
    return getattr(keras().optimizers.schedules, name)(**kwargs)


def _exponential(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    fraction = step / p["decay_steps"]
    if p["staircase"]:
        fraction = np.floor(fraction)
    return lr * np.power(p["decay_rate"], fraction)


def _inverse_time(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    fraction = step / p["decay_steps"]
    if p["staircase"]:
        fraction = np.floor(fraction)
    return lr / (1.0 + p["decay_rate"] * fraction)


def _polynomial(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    decay_steps = np.full_like(step, float(p["decay_steps"]))
    if p["cycle"]:
        decay_steps *= np.where(step == 0, 1.0, np.ceil(step / p["decay_steps"]))
    else:
        step = np.minimum(step, decay_steps)
    end = p["end_learning_rate"]
    return (lr - end) * np.power(1.0 - step / decay_steps, p["power"]) + end


def _piecewise(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    # values[i] applies while step <= boundaries[i]; past the last boundary, values[-1].
    index = np.searchsorted(np.asarray(p["boundaries"], dtype=np.float64), step, side="left")
    return np.asarray(p["values"], dtype=np.float64)[index]


def _cosine_shape(fraction: np.ndarray, alpha: float) -> np.ndarray:
    return (1.0 - alpha) * 0.5 * (1.0 + np.cos(math.pi * fraction)) + alpha


def _cosine(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    decay_steps = float(p["decay_steps"])
    target = p["warmup_target"]
    if target is None:
        return lr * _cosine_shape(np.minimum(step, decay_steps) / decay_steps, p["alpha"])
    warmup = float(p["warmup_steps"])
    step = np.minimum(step, decay_steps + warmup)
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = (target - lr) * (step / warmup) + lr
    falling = target * _cosine_shape((step - warmup) / decay_steps, p["alpha"])
    return np.where(step < warmup, rising, falling)


def _cosine_restarts(step: np.ndarray, lr: float, p: dict[str, Any]) -> np.ndarray:
    fraction = step / p["first_decay_steps"]
    t_mul, m_mul = float(p["t_mul"]), float(p["m_mul"])
    if t_mul == 1.0:
        restart = np.floor(fraction)
        fraction = fraction - restart
    else:
        restart = np.floor(np.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        done = (1.0 - np.power(t_mul, restart)) / (1.0 - t_mul)
        fraction = (fraction - done) / np.power(t_mul, restart)
    cosine = 0.5 * np.power(m_mul, restart) * (1.0 + np.cos(math.pi * fraction))
    return lr * ((1.0 - p["alpha"]) * cosine + p["alpha"])


_FORMULAS = {
    "ExponentialDecay": _exponential,
    "InverseTimeDecay": _inverse_time,
    "PolynomialDecay": _polynomial,
    "PiecewiseConstantDecay": _piecewise,
    "CosineDecay": _cosine,
    "CosineDecayRestarts": _cosine_restarts,
}
