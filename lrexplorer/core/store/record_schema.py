"""What each field of a saved run record must hold, checked when one is read, so that a
hand-edited or foreign file is refused with a reason instead of breaking the runs list later."""

from __future__ import annotations

import dataclasses
from typing import Any

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig

# What each saved field must be; None is always allowed (the field keeps its default).
_NUMBER = (int, float)
FIELD_KINDS: dict[str, Any] = {
    "label": str, "status": str, "created": str, "seconds": _NUMBER, "error": str, "notes": str,
    "prediction": str, "data_source": str, "data_notice": str, "optimizer_config": dict,
    "steps_per_epoch": int, "total_steps": int, "train_samples": int, "test_samples": int,
    "versions": dict, "epochs": list, "lr_changes": list, "last_batch": dict,
}  # fmt: skip
_ROW_NUMBERS = ("step", "loss", "accuracy", "val_loss", "val_accuracy", "seconds",
                "learning_rate", "mean_loss", "mean_accuracy")  # fmt: skip
# RunConfig fields whose default is None, by what they hold when set; the others hold what
# their default is.
_CONFIG_KINDS: dict[str, Any] = {
    "learning_rate": _NUMBER, "data_path": str, "train_samples": int, "test_samples": int,
    "schedule": ScheduleConfig,
}  # fmt: skip


def _kind_name(kind: Any) -> str:
    names = {str: "text", int: "a whole number", dict: "a table", list: "a list"}
    return "a number" if kind == _NUMBER else names.get(kind, getattr(kind, "__name__", "?"))


def _wrong(field: str, value: Any, kind: Any) -> ValueError:
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return ValueError(f"{field} is {shown}, not {_kind_name(kind)}")


def check_record_types(data: dict[str, Any]) -> None:
    """ValueError naming the first saved field that is not what a record holds there."""
    for key, kind in FIELD_KINDS.items():
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            raise _wrong(key, value, kind)
    if data["status"] not in ev.STATUSES:
        raise ValueError(f"status {data['status']!r} is not one of {', '.join(ev.STATUSES)}")
    for key in ("epochs", "lr_changes", "last_batch"):
        rows = data.get(key) or []
        for row in [rows] if isinstance(rows, dict) else rows:
            if not isinstance(row, dict):
                raise _wrong(f"a row of {key}", row, dict)
            for name in _ROW_NUMBERS:
                value = row.get(name)
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, _NUMBER)
                ):
                    raise _wrong(f"{key} {name}", value, _NUMBER)


def check_config_types(config: RunConfig) -> None:
    """ValueError naming the first setting of a read config that is of the wrong type (its
    values are checked against Keras only when the run is trained again)."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        kind = _CONFIG_KINDS.get(f.name, type(f.default))
        if value is None and f.name in _CONFIG_KINDS:
            continue
        if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
            raise _wrong(f"config {f.name}", value, kind)
