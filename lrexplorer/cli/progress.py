"""A run's progress on the terminal: a live progress bar on a TTY; elsewhere (CI, a pipe) plain
lines only: one at the start, one per epoch, the result, and never a carriage return."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from lrexplorer.cli.progress_bar import CLEAR, ProgressBar, size


class ProgressPrinter:
    """Prints a run's events on the terminal (stderr): a live bar on a TTY, lines otherwise."""

    def __init__(
        self,
        quiet: bool = False,
        stream: Any = None,
        prefix: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.prefix = prefix  # "[2/5] " in a sweep: which run of how many
        self.clock = clock
        self.live = self.stream.isatty() and not quiet
        self.bar: ProgressBar | None = None
        self._epochs = 0
        self._downloads: dict[str, float] = {}  # message -> when its first bytes came

    def __call__(self, event: Any) -> None:
        from lrexplorer.core import events as ev

        if isinstance(event, ev.DataProgress):
            self._data(event)
        elif isinstance(event, ev.RunStarted):
            self._started(event)
        elif isinstance(event, ev.BatchEnd) and self.live and self.bar is not None:
            from lrexplorer.core.config.number_text import compact_number

            self.bar.label = f"{self.prefix}epoch {event.epoch}/{self._epochs}"
            self.bar.update(
                event.step,
                f"loss {event.mean_loss:.4f} acc {event.mean_accuracy:.4f} "
                f"lr {compact_number(event.learning_rate)}",
            )
        elif isinstance(event, ev.EpochEnd) and not self.quiet:
            val = ""
            if event.val_accuracy is not None:
                val = f" val_loss {event.val_loss:.4f} val_acc {event.val_accuracy:.4f}"
            self.say(
                f"{self.prefix}epoch {event.epoch}: loss {event.loss:.4f} acc {event.accuracy:.4f}"
                f"{val} ({event.seconds:.1f}s)"
            )
        elif isinstance(event, ev.LearningRateChanged) and not self.quiet:
            self.say(f"{self.prefix}step {event.step}: learning rate -> {event.learning_rate}")
        elif isinstance(event, ev.RunFinished):
            text = f"{self.prefix}{event.status} in {event.seconds:.1f}s"
            self.say(text + (f": {event.error}" if event.error else ""))
            self.bar = None

    def _data(self, event: Any) -> None:
        """A download's bytes: a bar on a TTY; otherwise a line when the bytes start coming and
        one when they are all there. Other stages (reading a file) only show on a TTY."""
        if self.live:
            if not event.total:
                self.bar = None
                self._line(event.message + (f"  {size(event.done)}" if event.done else ""))
                return
            if self.bar is None or self.bar.label != event.message:
                self.bar = ProgressBar(self.stream, event.total, "B", event.message, self.clock)
            self.bar.update(event.done)
            return
        if self.quiet or not event.done:
            return
        if event.message not in self._downloads:
            self._downloads[event.message] = self.clock()
            total = f" ({size(event.total)})" if event.total else ""
            self.say(f"{event.message}{total}...")
        elif event.total and event.done >= event.total and self._downloads[event.message] >= 0:
            seconds = self.clock() - self._downloads[event.message]
            self._downloads[event.message] = -1.0  # said: once is enough
            self.say(f"{event.message}: done, {size(event.done)} in {seconds:.1f}s")

    def _started(self, event: Any) -> None:
        self._epochs = event.config.epochs
        self.bar = None
        if event.data_notice:
            self.say(f"note: {event.data_notice}")
        if not self.quiet:
            config = event.config
            self.say(
                f"{self.prefix}training {config.label(event.optimizer_config['class_name'])} "
                f"on {event.data_source}: {event.train_samples} images, {config.epochs} "
                f"epoch(s) of {event.steps_per_epoch} steps, batch {config.batch_size}"
            )
        if self.live:
            self.bar = ProgressBar(
                self.stream, event.total_steps, "batch", f"{self.prefix}epoch 1", self.clock
            )

    def _line(self, text: str) -> None:
        """A passing line on a TTY, replaced by whatever is written next."""
        if self.live:
            self.stream.write(CLEAR + text)
            self.stream.flush()

    def say(self, text: str) -> None:
        """A line of text, in place of the bar if one is shown."""
        if self.live:
            self.stream.write(CLEAR)
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.live:
            self.stream.write(CLEAR)
            self.stream.flush()
