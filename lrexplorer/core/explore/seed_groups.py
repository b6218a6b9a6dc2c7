"""Runs of one setting repeated with other seeds, as a group: the mean and spread of how they
ended, their curves as a mean with a band, and whether two settings differ by more than the
seeds do, said in words.

A group is derived, not stored: runs whose configs are equal but for the seed (labels.setting_key)
form one, wherever they came from, so runs saved before seeds existed group as well. A run whose
rate was changed live did not train as its config says, and stays a group of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore.labels import class_name_of, run_label, series_name, setting_key
from lrexplorer.core.store.records import RunRecord

METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
METRIC_NAMES = {"loss": "final loss", "accuracy": "accuracy", "val_loss": "validation loss",
                "val_accuracy": "validation accuracy"}  # fmt: skip
MIN_MAX, STD = "min-max", "std"  # what a band spans: the seeds' range, or the mean +- 1 std


@dataclass(frozen=True)
class Spread:
    """Finite values of one measure over a group's runs. `std` is the sample standard deviation
    (n - 1), 0 for one run."""

    n: int
    mean: float
    std: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Spread | None:
        """The spread of the finite values; None when there are none."""
        finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
        if not finite.size:
            return None
        std = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
        return cls(int(finite.size), float(finite.mean()), std, float(finite.min()),
                   float(finite.max()))  # fmt: skip

    def overlaps(self, other: Spread) -> bool:
        """The two ranges (lowest to highest run) share a value."""
        return self.low <= other.high and other.low <= self.high

    def text(self, percent: bool = False) -> str:
        """ "91.02% +- 0.15 (90.85-91.13)" or "0.389 +- 0.004 (0.385-0.393)": mean +- std
        (lowest-highest); one run: its value."""
        scale, unit, digits = (100.0, "%", 2) if percent else (1.0, "", 3)
        mean = f"{scale * self.mean:.{digits}f}{unit}"
        if self.n == 1:
            return mean
        return (f"{mean} +- {scale * self.std:.{digits}f} "
                f"({scale * self.low:.{digits}f}-{scale * self.high:.{digits}f})")  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "mean": self.mean, "std": self.std, "min": self.low,
                "max": self.high}  # fmt: skip


@dataclass(frozen=True, eq=False)
class SeedGroup:
    """A setting's runs, one per seed (or a single run). Final values count the runs that
    finished; a diverged or stopped run has no honest final value."""

    setting: RunConfig  # the config with seed 0
    label: str  # "RMSprop 1e-3": the setting, without a seed
    series: str  # "RMSprop": what changes along a curve of the summary is the rate
    run_ids: tuple[str, ...]
    seeds: tuple[int, ...]
    statuses: tuple[str, ...]
    finals: dict[str, Spread | None] = field(default_factory=dict)
    seconds: Spread | None = None

    @property
    def n(self) -> int:
        return len(self.run_ids)

    @property
    def finished(self) -> int:
        return sum(status == ev.FINISHED for status in self.statuses)

    @property
    def learning_rate(self) -> float | None:
        return self.setting.learning_rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "series": self.series,
            "learning_rate": self.learning_rate,
            "runs": list(self.run_ids),
            "seeds": list(self.seeds),
            "statuses": list(self.statuses),
            **{k: None if s is None else s.to_dict() for k, s in self.finals.items()},
            "seconds": None if self.seconds is None else self.seconds.to_dict(),
        }


def group_key(record: RunRecord) -> Any:
    """What the runs of one group share: the setting; a run changed live is alone."""
    return (setting_key(record.config), record.id if record.lr_changes else None)


def members_of(records: Sequence[RunRecord]) -> list[list[RunRecord]]:
    """The records split by group, in the order each group first appears."""
    members: dict[Any, list[RunRecord]] = {}
    for record in records:
        members.setdefault(group_key(record), []).append(record)
    return list(members.values())


def group_records(records: Sequence[RunRecord]) -> list[SeedGroup]:
    """The records' groups, in the order each first appears."""
    return [_group(runs) for runs in members_of(records)]


def _group(runs: list[RunRecord]) -> SeedGroup:
    first = runs[0]
    class_name = first.optimizer_config.get("class_name") or class_name_of(first.config.optimizer)
    finished = [r for r in runs if r.status == ev.FINISHED]
    return SeedGroup(
        setting=setting_key(first.config),
        label=run_label(first.config, class_name),
        series=series_name(first.config, class_name),
        run_ids=tuple(r.id for r in runs),
        seeds=tuple(r.config.seed for r in runs),
        statuses=tuple(r.status for r in runs),
        finals={name: Spread.of([r.final(name) for r in finished]) for name in METRICS},
        seconds=Spread.of([r.seconds for r in runs if r.status != ev.RUNNING]),
    )


def is_seeded(groups: Sequence[SeedGroup]) -> bool:
    """Some setting was run with more than one seed."""
    return any(len(set(g.seeds)) > 1 for g in groups)


# --- curves --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Band:
    """A group's curves on shared steps: the mean, and the band around it (low to high)."""

    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    count: np.ndarray  # how many runs have a value at each step


def aligned_band(curves: Sequence[tuple[np.ndarray, np.ndarray]], kind: str = MIN_MAX) -> Band:
    """Mean and band of several (step, value) curves, step by step, over the steps every curve
    reached (a run stopped early would make the mean jump where it ends). A step where a
    curve has no finite value (a diverged batch) counts the others. `kind`: MIN_MAX spans the
    lowest to the highest run, STD the mean +- one standard deviation."""
    curves = [(np.asarray(x, float), np.asarray(y, float)) for x, y in curves]
    curves = [(x, y) for x, y in curves if x.size]
    empty = np.empty(0)
    if not curves:
        return Band(empty, empty, empty, empty, np.empty(0, dtype=int))
    last = min(x[-1] for x, _ in curves)
    steps = np.unique(np.concatenate([x[x <= last] for x, _ in curves]))
    table = np.full((len(curves), steps.size), np.nan)
    for row, (x, y) in enumerate(curves):
        keep = (x <= last) & np.isfinite(y)
        table[row, np.searchsorted(steps, x[keep])] = y[keep]
    count = np.isfinite(table).sum(axis=0)
    present = count > 0
    steps, table, count = steps[present], table[:, present], count[present]
    if not steps.size:
        return Band(empty, empty, empty, empty, np.empty(0, dtype=int))
    mean = np.nanmean(table, axis=0)
    if kind == STD:
        deviation = np.zeros_like(mean)
        several = count > 1
        deviation[several] = np.nanstd(table[:, several], axis=0, ddof=1)
        low, high = mean - deviation, mean + deviation
    else:
        low, high = np.nanmin(table, axis=0), np.nanmax(table, axis=0)
    return Band(steps, mean, low, high, count)


# --- in words ------------------------------------------------------------------------------
def _after(groups: Sequence[SeedGroup]) -> str:
    epochs = {g.setting.epochs for g in groups}
    if len(epochs) != 1:
        return ""
    count = epochs.pop()
    return " after one epoch" if count == 1 else f" after {count} epochs"


def short_names(groups: Sequence[Any]) -> dict[int, str]:
    """What to call each group (or anything with a label, series and learning_rate) in a
    sentence, by id(): its rate alone when all share one series."""
    same = len({g.series for g in groups}) == 1 and all(g.learning_rate for g in groups)
    return {id(g): (g.label.removeprefix(g.series).strip() if same else g.label) for g in groups}


def seed_noise_sentences(groups: Sequence[SeedGroup], metric: str = "val_accuracy") -> list[str]:
    """For each two settings next to each other in rank (by the mean of `metric`), whether
    their seeds' ranges overlap ("1e-3 and 1e-4 are within seed noise after one epoch") or not
    ("1e-4 beats 1e-5 beyond seed noise"). Only settings run with two seeds or more count."""
    scored = [g for g in groups if (s := g.finals.get(metric)) is not None and s.n >= 2]
    if len(scored) < 2:
        return []
    higher_better = "accuracy" in metric
    ranked = sorted(scored, key=lambda g: g.finals[metric].mean, reverse=higher_better)
    names, after = short_names(ranked), _after(ranked)
    percent = "accuracy" in metric
    what = METRIC_NAMES[metric]
    sentences = []
    for ahead, behind in zip(ranked, ranked[1:], strict=False):
        a, b = ahead.finals[metric], behind.finals[metric]
        seeds = f"{a.n} seeds each" if a.n == b.n else f"{a.n} and {b.n} seeds"
        first, second = names[id(ahead)], names[id(behind)]
        detail = (f"over {seeds}, their {what} ranges {{}} ({first}: {_range(a, percent)}, "
                  f"{second}: {_range(b, percent)}).")  # fmt: skip
        if a.overlaps(b):
            head = f"{first} and {second} are within seed noise{after}: "
            sentences.append(head + detail.format("overlap"))
        else:
            head = f"{first} beats {second} beyond seed noise{after}: "
            sentences.append(head + detail.format("do not overlap"))
    return sentences


def _range(spread: Spread, percent: bool) -> str:
    if percent:
        return f"{100 * spread.low:.1f}-{100 * spread.high:.1f}%"
    return f"{spread.low:.3f}-{spread.high:.3f}"


def best_group(groups: Sequence[SeedGroup], metric: str = "val_accuracy") -> SeedGroup | None:
    """The group with the best mean of `metric` over its finished runs (validation accuracy:
    ties go to the lower mean validation loss, as SweepSummary's best run)."""
    scored = [g for g in groups if g.finals.get(metric) is not None]
    if not scored:
        return None
    sign = 1.0 if "accuracy" in metric else -1.0

    def score(group: SeedGroup) -> tuple[float, float]:
        val_loss = group.finals.get("val_loss")
        return (sign * group.finals[metric].mean, -val_loss.mean if val_loss else -math.inf)

    return max(scored, key=score)


def groups_text(groups: Sequence[SeedGroup]) -> str:
    """An aligned table of each setting's mean +- std (min-max) over its seeds, for the
    terminal; the best mean validation accuracy is marked with *."""
    best = best_group(groups)
    header = ("", "setting", "finished", "val_accuracy", "loss", "time")
    lines = [header]
    for group in groups:
        accuracy, loss = group.finals.get("val_accuracy"), group.finals.get("loss")
        lines.append(
            (
                "*" if group is best else "",
                group.label,
                f"{group.finished}/{group.n}",
                "-" if accuracy is None else accuracy.text(percent=True),
                "-" if loss is None else loss.text(),
                "-" if group.seconds is None else f"{group.seconds.mean:.1f}s",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        text.append((f"{line[0]:1} " + "  ".join(cells)).rstrip())
    return "\n".join(text)
