"""The Keras code equivalent to a run: compile snippets in every form Keras accepts, and a script.

The name form (`optimizer="rmsprop"`) silently trains with Keras's defaults; its snippet says
which of the run's values it would lose. Generated code follows PEP 8 (79 columns) because it is
shown on a projector and pasted into notebooks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lrexplorer.core.config import RunConfig
from lrexplorer.core.data.datasets import known_steps_per_epoch
from lrexplorer.core.export.code_format import comment, quoted
from lrexplorer.core.export.keras_code import compile_lines, lost_values, optimizer_lines
from lrexplorer.core.export.rate_history import history_comment, with_learning_rate_history
from lrexplorer.core.export.script import IMPORT_LINES, script
from lrexplorer.core.keras_api.optimizers import OptimizerSpec, registry
from lrexplorer.core.keras_api.validation import check_config

IMPORT_STYLES = tuple(IMPORT_LINES)
# (config checked, its optimizer, import style, replays live rate changes) -> the code
Renderer = Callable[[RunConfig, OptimizerSpec, str, bool], "Snippet"]
__all__ = [
    "FORMS",
    "IMPORT_LINES",
    "IMPORT_STYLES",
    "Snippet",
    "render",
    "resolve",
    "with_learning_rate_history",
]


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
    steps_per_epoch: int | None = None,
) -> Snippet:
    """The code for `config` in one of FORMS; ConfigError if the config cannot train.

    `steps_per_epoch` (a run record's) caps the script's steps_per_execution as the run was
    compiled; without it, it is worked out from the dataset's size when that is known.
    """
    if form not in FORMS:
        raise ValueError(f"unknown snippet form {form!r}: choose one of {', '.join(FORMS)}")
    if import_style not in IMPORT_STYLES:
        raise ValueError(
            f"unknown import style {import_style!r}: choose one of {', '.join(IMPORT_STYLES)}"
        )
    config, spec, replayed = resolve(config, lr_changes, steps_per_epoch)
    return _RENDERERS[form](config, spec, import_style, replayed)


def resolve(
    config: RunConfig,
    lr_changes: Sequence[tuple[int, float]] = (),
    steps_per_epoch: int | None = None,
) -> tuple[RunConfig, OptimizerSpec, bool]:
    """(the config the code is written for, its optimizer, whether it replays live rate
    changes): the changes become a schedule, defaults are filled in from Keras. ConfigError
    if the config cannot train."""
    if lr_changes:
        config = with_learning_rate_history(config, lr_changes)
    config = check_config(config)
    steps = steps_per_epoch or known_steps_per_epoch(config)
    config = config.replace(steps_per_execution=config.capped_steps_per_execution(steps))
    spec = registry().get(config.optimizer)
    replayed = bool(lr_changes) and config.schedule is not None
    return config, spec, replayed


def _name_snippet(
    config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool
) -> Snippet:
    if not spec.by_name:
        warning = (
            f"Keras does not accept {spec.class_name} by name: optimizer={quoted(spec.name)} "
            "raises ValueError, so use the dict or object form."
        )
        compile_line = f"# model.compile(optimizer={quoted(spec.name)}, ...)  # ValueError"
        lines = [*comment(warning), IMPORT_LINES[import_style], "", compile_line]
        return Snippet("name", "\n".join(lines) + "\n", warning)
    lost = lost_values(config, spec, replayed)
    warning = f"The name form trains with Keras's defaults: {'; '.join(lost)}." if lost else None
    lines = comment(warning) if warning else []
    lines += [IMPORT_LINES[import_style], "", *compile_lines(config, quoted(spec.name))]
    return Snippet("name", "\n".join(lines) + "\n", warning)


def _compile_form(form: str) -> Renderer:
    """The dict or object form: the optimizer in a variable, then compile with it."""

    def render_form(
        config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool
    ) -> Snippet:
        lines = history_comment(config) if replayed else []
        lines += optimizer_lines(config, spec, form) + compile_lines(config, "optimizer")
        return Snippet(form, "\n".join([IMPORT_LINES[import_style], "", *lines]) + "\n", None)

    return render_form


def _script_form(
    config: RunConfig, spec: OptimizerSpec, import_style: str, replayed: bool
) -> Snippet:
    return Snippet("script", script(config, spec, import_style, replayed), None)


# Each form's renderer, in the order the export dialog shows them: a new form is one entry.
_RENDERERS: dict[str, Renderer] = {
    "name": _name_snippet,
    "dict": _compile_form("dict"),
    "object": _compile_form("object"),
    "script": _script_form,
}
FORMS = tuple(_RENDERERS)
