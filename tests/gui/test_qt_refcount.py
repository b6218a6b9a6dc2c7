"""A guard against a Qt binding that leaks references to None, True and False.

PySide6 6.12.0 on CPython 3.11 drops a reference to the returned singleton on every call of a
Qt method that returns nothing (setPen, update, resize, setObjectName...). A live plot makes
thousands of such calls, the count reaches zero, and the process aborts with
"Fatal Python error: none_dealloc". pyproject.toml pins PySide6 below 6.12 on Python 3.11; this
test fails if a build with the bug is installed anyway.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QCheckBox, QGraphicsLineItem, QWidget

CALLS = 500


def leaked_per_call(call) -> float:
    """How many references to None, True and False one call of `call` loses (0 is right)."""
    singletons = (None, True, False)
    call()  # anything created on first use is created now
    before = [sys.getrefcount(s) for s in singletons]
    for _ in range(CALLS):
        call()
    after = [sys.getrefcount(s) for s in singletons]
    return max(b - a for b, a in zip(before, after, strict=True)) / CALLS


@pytest.mark.parametrize(
    "method",
    ["setObjectName", "update", "resize", "setPen", "setChecked"],
)
def test_qt_methods_returning_nothing_keep_their_references(qtbot, method):
    widget = QWidget()
    qtbot.addWidget(widget)
    box = QCheckBox()
    qtbot.addWidget(box)
    line = QGraphicsLineItem(0, 0, 1, 1)
    pen = QPen()
    calls = {
        "setObjectName": lambda: widget.setObjectName("probe"),
        "update": widget.update,
        "resize": lambda: widget.resize(120, 80),
        "setPen": lambda: line.setPen(pen),
        "setChecked": lambda: box.setChecked(True),
    }
    # A leak loses one reference per call; anything else (a cache warming up) is far below it.
    assert leaked_per_call(calls[method]) < 0.5, (
        f"{method} loses a reference to None/True/False on each call: this PySide6 build "
        "would crash a live plot (see pyproject.toml's pin)"
    )


def test_the_check_sees_a_leak_of_one_reference_per_call():
    """The measure itself: a call that drops one reference to None is caught (and repaired)."""
    import ctypes

    lose_one = lambda: ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))  # noqa: E731
    try:
        assert leaked_per_call(lose_one) == pytest.approx(1.0, abs=0.01)
    finally:
        for _ in range(CALLS + 1):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
