"""The config being edited in the window: a RunConfig plus what the user typed that is not one.

Panels write changes here and redraw from `changed`; the window validates the result with core
and starts runs from it. Text that cannot become a value yet (a learning rate of "1e") is kept
as an input problem so Start can say what is wrong.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from lrexplorer.core.config import RunConfig


class DraftConfig(QObject):
    changed = Signal(object)  # the new RunConfig
    problems_changed = Signal()  # input problems were added or cleared

    def __init__(self, config: RunConfig | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = config or RunConfig()
        self._input_problems: dict[str, str] = {}

    @property
    def config(self) -> RunConfig:
        return self._config

    def set_config(self, config: RunConfig) -> None:
        if config != self._config:
            self._config = config
            self.changed.emit(config)

    def update(self, **changes: Any) -> None:
        self.set_config(self._config.replace(**changes))

    def set_param(self, name: str, value: Any, default: Any = None) -> None:
        """Set an optimizer parameter; the Keras default removes it from the config."""
        params = self._config.param_dict()
        if value is None and default is None or value == default and type(value) is type(default):
            params.pop(name, None)
        else:
            params[name] = value
        self.update(params=params)

    # --- text that is not a value yet -------------------------------------------------------
    def set_input_problem(self, field: str, message: str | None) -> None:
        if message is None:
            if self._input_problems.pop(field, None) is not None:
                self.problems_changed.emit()
        elif self._input_problems.get(field) != message:
            self._input_problems[field] = message
            self.problems_changed.emit()

    def clear_input_problems(self, prefix: str = "") -> None:
        """Forget problems of fields that no longer exist (e.g. another optimizer's)."""
        stale = [f for f in self._input_problems if f.startswith(prefix)]
        for field in stale:
            del self._input_problems[field]
        if stale:
            self.problems_changed.emit()

    @property
    def input_problems(self) -> dict[str, str]:
        return dict(self._input_problems)
