"""Finds files in resources/: beside the package in a checkout, or in a wheel's share folder."""

from __future__ import annotations

import sys
from pathlib import Path

# An editable install or a checkout keeps resources/ beside the package; a wheel installs it
# under <prefix>/share (pyproject.toml, [tool.setuptools.data-files]).
_CHECKOUT = Path(__file__).resolve().parents[3] / "resources"
_INSTALLED = Path(sys.prefix) / "share" / "lrexplorer" / "resources"


def resource_path(name: str) -> Path:
    """The path of resources/<name>; the checkout's path if the file is in neither place."""
    for folder in (_CHECKOUT, _INSTALLED):
        candidate = folder / name
        if candidate.exists():
            return candidate
    return _CHECKOUT / name
