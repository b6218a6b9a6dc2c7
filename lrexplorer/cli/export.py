"""`lrexplorer export`: the Keras code for an optimizer or a saved run, in any form."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lrexplorer.cli.common import EXIT_OK, BadInput, add_config_options, add_verb, checked_config


def register(subparsers: Any) -> None:
    parser = add_verb(
        subparsers, "export", cmd_export, "print the Keras code for an optimizer or a run"
    )
    add_config_options(parser)
    parser.add_argument("--run", metavar="RUN.json", help="export a saved run instead")
    parser.add_argument(
        "--form", choices=("name", "dict", "object", "script"), default="object",
        help="name: optimizer=\"rmsprop\"; dict: keras.optimizers.get({...}); "
        "object: keras.optimizers.RMSprop(...); script: a complete training script",
    )  # fmt: skip
    parser.add_argument(
        "--import", dest="import_style", choices=("keras", "tf.keras"), default="keras",
        help="import keras, or from tensorflow import keras",
    )  # fmt: skip


def cmd_export(args: argparse.Namespace) -> int:
    from lrexplorer.core.export.snippets import render

    lr_changes: list[tuple[int, float]] = []
    steps_per_epoch = None
    if args.run:
        from lrexplorer.core.store.run_store import load_record_json

        try:
            record = load_record_json(args.run)
        except FileNotFoundError:
            raise BadInput(f"{args.run} does not exist") from None
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise BadInput(f"{args.run} is not a readable run record: {error}") from None
        config = record.config
        lr_changes = record.rate_changes()
        steps_per_epoch = record.steps_per_epoch or None  # 0: the run never started
    else:
        config = checked_config(args)
    from lrexplorer.core.keras_api.validation import ConfigError

    try:
        snippet = render(
            config, args.form, args.import_style, lr_changes, steps_per_epoch=steps_per_epoch
        )
    except ConfigError as error:
        raise BadInput(str(error)) from None
    print(snippet.code)
    if snippet.warning:
        print(f"note: {snippet.warning}", file=sys.stderr)
    return EXIT_OK
