"""File > Save session / Open session: a set of runs in one .lrsession file (core/session.py);
opened runs join the runs list and the local run store, never replacing a run already here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.session import SUFFIX, adopt, load_session, save_session

if TYPE_CHECKING:
    from lrexplorer.gui.window.main_window import MainWindow

FILE_FILTER = f"lrexplorer sessions (*{SUFFIX})"


def save_session_file(
    window: MainWindow, records: list[RunRecord], path: str | Path, title: str = ""
) -> Path | None:
    """Save `records` (histories read from the store first) at `path`, ".lrsession" added if
    missing; its path, or None after saying what failed."""
    if not records:
        window.banner.show_message("There are no runs to save in a session yet.", "info")
        return None
    target = Path(path)
    if target.suffix.lower() != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    try:
        save_session(records, target, title or target.stem, load_history=window.store.load_history)
    except (OSError, TypeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        window.banner.show_message(f"Could not save the session {target.name}: {reason}", "error")
        return None
    count = f"{len(records)} run{'s' if len(records) != 1 else ''}"
    window.statusBar().showMessage(f"Saved {count} in {target.name}", 8000)
    return target


def open_session_file(window: MainWindow, path: str | Path) -> list[RunRecord]:
    """Add the session's runs to the window (ticked) and to its run store; the runs added."""
    try:
        title, records, warnings = load_session(path)
    except ValueError as error:
        window.banner.show_message(f"Could not open the session: {error}", "error")
        return []
    records = adopt(records, _ids_here(window))
    for record in records:
        window.keeper.save(record)  # a failure is said in the banner; the run stays in the window
    window.runs_panel.add_runs(records, checked=True)  # at once: a big session opens quickly
    name = f'"{title}"' if title else Path(path).name
    if warnings:
        shown = f"Opened {name} with {len(records)} runs; " + "; ".join(warnings[:2])
        more = f" (and {len(warnings) - 2} more)" if len(warnings) > 2 else ""
        window.banner.show_message(shown + more, "warning", "\n".join(warnings))
    window.statusBar().showMessage(f"Opened {name}: {len(records)} runs", 8000)
    return records


def _ids_here(window: MainWindow) -> set[str]:
    """Ids of the runs listed and of every run file in the store (a run deleted a moment ago
    is still on disk until its undo time runs out)."""
    ids = {record.id for record in window.runs_panel.records()}
    if window.controller.current is not None:
        ids.add(window.controller.current.id)
    try:
        files = list(window.store.folder.glob("*.json"))
    except OSError:
        files = []
    ids.update(f.name.removesuffix(".json").removesuffix(".history") for f in files)
    return ids
