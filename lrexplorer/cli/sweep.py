"""`lrexplorer sweep`: several runs (rates x optimizers x seeds, or a classroom preset), then a
table of how each ended and which did best, each setting's mean and spread over its seeds, and
the budget table after several epochs; --json keeps every run, --plot draws the summary."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

from lrexplorer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    add_config_options,
    add_verb,
    check_output,
    config_from_args,
    load_data,
)
from lrexplorer.cli.plot_files import add_plot_option, check_plot, write_plot
from lrexplorer.cli.progress import ProgressPrinter
from lrexplorer.cli.signals import StopOnInterrupt
from lrexplorer.cli.sweep_runs import lesson_json, lesson_text, train_sweep


def _seeds(text: str) -> int:
    from lrexplorer.core.explore.sweep import MAX_SEEDS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_SEEDS:
        raise argparse.ArgumentTypeError(f"{text} must be from 1 to {MAX_SEEDS}")
    return value


def register(subparsers: Any) -> None:
    from lrexplorer.core.explore.presets import PRESETS
    from lrexplorer.core.explore.sweep import MAX_SEEDS

    parser = add_verb(
        subparsers,
        "sweep",
        cmd_sweep,
        help="train several learning rates / optimizers (/ seeds) and compare them",
        description="Train one run per learning rate (and per optimizer with --optimizers, "
        "per seed with --seeds) on the same data, then print a table of how each ended; the "
        "best is the highest final validation accuracy among the runs that finished. Runs "
        "of one seed train together in one compiled step (the same results, less time). "
        "Diverged runs are an expected outcome. Exit code 0 when every run finished or "
        "diverged, 1 if one failed, 2 for bad input (nothing trains), 130 after Ctrl+C.",
        epilog="presets: "
        + "; ".join(f"{name}: {preset.title}" for name, preset in PRESETS.items()),
    )
    add_config_options(parser, several_rates=True)
    group = parser.add_argument_group("sweep")
    group.add_argument(
        "--lr-range", nargs=3, metavar=("FROM", "TO", "N"),
        help="N rates from FROM to TO, evenly spaced on a log scale, e.g. 1e-5 1e-1 5",
    )  # fmt: skip
    group.add_argument(
        "--optimizers", nargs="+", metavar="NAME",
        help="run every rate with each of these optimizers, e.g. sgd adam rmsprop",
    )  # fmt: skip
    group.add_argument(
        "--preset", choices=list(PRESETS),
        help="a ready-made classroom sweep (uses the data options, sets the rest)",
    )  # fmt: skip
    group.add_argument(
        "--seeds", type=_seeds, default=1, metavar="N",
        help="repeat every setting with N seeds (--seed, --seed + 1, ...; 1 to "
        f"{MAX_SEEDS}) and report each setting's mean and spread",
    )  # fmt: skip
    group.add_argument("--json", metavar="OUT.json", help="write the summary and every run here")
    add_plot_option(
        group, "the summary plot (final validation accuracy and loss against the learning "
        "rate; with seeds, each setting's mean and spread) or, when the runs train more than "
        "one epoch, the budget view (validation accuracy against the rate after 1, 2, 5 and 10 "
        "epochs, and a rate x epoch heat map)",
    )  # fmt: skip
    group.add_argument("--quiet", action="store_true", help="print only the table")
    group.add_argument("--dry-run", action="store_true", help="list the runs and stop")


def sweep_from_args(args: argparse.Namespace) -> list[Any]:
    """The sweep's checked configs, or BadInput naming what is wrong (nothing has trained)."""
    from lrexplorer.core.explore.presets import preset_configs
    from lrexplorer.core.explore.sweep import sweep_configs, with_seeds
    from lrexplorer.core.keras_api.validation import ConfigError

    rates = args.lr
    base = config_from_args(argparse.Namespace(**{**vars(args), "lr": None}))
    log_range = None if args.lr_range is None else _log_range(args.lr_range)
    try:
        if args.preset:
            given = [o for o, v in (("--lr", rates), ("--lr-range", log_range)) if v] + (
                ["--optimizers"] if args.optimizers else []
            )
            if given:
                raise BadInput(f"--preset {args.preset} sets the rates and optimizers: drop "
                               f"{' and '.join(given)}")  # fmt: skip
            return with_seeds(preset_configs(args.preset, base), args.seeds)
        return sweep_configs(base, rates, log_range, args.optimizers, args.seeds)
    except ConfigError as error:
        raise BadInput(str(error)) from None


def _log_range(values: list[str]) -> tuple[float, float, int]:
    from lrexplorer.core.config.number_text import NumberError, parse_float

    low, high, count = values
    try:
        low_rate = parse_float(low, "--lr-range FROM")
        high_rate = parse_float(high, "--lr-range TO")
    except NumberError as error:
        raise BadInput(str(error)) from None
    try:
        return low_rate, high_rate, int(count)
    except ValueError:
        raise BadInput(f"--lr-range N {count!r} is not a whole number") from None


def cmd_sweep(args: argparse.Namespace) -> int:
    from lrexplorer.core import events as ev
    from lrexplorer.core.explore.labels import sweep_labels
    from lrexplorer.core.explore.sweep import SweepSummary
    from lrexplorer.core.training.control import TrainingControl
    from lrexplorer.core.training.trainer import Trainer

    configs = sweep_from_args(args)
    labels = sweep_labels(configs)
    if args.dry_run:
        for index, label in enumerate(labels, 1):
            print(f"[{index}/{len(labels)}] {label}")
        return EXIT_OK
    check_output(args.json)  # before hours of training, not after
    check_plot(args.plot)
    # One trainer for the whole sweep: the data loads once and compiled models are reused.
    trainer = Trainer()
    control = TrainingControl()
    # Until the JSON is written: a signal while saving must not cost the finished runs.
    with StopOnInterrupt(control) as signals:
        load_data(trainer, configs[0], ProgressPrinter(quiet=args.quiet), control)
        records, interrupted = train_sweep(trainer, configs, labels, control, args.quiet)
        interrupted = interrupted or control.stopping
        if interrupted:
            print(f"sweep cancelled: {len(configs) - len(records)} run(s) not run", file=sys.stderr)
        summary = SweepSummary.from_records(records)
        print(summary.to_text())
        lessons = lesson_text(records)
        if lessons:
            print(lessons)
        not_run = [label for label, c in zip(labels, configs, strict=True)
                   if all(r.config != c for r in records)]  # fmt: skip
        if args.json and not _write_json(args.json, summary, records, not_run):
            return EXIT_FAILED
        if args.plot and records and not _write_plot(args.plot, records):
            return EXIT_FAILED
    if interrupted:
        return signals.exit_code
    return EXIT_FAILED if any(r.status == ev.FAILED for r in records) else EXIT_OK


def _write_json(path: str, summary: Any, records: list[Any], not_run: list[str]) -> bool:
    from lrexplorer.core.store.files import write_json_atomic

    data = {
        "summary": summary.to_dict(),
        **lesson_json(records),
        "not_run": not_run,
        "runs": [record.to_dict(with_batches=True) for record in records],
    }
    try:
        write_json_atomic(Path(path), data)
    except (OSError, ValueError) as error:
        print(f"lrexplorer sweep: could not write {path}: {error}", file=sys.stderr)
        return False
    return True


def _write_plot(path: str, records: list[Any]) -> bool:
    from lrexplorer.core.explore.budget import shows_budget
    from lrexplorer.plots.plot_files import write_sweep_plot

    what = "the budget view" if shows_budget(records) else "the summary plot"
    return write_plot("sweep", path, functools.partial(write_sweep_plot, records), what)
