"""The full training script of a run: its data, the model's own code, the optimizer, compile
and fit, as plain Keras that trains the same way at the same speed."""

from __future__ import annotations

import inspect
from pathlib import Path

from lrexplorer.core.config import DATASETS, RunConfig
from lrexplorer.core.export.code_format import Call, Raw, statement
from lrexplorer.core.export.keras_code import compile_lines, optimizer_lines
from lrexplorer.core.export.rate_history import history_comment
from lrexplorer.core.keras_api.loader import keras_version
from lrexplorer.core.keras_api.models import MODELS, zoo
from lrexplorer.core.keras_api.optimizers import OptimizerSpec

IMPORT_LINES = {"keras": "import keras", "tf.keras": "from tensorflow import keras"}


def import_lines(import_style: str, imports: set[str]) -> list[str]:
    """The import statements, grouped and sorted as isort does: the standard library first."""
    third_party = [IMPORT_LINES[import_style]]
    if "numpy" in imports:
        third_party.append("import numpy as np")
    third_party.sort(key=lambda line: (line.startswith("from "), line))
    stdlib = [f"import {name}" for name in sorted(imports - {"numpy"})]
    return [*([*stdlib, ""] if stdlib else []), *third_party]


def _script_header(
    config: RunConfig, spec: OptimizerSpec, import_style: str, imports: set[str]
) -> list[str]:
    """The script's docstring and its imports."""
    return [
        '"""Reproduces an lrexplorer run in plain Keras.',
        "",
        f"Run: {config.label(spec.class_name)}",
        f"Model: {MODELS[config.model].title}",
        f"Data: {DATASETS[config.dataset]}",
        f"Written for Keras {keras_version()}.",
        '"""',
        "",
        *import_lines(import_style, imports),
    ]


def model_sources(config: RunConfig) -> tuple[str, list[str]]:
    """(the pixel preparation function, the model's classes and builder), quoted verbatim from
    core/keras_api/model_zoo.py."""
    info = MODELS[config.model]
    module = zoo()
    builder = inspect.getsource(getattr(module, info.builder)).rstrip()
    classes = [
        inspect.getsource(cls).rstrip()
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and cls.__module__ == module.__name__ and name in builder
    ]
    prepare = inspect.getsource(getattr(module, info.prepare)).rstrip()
    return prepare, [*classes, builder]


def prepare_lines(config: RunConfig) -> list[str]:
    prepare = MODELS[config.model].prepare
    return [
        "# Pixels as the model expects them: float32 values between 0 and 1.",
        f"x_train = {prepare}(x_train)",
        f"x_test = {prepare}(x_test)",
    ]


def model_lines(config: RunConfig) -> list[str]:
    return [
        "# The same seed as the run: the same initial weights and batch order.",
        f"keras.utils.set_random_seed({config.seed})",
        f"model = {MODELS[config.model].builder}()",
    ]


def fit_lines(config: RunConfig, target: str = "") -> list[str]:
    """model.fit(...) with the run's epochs, batch size and validation data; `target` is what
    the result is assigned to ("history = "), if anything."""
    kwargs = {
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "validation_data": Raw("(x_test, y_test)"),
    }
    return statement(target, Call("model.fit", (Raw("x_train"), Raw("y_train")), kwargs))


def script(config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool) -> str:
    prepare, model_defs = model_sources(config)
    data_defs, data_lines, imports = data_code(config)
    header = _script_header(config, spec, import_style, imports)
    defs = [*data_defs, prepare, *model_defs]
    optimizer_code = history_comment(config) if replayed else []
    optimizer_code += optimizer_lines(config, spec, "object")
    flow = [
        *data_lines,
        "",
        *prepare_lines(config),
        "",
        *model_lines(config),
        "",
        *optimizer_code,
        *compile_lines(config, "optimizer", execution=True),
        "",
        *fit_lines(config),
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
    # The type byte: 8 is unsigned bytes (MNIST's); the others are big-endian numbers.
    dtype = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}[data[2]]
    array = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim)
    return array.astype(dtype[1:]).reshape(shape)  # in this computer's byte order


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


def data_code(config: RunConfig) -> tuple[list[str], list[str], set[str]]:
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
            *statement("data = ", Call("np.load", (path,))),
            *_NPZ_ARRAYS,
        ]
        imports.add("numpy")
    elif not _is_idx_folder(config.data_path):
        lines = [
            "# The run's data file: arrays x_train, y_train, x_test, y_test.",
            *statement("data = ", Call("np.load", (_user_path(config.data_path),))),
            *_NPZ_ARRAYS,
        ]
        imports.add("numpy")
    else:
        defs.append(_READ_IDX)
        lines = statement(_SPLIT, Call("load_idx_folder", (_user_path(config.data_path),)))
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
