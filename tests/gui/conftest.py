"""GUI test fixtures: every test must leave no worker thread running."""

import pytest

from lrexplorer.gui.workers.worker import running_threads


@pytest.fixture(autouse=True)
def no_thread_left_running(qtbot):
    yield
    left = running_threads()
    if left:
        # Give a thread that is finishing its last batch a moment, then fail loudly.
        for thread in left:
            thread.wait(5000)
        names = [t.objectName() for t in running_threads()]
        pytest.fail(f"test left QThread(s) running: {names or [t.objectName() for t in left]}")
