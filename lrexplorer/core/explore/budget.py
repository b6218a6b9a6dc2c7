"""The budget view: the same learning rates trained for several epochs, read at the end of each
epoch (one run per rate, not a run per budget), to see whether a smaller rate that is behind
after one epoch catches up given more.

Reading a longer run at epoch 5 gives what a 5-epoch run gives: the rate is constant, and the
shuffles of the first epochs do not depend on how many follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lrexplorer.core.explore.seed_groups import (
    METRIC_NAMES,
    Spread,
    group_records,
    members_of,
    short_names,
)
from lrexplorer.core.store.records import RunRecord

BUDGET_EPOCHS = (1, 2, 5, 10)  # the epoch counts drawn as lines, as far as the runs reached


@dataclass(frozen=True)
class BudgetRow:
    """One setting (its seeds together) at the end of each epoch: values[e - 1] is epoch e's,
    over the runs that reached it (None: none did)."""

    label: str
    series: str
    learning_rate: float | None
    runs: int
    values: tuple[Spread | None, ...]

    def at(self, epoch: int) -> Spread | None:
        return self.values[epoch - 1] if 1 <= epoch <= len(self.values) else None

    def mean(self, epoch: int) -> float | None:
        spread = self.at(epoch)
        return None if spread is None else spread.mean


@dataclass(frozen=True)
class BudgetTable:
    """Settings x epochs of one measure (validation accuracy unless asked otherwise)."""

    metric: str
    rows: tuple[BudgetRow, ...]
    epochs: int  # the most epochs any run reached

    @classmethod
    def from_records(
        cls, records: Sequence[RunRecord], metric: str = "val_accuracy"
    ) -> BudgetTable:
        epochs = max((len(r.epochs) for r in records), default=0)
        rows = []
        for runs in members_of(records):
            group = group_records(runs)[0]
            values = tuple(
                Spread.of([r.epochs[e].get(metric) for r in runs if len(r.epochs) > e])
                for e in range(epochs)
            )
            rows.append(BudgetRow(group.label, group.series, group.learning_rate, group.n, values))
        return cls(metric, tuple(rows), epochs)

    def line_epochs(self) -> list[int]:
        """The epoch counts drawn as lines: 1, 2, 5 and 10 as far as reached, and the last."""
        shown = [e for e in BUDGET_EPOCHS if e <= self.epochs]
        if self.epochs and self.epochs not in shown:
            shown.append(self.epochs)
        return shown

    def sentences(self) -> list[str]:
        """Whether each smaller rate catches up with the next larger one of its series, and
        when: "1e-4 overtakes 1e-3 at epoch 3 (97.1% against 97.0%) and stays ahead"."""
        names = short_names(self.rows)
        result = []
        for series in dict.fromkeys(row.series for row in self.rows):
            rated = [r for r in self.rows if r.series == series and r.learning_rate]
            rated.sort(key=lambda r: r.learning_rate, reverse=True)
            for big, small in zip(rated, rated[1:], strict=False):
                sentence = self._catch_up(big, small, names)
                if sentence:
                    result.append(sentence)
        return result

    def _catch_up(self, big: BudgetRow, small: BudgetRow, names: dict[int, str]) -> str:
        shared = [e for e in range(1, self.epochs + 1) if None not in (big.at(e), small.at(e))]
        if not shared:
            return ""
        b, s = names[id(big)], names[id(small)]
        gap = {e: small.mean(e) - big.mean(e) for e in shared}
        last = shared[-1]
        ahead = [e for e in shared if gap[e] > 0]
        if not ahead:
            start = shared[0]
            return (f"{s} does not overtake {b} within {_epochs(last)}: "
                    f"{self._pair(small, big, last)} at epoch {last}"
                    f"{self._noise(small, big, last)} (behind by {self._points(-gap[start])} "
                    f"after epoch {start}).")  # fmt: skip
        first = ahead[0]
        pair = f"{self._pair(small, big, first)}{self._noise(small, big, first)}"
        if first == 1:
            text = f"{s} is ahead of {b} from the first epoch ({pair})"
        else:
            text = f"{s} overtakes {b} at epoch {first} ({pair})"
        if not all(gap[e] > 0 for e in shared if e >= first):
            return f"{text}, but is behind again at epoch {last} ({self._pair(small, big, last)})."
        if last > first and first > 1:
            text += f" and stays ahead to epoch {last}"
        clear = self._apart_from(small, big, [e for e in shared if e >= first])
        if clear is not None and self._noise(small, big, first):
            text += f", beyond seed noise from epoch {clear} on"
        return f"{text}."

    @staticmethod
    def _apart_from(small: BudgetRow, big: BudgetRow, epochs: list[int]) -> int | None:
        """The first of `epochs` from which every seed of `small` stays above every seed of
        `big`, to the last; None if it never does (or there are no seeds to tell)."""
        clear = None
        for epoch in epochs:
            a, b = small.at(epoch), big.at(epoch)
            apart = a.n >= 2 and b.n >= 2 and a.low > b.high
            clear = (clear or epoch) if apart else None
        return clear

    def _percent(self) -> bool:
        return "accuracy" in self.metric

    def _value(self, value: float, digits: int = 1) -> str:
        return f"{100 * value:.{digits}f}%" if self._percent() else f"{value:.{digits + 2}f}"

    def _points(self, gap: float) -> str:
        return f"{100 * gap:.1f} points" if self._percent() else f"{gap:.3f}"

    def _pair(self, first: BudgetRow, second: BudgetRow, epoch: int) -> str:
        """ "91.4% against 91.3%", with more digits where one would read as a tie."""
        a, b = first.mean(epoch), second.mean(epoch)
        digits = 1
        while self._value(a, digits) == self._value(b, digits) and a != b and digits < 4:
            digits += 1
        return f"{self._value(a, digits)} against {self._value(b, digits)}"

    def _noise(self, a: BudgetRow, b: BudgetRow, epoch: int) -> str:
        sa, sb = a.at(epoch), b.at(epoch)
        if sa.n >= 2 and sb.n >= 2 and sa.overlaps(sb):
            return ", within seed noise"
        return ""

    def to_text(self) -> str:
        """Settings down, epochs across, for the terminal; means over seeds."""
        seeds = max((row.runs for row in self.rows), default=1)
        head = f"{METRIC_NAMES.get(self.metric, self.metric)} at the end of each epoch"
        head += f" (mean of {seeds} seeds):" if seeds > 1 else ":"
        lines = [("epoch", *(str(e) for e in range(1, self.epochs + 1)))]
        for row in self.rows:
            cells = [row.mean(e) for e in range(1, self.epochs + 1)]
            lines.append((row.label, *("-" if v is None else self._value(v) for v in cells)))
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        text = [head]
        for line in lines:
            cells = [line[0].ljust(widths[0])]
            cells += [cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)]
            text.append("  " + "  ".join(cells))
        return "\n".join(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "epochs": self.epochs,
            "rows": [
                {
                    "label": row.label,
                    "learning_rate": row.learning_rate,
                    "runs": row.runs,
                    "values": [None if v is None else v.to_dict() for v in row.values],
                }
                for row in self.rows
            ],
            "sentences": self.sentences(),
        }


def shows_budget(records: Sequence[RunRecord]) -> bool:
    """Some run got past its first epoch: there is more than one budget to compare."""
    return any(len(record.epochs) > 1 for record in records)


def _epochs(count: int) -> str:
    return "one epoch" if count == 1 else f"{count} epochs"
