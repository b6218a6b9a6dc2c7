"""`lrexplorer run`: train one run headless, print its progress and save its record."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

from lrexplorer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_config_options,
    add_verb,
    check_output,
    checked_config,
    load_data,
)
from lrexplorer.cli.plot_files import add_plot_option, check_plot, write_plot
from lrexplorer.cli.progress import ProgressPrinter
from lrexplorer.cli.signals import StopOnInterrupt


def register(subparsers: Any) -> None:
    parser = add_verb(subparsers, "run", cmd_run, "train one run headless and save its record")
    add_config_options(parser)
    parser.add_argument("--json", metavar="OUT.json", help="write the run record here")
    parser.add_argument("--quiet", action="store_true", help="print only the final summary")
    add_plot_option(parser, "the run's plots as the window draws them (loss, accuracy and "
                    "learning rate against step)")  # fmt: skip


def cmd_run(args: argparse.Namespace) -> int:
    from lrexplorer.core.events import FINISHED, STOPPED
    from lrexplorer.core.store.run_store import save_record_json
    from lrexplorer.core.training.control import TrainingControl
    from lrexplorer.core.training.trainer import Trainer

    config = checked_config(args)
    check_output(args.json)
    check_plot(args.plot)
    control = TrainingControl()
    printer = ProgressPrinter(quiet=args.quiet)
    trainer = Trainer()
    # Until the record is written: a signal while saving must not cost the run.
    with StopOnInterrupt(control) as signals:
        load_data(trainer, config, printer, control)
        record = trainer.run(config, printer, control)
        printer.close()
        if args.json:
            try:
                save_record_json(record, args.json)
            except OSError as error:
                reason = error.strerror or error
                print(f"lrexplorer run: could not write {args.json}: {reason}", file=sys.stderr)
                return EXIT_FAILED
        if args.plot and record.steps_done and not _write_plot(args.plot, record):
            return EXIT_FAILED
    if record.status == FINISHED:
        return EXIT_OK
    if record.status == STOPPED:
        return signals.exit_code
    return EXIT_FAILED


def _write_plot(path: str, record: Any) -> bool:
    from lrexplorer.plots.plot_files import write_run_plots

    draw = functools.partial(write_run_plots, record)
    return write_plot("run", path, draw, "the run's plots")
