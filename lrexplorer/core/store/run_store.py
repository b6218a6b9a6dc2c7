"""RunStore: a folder of saved runs, each as two files: `<id>.json` (config, status, per-epoch
results: small, read at start-up) and `<id>.history.json` (every batch, read when a run is
plotted). Both are written atomically, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from lrexplorer.core.store.files import (
    STALE_SECONDS,
    TEMP_SUFFIX,
    age,
    write_json_atomic,
    writer_gone,
)
from lrexplorer.core.store.records import RunRecord, empty_batches, finite_or_none, read_batches


class StoreError(OSError):
    """Saving or deleting a run failed; the message says which file and why."""


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
                write_json_atomic(self._history(record.id), finite_or_none(record.batches))
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
        doomed = [p for p in self.folder.glob(f".*{TEMP_SUFFIX}") if writer_gone(p, now)]
        doomed += [
            p
            for p in paths
            if p.name.endswith(".history.json")
            and p.name.removesuffix(".history.json") + ".json" not in runs
            and age(p, now) > STALE_SECONDS
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
            record.batches = read_batches(
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


def save_record_json(record: RunRecord, path: str | os.PathLike[str]) -> None:
    """One self-contained JSON file (config, history, status): the CLI's --json output."""
    write_json_atomic(Path(path), record.to_dict(with_batches=True))


def load_record_json(path: str | os.PathLike[str]) -> RunRecord:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return RunRecord.from_dict(data)
