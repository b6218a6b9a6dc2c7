"""A run as a Jupyter notebook: its data, the model, the compile call in a chosen form, fit with
the run's settings and a plot of the history, written and validated with nbformat."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrexplorer.core.config import DATASETS, RunConfig
from lrexplorer.core.export.code_format import quoted
from lrexplorer.core.export.keras_code import compile_lines, optimizer_lines
from lrexplorer.core.export.rate_history import history_comment
from lrexplorer.core.export.script import (
    IMPORT_LINES,
    data_code,
    fit_lines,
    import_lines,
    model_lines,
    model_sources,
    prepare_lines,
)
from lrexplorer.core.export.snippets import render, resolve
from lrexplorer.core.file_modes import give_open_mode
from lrexplorer.core.keras_api.loader import keras_version
from lrexplorer.core.keras_api.models import MODELS
from lrexplorer.core.store.records import RunRecord

if TYPE_CHECKING:
    from nbformat import NotebookNode

NOTEBOOK_FORMS = ("name", "dict", "object")
WARNING_HEADING = "The name form does not reproduce this run."

# Runs in a plain Python too: without matplotlib it prints the numbers it would have drawn.
_PLOT = """\
# The loss and accuracy of each epoch, training and validation. The plot needs
# matplotlib (pip install matplotlib); without it the numbers are printed.
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

results = history.history
epochs = range(1, len(results["loss"]) + 1)
if plt is None:
    names = ["loss", "accuracy", "val_loss", "val_accuracy"]
    print("epoch" + "".join(f"{name:>14}" for name in names))
    for epoch in epochs:
        row = [results[name][epoch - 1] for name in names]
        print(f"{epoch:5d}" + "".join(f"{value:14.4f}" for value in row))
else:
    from matplotlib.ticker import MaxNLocator

    figure, panes = plt.subplots(1, 2, figsize=(10, 4))
    for axes, name in zip(panes, ["loss", "accuracy"]):
        axes.plot(epochs, results[name], "o-", label="training")
        axes.plot(epochs, results[f"val_{name}"], "o-", label="validation")
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(name)
        axes.legend()
    figure.suptitle({title})
    plt.show()"""


def build_notebook(
    config: RunConfig,
    form: str = "object",
    import_style: str = "keras",
    lr_changes: Sequence[tuple[int, float]] = (),
    record: RunRecord | None = None,
    sample_path: str | None = None,
) -> NotebookNode:
    """The notebook that trains `config` (with its live rate changes replayed) in plain Keras,
    compiling in `form` (one of NOTEBOOK_FORMS); `record` adds the run's own results to the
    title cell. `sample_path` replaces the bundled sample's path (a lesson bundle's copy).
    ConfigError if the config cannot train."""
    import nbformat  # a quarter of a second: only when a notebook is made
    from nbformat import v4

    if form not in NOTEBOOK_FORMS:
        raise ValueError(
            f"unknown notebook form {form!r}: choose one of {', '.join(NOTEBOOK_FORMS)}"
        )
    if import_style not in IMPORT_LINES:
        raise ValueError(f"unknown import style {import_style!r}: choose one of keras, tf.keras")
    steps_per_epoch = (record.steps_per_epoch or None) if record is not None else None
    resolved, spec, replayed = resolve(config, lr_changes, steps_per_epoch)
    # The run's own label: replayed changes are a schedule only in the code.
    label = (record.label if record else "") or config.replace(
        learning_rate=resolved.learning_rate
        if config.learning_rate is None
        else config.learning_rate
    ).label(spec.class_name)
    warning = render(config, "name", import_style, lr_changes).warning if form == "name" else None
    compile_form = form if form != "name" or spec.by_name else "object"

    cells = [v4.new_markdown_cell(_title(resolved, label, record, replayed), id="title")]
    cells.append(v4.new_code_cell(_data_cell(resolved, import_style, sample_path), id="data"))
    cells.append(v4.new_code_cell(_model_cell(resolved), id="model"))
    if warning:
        text = f"**{WARNING_HEADING}** {warning}"
        if spec.by_name:
            text += (
                " The next cell compiles with the name form as asked, so its losses will not be "
                "the run's: export the object or dict form to reproduce them."
            )
        else:
            text += " The next cell uses the object form instead."
        cells.append(v4.new_markdown_cell(text, id="name-warning"))
    if compile_form == "name":
        compile_code = compile_lines(resolved, quoted(spec.name), execution=True)
    else:
        compile_code = history_comment(resolved) if replayed else []
        compile_code += optimizer_lines(resolved, spec, compile_form)
        compile_code += compile_lines(resolved, "optimizer", execution=True)
    cells.append(v4.new_code_cell("\n".join(compile_code), id="compile"))
    cells.append(v4.new_code_cell("\n".join(fit_lines(resolved, "history = ")), id="fit"))
    cells.append(v4.new_code_cell(_PLOT.replace("{title}", quoted(label)), id="plot"))

    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    nbformat.validate(notebook)
    return notebook


def notebook_text(notebook: NotebookNode) -> str:
    import nbformat

    return nbformat.writes(notebook)


def write_notebook(notebook: NotebookNode, path: str | os.PathLike[str]) -> Path:
    """Write `notebook` at `path` (".ipynb" added if it has no suffix), whole or not at all."""
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".ipynb")
    text = notebook_text(notebook)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        give_open_mode(handle, target)  # readable as any file the user writes, not mkstemp's 0600
        # newline="\n": the same bytes on every system, like the other exports.
        with open(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def record_notebook(
    record: RunRecord, form: str = "object", import_style: str = "keras", **options: Any
) -> NotebookNode:
    """The notebook of a saved run, its live learning-rate changes replayed."""
    return build_notebook(
        record.config, form, import_style, record.rate_changes(), record=record, **options
    )


# --- cells ------------------------------------------------------------------------------------


def _title(config: RunConfig, label: str, record: RunRecord | None, replayed: bool) -> str:
    lines = [
        f"# {_markdown(label)}",
        "",
        f"Reproduces the lrexplorer run **{_markdown(label)}** in plain Keras: "
        f"{_markdown(MODELS[config.model].title)} on {DATASETS[config.dataset]}, "
        f"{config.epochs} epoch{'s' if config.epochs != 1 else ''} in batches of "
        f"{config.batch_size}, seed {config.seed}: the same data, initial weights and batch "
        f"order as the run. Written for Keras {keras_version()}.",
    ]
    if replayed:
        lines[-1] += (
            " The learning-rate changes made while it trained are replayed as a "
            "`PiecewiseConstantDecay` schedule."
        )
    epochs = record.epochs if record else []
    if epochs:
        lines += [
            "",
            f"The run ({record.status}) recorded these results; run the cells in order to "
            "train it again. On the same machine and Keras version the numbers come out the "
            "same; elsewhere close, not identical.",
            "",
            "| Epoch | Loss | Accuracy | Validation loss | Validation accuracy |",
            "| --- | --- | --- | --- | --- |",
        ]
        for epoch in epochs:
            values = [epoch.get(k) for k in ("loss", "accuracy", "val_loss", "val_accuracy")]
            lines.append(f"| {epoch['epoch']} | " + " | ".join(map(_number, values)) + " |")
    return "\n".join(lines)


def _data_cell(config: RunConfig, import_style: str, sample_path: str | None) -> str:
    data_defs, data_lines, imports = data_code(config)
    prepare, _model_defs = model_sources(config)
    if sample_path is not None and config.dataset == "sample":
        from lrexplorer.core.data.resources import resource_path  # the path data_code wrote

        here = quoted(str(resource_path("mnist_sample.npz")))
        data_lines = [line.replace(here, quoted(sample_path)) for line in data_lines]
    parts = [
        "\n".join(import_lines(import_style, imports)),
        *data_defs,
        prepare,
        "\n".join([*data_lines, "", *prepare_lines(config)]),
    ]
    return "\n\n\n".join(parts)


def _model_cell(config: RunConfig) -> str:
    _prepare, model_defs = model_sources(config)
    return "\n\n\n".join([*model_defs, "\n".join(model_lines(config))])


def _number(value: Any) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "-"
    return f"{value:.4f}"


def _markdown(text: str) -> str:
    """Text shown as itself in Markdown: its emphasis, link and table characters escaped."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)
