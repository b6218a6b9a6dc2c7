"""Progress on the terminal: one line redrawn in place with a bar, rate and time left on a TTY;
plain lines and never a carriage return when the output is a pipe or a CI log."""

from __future__ import annotations

import io
import re

import pytest

from lrexplorer.cli.find_lr import _FinderPrinter
from lrexplorer.cli.progress import ProgressPrinter
from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.explore import range_test as lf

STEPS_PER_EPOCH, EPOCHS = 50, 2


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


class Clock:
    """Time that moves only when told: 10 ms per batch here, whatever the machine's load."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")


def train(printer: ProgressPrinter, clock: Clock, prefix_config: RunConfig | None = None) -> None:
    config = prefix_config or RunConfig("rmsprop", 1e-3, epochs=EPOCHS, dataset="sample")
    total = STEPS_PER_EPOCH * EPOCHS
    printer(ev.RunStarted("r1", config, {"class_name": "RMSprop"}, STEPS_PER_EPOCH, total, 6400,
                          100, "bundled MNIST sample"))  # fmt: skip
    for step in range(1, total + 1):
        clock.now += 0.01
        epoch = (step - 1) // STEPS_PER_EPOCH + 1
        printer(ev.BatchEnd(step, epoch, step, 1.0, 0.5, 1.0 / step, 0.5, 1e-3, step * 0.01))
        if step % STEPS_PER_EPOCH == 0:
            printer(ev.EpochEnd(epoch, step, 0.5, 0.8, 0.4, 0.85, 0.5))
    printer(ev.RunFinished(ev.FINISHED, 1.0))
    printer.close()


def test_a_terminal_gets_one_line_redrawn_with_bar_rate_and_time_left():
    stream, clock = Terminal(), Clock()
    train(ProgressPrinter(stream=stream, clock=clock), clock)
    text = stream.getvalue()
    redraws = [part for part in text.split("\r\x1b[K") if "batch/s" in part]
    # 100 batches over 1 s: at most one redraw per 0.1 s, plus the last one.
    assert 5 <= len(redraws) <= 12
    middle = redraws[len(redraws) // 2]
    assert "\n" not in middle and len(middle) <= 119  # one line, inside the terminal's width
    expected = (r"^epoch \d/2 \[[#█]+[-░]+\]\s+\d+%  \d+/100  100 batch/s  0:0\d elapsed"
                r"  0:0\d left  loss \d\.\d{4} acc 0\.5000 lr 1e-3$")  # fmt: skip
    assert re.search(expected, middle), middle
    # The bar never widens again as the text beside it changes: no jitter back and forth.
    widths = [len(re.search(r"\[[#█\-░]+\]", part).group()) for part in redraws]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) <= 3, widths
    assert "epoch 1: loss 0.5000 acc 0.8000 val_loss 0.4000 val_acc 0.8500 (0.5s)\n" in text
    assert text.endswith("finished in 1.0s\n\r\x1b[K")


def test_a_pipe_gets_plain_lines_only():
    stream, clock = Pipe(), Clock()
    train(ProgressPrinter(stream=stream, clock=clock), clock)
    text = stream.getvalue()
    assert "\r" not in text and "\x1b" not in text
    assert text.splitlines() == [
        "training RMSprop 1e-3 on bundled MNIST sample: 6400 images, 2 epoch(s) of 50 steps, "
        "batch 128",
        "epoch 1: loss 0.5000 acc 0.8000 val_loss 0.4000 val_acc 0.8500 (0.5s)",
        "epoch 2: loss 0.5000 acc 0.8000 val_loss 0.4000 val_acc 0.8500 (0.5s)",
        "finished in 1.0s",
    ]


def test_a_sweep_run_shows_which_run_of_how_many():
    stream, clock = Terminal(), Clock()
    train(ProgressPrinter(stream=stream, prefix="[2/3] ", clock=clock), clock)
    assert "\r\x1b[K[2/3] epoch 2/2 [" in stream.getvalue()


@pytest.mark.parametrize(
    ("columns", "shown"),
    [("80", ["[", "left", "loss"]), ("50", ["epoch 1/2", "%"])],
)  # fmt: skip
def test_a_narrower_terminal_keeps_the_line_inside_it(monkeypatch, columns, shown):
    monkeypatch.setenv("COLUMNS", columns)
    stream, clock = Terminal(), Clock()
    train(ProgressPrinter(stream=stream, clock=clock), clock)
    redraws = [part for part in stream.getvalue().split("\r\x1b[K") if "epoch 1/2" in part]
    assert redraws and all(len(part) <= int(columns) - 1 for part in redraws)
    assert all(text in redraws[-1] for text in shown), redraws[-1]


def download(printer: ProgressPrinter, clock: Clock) -> None:
    message, total = "Downloading MNIST mnist.npz", 11_490_434
    printer(ev.DataProgress(message))
    for done in [1000, *range(1_000_000, total, 1_000_000), total, total]:
        clock.now += 0.5
        printer(ev.DataProgress(message, done, total))


def test_a_download_shows_bytes_and_their_rate_on_a_terminal():
    stream, clock = Terminal(), Clock()
    download(ProgressPrinter(stream=stream, clock=clock), clock)
    last = stream.getvalue().split("\r\x1b[K")[-1]
    # 11.5 MB from the first bytes (t=0.5 s) to the last event (t=7 s): 1.8 MB/s.
    assert re.fullmatch(r"Downloading MNIST mnist.npz \[[#█]+\] 100%  11\.5 MB of 11\.5 MB  "
                        r"1\.8 MB/s  0:06 elapsed  0:00 left", last), last  # fmt: skip


def test_a_download_in_a_log_is_a_line_when_it_starts_and_one_when_it_is_done():
    stream, clock = Pipe(), Clock()
    download(ProgressPrinter(stream=stream, clock=clock), clock)
    assert stream.getvalue().splitlines() == [
        "Downloading MNIST mnist.npz (11.5 MB)...",
        "Downloading MNIST mnist.npz: done, 11.5 MB in 6.0s",
    ]


def range_test(printer: _FinderPrinter, clock: Clock) -> None:
    steps = 40
    printer(lf.FinderStarted(steps, 1e-7, 10.0, 300, 32, "bundled MNIST sample"))
    for index in range(steps):
        clock.now += 0.02
        printer(lf.FinderPoint(index, 1e-7 * 10 ** (index / 4.875), 2.3, 2.3))
    result = lf.FinderResult((), (), (), ev.FINISHED, "", {}, (), 1e-7, 10.0, steps, 0.8)
    printer(lf.FinderFinished(result))
    printer.close()


def test_the_range_test_draws_a_bar_on_a_terminal_and_lines_elsewhere():
    stream, clock = Terminal(), Clock()
    range_test(_FinderPrinter(ProgressPrinter(stream=stream, clock=clock)), clock)
    text = stream.getvalue()
    bars = [part for part in text.split("\r\x1b[K") if part.startswith("range test [")]
    assert bars and "40/40  50 batch/s" in bars[-1] and "lr 10 loss 2.3000" in bars[-1]
    assert "0:00 left" in bars[-1]
    stream, clock = Pipe(), Clock()
    range_test(_FinderPrinter(ProgressPrinter(stream=stream, clock=clock)), clock)
    assert stream.getvalue().splitlines() == [
        "range test on bundled MNIST sample: 300 images, 40 batches of 32, learning rate "
        "1e-7 -> 10",
        "All 40 batches trained (0.8s).",
    ]
