"""What a training run reports, as frozen dataclasses: plain data, no Keras, no Qt.

The trainer calls its `on_event` callback with these from the training thread; the window
receives them through a queued Qt signal, the command line prints them, and
RunRecord.apply() folds them into the saved history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrexplorer.core.config import RunConfig

# How a run ended.
FINISHED = "finished"
STOPPED = "stopped"
DIVERGED = "diverged"
FAILED = "failed"
RUNNING = "running"
STATUSES = (RUNNING, FINISHED, STOPPED, DIVERGED, FAILED)


@dataclass(frozen=True)
class DataProgress:
    """Loading data: a download's bytes so far (total may be unknown), or a stage message."""

    message: str
    done: int = 0
    total: int | None = None


@dataclass(frozen=True)
class RunStarted:
    """Training is about to begin. `config` is resolved: defaults filled in, values checked."""

    run_id: str
    config: RunConfig
    optimizer_config: dict[str, Any]  # the optimizer's Keras get_config(), for the record
    steps_per_epoch: int
    total_steps: int
    train_samples: int
    test_samples: int
    data_source: str  # where the data came from, e.g. "MNIST (Keras cache)"
    data_notice: str | None = None  # said plainly to the user, e.g. "offline: using the sample"


@dataclass(frozen=True)
class BatchEnd:
    """One trained batch. `loss`/`accuracy` are this batch's own; `mean_*` are Keras's
    running means over the epoch so far (what `logs` holds)."""

    step: int  # 1-based over the whole run
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    loss: float
    accuracy: float
    mean_loss: float
    mean_accuracy: float
    learning_rate: float  # the rate the optimizer used for this step
    elapsed: float  # seconds since training began


@dataclass(frozen=True)
class EpochEnd:
    epoch: int  # 1-based
    step: int  # global step at the end of the epoch
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    seconds: float


@dataclass(frozen=True)
class LearningRateChanged:
    """A live change: from `step` on (1-based, inclusive) the rate is `learning_rate`."""

    step: int
    learning_rate: float
    previous: float


@dataclass(frozen=True)
class Paused:
    step: int


@dataclass(frozen=True)
class Resumed:
    step: int
    paused_seconds: float


@dataclass(frozen=True)
class RunFinished:
    status: str  # FINISHED, STOPPED, DIVERGED or FAILED
    seconds: float  # training time, pauses excluded
    error: str | None = None  # a readable message when FAILED or DIVERGED
    detail: str | None = field(default=None, repr=False)  # traceback text, for a details box


Event = (
    DataProgress
    | RunStarted
    | BatchEnd
    | EpochEnd
    | LearningRateChanged
    | Paused
    | Resumed
    | RunFinished
)
