"""Reading numbers the way people type them, and printing them the way they typed them."""

from __future__ import annotations

import math
import re

_EXPONENT = re.compile(r"e([+-])0*(\d)")


def format_number(value: float | int) -> str:
    """Shortest text that reads back as the same float: 0.0001, 3e-05 -> 3e-5, 0.5, 10.0."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return _EXPONENT.sub(lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def compact_number(value: float) -> str:
    """Label form of a learning rate: 0.0001 -> 1e-4, 0.00025 -> 2.5e-4, 0.5 -> 0.5."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return format_number(value)
    if 0.01 <= abs(value) < 1000:
        text = format_number(value)
        return text[:-2] if text.endswith(".0") else text
    mantissa, exponent = f"{value:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


class NumberError(ValueError):
    """A typed value that is not an acceptable number; the message says why."""


def parse_float(text: str, name: str = "value") -> float:
    """Parse user-typed text into a finite float, or raise NumberError naming what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise NumberError(f"{name} is empty: type a number such as 0.001 or 1e-3")
    if re.fullmatch(r"[+-]?\d+,\d+([eE][+-]?\d+)?", stripped):
        suggestion = stripped.replace(",", ".")
        raise NumberError(
            f"{name} {stripped!r} uses a comma: write the decimal point as a dot ({suggestion})"
        )
    try:
        value = float(stripped)
    except ValueError:
        raise NumberError(
            f"{name} {stripped!r} is not a number: type one such as 0.001 or 1e-3"
        ) from None
    if math.isnan(value):
        raise NumberError(f"{name} {stripped!r} is not a number (NaN): type a finite number")
    if math.isinf(value):
        if re.fullmatch(r"[+-]?(inf|infinity)", stripped, re.IGNORECASE):
            raise NumberError(f"{name} {stripped!r} is infinite: type a finite number")
        raise NumberError(f"{name} {stripped!r} is too large to represent: type a finite number")
    return value


def parse_scalar(text: str) -> bool | int | float | str | None:
    """A command-line or settings value: true/false, none, an int, a float, else the text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    if re.fullmatch(r"[+-]?\d+", lowered):
        return int(lowered)
    try:
        return float(text)
    except ValueError:
        return text.strip()
