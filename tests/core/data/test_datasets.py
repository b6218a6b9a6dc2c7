"""The data layer: the bundled sample, local files, and bad input refused with a reason."""

from __future__ import annotations

import gzip
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.data import datasets as data
from lrexplorer.core.data.datasets import DataError, load_dataset
from tests.core.data.support import (
    ROOT,
    SAMPLE,
    from_file,
    sample_arrays,
    small_arrays,
    write_idx_folder,
)

# A full Keras-layout mnist.npz for the real-data checks, when one sits beside the checkout.
REAL_MNIST = Path(os.environ.get("LREXPLORER_MNIST_NPZ", ROOT.parent / "shared/data/mnist.npz"))
needs_real_mnist = pytest.mark.skipif(
    not REAL_MNIST.is_file(), reason="no full Keras-layout mnist.npz available"
)
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the bundled sample --------------------------------------------------------------------------


def test_sample_loads_balanced_and_small() -> None:
    dataset = load_dataset(RunConfig(dataset="sample"))
    assert dataset.source == "bundled MNIST sample"
    assert dataset.notice is None
    assert dataset.x_train.shape == (8000, 28, 28) and dataset.x_test.shape == (2000, 28, 28)
    assert np.bincount(dataset.y_train).tolist() == [800] * 10
    assert np.bincount(dataset.y_test).tolist() == [200] * 10
    assert dataset.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # MNIST's own order
    assert SAMPLE.stat().st_size <= 2 * 1024 * 1024


@needs_real_mnist
def test_sample_is_the_first_digits_of_each_class_of_real_mnist() -> None:
    script = load_script("make_mnist_sample")
    sample = sample_arrays()
    with np.load(REAL_MNIST, allow_pickle=False) as full:
        for split, per_class in (("train", 800), ("test", 200)):
            chosen = script.first_per_class(full[f"y_{split}"], per_class)
            assert np.array_equal(full[f"x_{split}"][chosen], sample[f"x_{split}"])
            assert np.array_equal(full[f"y_{split}"][chosen], sample[f"y_{split}"])


def test_sample_script_makes_a_balanced_subset_in_file_order(tmp_path: Path) -> None:
    source = tmp_path / "source.npz"
    np.savez_compressed(source, **small_arrays(200, 100))
    out = tmp_path / "out.npz"
    script = load_script("make_mnist_sample")
    args = [str(source), str(out), "--train-per-class", "3", "--test-per-class", "2"]
    assert script.main(args) == 0
    made = from_file(out)
    assert np.bincount(made.y_train).tolist() == [3] * 10
    assert np.bincount(made.y_test).tolist() == [2] * 10
    first = small_arrays(200, 100)
    # every chosen digit is among the first of its class, and the original order is kept
    positions = [
        int(np.flatnonzero((first["x_train"] == image).all(axis=(1, 2)))[0])
        for image in made.x_train
    ]
    assert positions == sorted(positions)


def test_sample_script_refuses_too_few_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "source.npz"
    np.savez_compressed(source, **small_arrays(30, 20))
    script = load_script("make_mnist_sample")
    assert script.main([str(source), str(tmp_path / "out.npz")]) == 1
    assert "fewer than 800" in capsys.readouterr().err


# --- local files that load -----------------------------------------------------------------------


def test_local_npz_loads(tmp_path: Path) -> None:
    path = tmp_path / "digits.npz"
    np.savez_compressed(path, **small_arrays())
    dataset = from_file(path)
    assert dataset.source == "file digits.npz"
    assert np.array_equal(dataset.x_train, small_arrays()["x_train"])
    assert dataset.y_test.shape == (20,)


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "plain"])
def test_idx_folder_loads(tmp_path: Path, gz: bool) -> None:
    arrays = small_arrays()
    folder = write_idx_folder(tmp_path / "idx", arrays, gz=gz)
    dataset = from_file(folder)
    assert dataset.source == "IDX files in idx"
    for key in data.KEYS:
        assert np.array_equal(getattr(dataset, key), arrays[key])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16, np.int8, np.float32, np.float64])
def test_labels_of_any_integer_type_or_whole_floats_load_as_digits(tmp_path, dtype) -> None:
    arrays = small_arrays()
    labels = {key: arrays[key].astype(dtype) for key in ("y_train", "y_test")}
    np.savez(tmp_path / "digits.npz", **{**arrays, **labels})
    dataset = from_file(tmp_path / "digits.npz")
    assert dataset.y_train.dtype == np.uint8 and dataset.y_test.dtype == np.uint8
    assert np.array_equal(dataset.y_train, arrays["y_train"])


def test_idx_label_files_of_32_bit_integers_load(tmp_path: Path) -> None:
    arrays = small_arrays()
    folder = write_idx_folder(tmp_path / "idx", arrays)
    labels = arrays["y_train"].astype(">i4")
    header = bytes([0, 0, 0x0C, 1]) + np.array(labels.shape, ">u4").tobytes()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(header + labels.tobytes()))
    dataset = from_file(folder)
    assert dataset.y_train.dtype == np.uint8
    assert np.array_equal(dataset.y_train, arrays["y_train"])


def test_the_sizes_known_before_loading_are_the_real_ones() -> None:
    assert len(load_dataset(RunConfig(dataset="sample")).x_train) == data.TRAIN_IMAGES["sample"]
    assert data.known_steps_per_epoch(RunConfig(dataset="sample")) == 63  # 8000 / 128
    assert data.known_steps_per_epoch(RunConfig(dataset="mnist", train_samples=300)) == 3
    assert data.known_steps_per_epoch(RunConfig(dataset="file", data_path="x.npz")) is None


def test_subset_takes_the_first_samples() -> None:
    dataset = load_dataset(RunConfig(dataset="sample", train_samples=100, test_samples=30))
    full = sample_arrays()
    assert np.array_equal(dataset.x_train, full["x_train"][:100])
    assert np.array_equal(dataset.y_test, full["y_test"][:30])
    assert dataset.notice is None


def test_subset_larger_than_the_data_uses_all_and_says_so() -> None:
    dataset = load_dataset(RunConfig(dataset="sample", train_samples=60000))
    assert len(dataset.x_train) == 8000
    assert "60,000 training images" in dataset.notice and "8,000" in dataset.notice


@needs_real_mnist
def test_real_mnist_from_a_file() -> None:
    dataset = from_file(REAL_MNIST)
    assert dataset.source == f"file {REAL_MNIST.name}"
    assert np.bincount(dataset.y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(dataset.y_test).tolist() == TEST_COUNTS
    assert dataset.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


# --- bad input: one readable DataError naming the file and the problem ---------------------------


def broken(key: str, value: np.ndarray) -> dict[str, np.ndarray]:
    arrays = small_arrays()
    arrays[key] = value
    return arrays


BAD_ARRAYS = {  # what is put in place of one array, and what the error must say
    "wrong shape": (
        "x_train",
        np.zeros((60, 784), np.uint8),
        "bad.npz: x_train has shape (60, 784), expected (N, 28, 28)",
    ),
    "wrong dtype": (
        "x_test",
        np.zeros((20, 28, 28), np.float32),
        "bad.npz: x_test has dtype float32, expected uint8",
    ),
    "labels outside 0-9": (
        "y_train",
        np.full(60, 11, np.uint8),
        "bad.npz: y_train has labels outside 0-9 (found 11)",
    ),
    "fractional labels": (
        "y_train",
        np.full(60, 0.5),
        "bad.npz: y_train has labels that are not whole numbers (found 0.5): labels must be the "
        "whole numbers 0-9 (any integer type, or floats such as 3.0)",
    ),
    "negative int64 labels": (
        "y_test",
        np.full(20, -3, np.int64),
        "bad.npz: y_test has labels outside 0-9 (found -3)",
    ),
    "label shape": (
        "y_test",
        np.zeros((20, 1), np.uint8),
        "bad.npz: y_test has shape (20, 1), expected (N,)",
    ),
    "counts differ": (
        "y_train",
        np.zeros(59, np.uint8),
        "bad.npz: x_train has 60 images but y_train has 59 labels",
    ),
    "empty": ("x_test", np.zeros((0, 28, 28), np.uint8), "bad.npz: x_test is empty"),
}


@pytest.mark.parametrize("key, value, expected", BAD_ARRAYS.values(), ids=BAD_ARRAYS.keys())
def test_bad_arrays(tmp_path: Path, key: str, value: np.ndarray, expected: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **broken(key, value))
    with pytest.raises(DataError) as caught:
        from_file(path)
    assert str(caught.value) == expected


def test_missing_keys(tmp_path: Path) -> None:
    arrays = small_arrays()
    del arrays["y_test"]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DataError) as caught:
        from_file(tmp_path / "mnist.npz")
    assert str(caught.value) == "mnist.npz: missing key(s) y_test (found x_train, y_train, x_test)"


def test_pickled_objects_are_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "evil.npz", **broken("y_train", np.array([object()] * 60)))
    with pytest.raises(DataError, match=r"evil.npz: y_train holds Python objects"):
        from_file(tmp_path / "evil.npz")


def test_truncated_npz(tmp_path: Path) -> None:
    whole = tmp_path / "whole.npz"
    np.savez_compressed(whole, **small_arrays())
    cut = tmp_path / "cut.npz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataError, match=r"^cut.npz is truncated or damaged \("):
        from_file(cut)


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not digits\n")
    with pytest.raises(DataError, match=r"notes.txt is not a .npz archive$"):
        from_file(path)


def test_single_npy_array(tmp_path: Path) -> None:
    np.save(tmp_path / "images.npy", small_arrays()["x_train"])
    with pytest.raises(DataError, match=r"images.npy is a single .npy array"):
        from_file(tmp_path / "images.npy")


def test_one_idx_file_instead_of_its_folder(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "idx", small_arrays())
    with pytest.raises(DataError, match="choose the folder that holds all four"):
        from_file(folder / "train-images-idx3-ubyte.gz")


def test_truncated_gz(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "idx", small_arrays())
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(DataError, match=r"^train-images-idx3-ubyte.gz is truncated or damaged \("):
        from_file(folder)


def test_idx_with_short_data(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "idx", small_arrays(), gz=False)
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-5])
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte is truncated or damaged \(15 "):
        from_file(folder)


def test_idx_with_a_bad_magic_number(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "idx", small_arrays())
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"<html>oops</html>"))
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz is not an IDX file"):
        from_file(folder)


def test_idx_files_that_disagree(tmp_path: Path) -> None:
    arrays = small_arrays()
    arrays["y_train"] = arrays["y_train"][:50]
    folder = write_idx_folder(tmp_path / "idx", arrays)
    with pytest.raises(DataError) as caught:
        from_file(folder)
    assert str(caught.value) == (
        "train-images-idx3-ubyte.gz has 60 images but train-labels-idx1-ubyte.gz has 50 labels"
    )


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"has none of the four MNIST IDX files \(expected tr"):
        from_file(tmp_path)


def test_folder_missing_one_idx_file(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "idx", small_arrays())
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"idx is missing t10k-images-idx3-ubyte.gz"):
        from_file(folder)


def test_nonexistent_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nowhere.npz does not exist$"):
        from_file(tmp_path / "nowhere.npz")


def test_file_dataset_without_a_path() -> None:
    with pytest.raises(DataError, match="needs a path"):
        load_dataset(RunConfig(dataset="file"))


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads any file regardless of its permissions",
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.npz"
    np.savez(path, **small_arrays())
    path.chmod(0)
    try:
        with pytest.raises(DataError, match=r"cannot read .*locked.npz: permission denied"):
            from_file(path)
    finally:
        path.chmod(0o600)


def test_unreadable_file_as_the_os_reports_it(tmp_path: Path, monkeypatch) -> None:
    # Root bypasses permissions, so also feed the loader the error the OS would raise.
    path = tmp_path / "locked.npz"
    np.savez(path, **small_arrays())

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DataError, match=r"cannot read .*locked.npz: permission denied"):
        from_file(path)
