"""The data layer: the bundled sample, local files, bad input, and Keras downloads offline."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import importlib.util
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.data import datasets as data
from lrexplorer.core.data import download
from lrexplorer.core.data.datasets import DataError, DownloadCancelled, DownloadFailed, load_dataset
from lrexplorer.core.events import DataProgress

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "mnist_sample.npz"
# A full Keras-layout mnist.npz for the real-data checks, when one sits beside the checkout.
REAL_MNIST = Path(os.environ.get("LREXPLORER_MNIST_NPZ", ROOT.parent / "shared/data/mnist.npz"))
needs_real_mnist = pytest.mark.skipif(
    not REAL_MNIST.is_file(), reason="no full Keras-layout mnist.npz available"
)
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# --- helpers and fixtures ------------------------------------------------------------------------


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


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def point_keras_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    # Keras reads KERAS_HOME once, on import; once loaded, only its module global counts.
    monkeypatch.setenv("KERAS_HOME", str(home))
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:
        monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    return home


@pytest.fixture
def keras_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras cache, whether or not Keras is loaded yet."""
    return point_keras_home(monkeypatch, tmp_path / "keras-home")


@pytest.fixture
def loaded_keras_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras cache for a test that runs Keras (loaded first, so no home leaks out)."""
    from lrexplorer.core.keras_api.loader import keras

    keras()
    return point_keras_home(monkeypatch, tmp_path / "keras-home")


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder): a local HTTP server publishing the folder."""
    folder = tmp_path / "mirror"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A URL whose server accepts connections (the kernel does it) but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()


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


# --- Keras datasets: cache, download, offline fallback, cancel -----------------------------------


def test_keras_origins_and_hashes_match_the_installed_keras() -> None:
    # A Keras upgrade that moves or changes its files must fail here, not on a user's machine.
    keras_dir = Path(importlib.util.find_spec("keras").submodule_search_locations[0])
    mnist = (keras_dir / "src" / "datasets" / "mnist.py").read_text()
    fashion = (keras_dir / "src" / "datasets" / "fashion_mnist.py").read_text()
    assert data.KERAS_ORIGIN in mnist and data.KERAS_ORIGIN in fashion
    assert data.MNIST_SHA256 in mnist and '"mnist.npz"' in mnist
    assert 'os.path.join("datasets", "fashion-mnist")' in fashion
    for name, sha256 in data.KERAS_DATASETS["fashion_mnist"].files:
        assert f'"{name}"' in fashion and sha256 is None
    assert "file_hash" not in fashion


def test_offline_mnist_falls_back_to_the_sample_fast(keras_home: Path, monkeypatch) -> None:
    monkeypatch.setenv(data.MIRROR_ENV, closed_port_url())
    started = time.monotonic()
    dataset = load_dataset(RunConfig(dataset="mnist"))
    assert time.monotonic() - started < 3
    assert dataset.source == "bundled MNIST sample"
    assert dataset.notice.startswith("Could not download MNIST (")
    assert "refused the connection" in dataset.notice
    assert "bundled offline sample of 8,000 MNIST handwritten digits" in dataset.notice
    assert len(dataset.x_train) == 8000
    assert not any((keras_home / "datasets").iterdir())  # nothing half-written left behind


def test_offline_fashion_mnist_says_it_trains_on_digits(keras_home: Path, monkeypatch) -> None:
    monkeypatch.setenv(data.MIRROR_ENV, closed_port_url())
    dataset = load_dataset(RunConfig(dataset="fashion_mnist", train_samples=500))
    assert dataset.source == "bundled MNIST sample"
    assert "Could not download Fashion-MNIST" in dataset.notice
    assert "digits, not Fashion-MNIST's clothing" in dataset.notice
    assert len(dataset.x_train) == 500


def test_a_cached_file_keras_would_reject_is_not_trusted(keras_home: Path, monkeypatch) -> None:
    cached = keras_home / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    np.savez_compressed(cached, **small_arrays())  # right layout, but not Keras's file
    monkeypatch.setenv(data.MIRROR_ENV, closed_port_url())
    dataset = load_dataset(RunConfig(dataset="mnist"))
    assert dataset.source == "bundled MNIST sample"
    assert "does not match Keras's checksum" in dataset.notice
    assert cached.exists()


def test_mirror_without_the_file_falls_back(keras_home: Path, monkeypatch, file_server) -> None:
    url, _folder = file_server
    monkeypatch.setenv(data.MIRROR_ENV, url)
    dataset = load_dataset(RunConfig(dataset="mnist"))
    assert "answered HTTP 404" in dataset.notice


def test_download_reports_progress_and_checks_the_hash(tmp_path: Path, file_server) -> None:
    url, folder = file_server
    payload = SAMPLE.read_bytes()
    (folder / "mnist.npz").write_bytes(payload)
    target = tmp_path / "cache" / "mnist.npz"
    events: list[DataProgress] = []
    digest = hashlib.sha256(payload).hexdigest()
    data.download(url + "mnist.npz", target, digest, events.append, label="MNIST")
    assert target.read_bytes() == payload
    assert events[0] == DataProgress("Downloading MNIST")
    assert events[-1] == DataProgress("Downloading MNIST", len(payload), len(payload))
    done = [event.done for event in events]
    assert done == sorted(done)
    assert [p.name for p in target.parent.iterdir()] == ["mnist.npz"]


def test_download_with_the_wrong_hash_keeps_nothing(tmp_path: Path, file_server) -> None:
    url, folder = file_server
    (folder / "mnist.npz").write_bytes(b"not the real thing")
    target = tmp_path / "cache" / "mnist.npz"
    with pytest.raises(DownloadFailed, match="does not match the expected checksum"):
        data.download(url + "mnist.npz", target, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_cancel_a_download_from_a_silent_server(keras_home: Path, monkeypatch, silent_server):
    monkeypatch.setenv(data.MIRROR_ENV, silent_server)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(DownloadCancelled, match="^download cancelled$"):
        load_dataset(RunConfig(dataset="mnist"), cancel=cancel)
    assert time.monotonic() - started < 2
    assert list((keras_home / "datasets").iterdir()) == []


def test_a_stalled_download_gives_up(keras_home: Path, monkeypatch, silent_server) -> None:
    monkeypatch.setenv(data.MIRROR_ENV, silent_server)
    monkeypatch.setattr(download, "STALL_SECONDS", 0.5)
    dataset = load_dataset(RunConfig(dataset="mnist"))
    assert "sent nothing for 0.5 s" in dataset.notice


def test_fashion_mnist_downloads_into_the_cache_keras_reads(
    loaded_keras_home: Path, monkeypatch: pytest.MonkeyPatch, file_server
) -> None:
    url, folder = file_server
    arrays = small_arrays()
    write_idx_folder(folder, arrays)
    monkeypatch.setenv(data.MIRROR_ENV, url)
    events: list[DataProgress] = []

    dataset = load_dataset(RunConfig(dataset="fashion_mnist"), progress=events.append)
    assert dataset.source == "Fashion-MNIST (Keras cache)" and dataset.notice is None
    for key in data.KEYS:
        assert np.array_equal(getattr(dataset, key), arrays[key])
    assert any(event.message.endswith("(4 of 4)") for event in events)
    cached = sorted(p.name for p in (loaded_keras_home / "datasets" / "fashion-mnist").iterdir())
    assert cached == sorted(name for name, _ in data.KERAS_DATASETS["fashion_mnist"].files)

    events.clear()
    load_dataset(RunConfig(dataset="fashion_mnist"), progress=events.append)
    assert not any(event.message.startswith("Downloading") for event in events)
