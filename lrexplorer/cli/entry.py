"""The command line's front door: the parser of every verb, and running one.

`lrexplorer` with no verb opens the window; that choice is made one level up, in
lrexplorer/launch.py, so the command line never imports the GUI.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from lrexplorer import __version__
from lrexplorer.cli import export, find_lr, optimizers, run, sweep
from lrexplorer.cli.common import EXIT_BAD_INPUT, BadInput, Parser, add_verbose_option
from lrexplorer.cli.signals import Interrupted

VERBS = (run, export, optimizers, sweep, find_lr)  # in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="lrexplorer",
        description="Explore how the optimizer and the learning rate shape training. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"lrexplorer {__version__}")
    add_verbose_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for verb in VERBS:
        verb.register(commands)
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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(
        _attach_negative_values(sys.argv[1:] if argv is None else argv)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; its exit code."""
    return run_command(parse_args(argv))


def run_command(args: argparse.Namespace) -> int:
    if args.verbose:
        from lrexplorer.core.keras_api.loader import show_tensorflow_log

        show_tensorflow_log()
    if args.command is None:
        build_parser().print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.handler(args)
    except BadInput as error:
        print(f"lrexplorer {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as error:
        stopped = error if isinstance(error, Interrupted) else Interrupted()
        print(stopped.what, file=sys.stderr)
        return stopped.exit_code
