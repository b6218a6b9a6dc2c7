"""RunRecord: one run's config, status and history, and how it reads and writes as JSON.

A record is built by folding the trainer's events into it (`apply`), the same way on the command
line and in the window; core/store/run_store.py keeps records in a folder.
"""

from __future__ import annotations

import datetime as _dt
import math
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from lrexplorer import __version__
from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.record_schema import FIELD_KINDS, check_config_types, check_record_types

RECORD_SCHEMA = 1

# Per-batch columns, in BatchEnd's field order.
BATCH_FIELDS = (
    "step",
    "epoch",
    "batch",
    "loss",
    "accuracy",
    "mean_loss",
    "mean_accuracy",
    "learning_rate",
    "elapsed",
)


def new_run_id() -> str:
    """Sortable by creation time, unique across machines: 20261125-215700-1a2b3c."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def empty_batches() -> dict[str, list[float]]:
    return {name: [] for name in BATCH_FIELDS}


@dataclass
class RunRecord:
    """Everything known about one run. Mutable while the run is live; saved when it ends."""

    id: str
    config: RunConfig
    label: str = ""
    status: str = ev.RUNNING
    created: str = field(default_factory=_now)
    seconds: float = 0.0
    error: str | None = None
    notes: str = ""
    prediction: str = ""  # the class's guess before the run, shown next to the outcome
    data_source: str = ""
    data_notice: str | None = None
    optimizer_config: dict[str, Any] = field(default_factory=dict)
    steps_per_epoch: int = 0
    total_steps: int = 0
    train_samples: int = 0
    test_samples: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    epochs: list[dict[str, Any]] = field(default_factory=list)
    lr_changes: list[dict[str, Any]] = field(default_factory=list)
    # The latest batch's step and running means: what the runs list shows without the history.
    last_batch: dict[str, Any] | None = None
    # None when saved and not yet read back (RunStore.load_history fills it).
    batches: dict[str, list[float]] | None = field(default_factory=empty_batches)

    # --- building from events -------------------------------------------------------------
    def apply(self, event: ev.Event) -> None:
        """Fold one trainer event into the record."""
        if isinstance(event, ev.RunStarted):
            self.config = event.config
            self.optimizer_config = event.optimizer_config
            self.steps_per_epoch = event.steps_per_epoch
            self.total_steps = event.total_steps
            self.train_samples = event.train_samples
            self.test_samples = event.test_samples
            self.data_source = event.data_source
            self.data_notice = event.data_notice
            if not self.label:
                self.label = event.config.label(event.optimizer_config.get("class_name"))
        elif isinstance(event, ev.BatchEnd):
            assert self.batches is not None
            for name in BATCH_FIELDS:
                self.batches[name].append(getattr(event, name))
            self.last_batch = {
                "step": event.step,
                "mean_loss": event.mean_loss,
                "mean_accuracy": event.mean_accuracy,
            }
        elif isinstance(event, ev.EpochEnd):
            self.epochs.append(asdict(event))
        elif isinstance(event, ev.LearningRateChanged):
            self.lr_changes.append(asdict(event))
        elif isinstance(event, ev.RunFinished):
            self.status = event.status
            self.seconds = event.seconds
            self.error = event.error

    # --- what the runs panel shows -----------------------------------------------------------
    @property
    def steps_done(self) -> int:
        if self.last_batch:
            return self.last_batch["step"]
        return self.epochs[-1]["step"] if self.epochs else 0

    def final(self, name: str) -> float | None:
        """loss/accuracy/val_loss/val_accuracy at the end: the last epoch's, or for loss and
        accuracy of a run that ended mid-epoch (stopped, diverged), its last running mean."""
        ended_mid_epoch = self.last_batch and (
            not self.epochs or self.last_batch["step"] > self.epochs[-1]["step"]
        )
        if name in ("loss", "accuracy") and ended_mid_epoch:
            return self.last_batch[f"mean_{name}"]
        if self.epochs and self.epochs[-1].get(name) is not None:
            return self.epochs[-1][name]
        return None

    def learning_rate_history(self) -> list[tuple[int, float]]:
        """(first step, rate) pieces of a constant-rate run with live changes, in order."""
        start = self.config.learning_rate
        pieces = [(1, float(start))] if start is not None else []
        return pieces + self.rate_changes()

    def rate_changes(self) -> list[tuple[int, float]]:
        """(first step, new rate) of each live learning-rate change, in order."""
        return [(int(c["step"]), float(c["learning_rate"])) for c in self.lr_changes]

    # --- JSON ------------------------------------------------------------------------------
    def to_dict(self, with_batches: bool = True) -> dict[str, Any]:
        data = {
            "schema": RECORD_SCHEMA,
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "created": self.created,
            "seconds": self.seconds,
            "error": self.error,
            "notes": self.notes,
            "prediction": self.prediction,
            "data_source": self.data_source,
            "data_notice": self.data_notice,
            "config": self.config.to_dict(),
            "optimizer_config": self.optimizer_config,
            "steps_per_epoch": self.steps_per_epoch,
            "total_steps": self.total_steps,
            "train_samples": self.train_samples,
            "test_samples": self.test_samples,
            "versions": self.versions,
            "epochs": self.epochs,
            "lr_changes": self.lr_changes,
            "last_batch": self.last_batch,
        }
        if with_batches:
            data["batches"] = self.batches
        return finite_or_none(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """Read a record; ValueError names what is missing or too new."""
        if not isinstance(data, dict):
            raise ValueError("not a run record (expected a JSON object)")
        schema = data.get("schema")
        if not isinstance(schema, int):
            raise ValueError("not a run record (no schema version)")
        if schema > RECORD_SCHEMA:
            raise ValueError(
                f"written by a newer lrexplorer (record schema {schema}, this one reads "
                f"{RECORD_SCHEMA}); update lrexplorer to open it"
            )
        missing = [key for key in ("id", "config", "status") if key not in data]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        check_record_types(data)
        config = RunConfig.from_dict(data["config"])
        check_config_types(config)
        record = cls(id=str(data["id"]), config=config)
        for key in FIELD_KINDS:
            if key in data and data[key] is not None:
                setattr(record, key, data[key])
        if record.status == ev.RUNNING:  # read from a file, nobody is training it any more
            record.status = ev.STOPPED
        batches = data.get("batches")
        record.batches = None if batches is None else read_batches(batches)
        return record


def read_batches(batches: dict[str, Any]) -> dict[str, list[float]]:
    if not isinstance(batches, dict):
        raise ValueError("batch history is not a table")
    columns = {}
    for name in BATCH_FIELDS:
        values = batches.get(name, [])
        if not isinstance(values, list) or not all(_is_number(v) for v in values):
            raise ValueError(f"batch history column {name} is not a list of numbers")
        columns[name] = [math.nan if v is None else v for v in values]
    if len({len(c) for c in columns.values()}) > 1:
        raise ValueError("batch history columns have different lengths")
    return columns


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: a diverged run's last loss is saved as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(v) for v in value]
    return value


def versions() -> dict[str, str]:
    from lrexplorer.core.keras_api.loader import keras_version

    return {"lrexplorer": __version__, "keras": keras_version()}
