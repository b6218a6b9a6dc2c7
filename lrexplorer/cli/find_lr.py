"""`lrexplorer find-lr`: the learning-rate range test from the command line, with a table of
suggested rates and the whole curve as JSON for scripts."""

from __future__ import annotations

import argparse
import functools
import sys
import textwrap
from pathlib import Path
from typing import Any

from lrexplorer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    add_config_options,
    add_verb,
    check_output,
    checked_config,
    learning_rate_arg,
    load_data,
)
from lrexplorer.cli.plot_files import add_plot_option, check_plot, write_plot
from lrexplorer.cli.progress import ProgressPrinter
from lrexplorer.cli.progress_bar import ProgressBar
from lrexplorer.cli.signals import StopOnInterrupt

_WIDTH = 100


def register(subparsers: Any) -> None:

    parser = add_verb(
        subparsers,
        "find-lr",
        cmd_find_lr,
        help="learning-rate range test: suggest a rate for an optimizer",
        description="Train a fresh model for a few batches while the learning rate grows "
        "exponentially from --start to --end, then suggest rates read off the loss curve. "
        "The model, data and optimizer settings are the same as for `run`.",
    )
    add_config_options(parser)
    group = parser.add_argument_group("range test")
    group.add_argument(
        "--start", type=learning_rate_arg, default=1e-7, metavar="RATE",
        help="first learning rate (1e-7)",
    )  # fmt: skip
    group.add_argument(
        "--end", type=learning_rate_arg, default=10.0, metavar="RATE",
        help="last learning rate (10)",
    )  # fmt: skip
    group.add_argument(
        "--steps", type=_whole_number, default=100, metavar="N",
        help="batches to train, one per rate (100; at least 5)",
    )  # fmt: skip
    group.add_argument("--json", metavar="OUT.json", help="write the curve and suggestions here")
    group.add_argument("--quiet", action="store_true", help="print only the suggestions")
    add_plot_option(group, "the loss against the learning rate with the suggestions marked")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def cmd_find_lr(args: argparse.Namespace) -> int:
    from lrexplorer.core.events import STOPPED
    from lrexplorer.core.explore.range_test import check_range, find_lr
    from lrexplorer.core.training.control import TrainingControl
    from lrexplorer.core.training.trainer import Trainer

    try:
        check_range(args.start, args.end, args.steps)
    except ValueError as error:
        raise BadInput(str(error)) from None
    config = checked_config(args)
    check_output(args.json)
    check_plot(args.plot)
    control = TrainingControl()
    printer = _FinderPrinter(ProgressPrinter(quiet=args.quiet))
    trainer = Trainer()
    # Until the JSON is written: a signal while saving must not cost the curve.
    with StopOnInterrupt(control) as signals:
        load_data(trainer, config, printer, control)
        try:
            result = find_lr(
                config, args.start, args.end, args.steps, printer, control, trainer=trainer
            )
        except Exception as error:  # a failure inside Keras: one line, not a traceback
            printer.close()
            lines = [line for line in str(error).splitlines() if line.strip()]
            detail = lines[0] if lines else "no details"
            print(f"lrexplorer find-lr: failed: {type(error).__name__}: {detail}", file=sys.stderr)
            return EXIT_FAILED
        printer.close()
        if args.lr is not None:
            print("note: --lr is not used: the test sweeps the rate itself", file=sys.stderr)
        print(suggestion_table(result))
        if args.json and not _write_json(args.json, result):
            return EXIT_FAILED
        if args.plot and result.losses and not _write_plot(args.plot, result):
            return EXIT_FAILED
    return signals.exit_code if result.status == STOPPED else EXIT_OK


def _write_json(path: str, result: Any) -> bool:
    from lrexplorer.core.store.files import write_json_atomic

    try:
        write_json_atomic(Path(path), result.to_dict(), indent=2)
    except (OSError, ValueError) as error:
        print(f"lrexplorer find-lr: could not write {path}: {error}", file=sys.stderr)
        return False
    return True


def _write_plot(path: str, result: Any) -> bool:
    from lrexplorer.plots.plot_files import write_range_test_plot

    draw = functools.partial(write_range_test_plot, result)
    return write_plot("find-lr", path, draw, "the range test's plot")


def suggestion_table(result: Any) -> str:
    """The suggestions as an aligned table, each explained in a sentence, then the notes."""
    from lrexplorer.core.config.number_text import compact_number
    from lrexplorer.core.keras_api.optimizers import registry

    name = registry().get(result.config.optimizer).class_name if result.config else "this run"
    lines = [f"Suggested learning rates for {name}:"]
    for method, suggestion in result.suggestions.items():
        mark = "*" if method == result.default else " "
        head = f"  {mark} {method:<12}{compact_number(suggestion.rounded_rate):<10}"
        doubt = "" if suggestion.reliable else " (Uncertain: see the note below.)"
        lines.append(
            textwrap.fill(
                suggestion.explanation + doubt,
                _WIDTH,
                initial_indent=head,
                subsequent_indent=" " * len(head),
            )
        )
    if not result.suggestions:
        lines.append("  none: the curve gives no reliable rate (see the note below).")
    elif result.default:
        rate = compact_number(result.suggestions[result.default].rounded_rate)
        lines.append(f"  * the default: train with --lr {rate}")
    for note in result.notes:
        lines.append(textwrap.fill(note, _WIDTH, initial_indent="note: ", subsequent_indent="  "))
    return "\n".join(lines)


class _FinderPrinter:
    """The test's progress on stderr: a live bar on a terminal; otherwise a line at the start
    and one at the end. Data loading is left to cli.ProgressPrinter."""

    def __init__(self, base: ProgressPrinter) -> None:
        self.base = base
        self.stream = base.stream
        self.quiet = base.quiet
        self.live = base.live
        self.bar: ProgressBar | None = None

    def __call__(self, event: Any) -> None:
        from lrexplorer.core.config.number_text import compact_number
        from lrexplorer.core.explore import range_test as lf

        if isinstance(event, lf.FinderStarted):
            if event.data_notice:
                self.base.say(f"note: {event.data_notice}")
            if not self.quiet:
                self.base.say(
                    f"range test on {event.data_source}: {event.train_samples:,} images, "
                    f"{event.steps} batches of {event.batch_size}, learning rate "
                    f"{compact_number(event.start)} -> {compact_number(event.end)}"
                )
            if self.live:
                self.bar = ProgressBar(
                    self.stream, event.steps, "batch", "range test", self.base.clock
                )
        elif isinstance(event, lf.FinderPoint) and self.bar is not None:
            self.bar.update(
                event.index + 1,
                f"lr {compact_number(float(f'{event.learning_rate:.3g}'))} "
                f"loss {event.loss:.4f} smoothed {event.smoothed:.4f}",
            )
        elif isinstance(event, lf.FinderFinished):
            result = event.result
            if not self.quiet:
                ended = result.stop_reason or f"All {result.steps} batches trained."
                self.base.say(f"{ended.removesuffix('.')} ({result.seconds:.1f}s).")
        else:
            self.base(event)

    def close(self) -> None:
        self.base.close()
