"""`lrexplorer`: the window when no verb is given, otherwise the command line.

It sits above both: the command line (lrexplorer/cli/) and the window (lrexplorer/gui/) never
import each other.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from lrexplorer.cli.entry import parse_args, run_command

    args = parse_args(argv)
    if args.command is None:
        if args.verbose:
            from lrexplorer.core.keras_api.loader import show_tensorflow_log

            show_tensorflow_log()
        from lrexplorer.gui.window.app import main as gui_main

        return gui_main()
    return run_command(args)
