"""The Keras code equivalent to a run: compile snippets in every form Keras accepts, and a script.

The name form (`optimizer="rmsprop"`) silently trains with Keras's defaults; its snippet says
which of the run's values it would lose. Generated code follows PEP 8 (79 columns) because it is
shown on a projector and pasted into notebooks.
"""

from __future__ import annotations

import inspect
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrexplorer.core.config import DATASETS, RunConfig, ScheduleConfig
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.keras_api.loader import keras_version
from lrexplorer.core.keras_api.models import LOSS, METRICS, MODELS, zoo
from lrexplorer.core.keras_api.optimizers import OptimizerSpec, registry
from lrexplorer.core.keras_api.schedules import LINKED, schedule_specs
from lrexplorer.core.keras_api.validation import check_config

FORMS = ("name", "dict", "object", "script")
IMPORT_STYLES = ("keras", "tf.keras")
IMPORT_LINES = {"keras": "import keras", "tf.keras": "from tensorflow import keras"}

_WIDTH = 79
_PIECEWISE = "PiecewiseConstantDecay"


@dataclass(frozen=True)
class Snippet:
    form: str
    code: str  # complete and runnable: its import line, then the code
    warning: str | None  # name form only: what it would lose, in one plain sentence


def render(
    config: RunConfig,
    form: str,
    import_style: str = "keras",
    lr_changes: Sequence[tuple[int, float]] = (),
) -> Snippet:
    """The code for `config` in one of FORMS; ConfigError if the config cannot train."""
    if form not in FORMS:
        raise ValueError(f"unknown snippet form {form!r}: choose one of {', '.join(FORMS)}")
    if import_style not in IMPORT_STYLES:
        raise ValueError(
            f"unknown import style {import_style!r}: choose one of {', '.join(IMPORT_STYLES)}"
        )
    if lr_changes:
        config = with_learning_rate_history(config, lr_changes)
    config = check_config(config)
    spec = registry().get(config.optimizer)
    replayed = bool(lr_changes) and config.schedule is not None
    if form == "name":
        return _name_snippet(config, spec, import_style, replayed)
    if form == "script":
        code = _script(config, spec, import_style, replayed)
    else:
        lines = _history_comment(config) if replayed else []
        lines += _optimizer_lines(config, spec, form) + _compile_lines(config, "optimizer")
        code = "\n".join([IMPORT_LINES[import_style], "", *lines]) + "\n"
    return Snippet(form, code, None)


def with_learning_rate_history(
    config: RunConfig, lr_changes: Sequence[tuple[int, float]]
) -> RunConfig:
    """`config` with a PiecewiseConstantDecay that replays live learning-rate changes.

    `lr_changes` holds (step, rate): step is 1-based, the first step trained with the new rate.
    The run started at `config.learning_rate` with no schedule. Keras evaluates a schedule at
    the optimizer's step counter, which is 0 during step 1, and PiecewiseConstantDecay uses
    values[i] while that counter is <= boundaries[i]: a change at step s is boundary s - 2.
    """
    if config.schedule is not None and lr_changes:
        raise ValueError(
            f"a run with the {config.schedule.name} schedule has no live learning-rate changes"
        )
    rate = config.learning_rate
    if rate is None:
        rate = registry().get(config.optimizer).default_learning_rate
    by_step: dict[int, float] = {}
    for step, new_rate in lr_changes:
        if isinstance(step, bool) or int(step) != step or step < 1:
            raise ValueError(f"learning-rate change at step {step!r}: steps start at 1")
        by_step[int(step)] = float(new_rate)  # the last change at a step wins
    rate = by_step.pop(1, rate)  # a change before the first step is the starting rate
    boundaries: list[int] = []
    values = [float(rate)]
    for step in sorted(by_step):
        if by_step[step] != values[-1]:
            boundaries.append(step - 2)
            values.append(by_step[step])
    if not boundaries:
        return config.replace(learning_rate=values[0])
    schedule = ScheduleConfig(_PIECEWISE, {"boundaries": boundaries, "values": values})
    return config.replace(learning_rate=values[0], schedule=schedule)


# --- the name form ----------------------------------------------------------------------------


def _name_snippet(
    config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool
) -> Snippet:
    if not spec.by_name:
        warning = (
            f"Keras does not accept {spec.class_name} by name: optimizer={_text(spec.name)} "
            "raises ValueError, so use the dict or object form."
        )
        compile_line = f"# model.compile(optimizer={_text(spec.name)}, ...)  # ValueError"
        lines = [*_comment(warning), IMPORT_LINES[import_style], "", compile_line]
        return Snippet("name", "\n".join(lines) + "\n", warning)
    lost = _lost_values(config, spec, replayed)
    warning = f"The name form trains with Keras's defaults: {'; '.join(lost)}." if lost else None
    lines = _comment(warning) if warning else []
    lines += [IMPORT_LINES[import_style], "", *_compile_lines(config, _text(spec.name))]
    return Snippet("name", "\n".join(lines) + "\n", warning)


def _lost_values(config: RunConfig, spec: OptimizerSpec, replayed: bool) -> list[str]:
    """What the name form would use instead of each of the run's values, as "X, not Y"."""
    default_rate = format_number(spec.default_learning_rate)
    lost = []
    if replayed:
        lost.append(
            f"a constant learning_rate {default_rate}, "
            "not the learning-rate changes made during the run"
        )
    elif config.schedule is not None:
        lost.append(
            f"a constant learning_rate {default_rate}, not the {config.schedule.name} schedule"
        )
    elif config.learning_rate != spec.default_learning_rate:
        lost.append(f"learning_rate {default_rate}, not {format_number(config.learning_rate)}")
    values = config.param_dict()
    for param in spec.params:
        if param.name in values:
            lost.append(
                f"{param.name} {_literal(param.default)}, not {_literal(values[param.name])}"
            )
    return lost


# --- the dict and object forms ----------------------------------------------------------------


def _optimizer_lines(config: RunConfig, spec: OptimizerSpec, form: str) -> list[str]:
    """Statements that leave the run's optimizer in a variable named `optimizer`."""
    params = _ordered_params(config, spec)
    schedule = config.schedule
    if form == "dict":
        settings: dict[str, Any] = {}
        if schedule is not None:
            settings["learning_rate"] = {
                "module": "keras.optimizers.schedules",
                "class_name": schedule.name,
                "config": _schedule_args(config, schedule),
            }
        elif config.learning_rate != spec.default_learning_rate:
            settings["learning_rate"] = config.learning_rate
        settings.update(params)
        if spec.by_name:
            identifier = {"class_name": spec.name, "config": settings}
            return _statement("optimizer = ", _Call("keras.optimizers.get", (identifier,)))
        # keras.optimizers.get only knows the optimizers in its own list; the general
        # deserializer finds any built-in class from its module.
        identifier = {
            "module": "keras.optimizers",
            "class_name": spec.class_name,
            "config": settings,
        }
        return [
            *_comment(
                f"keras.optimizers.get() does not know {spec.class_name}, so the dict names "
                "its module for Keras's general deserializer."
            ),
            *_statement(
                "optimizer = ", _Call("keras.utils.deserialize_keras_object", (identifier,))
            ),
        ]
    lines: list[str] = []
    kwargs: dict[str, Any] = {}
    if schedule is not None:
        call = _Call(
            f"keras.optimizers.schedules.{schedule.name}", kwargs=_schedule_args(config, schedule)
        )
        lines += _statement("lr_schedule = ", call)
        kwargs["learning_rate"] = _Raw("lr_schedule")
    elif config.learning_rate != spec.default_learning_rate:
        kwargs["learning_rate"] = config.learning_rate
    kwargs.update(params)
    lines += _statement("optimizer = ", _Call(f"keras.optimizers.{spec.class_name}", kwargs=kwargs))
    return lines


def _ordered_params(config: RunConfig, spec: OptimizerSpec) -> dict[str, Any]:
    """The config's (non-default) parameters in the order Keras's signature lists them."""
    values = config.param_dict()
    return {p.name: values[p.name] for p in spec.params if p.name in values}


def _schedule_args(config: RunConfig, schedule: ScheduleConfig) -> dict[str, Any]:
    spec = schedule_specs()[schedule.name]
    values = schedule.param_dict()
    args: dict[str, Any] = {LINKED: config.learning_rate} if spec.linked else {}
    args.update({p.name: values[p.name] for p in spec.params if p.name in values})
    return args


def _compile_lines(config: RunConfig, optimizer: str, execution: bool = False) -> list[str]:
    """model.compile(...) with `optimizer` (code text), the tutorial's loss and metric, and
    with `execution` (the full script) how the app executed it, so the script trains at the
    same speed: jit_compile always, since Keras's default "auto" turns XLA on with a GPU."""
    kwargs: dict[str, Any] = {
        "optimizer": _Raw(optimizer),
        "loss": LOSS,
        "metrics": list(METRICS),
    }
    notes: list[str] = []
    if execution:
        why = "jit_compile is explicit because Keras's default turns XLA on with a GPU."
        if config.steps_per_execution != 1:
            kwargs["steps_per_execution"] = config.steps_per_execution
            why = (
                "steps_per_execution (batches per compiled call) changes the speed, not the "
                f"training; {why}"
            )
        kwargs["jit_compile"] = config.jit_compile
        notes = _comment(f"As the app ran it: {why}")
    return notes + _statement("", _Call("model.compile", kwargs=kwargs))


def _history_comment(config: RunConfig) -> list[str]:
    assert config.schedule is not None
    values = config.schedule.param_dict()
    starts = [1, *(boundary + 2 for boundary in values["boundaries"])]
    ends = [*(start - 1 for start in starts[1:]), None]
    spans = [
        _span(rate, start, end)
        for rate, start, end in zip(values["values"], starts, ends, strict=True)
    ]
    return _comment(
        f"The learning rates set during the run: {', '.join(spans)}. Keras counts steps "
        "from 0, and PiecewiseConstantDecay uses values[i] while that count is <= boundaries[i]."
    )


def _span(rate: float, start: int, end: int | None) -> str:
    if end is None:
        return f"{format_number(rate)} from step {start}"
    steps = f"steps {start}-{end}" if end > start else f"step {start}"
    return f"{format_number(rate)} for {steps}"


# --- the full script --------------------------------------------------------------------------


def _script_header(
    config: RunConfig, spec: OptimizerSpec, import_style: str, imports: set[str]
) -> list[str]:
    """The script's docstring and its imports, grouped and sorted as isort does."""
    third_party = [IMPORT_LINES[import_style]]
    if "numpy" in imports:
        third_party.append("import numpy as np")
    third_party.sort(key=lambda line: (line.startswith("from "), line))
    stdlib = [f"import {name}" for name in sorted(imports - {"numpy"})]
    return [
        '"""Reproduces an lrexplorer run in plain Keras.',
        "",
        f"Run: {config.label(spec.class_name)}",
        f"Model: {MODELS[config.model].title}",
        f"Data: {DATASETS[config.dataset]}",
        f"Written for Keras {keras_version()}.",
        '"""',
        "",
        *([*stdlib, ""] if stdlib else []),
        *third_party,
    ]


def _script(config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool) -> str:
    info = MODELS[config.model]
    module = zoo()
    builder = inspect.getsource(getattr(module, info.builder)).rstrip()
    classes = [
        inspect.getsource(cls).rstrip()
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and cls.__module__ == module.__name__ and name in builder
    ]
    prepare = inspect.getsource(getattr(module, info.prepare)).rstrip()
    data_defs, data_lines, imports = _data_code(config)
    header = _script_header(config, spec, import_style, imports)
    defs = [*data_defs, prepare, *classes, builder]
    optimizer_lines = _history_comment(config) if replayed else []
    optimizer_lines += _optimizer_lines(config, spec, "object")
    flow = [
        *data_lines,
        "",
        "# Pixels as the model expects them: float32 values between 0 and 1.",
        f"x_train = {info.prepare}(x_train)",
        f"x_test = {info.prepare}(x_test)",
        "",
        "# The same seed as the run: the same initial weights and batch order.",
        f"keras.utils.set_random_seed({config.seed})",
        f"model = {info.builder}()",
        "",
        *optimizer_lines,
        *_compile_lines(config, "optimizer", execution=True),
        "",
        *_statement(
            "",
            _Call(
                "model.fit",
                (_Raw("x_train"), _Raw("y_train")),
                {
                    "epochs": config.epochs,
                    "batch_size": config.batch_size,
                    "validation_data": _Raw("(x_test, y_test)"),
                },
            ),
        ),
        "",
        "test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)",
        'print(f"Test accuracy: {test_accuracy:.4f}")',
    ]
    parts = ["\n".join(header), *defs, "\n".join(flow)]
    return "\n\n\n".join(parts) + "\n"


_READ_IDX = '''\
def read_idx(path):
    """One file in IDX format, MNIST's original format (gzipped or not)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        data = file.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_idx_folder(folder):
    """MNIST as its website ships it: four IDX files in one folder."""

    def read(name):
        path = pathlib.Path(folder, name + ".gz")
        return read_idx(path if path.exists() else pathlib.Path(folder, name))

    train = read("train-images-idx3-ubyte"), read("train-labels-idx1-ubyte")
    test = read("t10k-images-idx3-ubyte"), read("t10k-labels-idx1-ubyte")
    return train, test'''

_NPZ_ARRAYS = [
    'x_train, y_train = data["x_train"], data["y_train"]',
    'x_test, y_test = data["x_test"], data["y_test"]',
]
_SPLIT = "(x_train, y_train), (x_test, y_test) = "


def _data_code(config: RunConfig) -> tuple[list[str], list[str], set[str]]:
    """(definitions, statements, modules to import) that load the run's data."""
    defs: list[str] = []
    imports: set[str] = set()
    if config.dataset in ("mnist", "fashion_mnist"):
        what = "handwritten digits" if config.dataset == "mnist" else "pictures of clothes"
        lines = [
            f"# {DATASETS[config.dataset]}: 28x28-pixel {what} in 10 classes "
            "(Keras downloads it once).",
            f"{_SPLIT}keras.datasets.{config.dataset}.load_data()",
        ]
    elif config.dataset == "sample":
        from lrexplorer.core.data.resources import resource_path  # written alongside; import lazily

        path = str(resource_path("mnist_sample.npz"))
        lines = [
            "# The small MNIST sample that comes with lrexplorer (works offline).",
            *_statement("data = ", _Call("np.load", (path,))),
            *_NPZ_ARRAYS,
        ]
        imports.add("numpy")
    elif not _is_idx_folder(config.data_path):
        lines = [
            "# The run's data file: arrays x_train, y_train, x_test, y_test.",
            *_statement("data = ", _Call("np.load", (_user_path(config.data_path),))),
            *_NPZ_ARRAYS,
        ]
        imports.add("numpy")
    else:
        defs.append(_READ_IDX)
        lines = _statement(_SPLIT, _Call("load_idx_folder", (_user_path(config.data_path),)))
        imports.update({"numpy", "gzip", "pathlib"})
    subset = [
        (config.train_samples, "train", "training"),
        (config.test_samples, "test", "test"),
    ]
    for count, split, words in subset:
        if count is not None:
            lines.append(f"# The run used the first {count} {words} images.")
            lines.append(f"x_{split}, y_{split} = x_{split}[:{count}], y_{split}[:{count}]")
    return defs, lines, imports


def _user_path(path: str | None) -> str:
    return str(Path(str(path)).expanduser())


def _is_idx_folder(path: str | None) -> bool:
    """A folder of IDX files, like core/data.py decides; by its name if it is not here."""
    where = Path(_user_path(path))
    return where.is_dir() or (not where.exists() and where.suffix.lower() != ".npz")


# --- code formatting --------------------------------------------------------------------------


class _Raw(str):
    """Code text to print as it is, such as a variable name."""


@dataclass(frozen=True)
class _Call:
    function: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] | None = None


def _text(value: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(value, ensure_ascii=False)


def _literal(value: Any) -> str:
    """One value as Python source, numbers as the user typed them."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as code")


def _parts(value: Any) -> tuple[str, list[tuple[str, Any]], str] | None:
    """Opening bracket, (prefix, value) items and closing bracket; None if not bracketed."""
    if isinstance(value, _Call):
        items = [("", arg) for arg in value.args]
        items += [(f"{key}=", arg) for key, arg in (value.kwargs or {}).items()]
        return f"{value.function}(", items, ")"
    if isinstance(value, dict):
        return "{", [(f"{_text(key)}: ", item) for key, item in value.items()], "}"
    if isinstance(value, list | tuple) and not isinstance(value, str):
        return "[", [("", item) for item in value], "]"
    return None


def _flat(value: Any) -> str:
    parts = _parts(value)
    if parts is None:
        return _literal(value)
    opener, items, closer = parts
    return opener + ", ".join(prefix + _flat(item) for prefix, item in items) + closer


def _lines(value: Any, indent: int, prefix: str, suffix: str) -> list[str]:
    """`prefix value suffix` split the way Black and ruff format split it."""
    pad = " " * indent
    flat = pad + prefix + _flat(value) + suffix
    parts = _parts(value)
    if len(flat) <= _WIDTH or parts is None or not parts[1]:
        return [flat]
    opener, items, closer = parts
    # Arguments that fit on one line stay together; a dict or list gets one item per line.
    body = " " * (indent + 4) + ", ".join(p + _flat(item) for p, item in items)
    if isinstance(value, _Call) and len(body) <= _WIDTH:
        return [pad + prefix + opener, body, pad + closer + suffix]
    lines = [pad + prefix + opener]
    comma = "," if len(items) > 1 else ""
    for item_prefix, item in items:
        lines += _lines(item, indent + 4, item_prefix, comma)
    return [*lines, pad + closer + suffix]


def _statement(prefix: str, value: Any) -> list[str]:
    return _lines(value, 0, prefix, "")


def _comment(text: str | None) -> list[str]:
    return textwrap.wrap(text or "", _WIDTH, initial_indent="# ", subsequent_indent="# ")
