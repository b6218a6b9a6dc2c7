"""The filter around `import keras`: TensorFlow's INFO and WARNING lines are dropped; errors,
tracebacks, warnings and other threads' output pass, in order, even when the process aborts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from lrexplorer.core.keras_api.quiet_import import is_noise

ROOT = Path(__file__).resolve().parents[3]

# What TensorFlow 2.21 prints while it loads (TF_CPP_MIN_LOG_LEVEL has no say yet).
NOISE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    b"I0000 00:00:1796332636.150671   21639 port.cc:153] oneDNN custom operations are on. You "
    b"may see slightly different numerical results. To turn them off, set the environment "
    b"variable `TF_ENABLE_ONEDNN_OPTS=0`.\n",
    b"W0000 00:00:1.0   1 local_rendezvous.cc:412] Local rendezvous is aborting\n",
    b"2024-01-31 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations\n",
    b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    b"with the appropriate compiler flags.\n",
]
KEPT = [
    b"E0000 00:00:1.0   1 fake.cc:3] a real C++ error line\n",
    b"F0000 00:00:1.0   1 fake.cc:4] Check failed: a fatal line\n",
    b"Traceback (most recent call last):\n",
    b"I said something that merely starts with I\n",
    b"training RMSprop 1e-3 on bundled MNIST sample\n",
]


def test_noise_is_told_from_everything_else():
    assert all(is_noise(line) for line in NOISE)
    assert not any(is_noise(line) for line in KEPT)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_inside_the_filter_only_noise_is_dropped_and_the_rest_keeps_its_order():
    result = run_python(
        f"""
        import os, sys, threading, warnings
        from lrexplorer.core.keras_api.quiet_import import stderr_filtered
        print("before", file=sys.stderr, flush=True)
        with stderr_filtered():
            for line in {NOISE + KEPT[:2]!r}:
                os.write(2, line)
            warnings.warn("the app's own warning")
            thread = threading.Thread(target=lambda: print("another thread", file=sys.stderr))
            thread.start()
            thread.join()
            print("no line break at the end", end="", file=sys.stderr)
        print(" <- after", file=sys.stderr)
        print("stdout untouched")
        """
    )
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert result.stdout == b"stdout untouched\n"
    lines = err.splitlines()
    assert lines[0] == "before"
    assert lines[1:3] == [KEPT[0].decode().strip(), KEPT[1].decode().strip()]
    assert "UserWarning: the app's own warning" in lines[3]
    assert lines[-2:] == ["another thread", "no line break at the end <- after"]
    assert not any(is_noise(line.encode()) for line in lines)


def test_a_fatal_error_inside_the_filter_still_reaches_the_terminal():
    """E.g. TensorFlow on a CPU without AVX: its last words, then the abort."""
    result = run_python(
        """
        import os
        from lrexplorer.core.keras_api.quiet_import import stderr_filtered
        with stderr_filtered():
            os.write(2, b"I0000 00:00:1.0   1 port.cc:153] oneDNN custom operations are on.\\n")
            os.write(2, b"F0000 00:00:1.0   1 cpu_feature_guard.cc:1] The TensorFlow library "
                        b"was compiled to use AVX instructions, but these aren't available.\\n")
            os.abort()
        """
    )
    err = result.stderr.decode()
    assert result.returncode != 0
    assert "The TensorFlow library was compiled to use AVX instructions" in err
    assert "oneDNN" not in err


def test_without_a_stderr_the_import_runs_unfiltered():
    result = run_python(
        """
        import os
        from lrexplorer.core.keras_api.quiet_import import stderr_filtered
        os.close(2)
        with stderr_filtered():
            pass
        os.write(1, b"fine")
        """
    )
    assert result.returncode == 0 and result.stdout == b"fine"
