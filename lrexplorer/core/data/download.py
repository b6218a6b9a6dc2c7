"""Fetching one file over HTTP into a folder, atomically, with progress, a stall timeout and a
cancel that is honoured within 0.1 s even when the server never answers."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import queue
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from lrexplorer.core.events import DataProgress
from lrexplorer.core.file_modes import give_open_mode

Progress = Callable[[DataProgress], None]

STALL_SECONDS = 20.0  # give up on a server that sends nothing for this long
_POLL_SECONDS = 0.1  # how often a download checks for a cancel and reports progress
_CHUNK = 64 * 1024


class DataError(ValueError):
    """Data that cannot be used; str() is one line naming the file (or dataset) and the problem.

    Defined here, below core/data.py, so that a failed download is a data error too.
    """


class DownloadFailed(DataError):
    """No network, a refusal, a stall or a damaged file: the caller may fall back to the sample."""


class DownloadCancelled(DataError):
    def __init__(self) -> None:
        super().__init__("download cancelled")


def _ignore(_event: DataProgress) -> None:
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str,
    target: Path,
    sha256: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    label: str | None = None,
) -> None:
    """Fetch `url` into `target` atomically, reporting bytes; a cancel is honoured within 0.1 s.

    Raises DownloadCancelled, or DownloadFailed with a readable reason.
    """
    report = progress or _ignore
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise DownloadFailed(f"cannot write to {target.parent}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "wb") as out:
            give_open_mode(out.fileno(), target)  # as Keras's own download leaves it, not 0600
            _transfer(url, out, report, cancel, label or target.name)
        if sha256 is not None and sha256_of(Path(temp)) != sha256:
            raise DownloadFailed(f"the file from {url} does not match the expected checksum")
        os.replace(temp, target)
    except OSError as error:
        raise DownloadFailed(f"cannot save {target}: {error.strerror or error}") from error
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


class _Fetch(threading.Thread):
    """Reads one URL on its own thread into a queue ending in None, so that a server which sends
    nothing cannot delay a cancel. A cancelled fetch is abandoned; its socket timeout ends it."""

    def __init__(self, url: str) -> None:
        super().__init__(name="lrexplorer-download", daemon=True)
        self.url = url
        self.total: int | None = None
        self.error: Exception | None = None
        self.chunks: queue.Queue[bytes | None] = queue.Queue()
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            with urllib.request.urlopen(self.url, timeout=STALL_SECONDS) as response:
                length = response.headers.get("Content-Length", "")
                self.total = int(length) if length.isdigit() else None
                while not self.stop.is_set() and (chunk := response.read1(_CHUNK)):
                    self.chunks.put(chunk)
        except Exception as error:  # handed to the waiting thread, which explains it
            self.error = error
        finally:
            self.chunks.put(None)


def _transfer(
    url: str, out: BinaryIO, report: Progress, cancel: threading.Event | None, label: str
) -> None:
    fetch = _Fetch(url)
    message = f"Downloading {label}"
    report(DataProgress(message))
    fetch.start()
    done, heard, shown = 0, time.monotonic(), 0.0
    while (chunk := _next_chunk(fetch, cancel)) is not None:
        now = time.monotonic()
        if chunk:
            out.write(chunk)
            done, heard = done + len(chunk), now
            if now - shown >= _POLL_SECONDS:
                report(DataProgress(message, done, fetch.total))
                shown = now
        elif now - heard > STALL_SECONDS + 1:  # the socket timeout missed it, e.g. a hung lookup
            fetch.stop.set()
            raise DownloadFailed(_reason(TimeoutError(), url))
    if fetch.error is not None:
        raise DownloadFailed(_reason(fetch.error, url)) from fetch.error
    if fetch.total is not None and done != fetch.total:
        raise DownloadFailed(f"the connection closed after {done:,} of {fetch.total:,} bytes")
    report(DataProgress(message, done, fetch.total))


def _next_chunk(fetch: _Fetch, cancel: threading.Event | None) -> bytes | None:
    """The next chunk, b"" after a quiet poll interval, None at the end; raises on a cancel."""
    try:
        chunk = fetch.chunks.get(timeout=_POLL_SECONDS)
    except queue.Empty:
        chunk = b""
    if cancel is not None and cancel.is_set():
        fetch.stop.set()
        raise DownloadCancelled()
    return chunk


def _reason(error: BaseException, url: str) -> str:
    """Why a download failed, in words a user can act on."""
    parts = urllib.parse.urlsplit(url)
    server = parts.netloc or url
    if isinstance(error, urllib.error.HTTPError):
        return f"{server} answered HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        if not isinstance(error.reason, BaseException):
            return f"{error.reason}"
        error = error.reason
    if isinstance(error, socket.gaierror):
        return f"network unreachable: cannot look up {parts.hostname}"
    if isinstance(error, TimeoutError):
        return f"{server} sent nothing for {STALL_SECONDS:g} s"
    if isinstance(error, ConnectionRefusedError):
        return f"{server} refused the connection"
    if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "network unreachable"
    if isinstance(error, OSError) and error.strerror:
        return f"{server}: {error.strerror}"
    return f"{server}: {error or type(error).__name__}"
