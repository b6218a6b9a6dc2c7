"""Loads Keras (and TensorFlow behind it) on first use, so importing lrexplorer stays fast."""

from __future__ import annotations

import importlib
import os
import threading
from types import ModuleType

from lrexplorer.core.keras_api.quiet_import import stderr_filtered

_lock = threading.Lock()
_keras: ModuleType | None = None
_verbose = False


def show_tensorflow_log(show: bool = True) -> None:
    """Let TensorFlow's own log lines through (--verbose); call before the first keras()."""
    global _verbose
    _verbose = show


def keras() -> ModuleType:
    """The keras module, importing TensorFlow on the first call (about 2-3 s)."""
    global _keras
    if _keras is None:
        with _lock:
            if _keras is None:
                os.environ.setdefault("KERAS_BACKEND", "tensorflow")
                # TensorFlow's C++ INFO and WARNING lines are not for our users; its errors
                # are (3 would hide them). A level the user exported wins.
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if _verbose else "2")
                if _verbose:
                    module = importlib.import_module("keras")
                else:
                    # Lines logged while its libraries load, before TensorFlow reads the level.
                    with stderr_filtered():
                        module = importlib.import_module("keras")
                    _quiet_absl()
                _keras = module
    return _keras


def is_loaded() -> bool:
    return _keras is not None


def keras_version() -> str:
    """The installed Keras version, read without importing it."""
    from importlib import metadata  # not at start-up: it takes longer to import than to use

    try:
        return metadata.version("keras")
    except metadata.PackageNotFoundError:
        return "unknown"


def _quiet_absl() -> None:
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:
        pass
