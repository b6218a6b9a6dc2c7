"""Loads Keras (and TensorFlow behind it) on first use, so importing lrexplorer stays fast."""

from __future__ import annotations

import importlib
import os
import threading
from types import ModuleType

_lock = threading.Lock()
_keras: ModuleType | None = None


def keras() -> ModuleType:
    """The keras module, importing TensorFlow on the first call (about 2-3 s)."""
    global _keras
    if _keras is None:
        with _lock:
            if _keras is None:
                os.environ.setdefault("KERAS_BACKEND", "tensorflow")
                # TensorFlow's C++ start-up chatter is not for our users.
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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
