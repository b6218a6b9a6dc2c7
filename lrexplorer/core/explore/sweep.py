"""Learning-rate sweeps: many runs that differ only in rate and optimizer, checked before any
trains, and the summary that compares how they ended.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.config.number_text import (
    NumberError,
    compact_number,
    format_number,
    parse_float,
)
from lrexplorer.core.explore.labels import class_name_of, run_label, series_name
from lrexplorer.core.keras_api.validation import (
    ConfigError,
    Problem,
    check_config,
    check_learning_rate,
)
from lrexplorer.core.store.records import RunRecord

# A sweep is for comparing a handful of runs side by side; hundreds is a typo in a range.
MAX_RUNS = 50
# Enough to see a setting's noise; more is better spent on more settings (and MAX_RUNS counts
# every seed's run).
MAX_SEEDS = 10
SIGNIFICANT_DIGITS = 3
NOT_RUN = "not run"  # a queued run the sweep was cancelled before reaching


class SweepError(ConfigError):
    """A sweep that cannot start; each problem names the entry at fault."""


def log_spaced(low: float, high: float, count: int) -> list[float]:
    """`count` rates from `low` to `high` inclusive, evenly spaced on a log scale and rounded to
    3 significant digits so they read well as labels: 1e-4, 4.64e-4, 2.15e-3, 1e-2."""
    problems = []
    for name, value in (("range start", low), ("range end", high)):
        try:
            check_learning_rate(value, name)
        except ValueError as error:
            problems.append(Problem("learning_rate", str(error)))
    if isinstance(count, bool) or not isinstance(count, int) or count < 2:
        problems.append(
            Problem("count", f"a range needs at least 2 values (got {count!r}); for one, list it")
        )
    elif count > MAX_RUNS:
        problems.append(Problem("count", f"{count} values is too many: at most {MAX_RUNS}"))
    if problems:
        raise SweepError(problems)
    if low == high:
        raise SweepError([Problem("learning_rate", "the range start and end are the same rate")])
    a, b = math.log10(low), math.log10(high)
    rates = [_rounded(10 ** (a + (b - a) * i / (count - 1))) for i in range(count)]
    repeated = _first_repeat(rates)
    if repeated is not None:
        raise SweepError(
            [
                Problem(
                    "count",
                    f"{count} values from {compact_number(low)} to {compact_number(high)} repeat "
                    f"{compact_number(repeated)} once rounded: widen the range or use fewer values",
                )
            ]
        )
    return rates


def _rounded(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _first_repeat(values: Sequence[Any]) -> Any:
    seen = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


def parse_rates(text: str) -> list[float]:
    """Rates typed as a list, "1e-3, 1e-4 1e-5" (commas, semicolons or spaces between)."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if not parts:
        raise SweepError([Problem("learning_rate", "type one or more rates, e.g. 1e-3, 1e-4")])
    rates, problems = [], []
    for index, part in enumerate(parts, 1):
        try:
            rates.append(parse_float(part, f"rate {index}"))
        except NumberError as error:
            problems.append(Problem("learning_rate", str(error)))
    if problems:
        raise SweepError(problems)
    return rates


def sweep_configs(
    base: RunConfig,
    rates: Sequence[float] | None = None,
    log_range: tuple[float, float, int] | None = None,
    optimizers: Sequence[str] | None = None,
    seeds: int = 1,
) -> list[RunConfig]:
    """One checked config per (optimizer, rate), optimizer by optimizer, repeated over `seeds`
    seeds as with_seeds does; SweepError otherwise.

    Without rates or a range every optimizer runs at `base.learning_rate` (None: each its own
    Keras default). Each optimizer keeps the base's parameters it accepts; a parameter no
    optimizer of the sweep accepts is kept, so the check reports it instead of dropping it.
    """
    if rates is not None and log_range is not None:
        raise SweepError([Problem("learning_rate", "give a list of rates or a range, not both")])
    if log_range is not None:
        rates = log_spaced(*log_range)
    elif rates is not None:
        rates = _checked_rates(rates)
    else:
        rates = [base.learning_rate]
    names = _checked_optimizers(optimizers or [base.optimizer])
    _check_seeds(seeds)
    total = len(rates) * len(names) * seeds
    if total > MAX_RUNS:
        what = f"{len(rates)} rates x {len(names)} optimizers" + (
            f" x {seeds} seeds" if seeds > 1 else ""
        )
        raise SweepError(
            [Problem("learning_rate", f"{what} is {total} runs: a sweep has at most {MAX_RUNS}")]
        )
    configs = []
    for name in names:
        params = _params_for(base, name, names)
        configs.extend(
            base.replace(optimizer=name, learning_rate=rate, params=params) for rate in rates
        )
    return with_seeds(check_all(configs), seeds)


def with_seeds(configs: Sequence[RunConfig], seeds: int) -> list[RunConfig]:
    """Each config repeated with `seeds` seeds counting up from its own (seed, seed + 1, ...),
    seed by seed: every setting runs once before any repeats, so the first pass already shows
    the lesson and the repeats show how much of it is noise. SweepError over MAX_RUNS runs."""
    _check_seeds(seeds)
    total = len(configs) * seeds
    if total > MAX_RUNS:
        raise SweepError(
            [
                Problem(
                    "seed",
                    f"{len(configs)} runs x {seeds} seeds is {total} runs: a sweep has at most "
                    f"{MAX_RUNS}",
                )
            ]
        )
    return [c.replace(seed=c.seed + offset) for offset in range(seeds) for c in configs]


def _check_seeds(seeds: int) -> None:
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise SweepError(
            [Problem("seed", f"seeds must be a whole number from 1 to {MAX_SEEDS} (got {seeds!r})")]
        )


def check_all(configs: Sequence[RunConfig]) -> list[RunConfig]:
    """Every config resolved by check_config, or one SweepError with each distinct problem."""
    checked, problems, seen = [], [], set()
    for config in configs:
        try:
            checked.append(check_config(config))
        except ConfigError as error:
            for problem in error.problems:
                if problem.message not in seen:  # data problems repeat for every run
                    seen.add(problem.message)
                    problems.append(problem)
    if not configs:
        problems.append(Problem("learning_rate", "the sweep has no runs"))
    if problems:
        raise SweepError(problems)
    return checked


def _checked_rates(rates: Sequence[Any]) -> list[float]:
    problems, checked = [], []
    for index, rate in enumerate(rates, 1):
        try:
            checked.append(check_learning_rate(rate, f"learning rate #{index}"))
        except ValueError as error:
            problems.append(Problem("learning_rate", str(error)))
    repeated = _first_repeat(checked)
    if repeated is not None:
        problems.append(
            Problem("learning_rate", f"learning rate {format_number(repeated)} is listed twice")
        )
    if not rates:
        problems.append(Problem("learning_rate", "the list of learning rates is empty"))
    if problems:
        raise SweepError(problems)
    return checked


def _checked_optimizers(names: Sequence[str]) -> list[str]:
    from lrexplorer.core.keras_api.optimizers import registry

    found, problems = [], []
    for name in names:
        try:
            found.append(registry().get(name).name)
        except KeyError as error:
            problems.append(Problem("optimizer", error.args[0]))
    repeated = _first_repeat(found)
    if repeated is not None:
        problems.append(Problem("optimizer", f"optimizer {repeated!r} is listed twice"))
    if problems:
        raise SweepError(problems)
    return found


def _params_for(base: RunConfig, name: str, names: Sequence[str]) -> dict[str, Any]:
    from lrexplorer.core.keras_api.optimizers import registry

    specs = [registry().get(n) for n in names]
    spec = registry().get(name)
    return {
        key: value
        for key, value in base.params
        if spec.has_param(key) or not any(s.has_param(key) for s in specs)
    }


# --- the summary ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepRow:
    """How one run of a sweep ended. Numbers are None when the run has none (or NaN/inf when
    it diverged)."""

    id: str
    label: str
    series: str  # the runs one curve joins: same optimizer and settings, other rates
    optimizer: str
    learning_rate: float | None
    status: str
    loss: float | None
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    seconds: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            name: (value if not isinstance(value, float) or math.isfinite(value) else None)
            for name, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class SweepSummary:
    """The runs of a sweep side by side, and the best one: the highest final validation
    accuracy among the runs that finished (ties go to the lower validation loss)."""

    rows: tuple[SweepRow, ...]
    best: SweepRow | None

    @classmethod
    def from_records(cls, records: Sequence[RunRecord]) -> SweepSummary:
        rows = tuple(_row(record) for record in records)
        scored = [r for r in rows if r.status == ev.FINISHED and _finite(r.val_accuracy)]
        best = max(scored, key=_score, default=None)
        return cls(rows, best)

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": None if self.best is None else self.best.id,
            "best_label": None if self.best is None else self.best.label,
            "runs": [row.to_dict() for row in self.rows],
        }

    def to_text(self) -> str:
        """An aligned table for the terminal; the best run is marked with *."""
        header = ("", "run", "status", "loss", "accuracy", "val_accuracy", "time")
        lines = [header]
        for row in self.rows:
            lines.append(
                (
                    "*" if row is self.best else "",
                    row.label,
                    row.status,
                    _cell(row.loss),
                    _cell(row.accuracy),
                    _cell(row.val_accuracy),
                    f"{row.seconds:.1f}s" if row.status != NOT_RUN else "-",
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        text = []
        for line in lines:
            cells = [line[1].ljust(widths[1]), line[2].ljust(widths[2])]
            cells += [cell.rjust(width) for cell, width in zip(line[3:], widths[3:], strict=True)]
            text.append(f"{line[0]:1} " + "  ".join(cells))
        if self.best is not None:
            text.append(
                f"* best: {self.best.label} (validation accuracy {self.best.val_accuracy:.4f})"
            )
        else:
            text.append("no run finished, so there is no best run")
        return "\n".join(text)


def _score(row: SweepRow) -> tuple[float, float]:
    val_loss = row.val_loss if _finite(row.val_loss) else math.inf
    return (row.val_accuracy or 0.0, -val_loss)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else "inf"
    return f"{value:.4f}"


def _row(record: RunRecord) -> SweepRow:
    config = record.config
    class_name = record.optimizer_config.get("class_name") or class_name_of(config.optimizer)
    label = record.label or run_label(config, class_name)
    status = record.status
    if status == ev.RUNNING and record.steps_done == 0:
        status = NOT_RUN
    loss = record.final("loss")
    return SweepRow(
        id=record.id,
        label=label,
        series=series_name(config, class_name),
        optimizer=class_name,
        learning_rate=config.learning_rate,
        status=status,
        loss=loss,
        accuracy=record.final("accuracy"),
        val_loss=record.final("val_loss"),
        val_accuracy=record.final("val_accuracy"),
        seconds=record.seconds,
        error=record.error,
    )
