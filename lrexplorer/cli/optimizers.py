"""`lrexplorer optimizers`: every optimizer of the installed Keras, its parameters, defaults and
ranges."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lrexplorer.cli.common import EXIT_OK, add_verb


def register(subparsers: Any) -> None:
    parser = add_verb(
        subparsers, "optimizers", cmd_optimizers, "list optimizers and their defaults"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def cmd_optimizers(args: argparse.Namespace) -> int:
    from lrexplorer.core.config.number_text import format_number
    from lrexplorer.core.keras_api.optimizers import registry

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
