"""The trainer under interruption: a stop during a download that hangs."""

from __future__ import annotations

import threading

import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.data import datasets as data
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.training.control import TrainingControl
from lrexplorer.core.training.trainer import Trainer
from tests.reliability_support import point_keras_home, silent_server_url, without_stall_timeout


@pytest.fixture
def silent_server():
    yield from silent_server_url()


def test_a_stop_during_a_download_that_hangs_ends_the_run_as_stopped(
    tmp_path, monkeypatch, silent_server
):
    keras()
    without_stall_timeout(monkeypatch)  # the stop ends the download, nothing else can
    point_keras_home(monkeypatch, tmp_path / "keras-home")
    monkeypatch.setenv(data.MIRROR_ENV, silent_server)
    control = TrainingControl()
    threading.Timer(0.3, control.stop).start()
    record = Trainer().run(RunConfig(dataset="mnist", train_samples=64), control=control)
    assert record.status == ev.STOPPED and record.error is None
