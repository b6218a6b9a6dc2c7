"""`lrexplorer export`: the Keras code for an optimizer or a saved run, in any form; a run as a
Jupyter notebook; saved runs as TensorBoard event files."""

from __future__ import annotations

import argparse
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
    checked_config,
)


def register(subparsers: Any) -> None:
    parser = add_verb(
        subparsers,
        "export",
        cmd_export,
        "print the Keras code for an optimizer or a run; write a notebook or TensorBoard logs",
    )
    add_config_options(parser)
    parser.add_argument(
        "--run", metavar="RUN.json", nargs="+", action="extend",
        help="export saved runs (lrexplorer run --json) instead; several only with --tensorboard",
    )  # fmt: skip
    parser.add_argument(
        "--form", choices=("name", "dict", "object", "script"), default="object",
        help="name: optimizer=\"rmsprop\"; dict: keras.optimizers.get({...}); "
        "object: keras.optimizers.RMSprop(...); script: a complete training script. "
        "With --notebook, how its compile cell gives Keras the optimizer (not script)",
    )  # fmt: skip
    parser.add_argument(
        "--import", dest="import_style", choices=("keras", "tf.keras"), default="keras",
        help="import keras, or from tensorflow import keras",
    )  # fmt: skip
    parser.add_argument(
        "--notebook", metavar="OUT.ipynb",
        help="write the run as a Jupyter notebook (data, model, compile, fit, a plot) instead",
    )  # fmt: skip
    parser.add_argument(
        "--tensorboard", metavar="DIR",
        help="write each --run as TensorBoard event files in a folder of its own in DIR, "
        "then: tensorboard --logdir DIR",
    )  # fmt: skip


def cmd_export(args: argparse.Namespace) -> int:
    runs = args.run or []
    if args.tensorboard:
        if not runs:
            raise BadInput("--tensorboard needs the runs to write: --run RUN.json [RUN.json ...]")
        if args.notebook:
            raise BadInput("--notebook and --tensorboard: one at a time")
        return _tensorboard(args, [_load(path) for path in runs])
    if len(runs) > 1:
        raise BadInput("several --run files need --tensorboard DIR; code and notebooks take one")
    record = _load(runs[0]) if runs else None
    if args.notebook:
        if args.form == "script":
            raise BadInput("--notebook compiles in the name, dict or object --form, not script")
        check_output(args.notebook)
    from lrexplorer.core.export.snippets import render
    from lrexplorer.core.keras_api.validation import ConfigError

    config = record.config if record else checked_config(args)
    lr_changes = record.rate_changes() if record else []
    steps_per_epoch = (record.steps_per_epoch or None) if record else None  # 0: never started
    try:
        snippet = render(
            config, args.form, args.import_style, lr_changes, steps_per_epoch=steps_per_epoch
        )
        if args.notebook:
            return _notebook(args, snippet.warning, config, lr_changes, record)
    except ConfigError as error:
        raise BadInput(str(error)) from None
    print(snippet.code)
    if snippet.warning:
        print(f"note: {snippet.warning}", file=sys.stderr)
    return EXIT_OK


def _load(path: str) -> Any:
    from lrexplorer.core.store.run_store import load_record_json

    try:
        return load_record_json(path)
    except FileNotFoundError:
        raise BadInput(f"{path} does not exist") from None
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise BadInput(f"{path} is not a readable run record: {error}") from None


def _notebook(
    args: argparse.Namespace, warning: str | None, config: Any, lr_changes: Any, record: Any
) -> int:
    """The notebook at --notebook; the name form's warning on stderr, as for the code."""
    from lrexplorer.core.export.notebook import build_notebook, write_notebook

    notebook = build_notebook(config, args.form, args.import_style, lr_changes, record=record)
    try:
        path = write_notebook(notebook, args.notebook)
    except OSError as error:
        print(
            f"lrexplorer export: could not write {args.notebook}: {_reason(error)}", file=sys.stderr
        )
        return EXIT_FAILED
    print(f"Saved {path}")
    if warning:
        print(f"note: {warning}", file=sys.stderr)
    return EXIT_OK


def _tensorboard(args: argparse.Namespace, records: list[Any]) -> int:
    from lrexplorer.core.export.tensorboard import write_tensorboard

    folder = Path(args.tensorboard)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"--tensorboard {args.tensorboard} is a file; give a folder")
    try:
        written = write_tensorboard(records, folder)
    except OSError as error:
        print(f"lrexplorer export: could not write {folder}: {_reason(error)}", file=sys.stderr)
        return EXIT_FAILED
    for record, path in zip(records, written, strict=True):
        print(f"{record.label or record.id}: {path}")
    print(f"view them with: tensorboard --logdir {folder}", file=sys.stderr)
    return EXIT_OK


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
