"""Command line: the window by default, headless verbs for scripts."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("lrexplorer: not ready yet", file=sys.stderr)
    return 1
