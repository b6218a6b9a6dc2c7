"""A run's progress on the terminal: a live line on a TTY, epoch lines otherwise."""

from __future__ import annotations

import sys
from typing import Any


class ProgressPrinter:
    """Prints a run's events on the terminal: a live line on a TTY, epoch lines otherwise."""

    def __init__(self, quiet: bool = False, stream: Any = None, prefix: str = "") -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.prefix = prefix
        self.live = self.stream.isatty() and not quiet
        self._total = 0
        self._last_draw = 0.0

    def __call__(self, event: Any) -> None:
        from lrexplorer.core import events as ev
        from lrexplorer.core.config.number_text import compact_number

        if isinstance(event, ev.DataProgress):
            if event.total:
                self._line(f"{event.message} {event.done / event.total:4.0%}")
            elif self.live:
                self._line(event.message)
        elif isinstance(event, ev.RunStarted):
            self._total = event.total_steps
            if event.data_notice:
                self._print(f"note: {event.data_notice}")
            if not self.quiet:
                config = event.config
                self._print(
                    f"{self.prefix}training {config.label(event.optimizer_config['class_name'])} "
                    f"on {event.data_source}: {event.train_samples} images, {config.epochs} "
                    f"epoch(s) of {event.steps_per_epoch} steps, batch {config.batch_size}"
                )
        elif isinstance(event, ev.BatchEnd) and self.live:
            if event.elapsed - self._last_draw >= 0.1 or event.step == self._total:
                self._last_draw = event.elapsed
                remaining = event.elapsed / event.step * (self._total - event.step)
                self._line(
                    f"{self.prefix}epoch {event.epoch} step {event.step}/{self._total} "
                    f"loss {event.mean_loss:.4f} acc {event.mean_accuracy:.4f} "
                    f"lr {compact_number(event.learning_rate)} ~{remaining:.0f}s left"
                )
        elif isinstance(event, ev.EpochEnd) and not self.quiet:
            val = ""
            if event.val_accuracy is not None:
                val = f" val_loss {event.val_loss:.4f} val_acc {event.val_accuracy:.4f}"
            self._print(
                f"{self.prefix}epoch {event.epoch}: loss {event.loss:.4f} acc {event.accuracy:.4f}"
                f"{val} ({event.seconds:.1f}s)"
            )
        elif isinstance(event, ev.LearningRateChanged) and not self.quiet:
            self._print(f"{self.prefix}step {event.step}: learning rate -> {event.learning_rate}")
        elif isinstance(event, ev.RunFinished):
            text = f"{self.prefix}{event.status} in {event.seconds:.1f}s"
            self._print(text + (f": {event.error}" if event.error else ""))

    def _line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()

    def _print(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
