"""Command line: the window by default, headless verbs for scripts and classrooms.

Exit codes: 0 success, 1 a failure during the run, 2 bad input (one line on stderr),
130 interrupted with Ctrl+C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from lrexplorer import __version__
from lrexplorer.core.config import DATASETS, RunConfig, ScheduleConfig
from lrexplorer.core.models import MODELS
from lrexplorer.core.numbers import NumberError, parse_float, parse_scalar

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULTS = RunConfig()  # the options' defaults are the config's own


class BadInput(Exception):
    """Input that cannot be used; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One readable line instead of argparse's usage dump; --help still shows the usage.
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def learning_rate_arg(text: str) -> float:
    try:
        value = parse_float(text, "learning rate")
    except NumberError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"learning rate {text!r} must be greater than 0")
    return value


def _assignment(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (e.g. rho=0.95)")
    return name.strip(), parse_scalar(value)


def _whole(low: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{text} must be at least {low}")
        return value

    return parse


def add_config_options(
    parser: argparse.ArgumentParser, training: bool = True, several_rates: bool = False
) -> None:
    """The options that describe a run; shared by run, export, sweep and find-lr.

    With `several_rates`, --lr takes one or more rates (a list; None when not given).
    """
    group = parser.add_argument_group("optimizer")
    group.add_argument(
        "--optimizer", default=DEFAULTS.optimizer, help=f"Keras optimizer ({DEFAULTS.optimizer})"
    )
    group.add_argument(
        "--lr", "--learning-rate", dest="lr", type=learning_rate_arg, metavar="RATE",
        nargs="+" if several_rates else None,
        help="learning rate(s), e.g. 1e-3 1e-4 (default: the optimizer's Keras default)"
        if several_rates else "learning rate, e.g. 1e-4 (default: the optimizer's Keras default)",
    )  # fmt: skip
    group.add_argument(
        "--param", action="append", type=_assignment, default=[], metavar="NAME=VALUE",
        help="optimizer hyperparameter (repeatable): a number, true/false, none or text",
    )  # fmt: skip
    group.add_argument(
        "--schedule", metavar="NAME", help="learning-rate schedule, e.g. CosineDecay"
    )
    group.add_argument(
        "--schedule-param", action="append", type=_assignment, default=[], metavar="NAME=VALUE",
        help="schedule parameter (repeatable), e.g. decay_steps=1000 or boundaries=100,200",
    )  # fmt: skip
    group.add_argument("--jit-compile", action="store_true", help="compile the step with XLA")
    group.add_argument(
        "--steps-per-execution", type=_whole(1), default=DEFAULTS.steps_per_execution,
        metavar="N", help="batches per compiled call (faster; every batch is still reported; "
        "stop and rate changes apply from the next batch, pause after the call)",
    )  # fmt: skip
    group = parser.add_argument_group("data and model")
    group.add_argument("--model", choices=list(MODELS), default=DEFAULTS.model)
    group.add_argument(
        "--dataset", choices=list(DATASETS),
        help="mnist (default), fashion_mnist, sample (bundled, offline) or file (with --data)",
    )  # fmt: skip
    group.add_argument(
        "--data", metavar="PATH",
        help="a Keras-layout .npz or a folder with the four MNIST IDX .gz files",
    )  # fmt: skip
    group.add_argument(
        "--train-samples", type=_whole(1), metavar="N", help="first N training images"
    )
    group.add_argument("--test-samples", type=_whole(1), metavar="N", help="first N test images")
    group.add_argument("--epochs", type=_whole(1), default=DEFAULTS.epochs)
    group.add_argument("--batch-size", type=_whole(1), default=DEFAULTS.batch_size)
    group.add_argument("--seed", type=_whole(0), default=DEFAULTS.seed)


def config_from_args(args: argparse.Namespace) -> RunConfig:
    schedule = None
    if args.schedule:
        schedule = ScheduleConfig(args.schedule, dict(args.schedule_param))
    elif args.schedule_param:
        raise BadInput("--schedule-param needs --schedule NAME")
    dataset = args.dataset or ("file" if args.data else "mnist")
    if args.data and dataset != "file":
        raise BadInput(f"--data reads a file, so it cannot be combined with --dataset {dataset}")
    return RunConfig(
        optimizer=args.optimizer,
        learning_rate=args.lr,
        params=dict(args.param),
        schedule=schedule,
        model=args.model,
        dataset=dataset,
        data_path=args.data,
        train_samples=args.train_samples,
        test_samples=args.test_samples,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        steps_per_execution=args.steps_per_execution,
        jit_compile=args.jit_compile,
    )


def checked_config(args: argparse.Namespace) -> RunConfig:
    """The validated config, or BadInput with every problem on one line."""
    from lrexplorer.core.validation import ConfigError, check_config

    try:
        return check_config(config_from_args(args))
    except ConfigError as error:
        raise BadInput(str(error)) from None


def check_output(path: str | None) -> None:
    """BadInput now if `path` cannot be written, rather than when the training is over."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"cannot write {path}: it is a folder; give a file name such as out.json")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise BadInput(f"cannot write {path}: {error.strerror or error}") from None


def load_data(trainer: Any, config: RunConfig, progress: Any, control: Any) -> None:
    """Read the data before anything trains: bad data is BadInput, and Ctrl+C during a download
    is an interruption (exit 130), not bad data."""
    from lrexplorer.core.data import DataError, DownloadCancelled

    try:
        trainer.load_data(config, progress, control.cancel_event)
    except DownloadCancelled:
        raise KeyboardInterrupt from None
    except DataError as error:
        raise BadInput(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrexplorer",
        description="Explore how the optimizer and the learning rate shape training. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"lrexplorer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="train one run headless and save its record")
    add_config_options(run)
    run.add_argument("--json", metavar="OUT.json", help="write the run record here")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")

    export = commands.add_parser("export", help="print the Keras code for an optimizer or a run")
    add_config_options(export)
    export.add_argument("--run", metavar="RUN.json", help="export a saved run instead")
    export.add_argument(
        "--form", choices=("name", "dict", "object", "script"), default="object",
        help="name: optimizer=\"rmsprop\"; dict: keras.optimizers.get({...}); "
        "object: keras.optimizers.RMSprop(...); script: a complete training script",
    )  # fmt: skip
    export.add_argument(
        "--import", dest="import_style", choices=("keras", "tf.keras"), default="keras",
        help="import keras, or from tensorflow import keras",
    )  # fmt: skip

    optimizers = commands.add_parser("optimizers", help="list optimizers and their defaults")
    optimizers.add_argument("--json", action="store_true", help="machine-readable output")
    from lrexplorer.commands import find_lr, sweep

    sweep.register(commands)
    find_lr.register(commands)
    run.set_defaults(handler=cmd_run)
    export.set_defaults(handler=cmd_export)
    optimizers.set_defaults(handler=cmd_optimizers)
    return parser


_NEGATIVE_NUMBER = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _attach_negative_values(argv: Sequence[str]) -> list[str]:
    """`--lr -1e-3` reads as an option to argparse; glue it on so the value gets a real check."""
    joined: list[str] = []
    for token in argv:
        if (
            joined
            and joined[-1].startswith("--")
            and "=" not in joined[-1]
            and _NEGATIVE_NUMBER.fullmatch(token)
        ):
            joined[-1] = f"{joined[-1]}={token}"
        else:
            joined.append(token)
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    argv = _attach_negative_values(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        from lrexplorer.gui.app import main as gui_main

        return gui_main()
    try:
        return args.handler(args)
    except BadInput as error:
        print(f"lrexplorer {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


# --- run -----------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from lrexplorer.core.events import FINISHED, STOPPED
    from lrexplorer.core.runs import save_record_json
    from lrexplorer.core.trainer import Trainer, TrainingControl

    config = checked_config(args)
    check_output(args.json)
    control = TrainingControl()
    printer = ProgressPrinter(quiet=args.quiet)
    trainer = Trainer()
    with stop_on_interrupt(control):
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
    if record.status == FINISHED:
        return EXIT_OK
    if record.status == STOPPED:
        return EXIT_INTERRUPTED
    return EXIT_FAILED


class stop_on_interrupt:  # noqa: N801 - used as a context manager, reads like one
    """Ctrl+C asks the run to stop at the next batch (it is saved as stopped); twice aborts."""

    def __init__(self, control: Any) -> None:
        self.control = control
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.control.stopping:
            raise KeyboardInterrupt
        print("\nstopping after this batch (Ctrl+C again to abort)", file=sys.stderr)
        self.control.stop()

    def __enter__(self) -> stop_on_interrupt:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self._previous)


class ProgressPrinter:
    """Prints a run's events on the terminal: a live line on a TTY, epoch lines otherwise."""

    def __init__(self, quiet: bool = False, stream: Any = None, prefix: str = "") -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.prefix = prefix
        self.live = self.stream.isatty() and not quiet
        self._total = 0
        self._last_draw = 0.0

    def __call__(self, event: Any) -> None:
        from lrexplorer.core import events as ev
        from lrexplorer.core.numbers import compact_number

        if isinstance(event, ev.DataProgress):
            if event.total:
                self._line(f"{event.message} {event.done / event.total:4.0%}")
            elif self.live:
                self._line(event.message)
        elif isinstance(event, ev.RunStarted):
            self._total = event.total_steps
            if event.data_notice:
                self._print(f"note: {event.data_notice}")
            if not self.quiet:
                config = event.config
                self._print(
                    f"{self.prefix}training {config.label(event.optimizer_config['class_name'])} "
                    f"on {event.data_source}: {event.train_samples} images, {config.epochs} "
                    f"epoch(s) of {event.steps_per_epoch} steps, batch {config.batch_size}"
                )
        elif isinstance(event, ev.BatchEnd) and self.live:
            if event.elapsed - self._last_draw >= 0.1 or event.step == self._total:
                self._last_draw = event.elapsed
                remaining = event.elapsed / event.step * (self._total - event.step)
                self._line(
                    f"{self.prefix}epoch {event.epoch} step {event.step}/{self._total} "
                    f"loss {event.mean_loss:.4f} acc {event.mean_accuracy:.4f} "
                    f"lr {compact_number(event.learning_rate)} ~{remaining:.0f}s left"
                )
        elif isinstance(event, ev.EpochEnd) and not self.quiet:
            val = ""
            if event.val_accuracy is not None:
                val = f" val_loss {event.val_loss:.4f} val_acc {event.val_accuracy:.4f}"
            self._print(
                f"{self.prefix}epoch {event.epoch}: loss {event.loss:.4f} acc {event.accuracy:.4f}"
                f"{val} ({event.seconds:.1f}s)"
            )
        elif isinstance(event, ev.LearningRateChanged) and not self.quiet:
            self._print(f"{self.prefix}step {event.step}: learning rate -> {event.learning_rate}")
        elif isinstance(event, ev.RunFinished):
            text = f"{self.prefix}{event.status} in {event.seconds:.1f}s"
            self._print(text + (f": {event.error}" if event.error else ""))

    def _line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()

    def _print(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# --- export --------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from lrexplorer.core.snippets import render

    lr_changes: list[tuple[int, float]] = []
    if args.run:
        from lrexplorer.core.runs import load_record_json

        try:
            record = load_record_json(args.run)
        except FileNotFoundError:
            raise BadInput(f"{args.run} does not exist") from None
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise BadInput(f"{args.run} is not a readable run record: {error}") from None
        config = record.config
        lr_changes = [(c["step"], c["learning_rate"]) for c in record.lr_changes]
    else:
        config = checked_config(args)
    from lrexplorer.core.validation import ConfigError

    try:
        snippet = render(config, args.form, args.import_style, lr_changes=lr_changes)
    except ConfigError as error:
        raise BadInput(str(error)) from None
    print(snippet.code)
    if snippet.warning:
        print(f"note: {snippet.warning}", file=sys.stderr)
    return EXIT_OK


# --- optimizers ----------------------------------------------------------------------------
def cmd_optimizers(args: argparse.Namespace) -> int:
    from lrexplorer.core.numbers import format_number
    from lrexplorer.core.optimizers import registry

    specs = registry().specs()
    if args.json:
        data = [
            {
                "name": s.name,
                "class_name": s.class_name,
                "by_name": s.by_name,
                "params": [
                    {
                        "name": p.name,
                        "default": p.default,
                        "type": p.kind,
                        "allowed": p.allowed(),
                        "log_scale": p.log_scale,
                        "common": p.common,
                    }
                    for p in s.params
                ],
            }
            for s in specs
        ]
        print(json.dumps(data, indent=2))
        return EXIT_OK
    common = specs[0].common_params if specs else ()
    for spec in specs:
        by_name = "" if spec.by_name else "  (not accepted by name: use the dict or object form)"
        print(f"{spec.name:18} keras.optimizers.{spec.class_name}{by_name}")
        for param in (spec.param("learning_rate"), *spec.own_params):
            default = "none" if param.default is None else format_number(param.default)
            print(f"    {param.name:36} {default:>10}   {param.allowed()}")
        # Common parameters whose default is particular to this optimizer (AdamW's weight_decay).
        for param in spec.common_params:
            base = next((c for c in common if c.name == param.name), None)
            if base is not None and base.default != param.default:
                print(f"    {param.name:36} {format_number(param.default):>10}   {param.allowed()}")
    print("\nEvery optimizer also takes:")
    for param in common:
        default = "none" if param.default is None else format_number(param.default)
        print(f"    {param.name:36} {default:>10}   {param.allowed()}")
    return EXIT_OK
