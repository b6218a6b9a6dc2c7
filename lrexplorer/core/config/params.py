"""What a tunable value is: its Keras default, its type, the range Keras (or the maths) allows."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config.number_text import format_number


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format_number(value)


Scalar = bool | int | float | str | None

# Keras keeps learning rates and float hyperparameters in float32 variables, so a value must
# fit one: at most FLOAT32_MAX in size (more is inf), and a non-zero one at least FLOAT32_TINY,
# the smallest normal float32 (smaller ones lose their digits, and flush to 0 on many CPUs).
FLOAT32_MAX = 3.4028234663852886e38
FLOAT32_TINY = 1.1754943508222875e-38
FLOAT32_RANGE = "from 1.2e-38 to 3.4e38"


def float32_problem(value: float) -> str | None:
    """Why `value` does not fit a float32, as "is too large for a float32 (...)", or None."""
    size = abs(value)
    if size > FLOAT32_MAX:
        return "is too large for a float32 (the type Keras keeps it in)"
    if 0 < size < FLOAT32_TINY:
        return "is too small for a float32 (the type Keras keeps it in, where it would be 0)"
    return None


KINDS = ("float", "int", "bool", "str", "int_list", "float_list")


@dataclass(frozen=True)
class Bounds:
    """Allowed numeric range; None means unbounded on that side."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return not (
            self.high is not None and (value > self.high or (self.high_open and value == self.high))
        )

    def describe(self) -> str:
        if self.low is None and self.high is None:
            return "any finite number"
        if self.high is None:
            return f"a number {'>' if self.low_open else '>='} {_bound(self.low)}"
        if self.low is None:
            return f"a number {'<' if self.high_open else '<='} {_bound(self.high)}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"a number in {left}{_bound(self.low)}, {_bound(self.high)}{right}"


POSITIVE = Bounds(0.0, None, low_open=True)
NON_NEGATIVE = Bounds(0.0, None)
UNIT = Bounds(0.0, 1.0)
UNIT_OPEN = Bounds(0.0, 1.0, high_open=True)  # decay rates: 1 would never forget


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter. `default` is read from Keras; bounds and scale are ours."""

    name: str
    default: Scalar
    kind: str
    bounds: Bounds = Bounds()
    nullable: bool = False
    log_scale: bool = False
    common: bool = False
    doc: str = ""

    def allowed(self) -> str:
        """Human wording of what values are accepted."""
        if self.kind == "bool":
            text = "true or false"
        elif self.kind == "str":
            text = "text"
        elif self.kind == "int":
            text = self.bounds.describe().replace("a number", "a whole number")
        elif self.kind.endswith("_list"):
            what = "whole numbers" if self.kind == "int_list" else "numbers"
            each = self.bounds.describe().removeprefix("a number ").removeprefix("any ")
            text = f"a list of {what}, each {each}"
        else:
            text = self.bounds.describe()
        return f"{text}, or none (off)" if self.nullable else text

    def coerce(self, value: Any) -> Scalar:
        """Convert a parsed value to this parameter's type, or raise ValueError saying why."""
        where = f"{self.name} = {value!r}"
        if value is None:
            if self.nullable:
                return None
            raise ValueError(f"{where} is not allowed: {self.name} needs {self.allowed()}")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise ValueError(f"{where}: {self.name} must be true or false")
        if self.kind == "str":
            if isinstance(value, str):
                return value
            raise ValueError(f"{where}: {self.name} must be text")
        if self.kind.endswith("_list"):
            return self._coerce_list(value)
        return self._coerce_number(value, where)

    def _coerce_number(self, value: Any, where: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where} is not a number: {self.name} needs {self.allowed()}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{where} is not finite: {self.name} needs {self.allowed()}")
        if self.kind.startswith("int"):
            if number != int(number):
                raise ValueError(
                    f"{where} is not a whole number: {self.name} needs {self.allowed()}"
                )
            number = int(number)
        if not self.bounds.contains(number):
            raise ValueError(f"{where} is out of range: {self.name} needs {self.allowed()}")
        problem = float32_problem(number)
        if problem:
            if abs(number) > 1:
                size = "at most 3.4e38"
            else:
                size = "at least 1.2e-38" + (" unless 0" if self.bounds.contains(0.0) else "")
            raise ValueError(f"{where} {problem}: {self.name} needs {self.allowed()}, {size}")
        return number

    def _coerce_list(self, value: Any) -> tuple[int | float, ...]:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[\s,;\[\]()]+", value) if p]
            items: list[Any] = []
            for part in parts:
                try:
                    items.append(float(part))
                except ValueError:
                    raise ValueError(
                        f"{self.name} = {value!r}: {part!r} is not a number; "
                        f"{self.name} needs {self.allowed()}"
                    ) from None
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            raise ValueError(f"{self.name} = {value!r}: {self.name} needs {self.allowed()}")
        if not items:
            raise ValueError(f"{self.name} is empty: it needs {self.allowed()}")
        return tuple(
            self._coerce_number(item, f"{self.name}[{i}] = {item!r}")
            for i, item in enumerate(items)
        )


def find_param(params: Sequence[ParamSpec], name: str) -> ParamSpec:
    """The parameter called `name`; KeyError if there is none."""
    for spec in params:
        if spec.name == name:
            return spec
    raise KeyError(name)


def same_value(a: Scalar, b: Scalar) -> bool:
    """Equality that treats 1 and 1.0 alike but not True and 1."""
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return a == b
