"""RunRecord: one run's config, status and history; RunStore: runs saved as JSON files.

A record is built by folding the trainer's events into it (`apply`), the same way on the command
line and in the window. A store keeps each run as two files: `<id>.json` (config, status,
per-epoch results: small, read at start-up) and `<id>.history.json` (every batch, read when a
run is plotted). Both are written atomically, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
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
        pieces += [(c["step"], c["learning_rate"]) for c in self.lr_changes]
        return pieces

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
        return _finite_or_none(data)

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
        record.batches = None if batches is None else _read_batches(batches)
        return record


def _read_batches(batches: dict[str, Any]) -> dict[str, list[float]]:
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


def _finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: a diverged run's last loss is saved as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    return value


def versions() -> dict[str, str]:
    from lrexplorer.core.keras_api.loader import keras_version

    return {"lrexplorer": __version__, "keras": keras_version()}


TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600.0  # a leftover whose writer cannot be told apart is removed after this


class StoreError(OSError):
    """Saving or deleting a run failed; the message says which file and why."""


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that `path` holds either the old or the complete new text, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's process id in the name tells a crashed save's leftover from one in progress.
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), allow_nan=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RunStore:
    """A folder of saved runs."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _main(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.json"

    def _history(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.history.json"

    def save(self, record: RunRecord) -> None:
        """Save atomically (history first; the main file is the commit point)."""
        try:
            if record.batches is not None:
                write_json_atomic(self._history(record.id), _finite_or_none(record.batches))
            write_json_atomic(self._main(record.id), record.to_dict(with_batches=False))
        except OSError as error:
            raise StoreError(
                f"could not save run {record.label or record.id} in {self.folder}: "
                f"{error.strerror or error}"
            ) from error

    def load_all(self) -> tuple[list[RunRecord], list[str]]:
        """Every readable run, oldest first, histories not yet read; and, per file that cannot
        be read, a warning "<file name>: <why>".

        Leftovers of a save that crashed are never read, and are removed (remove_leftovers).
        """
        records, warnings = [], []
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError as error:
            return [], [f"could not read the runs folder {self.folder}: {error}"]
        self.remove_leftovers(paths)
        for path in paths:
            if path.name.endswith(".history.json") or path.name.startswith("."):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                record = RunRecord.from_dict(data)
                record.batches = None
                records.append(record)
            except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
                warnings.append(f"{path.name}: {_reason(error)}")
        records.sort(key=lambda r: (r.created, r.id))
        return records, warnings

    def remove_leftovers(self, paths: list[Path] | None = None) -> int:
        """Delete what crashed saves left: temporary files whose writer has ended (or that are
        an hour old) and histories whose run file was never written. Returns how many."""
        now = time.time()
        paths = list(self.folder.glob("*.json")) if paths is None else paths
        runs = {p.name for p in paths}
        doomed = [p for p in self.folder.glob(f".*{TEMP_SUFFIX}") if _writer_gone(p, now)]
        doomed += [
            p
            for p in paths
            if p.name.endswith(".history.json")
            and p.name.removesuffix(".history.json") + ".json" not in runs
            and _age(p, now) > STALE_SECONDS
        ]
        removed = 0
        for path in doomed:
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed

    def load_history(self, record: RunRecord) -> None:
        """Fill in record.batches from disk (an empty table if the file is missing or bad)."""
        if record.batches is not None:
            return
        try:
            record.batches = _read_batches(
                json.loads(self._history(record.id).read_text(encoding="utf-8"))
            )
        except (OSError, ValueError, TypeError):
            record.batches = empty_batches()

    def delete(self, run_id: str) -> None:
        try:
            self._main(run_id).unlink(missing_ok=True)
            self._history(run_id).unlink(missing_ok=True)
        except OSError as error:
            raise StoreError(f"could not delete run {run_id}: {error.strerror or error}") from error


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: damaged or cut short (line {error.lineno}, column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "not text (not a run file, or damaged)"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _writer_gone(temp: Path, now: float) -> bool:
    """A temporary file is a leftover if the process that wrote it has ended, or if it is old
    (its writer cannot be told: written by an older version, or on another machine)."""
    if _age(temp, now) > STALE_SECONDS:
        return True
    # ".<file>.<pid>.<random>.tmp", as write_json_atomic names it
    parts = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    return not _process_alive(int(parts[1]))


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def save_record_json(record: RunRecord, path: str | os.PathLike[str]) -> None:
    """One self-contained JSON file (config, history, status): the CLI's --json output."""
    write_json_atomic(Path(path), record.to_dict(with_batches=True))


def load_record_json(path: str | os.PathLike[str]) -> RunRecord:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return RunRecord.from_dict(data)
