"""The window's saved runs: read at start-up, saved when a run ends or is edited, deleted on
request. A run that cannot be saved (a full disk, a read-only folder) stays in the window and is
saved again with the next run and when the window closes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import RunStore, StoreError
from lrexplorer.gui.window.banner import MessageBanner


def default_runs_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "runs"


class RunKeeper:
    """A RunStore that says what went wrong in the window's banner, and retries what failed."""

    def __init__(self, folder: str | Path | None, banner: MessageBanner) -> None:
        self.store = RunStore(folder or default_runs_folder())
        self.banner = banner
        self._unsaved: dict[str, RunRecord] = {}  # runs whose saving failed, tried again later

    def load_all(self) -> list[RunRecord]:
        """Every saved run (histories not yet read); unreadable files are named in the banner."""
        records, warnings = self.store.load_all()
        if warnings:
            count = len(warnings)
            shown = "; ".join(warnings[:2])
            if count > 2:
                shown += f"; and {count - 2} more (point here for the list)"
            self.banner.show_message(
                f"Left out {count} saved run{'s' if count > 1 else ''} that could not be read "
                f"({shown}). The files stay in {self.store.folder}.",
                "warning",
                "\n".join(warnings),
            )
        return records

    def save(self, record: RunRecord) -> bool:
        """Save `record`, and any run that could not be saved before; a failure is said in the
        banner. True if `record` is saved."""
        self._unsaved.pop(record.id, None)
        failed = None
        for pending in [record, *self._unsaved.values()]:
            try:
                self.store.save(pending)
            except StoreError as error:
                self._unsaved[pending.id] = pending
                failed = failed or error
            else:
                self._unsaved.pop(pending.id, None)
        if failed is not None:
            reason = str(failed)
            self.banner.show_message(
                f"{reason[:1].upper()}{reason[1:]}. The run stays in this window and is saved "
                "again with the next run and when the window closes; File > Save session… "
                "keeps a copy elsewhere.",
                "error",
            )
        return record.id not in self._unsaved

    def save_unsaved(self) -> None:
        for record in list(self._unsaved.values()):
            self.save(record)

    def delete(self, records: list[RunRecord]) -> None:
        for record in records:
            self._unsaved.pop(record.id, None)
            try:
                self.store.delete(record.id)
            except StoreError as error:
                self.banner.show_message(str(error), "error")
