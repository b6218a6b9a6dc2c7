"""Live learning-rate changes as the Keras schedule that replays them: PiecewiseConstantDecay."""

from __future__ import annotations

from collections.abc import Sequence

from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.export.code_format import comment
from lrexplorer.core.keras_api.optimizers import registry

PIECEWISE = "PiecewiseConstantDecay"


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
    schedule = ScheduleConfig(PIECEWISE, {"boundaries": boundaries, "values": values})
    return config.replace(learning_rate=values[0], schedule=schedule)


def history_comment(config: RunConfig) -> list[str]:
    assert config.schedule is not None
    values = config.schedule.param_dict()
    starts = [1, *(boundary + 2 for boundary in values["boundaries"])]
    ends = [*(start - 1 for start in starts[1:]), None]
    spans = [
        _span(rate, start, end)
        for rate, start, end in zip(values["values"], starts, ends, strict=True)
    ]
    return comment(
        f"The learning rates set during the run: {', '.join(spans)}. Keras counts steps "
        "from 0, and PiecewiseConstantDecay uses values[i] while that count is <= boundaries[i]."
    )


def _span(rate: float, start: int, end: int | None) -> str:
    if end is None:
        return f"{format_number(rate)} from step {start}"
    steps = f"steps {start}-{end}" if end > start else f"step {start}"
    return f"{format_number(rate)} for {steps}"
