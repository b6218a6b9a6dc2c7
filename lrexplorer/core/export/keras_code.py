"""The Keras statements for a run's optimizer and compile call, shared by every export form."""

from __future__ import annotations

from typing import Any

from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.export.code_format import Call, Raw, comment, literal, statement
from lrexplorer.core.keras_api.models import LOSS, METRICS
from lrexplorer.core.keras_api.optimizers import OptimizerSpec
from lrexplorer.core.keras_api.schedules import LINKED, schedule_specs


def lost_values(config: RunConfig, spec: OptimizerSpec, replayed: bool) -> list[str]:
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
            lost.append(f"{param.name} {literal(param.default)}, not {literal(values[param.name])}")
    return lost


def optimizer_lines(config: RunConfig, spec: OptimizerSpec, form: str) -> list[str]:
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
            return statement("optimizer = ", Call("keras.optimizers.get", (identifier,)))
        # keras.optimizers.get only knows the optimizers in its own list; the general
        # deserializer finds any built-in class from its module.
        identifier = {
            "module": "keras.optimizers",
            "class_name": spec.class_name,
            "config": settings,
        }
        return [
            *comment(
                f"keras.optimizers.get() does not know {spec.class_name}, so the dict names "
                "its module for Keras's general deserializer."
            ),
            *statement("optimizer = ", Call("keras.utils.deserialize_keras_object", (identifier,))),
        ]
    lines: list[str] = []
    kwargs: dict[str, Any] = {}
    if schedule is not None:
        call = Call(
            f"keras.optimizers.schedules.{schedule.name}", kwargs=_schedule_args(config, schedule)
        )
        lines += statement("lr_schedule = ", call)
        kwargs["learning_rate"] = Raw("lr_schedule")
    elif config.learning_rate != spec.default_learning_rate:
        kwargs["learning_rate"] = config.learning_rate
    kwargs.update(params)
    lines += statement("optimizer = ", Call(f"keras.optimizers.{spec.class_name}", kwargs=kwargs))
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


def compile_lines(config: RunConfig, optimizer: str, execution: bool = False) -> list[str]:
    """model.compile(...) with `optimizer` (code text), the tutorial's loss and metric, and
    with `execution` (the full script) how the app executed it, so the script trains at the
    same speed: jit_compile always, since Keras's default "auto" turns XLA on with a GPU."""
    kwargs: dict[str, Any] = {
        "optimizer": Raw(optimizer),
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
        notes = comment(f"As the app ran it: {why}")
    return notes + statement("", Call("model.compile", kwargs=kwargs))
