"""Every file the app writes gets the user's usual mode (0666 & ~umask), as open() gives, so a
shared lesson folder can be read by others; a file replaced keeps the mode it had."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from lrexplorer.core.data.download import download
from lrexplorer.core.export.bundle import write_bundle
from lrexplorer.core.file_modes import current_umask, new_file_mode
from lrexplorer.core.store.files import write_json_atomic
from lrexplorer.core.store.run_store import RunStore
from lrexplorer.core.store.session import save_session
from tests.core.export.test_bundle import lesson


@pytest.fixture(params=[0o022, 0o027, 0o077], ids=["umask 022", "umask 027", "umask 077"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_umask_is_read_without_changing_it(umask):
    assert current_umask() == umask and new_file_mode() == 0o666 & ~umask
    assert os.umask(umask) == umask  # still what the test set


def test_saved_runs_and_sessions_have_the_usual_mode(tmp_path, umask):
    records = lesson()
    store = RunStore(tmp_path / "runs")
    store.save(records[0])
    session = save_session(records, tmp_path / "lesson.lrsession")
    written = [*sorted((tmp_path / "runs").iterdir()), session]
    assert len(written) == 3
    assert {path.name: oct(mode(path)) for path in written} == {
        path.name: oct(0o666 & ~umask) for path in written
    }


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_bundles_have_the_usual_mode_throughout(tmp_path, umask, as_zip):
    path = write_bundle(lesson(), tmp_path / "lesson", {"plots.png": b"png"}, as_zip=as_zip)
    if as_zip:
        assert mode(path) == 0o666 & ~umask
        with zipfile.ZipFile(path) as archive:
            assert archive.namelist()
        return
    files = [p for p in path.rglob("*") if p.is_file()]
    folders = [path, *(p for p in path.rglob("*") if p.is_dir())]
    assert len(files) > 10
    assert {oct(mode(p)) for p in files} == {oct(0o666 & ~umask)}
    assert {oct(mode(p)) for p in folders} == {oct(0o777 & ~umask)}


def test_a_download_has_the_usual_mode(tmp_path, umask):
    folder = tmp_path / "mirror"
    folder.mkdir()
    payload = b"digits" * 1000
    (folder / "mnist.npz").write_bytes(payload)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        target = tmp_path / "keras" / "datasets" / "mnist.npz"
        url = f"http://127.0.0.1:{server.server_address[1]}/mnist.npz"
        download(url, target, hashlib.sha256(payload).hexdigest())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert oct(mode(target)) == oct(0o666 & ~umask)


def test_a_replaced_file_keeps_the_mode_it_had(tmp_path):
    path = tmp_path / "run.json"
    write_json_atomic(path, {"a": 1})
    path.chmod(0o600)  # the user made it private
    write_json_atomic(path, {"a": 2}, indent=2)
    assert oct(mode(path)) == oct(0o600) and path.read_text() == '{\n  "a": 2\n}'


def test_an_exported_notebook_has_the_usual_mode(tmp_path, umask):
    from lrexplorer.core.config import RunConfig
    from lrexplorer.core.export.notebook import build_notebook, write_notebook

    path = write_notebook(build_notebook(RunConfig(dataset="sample")), tmp_path / "run.ipynb")
    assert oct(mode(path)) == oct(0o666 & ~umask)
