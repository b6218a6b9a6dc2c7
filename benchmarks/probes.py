"""One measurement per process, for bench.py: `python benchmarks/probes.py NAME --mnist PATH ...`.

Each probe prints one line `RESULT {json}`. Times are measured inside the process after
TensorFlow is imported, so A and B compare training, not start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RATES = (1e-4, 1e-3, 1e-2)


def result(**values: Any) -> None:
    print("RESULT " + json.dumps(values), flush=True)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def config(args: argparse.Namespace, **changes: Any) -> Any:
    from lrexplorer.core.config import RunConfig

    base = RunConfig(
        optimizer="rmsprop",
        learning_rate=1e-4,
        dataset="file",
        data_path=args.mnist,
        epochs=args.epochs,
        batch_size=128,
        train_samples=args.train_samples,
    )
    if args.spe is not None:  # otherwise RunConfig's default, as `lrexplorer run` has it
        changes.setdefault("steps_per_execution", args.spe)
    return base.replace(**changes)


# --- B: the tutorial's plain script ---------------------------------------------------------
def probe_plain(args: argparse.Namespace) -> None:
    """The tutorial's script as a learner writes it: Keras defaults, plain fit (with --spe N,
    steps_per_execution=N: as the app and its exported script compile it)."""
    import keras
    import numpy as np

    from lrexplorer.core.keras_api import model_zoo

    with np.load(args.mnist) as data:
        x, y = model_zoo.flat_pixels(data["x_train"]), data["y_train"]
    seconds: list[float] = []

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seconds.append(time.perf_counter() - self.began)

    model = model_zoo.tutorial_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=args.spe or 1,  # the tutorial's script leaves Keras's default, 1
    )
    model.fit(x, y, epochs=args.epochs, batch_size=128, verbose=0, callbacks=[EpochClock()])
    result(epoch_seconds=seconds)


# --- sweeps ---------------------------------------------------------------------------------
def sweep_configs(args: argparse.Namespace) -> list[Any]:
    """RATES, repeated over --seeds seeds (0, 1, ...), seed by seed as `lrexplorer sweep`."""
    return [config(args, learning_rate=r, seed=s) for s in range(args.seeds) for r in RATES]


def probe_sweep_together(args: argparse.Namespace) -> None:
    """Runs of one seed train together (at most 8 at once); the seeds one after another.
    seconds: training time as the records count it; wall: model building and tracing too."""
    from lrexplorer.core.training.trainer import Trainer

    trainer = Trainer()
    configs = sweep_configs(args)
    trainer.load_data(configs[0])
    began = time.perf_counter()
    records = trainer.run_many(configs)
    wall = time.perf_counter() - began
    chunks: dict[int, float] = {}
    for record in records:  # runs trained together share their time: count it once
        chunks[record.config.seed] = max(chunks.get(record.config.seed, 0.0), record.seconds)
    result(seconds=sum(chunks.values()), wall=wall, statuses=[r.status for r in records])


def probe_sweep_separate(args: argparse.Namespace) -> None:
    from lrexplorer.core.training.trainer import Trainer

    trainer = Trainer()
    configs = sweep_configs(args)
    trainer.load_data(configs[0])
    began = time.perf_counter()
    records = [trainer.run(c) for c in configs]
    wall = time.perf_counter() - began
    result(seconds=sum(r.seconds for r in records), wall=wall, statuses=[r.status for r in records])


# --- memory ---------------------------------------------------------------------------------
def session_configs(runs: int) -> list[Any]:
    """A classroom session: short runs, a new rate each time, three optimizers in turn."""
    from lrexplorer.core.config import RunConfig

    optimizers = ("rmsprop", "adam", "sgd")
    return [
        RunConfig(
            optimizer=optimizers[i % 3],
            learning_rate=10 ** (-4 + (i % 7) / 2),
            dataset="sample",
            train_samples=256,
            test_samples=128,
            epochs=1,
            seed=i % 5,
        )
        for i in range(runs)
    ]


def probe_memory_trainer(args: argparse.Namespace) -> None:
    from lrexplorer.core.training.trainer import Trainer

    trainer = Trainer()
    after: list[float] = []
    for run in session_configs(args.runs):
        trainer.run(run)
        after.append(rss_mb())
    result(first=after[0], last=after[-1], runs=len(after))


PROBES = {
    "plain": probe_plain,
    "sweep-together": probe_sweep_together,
    "sweep-separate": probe_sweep_separate,
    "memory-trainer": probe_memory_trainer,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("probe", choices=sorted(PROBES) + ["gui"])
    parser.add_argument("--mnist")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--spe", type=int)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--train-samples", type=int)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("what", nargs="?")
    args = parser.parse_args()
    if args.probe == "gui":
        from gui_probes import run_gui_probe  # benchmarks/ is on sys.path as the script's folder

        run_gui_probe(args)
        return
    PROBES[args.probe](args)


if __name__ == "__main__":
    sys.exit(main())
