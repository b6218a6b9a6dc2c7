"""What the digits' arrays must be: IDX files read, and images and labels checked, so that bad
data is one DataError naming the array and what is wrong."""

from __future__ import annotations

import gzip
import math
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lrexplorer.core.data.download import DataError

KEYS = ("x_train", "y_train", "x_test", "y_test")
# IDX's type byte -> its big-endian numpy type (MNIST's own files are all unsigned bytes).
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# Labels are digits: any integer type (Keras trains on int64 as on uint8), or floats that are
# whole numbers (what np.loadtxt or a pandas column gives), stored as uint8 once checked.
LABELS_ALLOWED = "labels must be the whole numbers 0-9 (any integer type, or floats such as 3.0)"


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (gzipped or not), shaped by the dimensions in its header."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise DataError(f"{path.name} is truncated or damaged ({error})") from error
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES or raw[3] == 0:
        raise DataError(f"{path.name} is not an IDX file (header {raw[:4].hex() or 'empty'})")
    dtype = np.dtype(IDX_TYPES[raw[2]])
    header = 4 + 4 * raw[3]
    if len(raw) < header:
        raise DataError(f"{path.name} is truncated or damaged (its header is cut short)")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=raw[3], offset=4))
    expected = math.prod(dims) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(
            f"{path.name} is truncated or damaged ({len(raw) - header:,} bytes of data for "
            f"dimensions {dims}, expected {expected:,})"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(dims)


def checked(
    arrays: Mapping[str, Any], where: str = "", names: Mapping[str, str] | None = None
) -> dict[str, np.ndarray]:
    """The four arrays as MNIST-shaped uint8 data (labels converted), or DataError.

    Problems read "<where>: x_train has ...", or name each array's own file through `names`.
    """
    names = names or {key: f"{where}: {key}" if where else key for key in KEYS}
    result = {}
    for key in KEYS:
        if key.startswith("x"):
            result[key] = _images(arrays[key], names[key])
        else:
            result[key] = _labels(arrays[key], names[key])
    for split in ("train", "test"):
        images, labels = result[f"x_{split}"], result[f"y_{split}"]
        if len(images) != len(labels):
            y_name = names[f"y_{split}"].removeprefix(f"{where}: ")
            raise DataError(
                f"{names[f'x_{split}']} has {len(images):,} images but "
                f"{y_name} has {len(labels):,} labels"
            )
    return result


def _shaped(value: Any, name: str, shape: tuple[int, ...], expected: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise DataError(f"{name} is not an array")
    if value.shape[1:] != shape or value.ndim != len(shape) + 1:
        raise DataError(f"{name} has shape {value.shape}, expected {expected}")
    return value


def _images(value: Any, name: str) -> np.ndarray:
    value = _shaped(value, name, (28, 28), "(N, 28, 28)")
    if value.dtype != np.uint8:
        raise DataError(f"{name} has dtype {value.dtype}, expected uint8")
    if len(value) == 0:
        raise DataError(f"{name} is empty")
    return value


def _labels(value: Any, name: str) -> np.ndarray:
    value = _shaped(value, name, (), "(N,)")
    integers = np.issubdtype(value.dtype, np.integer)
    if not integers and not np.issubdtype(value.dtype, np.floating):
        raise DataError(f"{name} has dtype {value.dtype}: {LABELS_ALLOWED}")
    if len(value) == 0:
        raise DataError(f"{name} is empty")
    if not integers:
        fraction = ~np.isfinite(value) | (value != np.round(value))
        if fraction.any():
            raise DataError(
                f"{name} has labels that are not whole numbers (found "
                f"{_some(value[fraction])}): {LABELS_ALLOWED}"
            )
    outside = (value < 0) | (value > 9)
    if outside.any():
        raise DataError(f"{name} has labels outside 0-9 (found {_some(value[outside])})")
    return value.astype(np.uint8, copy=False)


def _some(values: np.ndarray) -> str:
    """Up to five of the distinct values, as people write them (3, not 3.0; nan)."""
    shown = [str(int(v)) if float(v).is_integer() else str(float(v)) for v in np.unique(values)[:6]]
    return ", ".join(shown[:5]) + (", ..." if len(shown) > 5 else "")
