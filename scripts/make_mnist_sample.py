"""Make the bundled offline sample: a class-balanced subset of a Keras-layout MNIST .npz.

    python scripts/make_mnist_sample.py mnist.npz resources/mnist_sample.npz

Deterministic: the first N images of each class in file order, kept in their original order so
the classes stay interleaved the way they are in MNIST.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

KEYS = ("x_train", "y_train", "x_test", "y_test")


def first_per_class(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first `per_class` examples of each label, in file order."""
    chosen = [np.flatnonzero(labels == label)[:per_class] for label in range(10)]
    short = [label for label, idx in enumerate(chosen) if len(idx) < per_class]
    if short:
        raise ValueError(f"fewer than {per_class} examples of label(s) {short}")
    return np.sort(np.concatenate(chosen))


def make_sample(src: Path, out: Path, train_per_class: int, test_per_class: int) -> None:
    with np.load(src, allow_pickle=False) as data:
        arrays = {key: data[key] for key in KEYS}
    train = first_per_class(arrays["y_train"], train_per_class)
    test = first_per_class(arrays["y_test"], test_per_class)
    np.savez_compressed(
        out,
        x_train=arrays["x_train"][train],
        y_train=arrays["y_train"][train],
        x_test=arrays["x_test"][test],
        y_test=arrays["y_test"][test],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="Keras-layout MNIST .npz to take digits from")
    parser.add_argument("out", type=Path, help="where to write the sample .npz")
    parser.add_argument("--train-per-class", type=int, default=800, metavar="N")
    parser.add_argument("--test-per-class", type=int, default=200, metavar="M")
    args = parser.parse_args(argv)
    try:
        make_sample(args.src, args.out, args.train_per_class, args.test_per_class)
    except (OSError, ValueError, KeyError) as error:
        print(f"make_mnist_sample: {error}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
