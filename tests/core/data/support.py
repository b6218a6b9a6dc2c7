"""What the data tests share: the bundled sample's arrays, small files in either layout."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from lrexplorer.core.config import RunConfig
from lrexplorer.core.data import datasets as data
from lrexplorer.core.data.datasets import load_dataset

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "mnist_sample.npz"


def sample_arrays() -> dict[str, np.ndarray]:
    with np.load(SAMPLE, allow_pickle=False) as archive:
        return {key: archive[key] for key in data.KEYS}


def small_arrays(n_train: int = 60, n_test: int = 20) -> dict[str, np.ndarray]:
    arrays = sample_arrays()
    return {
        "x_train": arrays["x_train"][:n_train],
        "y_train": arrays["y_train"][:n_train],
        "x_test": arrays["x_test"][:n_test],
        "y_test": arrays["y_test"][:n_test],
    }


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in data.IDX_FILES.items():
        raw = idx_bytes(arrays[key])
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return folder


def from_file(path: Path) -> data.Dataset:
    return load_dataset(RunConfig(dataset="file", data_path=str(path)))
