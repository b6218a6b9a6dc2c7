"""What a run is: RunConfig, its parameters' kinds and ranges, and numbers as people type them.
No Keras. `from lrexplorer.core.config import RunConfig` is the stable path for scripts."""

from lrexplorer.core.config.run_config import (
    DATASETS,
    MAX_EPOCHS,
    SCHEMA_VERSION,
    Params,
    RunConfig,
    ScheduleConfig,
    differences,
)

__all__ = [
    "DATASETS",
    "MAX_EPOCHS",
    "SCHEMA_VERSION",
    "Params",
    "RunConfig",
    "ScheduleConfig",
    "differences",
]
