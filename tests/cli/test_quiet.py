"""A quiet terminal: a user sees the app's own lines, not TensorFlow's start-up chatter, unless
they ask for it with --verbose; a real error still shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ["run", "--dataset", "sample", "--train-samples", "512", "--test-samples", "64"]
ABSL = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\] ")  # absl's line prefix
KNOWN_NOISE = ("absl::InitializeLog", "oneDNN custom operations", "cpu_feature_guard")


def lrexplorer(*args: str, **env: str) -> subprocess.CompletedProcess:
    """A fresh process as a user starts it: no TensorFlow log level of ours in its environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "lrexplorer", *args],
        capture_output=True, text=True, env=environ, cwd=ROOT, timeout=600,
    )  # fmt: skip


def test_a_run_prints_only_the_apps_own_lines():
    result = lrexplorer(*RUN)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert not [line for line in lines if ABSL.match(line) or any(n in line for n in KNOWN_NOISE)]
    assert lines[0].startswith("training RMSprop 1e-3 on bundled MNIST sample: 512 images")
    assert lines[1].startswith("epoch 1: loss ") and lines[2].startswith("finished in ")
    assert len(lines) == 3, result.stderr


@pytest.mark.parametrize("where", ["before the verb", "after the verb"])
def test_verbose_shows_tensorflows_lines(where):
    args = ["--verbose", *RUN] if where == "before the verb" else [*RUN, "--verbose"]
    result = lrexplorer(*args)
    assert result.returncode == 0, result.stderr
    assert "absl::InitializeLog" in result.stderr
    assert any(ABSL.match(line) for line in result.stderr.splitlines())
    assert "finished in " in result.stderr


def test_a_real_error_while_tensorflow_loads_still_shows(tmp_path):
    """A broken install: its error line and the traceback reach the user; the chatter does not."""
    fake = tmp_path / "keras"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import os\n"
        "os.write(2, b'I0000 00:00:1.0   7 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "os.write(2, b'E0000 00:00:1.0   7 loader.cc:9] libtensorflow.so.2: bad ELF\\n')\n"
        "raise ImportError('TensorFlow is broken here')\n"
    )
    result = lrexplorer(*RUN, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    assert result.returncode == 1
    assert "E0000 00:00:1.0   7 loader.cc:9] libtensorflow.so.2: bad ELF" in result.stderr
    assert "ImportError: TensorFlow is broken here" in result.stderr
    assert "oneDNN" not in result.stderr


def test_bad_input_is_still_one_line_and_nothing_else():
    result = lrexplorer(*RUN, "--lr", "1e300")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "learning rate = 1e300 is too large" in result.stderr
