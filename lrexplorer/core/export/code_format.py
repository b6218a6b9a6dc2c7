"""Python source for values and calls, laid out as Black and ruff lay them out (79 columns):
exported code is shown on a projector and pasted into notebooks."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.config.number_text import format_number

WIDTH = 79


class Raw(str):
    """Code text to print as it is, such as a variable name."""


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] | None = None


def quoted(value: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(value, ensure_ascii=False)


def literal(value: Any) -> str:
    """One value as Python source, numbers as the user typed them."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return quoted(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as code")


def _parts(value: Any) -> tuple[str, list[tuple[str, Any]], str] | None:
    """Opening bracket, (prefix, value) items and closing bracket; None if not bracketed."""
    if isinstance(value, Call):
        items = [("", arg) for arg in value.args]
        items += [(f"{key}=", arg) for key, arg in (value.kwargs or {}).items()]
        return f"{value.function}(", items, ")"
    if isinstance(value, dict):
        return "{", [(f"{quoted(key)}: ", item) for key, item in value.items()], "}"
    if isinstance(value, list | tuple) and not isinstance(value, str):
        return "[", [("", item) for item in value], "]"
    return None


def _flat(value: Any) -> str:
    parts = _parts(value)
    if parts is None:
        return literal(value)
    opener, items, closer = parts
    return opener + ", ".join(prefix + _flat(item) for prefix, item in items) + closer


def _lines(value: Any, indent: int, prefix: str, suffix: str) -> list[str]:
    """`prefix value suffix` split the way Black and ruff format split it."""
    pad = " " * indent
    flat = pad + prefix + _flat(value) + suffix
    parts = _parts(value)
    if len(flat) <= WIDTH or parts is None or not parts[1]:
        return [flat]
    opener, items, closer = parts
    # Arguments that fit on one line stay together; a dict or list gets one item per line.
    body = " " * (indent + 4) + ", ".join(p + _flat(item) for p, item in items)
    if isinstance(value, Call) and len(body) <= WIDTH:
        return [pad + prefix + opener, body, pad + closer + suffix]
    lines = [pad + prefix + opener]
    comma = "," if len(items) > 1 else ""
    for item_prefix, item in items:
        lines += _lines(item, indent + 4, item_prefix, comma)
    return [*lines, pad + closer + suffix]


def statement(prefix: str, value: Any) -> list[str]:
    return _lines(value, 0, prefix, "")


def comment(text: str | None) -> list[str]:
    return textwrap.wrap(text or "", WIDTH, initial_indent="# ", subsequent_indent="# ")
