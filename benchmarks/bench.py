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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROBES = str(Path(__file__).resolve().parent / "probes.py")
LREXPLORER = [PYTHON, "-m", "lrexplorer"]

Measure = Callable[[], dict[str, float]]


# --- running probes -----------------------------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def probe(*args: str, env: dict[str, str] | None = None, timeout: float = 400) -> dict:
    """Run one probe process and return its RESULT json."""
    done = subprocess.run(
        [PYTHON, PROBES, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or _env(),
        cwd=ROOT,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(
        f"probe {args[0]} gave no result:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )


def lrexplorer_run(mnist: str, epochs: int, spe: int | None) -> dict[str, float]:
    """A: `lrexplorer run`, timed by its own record (each epoch's seconds incl. validation)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run.json"
        command = [*LREXPLORER, "run", "--data", mnist, "--optimizer", "rmsprop", "--lr", "1e-4"]
        command += ["--epochs", str(epochs), "--batch-size", "128", "--quiet", "--json", str(out)]
        if spe is not None:
            command += ["--steps-per-execution", str(spe)]
        done = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"lrexplorer run failed: {done.stderr[-2000:]}")
        record = json.loads(out.read_text())
    return epoch_figures([e["seconds"] for e in record["epochs"]])


def plain_fit(mnist: str, epochs: int) -> dict[str, float]:
    """B: the tutorial's plain script (Keras defaults), timed per epoch by a callback."""
    return epoch_figures(probe("plain", "--mnist", mnist, "--epochs", str(epochs))["epoch_seconds"])


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
    return {"launch to window shown s": seconds, "launch to Keras ready s": seconds}


# --- comparing ----------------------------------------------------------------------------
@dataclass
class Comparison:
    """A measured side by side with B (or alone) over several rounds."""

    title: str
    measures: str  # what the numbers are, for the table
    target: str
    a: Measure
    b: Measure | None = None
    b_title: str = ""
    verdict: Callable[[dict[str, float]], str] | None = None
    once: bool = False  # long single-process figures are measured in the first round only
    rounds: list[tuple[dict[str, float], dict[str, float]]] = field(default_factory=list)

    def measure_round(self, index: int) -> None:
        # Alternate who goes first, so neither side always runs on a warmer machine.
        if self.once and index > 0:
            return
        if self.b is None:
            self.rounds.append((self.a(), {}))
        elif index % 2 == 0:
            a = self.a()
            self.rounds.append((a, self.b()))
        else:
            b = self.b()
            self.rounds.append((self.a(), b))


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def table(comparisons: list[Comparison]) -> str:
    lines = [
        "| figure | measured | A median (min-max) | B median (min-max) | A/B median "
        "(min-max) | target | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in comparisons:
        keys = list(c.rounds[0][0]) if c.rounds else []
        for key in keys:
            a = [r[0][key] for r in c.rounds]
            b = [r[1][key] for r in c.rounds if key in r[1]]
            ratios = [x / y for x, y in zip(a, b, strict=False) if y]
            summary = {"a": statistics.median(a), "ratio": statistics.median(ratios or [0.0])}
            verdict = c.verdict(summary | {"key": key}) if c.verdict else ""  # type: ignore[operator]
            lines.append(
                f"| {c.title} | {key}: {c.measures} | {_spread(a)} | "
                f"{_spread(b) if b else '-'} | {_spread(ratios) if ratios else '-'} | "
                f"{c.target} | {verdict} |"
            )
    return "\n".join(lines)


def ratio_verdict(goal: float, limit: float) -> Callable[[dict], str]:
    def verdict(s: dict) -> str:
        if s["ratio"] <= goal:
            return "goal met"
        return "under limit" if s["ratio"] <= limit else "LIMIT MISSED"

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
def comparisons(args: argparse.Namespace) -> list[Comparison]:
    mnist, epochs = args.mnist, args.epochs
    found: list[Comparison] = []
    wanted = set(args.only.split(",")) if args.only else None

    def want(name: str) -> bool:
        return wanted is None or name in wanted

    if want("training"):
        for spe in args.spe:
            label = "config default" if spe is None else f"--steps-per-execution {spe}"
            found.append(
                Comparison(
                    f"training speed ({label})",
                    f"`lrexplorer run` {epochs} epochs (epoch incl. its validation) vs plain "
                    "fit (no validation)",
                    "goal <= 0.5, never > 1.0",
                    a=lambda spe=spe: lrexplorer_run(mnist, epochs, spe),
                    b=lambda: plain_fit(mnist, epochs),
                    verdict=ratio_verdict(0.5, 1.0),
                )
            )
    if want("sweep"):
        found.append(
            Comparison(
                f"sweep of 3 rates (spe {args.sweep_spe})",
                "training s, 1 epoch each: run_many together vs 3 x Trainer.run",
                "goal <= 0.6, never > 1.0",
                a=lambda: sweep("sweep-together", mnist, args.sweep_spe),
                b=lambda: sweep("sweep-separate", mnist, args.sweep_spe),
                verdict=ratio_verdict(0.6, 1.0),
            )
        )
    if want("startup"):
        found.append(
            Comparison(
                "start-up",
                "wall s from Popen; B is `python -c 'import tensorflow'`",
                "A/B < 0.25 (window shown)",
                a=startup_app,
                b=import_tensorflow,
                verdict=lambda s: (
                    "" if "window" not in s["key"] else ("met" if s["ratio"] < 0.25 else "missed")
                ),
            )
        )
    if want("memory"):
        found.append(
            Comparison(
                "memory, one Trainer",
                f"RSS MB after {args.runs} short runs minus after the first",
                "growth < 200 MB",
                a=lambda: growth(probe("memory-trainer", "--runs", str(args.runs))),
                verdict=lambda s: (
                    "" if "first" in s["key"] else ("met" if s["a"] < 200 else "missed")
                ),
                once=True,
            )
        )
    return found


def sweep(name: str, mnist: str, spe: int) -> dict[str, float]:
    values = probe(name, "--mnist", mnist, "--epochs", "1", "--spe", str(spe))
    return {"training s": values["seconds"]}


def growth(values: dict) -> dict[str, float]:
    return {
        "RSS growth MB": values["last"] - values["first"],
        "RSS after first MB": values["first"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mnist", default=os.environ.get("LREXPLORER_MNIST"))
    parser.add_argument("--quick", action="store_true", help="fewer epochs and runs (~4 min)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated: training,sweep,startup,memory,gui")
    args = parser.parse_args(argv)
    if not args.mnist or not Path(args.mnist).is_file():
        print(
            "bench: real MNIST is needed: pass --mnist PATH/mnist.npz or set LREXPLORER_MNIST "
            f"(got {args.mnist!r})",
            file=sys.stderr,
        )
        return 2
    args.mnist = str(Path(args.mnist).resolve())
    args.epochs = 2 if args.quick else 3
    args.runs = 40 if args.quick else 100
    args.spe = [None] if args.quick else [None, 16]
    args.sweep_spe = 16
    found = comparisons(args)
    print(f"machine: {machine()}", flush=True)
    print(f"command: {' '.join([Path(PYTHON).name, 'benchmarks/bench.py', *sys.argv[1:]])}")
    began = time.perf_counter()
    for index in range(args.rounds):
        for comparison in found:
            comparison.measure_round(index)
            print(f"round {index + 1}: {comparison.title} done", file=sys.stderr, flush=True)
    print(table(found))
    print(f"\n{args.rounds} rounds in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
