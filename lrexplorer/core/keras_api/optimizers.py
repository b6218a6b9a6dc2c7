"""The optimizer registry: every Keras optimizer, its hyperparameters and their Keras defaults.

Defaults and documentation are read from the installed Keras (signatures and docstrings) so a
Keras upgrade cannot make the app lie. What Keras does not publish, the allowed range and
whether a log scale suits a value, comes from the table below.
"""

from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.params import (
    NON_NEGATIVE,
    POSITIVE,
    UNIT,
    UNIT_OPEN,
    Bounds,
    ParamSpec,
    find_param,
)
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.schedules import build_schedule

# name -> (kind, bounds, log scale). Kind None means "infer from the Keras default". Keras
# gives each parameter its default and documentation; what it does not give is here. A new
# optimizer parameter is one row: validation, the window's field and the command line all
# follow from the ParamSpec built from it.
PARAM_RANGES: dict[str, tuple[str | None, Bounds, bool]] = {
    "learning_rate": ("float", POSITIVE, True),
    "beta_1": ("float", UNIT_OPEN, False),
    "beta_2": ("float", UNIT_OPEN, False),
    "adam_beta_1": ("float", UNIT_OPEN, False),
    "adam_beta_2": ("float", UNIT_OPEN, False),
    "rho": ("float", UNIT_OPEN, False),
    "momentum": ("float", UNIT, False),
    "epsilon": ("float", POSITIVE, True),
    "epsilon_1": ("float", POSITIVE, True),
    "epsilon_2": ("float", POSITIVE, True),
    "weight_decay": ("float", NON_NEGATIVE, True),
    "adam_weight_decay": ("float", NON_NEGATIVE, True),
    "clipnorm": ("float", POSITIVE, True),
    "clipvalue": ("float", POSITIVE, True),
    "global_clipnorm": ("float", POSITIVE, True),
    "ema_momentum": ("float", UNIT, False),
    "ema_overwrite_frequency": ("int", Bounds(1, None), False),
    "loss_scale_factor": ("float", POSITIVE, True),
    "gradient_accumulation_steps": ("int", Bounds(2, None), False),
    "initial_accumulator_value": ("float", NON_NEGATIVE, False),
    "learning_rate_power": ("float", Bounds(None, 0.0), False),
    "l1_regularization_strength": ("float", NON_NEGATIVE, False),
    "l2_regularization_strength": ("float", NON_NEGATIVE, False),
    "l2_shrinkage_regularization_strength": ("float", NON_NEGATIVE, False),
    "beta": ("float", NON_NEGATIVE, False),
    "beta_2_decay": ("float", Bounds(None, 0.0), False),
    "clip_threshold": ("float", POSITIVE, False),
    "adam_lr_ratio": ("float", POSITIVE, False),
    "ns_steps": ("int", Bounds(1, None), False),
    "rms_rate": ("float", NON_NEGATIVE, False),
    "warmup_steps": ("int", Bounds(0, None), False),
}

# Keras accepts these but they are not a single tunable number (lists, or Keras internals).
_NOT_TUNABLE = {"name", "exclude_layers"}

# Public optimizer classes that wrap another optimizer rather than being one.
_WRAPPERS = {"Optimizer", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"}


@dataclass(frozen=True)
class OptimizerSpec:
    """One Keras optimizer: how to name it and what can be tuned."""

    name: str  # the identifier used in configs and on the command line, e.g. "rmsprop"
    class_name: str  # e.g. "RMSprop"
    by_name: bool  # keras.optimizers.get(name) accepts it, so the name form works
    params: tuple[ParamSpec, ...]  # learning_rate first, own parameters, then common ones
    doc: str = ""

    def param(self, name: str) -> ParamSpec:
        return find_param(self.params, name)

    def has_param(self, name: str) -> bool:
        return any(spec.name == name for spec in self.params)

    @property
    def default_learning_rate(self) -> float:
        return float(self.param("learning_rate").default)

    @property
    def own_params(self) -> tuple[ParamSpec, ...]:
        return tuple(p for p in self.params if not p.common and p.name != "learning_rate")

    @property
    def common_params(self) -> tuple[ParamSpec, ...]:
        return tuple(p for p in self.params if p.common)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


class OptimizerRegistry:
    """All optimizers of the installed Keras, in a stable order (by-name ones first)."""

    def __init__(self, specs: list[OptimizerSpec]) -> None:
        self._specs = {spec.name: spec for spec in specs}

    def names(self) -> list[str]:
        return list(self._specs)

    def specs(self) -> list[OptimizerSpec]:
        return list(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._specs

    def get(self, name: str) -> OptimizerSpec:
        """Look up by identifier or class name, case-insensitively; KeyError lists the choices."""
        spec = self._specs.get(name.lower())
        if spec is None:
            raise KeyError(f"unknown optimizer {name!r}: choose one of {', '.join(self._specs)}")
        return spec


@functools.cache
def registry() -> OptimizerRegistry:
    """Build the registry once, by introspecting the installed Keras."""
    k = keras()
    classes = _public_optimizer_classes(k)
    common = _common_param_names(classes)
    specs = [_spec_for(k, cls, common) for cls in classes]
    specs.sort(key=lambda s: (not s.by_name, s.name))
    return OptimizerRegistry(specs)


def _public_optimizer_classes(k: Any) -> list[type]:
    found = []
    for attr in dir(k.optimizers):
        cls = getattr(k.optimizers, attr)
        if (
            inspect.isclass(cls)
            and issubclass(cls, k.optimizers.Optimizer)
            and cls.__name__ not in _WRAPPERS
            and _all_defaulted(cls)
        ):
            found.append(cls)
    return found


def _all_defaulted(cls: type) -> bool:
    params = inspect.signature(cls.__init__).parameters.values()
    return all(
        p.default is not inspect.Parameter.empty
        for p in params
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    )


def _signature_defaults(cls: type) -> dict[str, Any]:
    return {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }


def _common_param_names(classes: list[type]) -> set[str]:
    sets = [set(_signature_defaults(cls)) for cls in classes]
    return set.intersection(*sets) - {"learning_rate"} if sets else set()


def _spec_for(k: Any, cls: type, common: set[str]) -> OptimizerSpec:
    name = cls.__name__.lower()
    try:
        k.optimizers.get(name)
        by_name = True
    except ValueError:
        by_name = False
    docs = _arg_docs(cls.__doc__ or "")
    specs = []
    for param, default in _signature_defaults(cls).items():
        if param in _NOT_TUNABLE:
            continue
        spec = _param_spec(param, default, param in common, docs.get(param, ""))
        if spec is not None:
            specs.append(spec)
    specs.sort(key=lambda s: (s.name != "learning_rate", s.common))
    summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    return OptimizerSpec(name, cls.__name__, by_name, tuple(specs), summary)


def _param_spec(name: str, default: Any, common: bool, doc: str) -> ParamSpec | None:
    kind, bounds, log_scale = PARAM_RANGES.get(name, (None, Bounds(), False))
    if kind is None:
        if isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        elif isinstance(default, float) or default is None:
            kind = "float"
        elif isinstance(default, str):
            kind = "str"
        else:
            return None
    if isinstance(default, bool) and kind != "bool":
        kind = "bool"
    if isinstance(default, int | float) and not isinstance(default, bool) and kind == "float":
        default = float(default)
    return ParamSpec(
        name=name,
        default=default,
        kind=kind,
        bounds=bounds if kind in ("float", "int") else Bounds(),
        nullable=default is None,
        log_scale=log_scale,
        common=common,
        doc=doc,
    )


_ARG_LINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$")


def _arg_docs(docstring: str) -> dict[str, str]:
    """The Args: section of a Keras docstring as {name: one-paragraph text}."""
    lines = docstring.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return {}
    docs: dict[str, list[str]] = {}
    indent = None
    current = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        match = _ARG_LINE.match(line)
        depth = len(line) - len(line.lstrip())
        if indent is None and match:
            indent = depth
        if indent is not None and depth < indent:
            break
        if match and depth == indent:
            current = match.group(2)
            docs[current] = [match.group(3)]
        elif current is not None:
            docs[current].append(line.strip())
    return {name: " ".join(parts).replace("`", "") for name, parts in docs.items()}


def build_optimizer(config: RunConfig) -> Any:
    """The Keras optimizer for a checked config (see core/validation.py: check_config)."""
    spec = registry().get(config.optimizer)
    cls = getattr(keras().optimizers, spec.class_name)
    learning_rate: Any = config.learning_rate
    if config.schedule is not None:
        learning_rate = build_schedule(
            config.schedule.name, config.schedule.param_dict(), config.learning_rate
        )
    return cls(learning_rate=learning_rate, **config.param_dict())
