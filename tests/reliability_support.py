"""What the reliability tests share: an empty Keras cache, and servers that refuse or hang."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def point_keras_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """An empty Keras cache. Keras reads KERAS_HOME once, on import; after that only its
    module global counts, so both are set."""
    monkeypatch.setenv("KERAS_HOME", str(home))
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:
        monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    return home


def without_stall_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads wait ten minutes for a silent server: whatever ends one in a test (a refused
    connection, a cancel) is then what the test says, never the stall timeout, on a machine of
    any speed."""
    from lrexplorer.core.data import download

    monkeypatch.setattr(download, "STALL_SECONDS", 600.0)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def silent_server_url() -> Iterator[str]:
    """For a fixture: a URL whose server accepts connections (the kernel does it) but never
    answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()
