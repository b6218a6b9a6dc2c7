"""Sessions: a set of runs in one self-contained `.lrsession` file (JSON), to open the same
lesson on another machine. Damaged runs inside are skipped with a warning, not fatal."""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lrexplorer import __version__
from lrexplorer.core import events as ev
from lrexplorer.core.store.files import write_json_atomic
from lrexplorer.core.store.records import RunRecord, new_run_id

SESSION_SCHEMA = 1
SESSION_FORMAT = "lrexplorer-session"  # tells a session from a single run's JSON or any JSON
SUFFIX = ".lrsession"


def save_session(
    records: Iterable[RunRecord],
    path: str | os.PathLike[str],
    title: str = "",
    load_history: Callable[[RunRecord], None] | None = None,
) -> Path:
    """Write every record, with its full history, into one file, atomically; return its path.

    `load_history` (e.g. RunStore.load_history) fills in histories not yet read from disk; a
    record whose history is still missing is saved without it. A run still in progress is saved
    as stopped: nobody can continue it from the file.
    """
    runs = []
    for record in records:
        if record.batches is None and load_history is not None:
            load_history(record)
        data = record.to_dict(with_batches=True)
        if data["status"] == ev.RUNNING:
            data["status"] = ev.STOPPED
        runs.append(data)
    target = Path(path)
    write_json_atomic(
        target,
        {
            "format": SESSION_FORMAT,
            "schema": SESSION_SCHEMA,
            "title": title,
            "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "lrexplorer": __version__,
            "runs": runs,
        },
    )
    return target


def load_session(path: str | os.PathLike[str]) -> tuple[str, list[RunRecord], list[str]]:
    """(title, records, warnings). A run that cannot be read is skipped with a warning naming
    it; a file that is not a readable session raises ValueError naming the file."""
    source = Path(path)
    data = _read(source)
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise ValueError(f"{source.name} is not a usable lrexplorer session: it lists no runs")
    title = data.get("title")
    records, warnings = [], []
    for number, entry in enumerate(runs, start=1):
        try:
            records.append(RunRecord.from_dict(entry))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            warnings.append(f"skipped {_describe(entry, number)} in {source.name}: {error}")
    return (title if isinstance(title, str) else ""), records, warnings


def _read(source: Path) -> dict[str, Any]:
    try:
        text = source.read_bytes().decode("utf-8")
    except OSError as error:
        raise ValueError(f"could not read {source.name}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"{source.name} is not an lrexplorer session (not text)") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{source.name} is damaged or incomplete (not valid JSON: {error.msg} at line "
            f"{error.lineno}); if it was copied, copy it again"
        ) from error
    if not isinstance(data, dict) or data.get("format") != SESSION_FORMAT:
        raise ValueError(f"{source.name} is not an lrexplorer session")
    schema = data.get("schema")
    if not isinstance(schema, int):
        raise ValueError(f"{source.name} is not a usable lrexplorer session: no schema version")
    if schema > SESSION_SCHEMA:
        raise ValueError(
            f"{source.name} was saved by a newer lrexplorer (session schema {schema}; this one "
            f"reads up to {SESSION_SCHEMA}): update lrexplorer to open it"
        )
    return data


def _describe(entry: object, number: int) -> str:
    """Names a damaged entry: run 3 ("SGD 0.01"), by its label or id if it still has one."""
    name = ""
    if isinstance(entry, dict):
        name = entry.get("label") or entry.get("id") or ""
    return f'run {number} ("{name}")' if isinstance(name, str) and name else f"run {number}"


def adopt(records: Iterable[RunRecord], taken: Iterable[str]) -> list[RunRecord]:
    """The records, each with a new id if `taken` (ids already here) holds it or an earlier
    record took it, so that opening a session never overwrites a run."""
    used = set(taken)
    adopted = []
    for record in records:
        if record.id in used:
            record.id = new_run_id()
            while record.id in used:  # two in the same second with the same 24 random bits
                record.id = new_run_id()
        used.add(record.id)
        adopted.append(record)
    return adopted
