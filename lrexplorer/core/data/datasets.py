"""Loads the digits a run trains on - Keras's MNIST or Fashion-MNIST, a local file, or the bundled
offline sample - and checks them, so bad input is a one-line DataError, never a traceback."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import tempfile
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrexplorer.core.config import DATASETS, RunConfig
from lrexplorer.core.data.arrays import KEYS, checked, read_idx
from lrexplorer.core.data.download import (
    DataError,
    DownloadCancelled,
    DownloadFailed,
    Progress,
    download,
    sha256_of,
)
from lrexplorer.core.data.resources import resource_path
from lrexplorer.core.events import DataProgress
from lrexplorer.core.keras_api.loader import keras

# Re-exported: callers catch these and fetch through this module.
__all__ = [
    "DataError",
    "Dataset",
    "DownloadCancelled",
    "DownloadFailed",
    "download",
    "keras_cache_dir",
    "known_steps_per_epoch",
    "load_dataset",
    "load_path",
    "load_sample",
    "read_idx",
]

SAMPLE_FILE = "mnist_sample.npz"
# The four original MNIST files (Fashion-MNIST uses the same names), by the array each holds.
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
MIRROR_ENV = "LREXPLORER_DATA_MIRROR"  # a base URL (or file:// folder) holding Keras's files
# Training images of the datasets whose size is known without reading them (a test checks).
TRAIN_IMAGES = {"mnist": 60_000, "fashion_mnist": 60_000, "sample": 8_000}


@dataclass(frozen=True)
class KerasDataset:
    """Where keras.datasets.<loader>.load_data() caches its files, as keras.utils.get_file sees it.

    Copied from keras/src/datasets/; tests/core/test_data.py checks the installed Keras agrees.
    """

    title: str
    loader: str
    subdir: str  # get_file's cache_subdir
    files: tuple[tuple[str, str | None], ...]  # (file name, the sha256 Keras checks, if any)


KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KERAS_DATASETS = {
    "mnist": KerasDataset("MNIST", "mnist", "datasets", (("mnist.npz", MNIST_SHA256),)),
    "fashion_mnist": KerasDataset(
        "Fashion-MNIST",
        "fashion_mnist",
        os.path.join("datasets", "fashion-mnist"),
        tuple((IDX_FILES[key] + ".gz", None) for key in ("y_train", "x_train", "y_test", "x_test")),
    ),
}


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray  # uint8 (N, 28, 28)
    y_train: np.ndarray  # uint8 (N,), 0-9, whatever integer type the file had (arrays.py)
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # for people: "MNIST (Keras cache)", "bundled MNIST sample", "file mnist.npz"
    notice: str | None = None  # something the user must be told, e.g. the offline fallback


def load_dataset(
    config: RunConfig,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Dataset:
    """The checked data for `config`, cut to its train_samples / test_samples."""
    report = progress or _ignore
    if config.dataset in KERAS_DATASETS:
        dataset = _load_keras(KERAS_DATASETS[config.dataset], report, cancel)
    elif config.dataset == "file":
        if not config.data_path:
            raise DataError("dataset 'file' needs a path to a .npz file or a folder of IDX files")
        report(DataProgress(f"Reading {config.data_path}"))
        dataset = load_path(config.data_path)
    elif config.dataset == "sample":
        dataset = load_sample()
    else:
        raise DataError(f"unknown dataset {config.dataset!r}: choose one of {', '.join(DATASETS)}")
    return _subset(dataset, config.train_samples, config.test_samples)


def known_steps_per_epoch(config: RunConfig) -> int | None:
    """Batches in one epoch of `config`, if that is known without reading its data: a local
    file's size is not (its train_samples is then only an upper bound, still used)."""
    images = TRAIN_IMAGES.get(config.dataset)
    if config.train_samples is not None:
        images = min(images or config.train_samples, config.train_samples)
    if not images or not isinstance(config.batch_size, int) or config.batch_size < 1:
        return None
    return math.ceil(images / config.batch_size)


def _ignore(_event: DataProgress) -> None:
    pass


def _subset(dataset: Dataset, train: int | None, test: int | None) -> Dataset:
    notes = [dataset.notice] if dataset.notice else []
    x_train, y_train = _first(dataset.x_train, dataset.y_train, train, "training", dataset, notes)
    x_test, y_test = _first(dataset.x_test, dataset.y_test, test, "test", dataset, notes)
    return dataclasses.replace(
        dataset,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        notice=" ".join(notes) or None,
    )


def _first(
    x: np.ndarray, y: np.ndarray, wanted: int | None, what: str, dataset: Dataset, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    if wanted is None:
        return x, y
    if wanted < 1:
        raise DataError(f"{what} samples = {wanted}: it must be at least 1")
    if wanted > len(x):
        notes.append(
            f"Asked for {wanted:,} {what} images but there are only {len(x):,} "
            f"({dataset.source}); using all of them."
        )
    return x[:wanted], y[:wanted]


# --- local files -------------------------------------------------------------------------------


def load_sample() -> Dataset:
    """The bundled offline sample: a class-balanced slice of real MNIST (resources/README.md)."""
    path = resource_path(SAMPLE_FILE)
    if not path.is_file():
        raise DataError(
            f"the bundled MNIST sample ({SAMPLE_FILE}) is missing from this installation"
        )
    return _npz_dataset(path, "bundled MNIST sample")


def load_path(path: str | os.PathLike[str]) -> Dataset:
    """A Keras-layout .npz file, or a folder holding the four MNIST IDX files."""
    path = Path(path).expanduser()
    try:
        if not path.exists():
            raise DataError(f"{path} does not exist")
        if path.is_dir():
            return _idx_folder_dataset(path)
        return _npz_dataset(path, f"file {path.name}")
    except PermissionError as error:
        raise DataError(f"cannot read {error.filename or path}: permission denied") from error
    except OSError as error:
        raise DataError(
            f"cannot read {error.filename or path}: {error.strerror or error}"
        ) from error


def _npz_dataset(path: Path, source: str) -> Dataset:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"\x93NUM":
        raise DataError(f"{path} is a single .npy array, not a .npz archive of {', '.join(KEYS)}")
    if head[:2] != b"PK":
        hint = "; for IDX files choose the folder that holds all four" if _is_idx_name(path) else ""
        raise DataError(f"{path} is not a .npz archive{hint}")
    arrays = _read_npz(path)
    return Dataset(**checked(arrays, path.name), source=source)


def _read_npz(path: Path) -> dict[str, Any]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            found = list(archive.files)
            missing = [key for key in KEYS if key not in found]
            if missing:
                raise DataError(
                    f"{path.name}: missing key(s) {', '.join(missing)} "
                    f"(found {', '.join(found) or 'no arrays'})"
                )
            return {key: _npz_member(archive, key, path.name) for key in KEYS}
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise DataError(f"{path.name} is truncated or damaged ({error})") from error


def _npz_member(archive: Any, key: str, name: str) -> Any:
    try:
        return archive[key]
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise DataError(
                f"{name}: {key} holds Python objects, which are never loaded"
            ) from error
        raise DataError(f"{name}: {key} is truncated or damaged ({error})") from error


def _is_idx_name(path: Path) -> bool:
    return path.name.removesuffix(".gz") in IDX_FILES.values()


def _idx_folder_dataset(folder: Path) -> Dataset:
    found = {key: _find_idx(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[key] + ".gz" for key, path in found.items() if path is None]
    if len(missing) == len(IDX_FILES):
        raise DataError(
            f"{folder} has none of the four MNIST IDX files (expected {', '.join(missing)}, "
            "gzipped or not)"
        )
    if missing:
        raise DataError(f"{folder} is missing {', '.join(missing)} (gzipped or not)")
    paths = {key: path for key, path in found.items() if path is not None}
    arrays = {key: read_idx(path) for key, path in paths.items()}
    names = {key: path.name for key, path in paths.items()}
    return Dataset(**checked(arrays, names=names), source=f"IDX files in {folder.name}")


def _find_idx(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


# --- Keras datasets --------------------------------------------------------------------------


def _load_keras(info: KerasDataset, report: Progress, cancel: threading.Event | None) -> Dataset:
    folder = keras_cache_dir(info.subdir)
    try:
        _ensure_cached(info, folder, report, cancel)
    except DownloadFailed as failure:
        return _fallback(info, str(failure))
    report(DataProgress(f"Loading {info.title} from the Keras cache"))
    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras().datasets, info.loader).load_data()
    except Exception as error:  # Keras passes on whatever numpy or gzip raise
        raise DataError(
            f"{info.title} in the Keras cache ({folder}) cannot be read ({error}); "
            "delete its files there to download them again"
        ) from error
    arrays = dict(zip(KEYS, (x_train, y_train, x_test, y_test), strict=True))
    source = f"{info.title} (Keras cache)"
    return Dataset(**checked(arrays, source), source=source)


def keras_cache_dir(subdir: str = "datasets") -> Path:
    """The folder keras.utils.get_file uses for `subdir`, resolved the way Keras resolves it."""
    config = sys.modules.get("keras.src.backend.config")
    if hasattr(config, "keras_home"):  # Keras read KERAS_HOME when it was imported
        base = config.keras_home()
    elif "KERAS_HOME" in os.environ:
        base = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        base = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    base = os.path.expanduser(base)
    with contextlib.suppress(OSError):
        os.makedirs(base, exist_ok=True)  # as importing Keras does
    if not os.access(base, os.W_OK):  # get_file's own fallback for a read-only home
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(base) / subdir


def _ensure_cached(
    info: KerasDataset, folder: Path, report: Progress, cancel: threading.Event | None
) -> None:
    """Download what Keras would download, so that load_data() only reads its cache."""
    base = os.environ.get(MIRROR_ENV) or KERAS_ORIGIN
    missing = [(name, sha) for name, sha in info.files if not _is_cached(folder / name, sha)]
    for number, (name, sha256) in enumerate(missing, 1):
        count = f" ({number} of {len(missing)})" if len(missing) > 1 else ""
        target = folder / name
        stale = target.exists()
        try:
            download(
                _url(base, name), target, sha256, report, cancel, f"{info.title} {name}{count}"
            )
        except DownloadFailed as failure:
            if stale:  # say why Keras would not use the file that is there
                raise DownloadFailed(
                    f"{failure}; the {name} in the Keras cache does not match Keras's checksum"
                ) from failure
            raise
        if sha256 is None:  # Keras checks no hash here; at least make sure it is IDX data
            try:
                read_idx(target)
            except DataError as error:
                target.unlink(missing_ok=True)
                raise DownloadFailed(f"the downloaded {error}") from error


def _is_cached(path: Path, sha256: str | None) -> bool:
    if not path.is_file():
        return False
    return sha256 is None or sha256_of(path) == sha256


def _url(base: str, name: str) -> str:
    return base + ("" if base.endswith("/") else "/") + name


def _fallback(info: KerasDataset, reason: str) -> Dataset:
    try:
        sample = load_sample()
    except DataError as error:
        raise DataError(f"Could not download {info.title} ({reason}), and {error}") from error
    digits = f"the bundled offline sample of {len(sample.x_train):,} MNIST handwritten digits"
    if info.loader != "mnist":
        digits += f" (digits, not {info.title}'s clothing)"
    notice = f"Could not download {info.title} ({reason}); training on {digits} instead."
    return dataclasses.replace(sample, notice=notice)
