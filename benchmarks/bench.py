"""Side-by-side benchmarks on real MNIST: `make bench` (BENCH_ARGS="--quick" for a short run).

The machine may be shared and noisy, so every comparison runs A and B alternately in the same
invocation, each in a fresh process, and reports medians, ranges and the median of the
per-round ratios A/B. Targets are printed as met or missed; nothing fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import machine as machine_info  # benchmarks/machine.py, beside this file

from lrexplorer.core.config import RunConfig

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROBES = str(Path(__file__).resolve().parent / "probes.py")
LREXPLORER = [PYTHON, "-m", "lrexplorer"]

Measure = Callable[[], dict[str, float]]
SWEEP_SAMPLES = "30000"
MNIST_STEPS = 469  # batches of 128 in an epoch of full MNIST
SWEEP_SEEDS = "3"  # the seeded sweep: 3 rates x 3 seeds


# --- running probes -----------------------------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def probe(*args: str, timeout: float = 400) -> dict:
    """Run one probe process and return its RESULT json."""
    return probes_together([list(args)], timeout)[0]


def probes_together(commands: list[list[str]], timeout: float = 400) -> list[dict]:
    """Run probe processes at the same time (only for figures that are not timings)."""
    processes = [
        subprocess.Popen(
            [PYTHON, PROBES, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        for args in commands
    ]
    results = []
    for args, process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=timeout)
        found = [json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT ")]
        if not found:
            raise RuntimeError(f"probe {args[0]} gave no result:\n{out[-2000:]}{err[-3000:]}")
        results.append(found[0])
    return results


def lrexplorer_run(mnist: str, epochs: int, spe: int | None, jit: bool = False) -> dict[str, float]:
    """A: `lrexplorer run`, timed by its own record (each epoch's seconds incl. validation)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run.json"
        command = [*LREXPLORER, "run", "--data", mnist, "--optimizer", "rmsprop", "--lr", "1e-4"]
        command += ["--epochs", str(epochs), "--batch-size", "128", "--quiet", "--json", str(out)]
        if spe is not None:
            command += ["--steps-per-execution", str(spe)]
        if jit:
            command += ["--jit-compile"]
        done = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"lrexplorer run failed: {done.stderr[-2000:]}")
        record = json.loads(out.read_text())
    return record_figures(record["epochs"], record["batches"])


def record_figures(epochs: list[dict], batches: dict[str, list]) -> dict[str, float]:
    """Epoch figures of a run record: with each epoch's validation, as the record has them,
    and without it (what the plain script's fit does), from the batches' training clock."""
    with_validation = [e["seconds"] for e in epochs]
    last_elapsed = {}
    for epoch, elapsed in zip(batches["epoch"], batches["elapsed"], strict=True):
        last_elapsed[epoch] = elapsed
    began, training = 0.0, []
    for index, seconds in enumerate(with_validation, 1):
        training.append(last_elapsed[index] - began)
        began += seconds
    figures = epoch_figures(training)
    figures |= {f"{key}, incl. validation": v for key, v in epoch_figures(with_validation).items()}
    return figures


def plain_fit(mnist: str, epochs: int, spe: int | None = None) -> dict[str, float]:
    """B: the tutorial's plain script (Keras defaults), timed per epoch by a callback; with
    `spe`, the same script compiled with steps_per_execution=spe."""
    args = ["plain", "--mnist", mnist, "--epochs", str(epochs)]
    if spe is not None:
        args += ["--spe", str(spe)]
    return epoch_figures(probe(*args)["epoch_seconds"])


def epoch_figures(seconds: list[float]) -> dict[str, float]:
    figures = {"epoch 1 s (incl. tracing)": seconds[0]}
    if len(seconds) > 1:
        figures[f"mean epoch s over {len(seconds)}"] = statistics.fmean(seconds)
        figures[f"epochs 2-{len(seconds)} mean s"] = statistics.fmean(seconds[1:])
    return figures


def startup_app() -> dict[str, float]:
    """Wall time from Popen to the window's first paint, and to Keras ready."""
    began = time.perf_counter()
    process = subprocess.Popen(
        LREXPLORER,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(LREXPLORER_STARTUP_PROBE="1"),
        cwd=ROOT,
    )
    figures: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("window_shown"):
            figures["launch to window shown s"] = time.perf_counter() - began
        elif line.startswith("keras_ready"):
            figures["launch to Keras ready s"] = time.perf_counter() - began
    process.wait(timeout=120)
    if "launch to window shown s" not in figures:
        raise RuntimeError("the window never reported window_shown")
    return figures


def import_tensorflow() -> dict[str, float]:
    began = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import tensorflow"], env=_env(), check=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    return {"import s": seconds}


# --- comparing ----------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the table: figure `a_key` of measurement `a`, against `b_key` of `b`."""

    title: str
    measured: str
    a: str
    a_key: str
    b: str | None = None
    b_key: str | None = None
    target: str = ""
    verdict: Callable[[float, float | None], str] | None = None  # (A median, ratio median)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def table(rows: list[Row], results: dict[str, list[dict[str, float]]], tag: str) -> str:
    """Ratios are taken round by round (A and B measured back to back), then summarised."""
    lines = [
        "| figure | measured | A median (min-max) | B median (min-max) | A/B median (min-max) "
        "| target | verdict | others' CPU-s A / B | machine |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        a_rounds = results.get(row.a, [])
        a = [r[row.a_key] for r in a_rounds if row.a_key in r]
        if not a:
            continue
        b: list[float] = []
        ratios: list[float] = []
        if row.b is not None:
            b_rounds = results.get(row.b, [])
            b = [r[row.b_key] for r in b_rounds if row.b_key in r]
            ratios = [
                x[row.a_key] / y[row.b_key]
                for x, y in zip(a_rounds, b_rounds, strict=False)
                if row.a_key in x and y.get(row.b_key)
            ]
        ratio = statistics.median(ratios) if ratios else None
        verdict = row.verdict(statistics.median(a), ratio) if row.verdict else ""
        load = " / ".join(
            _others(results.get(name, [])) for name in (row.a, row.b) if name is not None
        )
        lines.append(
            f"| {row.title} | {row.measured} | {_spread(a)} | {_spread(b) if b else '-'} | "
            f"{_spread(ratios) if ratios else '-'} | {row.target} | {verdict} | {load} | {tag} |"
        )
    return "\n".join(lines)


def _others(rounds: list[dict[str, float]]) -> str:
    """The median CPU-seconds other processes used while a measurement ran: near 0 on a quiet
    machine. Contention slows the plain script far more than the app (469 round trips an
    epoch against 15), so a ratio measured under load flatters the app."""
    values = [r[OTHERS] for r in rounds if OTHERS in r]
    return f"{statistics.median(values):.1f}" if values else "-"


def ratio_verdict(goal: float, limit: float) -> Callable[[float, float | None], str]:
    def verdict(a: float, ratio: float | None) -> str:
        if ratio is None:
            return ""
        if ratio <= goal:
            return "goal met"
        return "under the limit" if ratio <= limit else "LIMIT MISSED"

    return verdict


def below(limit: float, use_ratio: bool = False) -> Callable[[float, float | None], str]:
    def verdict(a: float, ratio: float | None) -> str:
        value = ratio if use_ratio else a
        return "" if value is None else ("met" if value < limit else "missed")

    return verdict


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        total_kb = int(info.readline().split()[1])
    return (
        f"{os.cpu_count()} CPUs ({model}), {total_kb / 2**20:.0f} GiB RAM, "
        f"Python {platform.python_version()}, load average at start "
        f"{os.getloadavg()[0]:.1f}"
    )


# --- the figures ----------------------------------------------------------------------------
def plan(args: argparse.Namespace) -> tuple[dict[str, tuple[Measure, bool]], list[Row]]:
    """The measurements to take each round (name -> (measure, first round only)) and the
    table's rows."""
    mnist, epochs, spe = args.mnist, args.epochs, args.spe
    wanted = set(args.only.split(",")) if args.only else None
    measures: dict[str, tuple[Measure, bool]] = {}
    rows: list[Row] = []

    def want(name: str) -> bool:
        return wanted is None or name in wanted

    run_keys = list(epoch_figures([0.0] * epochs))
    if want("training") or want("gui"):
        measures["run"] = (lambda: lrexplorer_run(mnist, epochs, None), False)
    if want("training"):
        measures["plain"] = (lambda: plain_fit(mnist, epochs), False)
        # What the gain is made of: Keras's own steps_per_execution (which the exported script
        # uses too), and how far any of it is from the compute floor (one call per epoch).
        default_spe = RunConfig().steps_per_execution
        measures["plain_spe"] = (lambda: plain_fit(mnist, epochs, default_spe), False)
        measures["floor"] = (lambda: plain_fit(mnist, epochs, MNIST_STEPS), False)
        for key in run_keys[1:] or run_keys:
            rows.append(
                Row(
                    "the app's own cost",
                    f"{key}: `lrexplorer run` (training) vs the plain script with "
                    f"steps_per_execution={default_spe}, as the app and its exported script run",
                    "run", key, "plain_spe", key, "about 1.0",
                )
            )  # fmt: skip
            rows.append(
                Row(
                    "compute floor",
                    f"{key}: the plain script with the whole epoch in one compiled call "
                    f"({MNIST_STEPS} steps) vs the plain script: the best any setting can do",
                    "floor", key, "plain", key, "-",
                )
            )  # fmt: skip
        if spe and spe != RunConfig().steps_per_execution:
            measures["run_spe"] = (lambda: lrexplorer_run(mnist, epochs, spe), False)
        if spe and args.jit:
            measures["run_jit"] = (lambda: lrexplorer_run(mnist, epochs, spe, jit=True), False)
        variants = (
            ("run", "config defaults"),
            ("run_spe", f"--steps-per-execution {spe}"),
            ("run_jit", f"--steps-per-execution {spe} --jit-compile"),
        )
        for name, label in variants:
            for key in run_keys if name in measures else []:
                for a_key, what in (
                    (key, "training"),
                    (f"{key}, incl. validation", "+ validation"),
                ):
                    rows.append(
                        Row(
                            f"training speed ({label})",
                            f"{a_key}: `lrexplorer run` {epochs} epochs ({what}) vs the plain "
                            "script's fit (training; it has no validation)",
                            name, a_key, "plain", key,
                            "goal <= 0.5, never > 1.0", ratio_verdict(0.5, 1.0),
                        )
                    )  # fmt: skip
    if want("gui"):
        measures["window"] = (lambda: window_train(mnist, epochs), False)
        for key in run_keys:
            rows.append(
                Row(
                    "training in the window",
                    f"{key}: the window (offscreen, live plots) vs `lrexplorer run`",
                    "window", key, "run", key, "A/B <= 1.05", below(1.0501, use_ratio=True),
                )
            )  # fmt: skip
        for key, limit in (
            ("lateness p99 ms", 30.0),
            ("lateness max ms", 40.0),
            ("lateness p99 ms, from batch 1", 30.0),
            ("lateness max ms, from batch 1", 40.0),
        ):
            rows.append(
                Row(
                    "responsiveness",
                    f"{key}: 10 ms QTimer during that run (from Start, or from its first batch)",
                    "window", key,
                    target=f"< {limit:.0f} ms", verdict=below(limit),
                )
            )  # fmt: skip
        measures["overlay"] = (lambda: gui_probe("overlay-redraw", runs="8"), False)
        for key, what in (
            ("live redraw ms", "redraw after ~50 ms of new live batches"),
            ("full redraw ms", "redraw of every curve (smoothing changed)"),
        ):
            rows.append(
                Row(
                    "overlay redraw", f"{key}: {what}, 20 runs x 5,000 points + the live run",
                    "overlay", key, target="median < 16 ms", verdict=below(16.0),
                )
            )  # fmt: skip
    if want("startup"):
        measures["startup"] = (startup_app, False)
        measures["import_tf"] = (import_tensorflow, False)
        for key in ("launch to window shown s", "launch to Keras ready s"):
            rows.append(
                Row(
                    "start-up", f"{key}: wall time from Popen; B: `python -c 'import tensorflow'`",
                    "startup", key, "import_tf", "import s",
                    "A/B < 0.25 (window shown)",
                    below(0.25, use_ratio=True) if "window" in key else None,
                )
            )  # fmt: skip
    if want("memory"):
        runs = str(args.runs)
        measures["memory"] = (lambda: memory(runs), True)
        for where in ("one Trainer", "one window"):
            rows.append(
                Row(
                    f"memory ({where})", f"RSS growth MB from run 1 to run {runs} (short runs, "
                    "new rate each, 3 optimizers in turn)", "memory", f"{where}: RSS growth MB",
                    target="growth < 200 MB", verdict=below(200.0),
                )
            )  # fmt: skip
    if want("sweep"):
        sweep_spe = str(spe or RunConfig().steps_per_execution)
        for seeds in ("1", SWEEP_SEEDS):
            tag = "" if seeds == "1" else f" x {seeds}"
            together = sweep_probe("sweep-together", mnist, sweep_spe, seeds)
            separate = sweep_probe("sweep-separate", mnist, sweep_spe, seeds)
            measures[f"together{tag}"] = (together, False)
            measures[f"separate{tag}"] = (separate, False)
            runs = 3 * int(seeds)
            what = "3 rates" if seeds == "1" else f"3 rates x {seeds} seeds"
            for key in ("training s", "wall s"):
                rows.append(
                    Row(
                        f"sweep of {what} (steps per execution {sweep_spe})",
                        f"{key}, 1 epoch of {SWEEP_SAMPLES} MNIST images each: "
                        f"Trainer.run_many (a seed's runs together) vs {runs} x Trainer.run"
                        + ("; wall: model building and tracing included" if key == "wall s"
                           else ""),
                        f"together{tag}", key, f"separate{tag}", key,
                        "goal <= 0.6, never > 1.0", ratio_verdict(0.6, 1.0),
                    )
                )  # fmt: skip
    return measures, rows


def sweep_probe(name: str, mnist: str, spe: str, seeds: str) -> Measure:
    def measure() -> dict[str, float]:
        values = probe(
            name, "--mnist", mnist, "--epochs", "1", "--spe", spe,
            "--train-samples", SWEEP_SAMPLES, "--seeds", seeds,
        )  # fmt: skip
        return {"training s": values["seconds"], "wall s": values["wall"]}

    return measure


def memory(runs: str) -> dict[str, float]:
    """Both sessions at once: memory is not a timing, and this saves three minutes."""
    trainer, window = probes_together(
        [["memory-trainer", "--runs", runs], ["gui", "memory-gui", "--runs", runs]]
    )
    return {
        "one Trainer: RSS growth MB": trainer["last"] - trainer["first"],
        "one window: RSS growth MB": window["last"] - window["first"],
    }


def gui_probe(what: str, **options: str) -> dict:
    args = ["gui", what]
    for name, value in options.items():
        args += [f"--{name}", value]
    return probe(*args)


def window_train(mnist: str, epochs: int) -> dict[str, float]:
    values = gui_probe("window-train", mnist=mnist, epochs=str(epochs))
    figures = record_figures(values["epochs"], values["batches"])
    figures["lateness p99 ms"] = values["lateness_p99_ms"]
    figures["lateness max ms"] = values["lateness_max_ms"]
    figures["lateness p99 ms, from batch 1"] = values["training_lateness_p99_ms"]
    figures["lateness max ms, from batch 1"] = values["training_lateness_max_ms"]
    return figures


OTHERS = "others' CPU s"


def _own_cpu_seconds() -> float:
    """CPU time of this process and the probe processes it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mnist", default=os.environ.get("LREXPLORER_MNIST"))
    parser.add_argument("--quick", action="store_true", help="1 epoch, fewer runs (~5 min)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--spe", type=int, default=0, help="steps per execution for extra rows (0: none)"
    )
    parser.add_argument(
        "--jit", action="store_true", help="add rows for --steps-per-execution N --jit-compile"
    )
    parser.add_argument("--only", help="comma-separated: training,gui,startup,memory,sweep")
    args = parser.parse_args(argv)
    if not args.mnist or not Path(args.mnist).is_file():
        print(
            "bench: real MNIST is needed: pass --mnist PATH/mnist.npz or set LREXPLORER_MNIST "
            f"(got {args.mnist!r})",
            file=sys.stderr,
        )
        return 2
    args.mnist = str(Path(args.mnist).resolve())
    args.epochs = 1 if args.quick else 3
    args.runs = 30 if args.quick else 100
    measures, rows = plan(args)
    paragraph, tag = machine_info.header()
    print(f"machine: {machine()}", flush=True)
    print(paragraph, flush=True)
    print(f"command: python benchmarks/bench.py {' '.join(sys.argv[1:] if argv is None else argv)}")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in measures}
    began = time.perf_counter()
    for index in range(args.rounds):
        # Reverse the order every other round, so no side always runs on a warmer machine.
        order = list(measures) if index % 2 == 0 else list(reversed(measures))
        for name in order:
            measure, once = measures[name]
            if once and index > 0:
                continue
            took = time.perf_counter()
            busy, ours = machine_info.busy_cpu_seconds(), _own_cpu_seconds()
            figures = measure()
            others = machine_info.busy_cpu_seconds() - busy - (_own_cpu_seconds() - ours)
            results[name].append(figures | {OTHERS: max(0.0, others)})
            took = time.perf_counter() - took
            print(f"round {index + 1}: {name} done in {took:.0f} s", file=sys.stderr, flush=True)
    print(table(rows, results, tag))
    print(f"\n{args.rounds} rounds in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
