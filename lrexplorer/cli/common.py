"""What every verb shares: exit codes, bad input, the options that describe a run, and reading
the data before anything trains.

Exit codes: 0 success, 1 a failure during the run, 2 bad input (one line on stderr),
130 stopped by Ctrl+C (SIGINT) and 143 by SIGTERM (128 + the signal: cli/signals.py).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from lrexplorer.core.config import DATASETS, RunConfig, ScheduleConfig
from lrexplorer.core.config.number_text import parse_float, parse_scalar
from lrexplorer.core.keras_api.models import MODELS

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2  # a signal's own: cli/signals.py
DEFAULTS = RunConfig()  # the options' defaults are the config's own


class BadInput(Exception):
    """Input that cannot be used; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One readable line instead of argparse's usage dump; --help still shows the usage.
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def learning_rate_arg(text: str) -> float:
    from lrexplorer.core.keras_api.validation import check_learning_rate

    try:
        value = parse_float(text, "learning rate")
        return check_learning_rate(value, "learning rate", typed=text.strip())
    except ValueError as error:  # NumberError too
        raise argparse.ArgumentTypeError(str(error)) from None


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


def _once_each(pairs: list[tuple[str, Any]], option: str) -> dict[str, Any]:
    """NAME=VALUE pairs as a dict; a name given twice is most likely a typo, so BadInput."""
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name in values:
            raise BadInput(
                f"{option} {name} is given twice ({name}={values[name]!r} and {name}={value!r}): "
                "give each parameter once"
            )
        values[name] = value
    return values


def config_from_args(args: argparse.Namespace) -> RunConfig:
    params = _once_each(args.param, "--param")
    schedule_params = _once_each(args.schedule_param, "--schedule-param")
    schedule = None
    if args.schedule:
        schedule = ScheduleConfig(args.schedule, schedule_params)
    elif args.schedule_param:
        raise BadInput("--schedule-param needs --schedule NAME")
    dataset = args.dataset or ("file" if args.data else "mnist")
    if args.data and dataset != "file":
        raise BadInput(f"--data reads a file, so it cannot be combined with --dataset {dataset}")
    return RunConfig(
        optimizer=args.optimizer,
        learning_rate=args.lr,
        params=params,
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
    from lrexplorer.core.keras_api.validation import ConfigError, check_config

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
    from lrexplorer.core.data.datasets import DataError, DownloadCancelled

    try:
        trainer.load_data(config, progress, control.cancel_event)
    except DownloadCancelled:
        raise KeyboardInterrupt from None
    except DataError as error:
        raise BadInput(str(error)) from None


def add_verb(
    subparsers: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    help: str,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """A verb's parser, run by `handler(args)`; its options are added by the caller."""
    parser = subparsers.add_parser(name, help=help, **kwargs)
    parser.set_defaults(handler=handler)
    add_verbose_option(parser, after_verb=True)
    return parser


def add_verbose_option(parser: argparse.ArgumentParser, after_verb: bool = False) -> None:
    """--verbose, taken before the verb or after it (`lrexplorer --verbose run` or
    `lrexplorer run ... --verbose`). After the verb its default is SUPPRESS: a verb's
    parser would otherwise put False over the True given before the verb."""
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if after_verb else False,
        help="also show TensorFlow's own log lines (hidden by default)",
    )
