"""The data layer's Keras datasets: the cache Keras reads, downloads from a mirror, the offline
fallback to the bundled sample, and cancelling a download."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lrexplorer.core.config import RunConfig
from lrexplorer.core.data import datasets as data
from lrexplorer.core.data import download
from lrexplorer.core.data.datasets import DownloadCancelled, DownloadFailed, load_dataset
from lrexplorer.core.events import DataProgress
from tests.core.data.support import SAMPLE, small_arrays, write_idx_folder
from tests.reliability_support import (
    closed_port_url,
    point_keras_home,
    silent_server_url,
    without_stall_timeout,
)


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
    yield from silent_server_url()


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


def test_offline_mnist_falls_back_to_the_sample_at_once(keras_home: Path, monkeypatch) -> None:
    """At once: the refused connection itself ends the attempt; nothing waits for a timeout
    (the stall timeout is ten minutes here)."""
    without_stall_timeout(monkeypatch)
    monkeypatch.setenv(data.MIRROR_ENV, closed_port_url())
    dataset = load_dataset(RunConfig(dataset="mnist"))
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
    """The cancel ends it (DownloadCancelled), not the stall timeout (ten minutes here)."""
    without_stall_timeout(monkeypatch)
    monkeypatch.setenv(data.MIRROR_ENV, silent_server)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    with pytest.raises(DownloadCancelled, match="^download cancelled$"):
        load_dataset(RunConfig(dataset="mnist"), cancel=cancel)
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
