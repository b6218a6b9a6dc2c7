"""The house rules that keep the layers apart, checked in fresh interpreters.

core/ never imports Qt; gui/ never imports TensorFlow or Keras when its modules load (Keras
arrives later, in a background thread); the command line's --help loads neither.
"""

import json
import os
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil, sys
import lrexplorer.{package} as package
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    if name not in {skip}:
        importlib.import_module(name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}})
print(json.dumps({{"modules": names, "loaded": loaded}}))
"""


def imported_by(package: str, skip: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
    code = PROBE.format(package=package, skip=set(skip) or "set()")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["modules"], set(data["loaded"])


def test_core_imports_no_qt():
    # model_zoo is plain Keras by design (quoted into exported scripts); it needs no Qt either.
    modules, loaded = imported_by("core")
    assert "lrexplorer.core.training.trainer" in modules
    assert not loaded & {"PySide6", "shiboken6", "pyqtgraph"}


def test_core_modules_load_without_keras_except_the_model_zoo():
    _, loaded = imported_by("core", skip=("lrexplorer.core.keras_api.model_zoo",))
    assert not loaded & {"keras", "tensorflow"}


def test_gui_modules_load_without_tensorflow():
    modules, loaded = imported_by("gui")
    assert "lrexplorer.gui.window.main_window" in modules
    assert not loaded & {"keras", "tensorflow"}


def test_plot_modules_load_without_tensorflow():
    modules, loaded = imported_by("plots")
    assert "lrexplorer.plots.live_plots" in modules
    assert not loaded & {"keras", "tensorflow"}


def test_command_line_help_loads_neither():
    code = (
        "import sys, contextlib, io\n"
        "from lrexplorer import launch\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: launch.main(['--help'])\n"
        "    except SystemExit: pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'keras', 'tensorflow', 'PySide6', 'pyqtgraph'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_layer_contracts_hold_and_catch_a_break(tmp_path):
    """import-linter's contracts (pyproject.toml) pass on the code, and fail, naming the
    contract, once core is made to import Qt."""
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    run = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    command = [sys.executable, "-c", run, "--no-cache"]
    kept = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert kept.returncode == 0, kept.stdout[-2000:]

    shutil.copytree(root / "lrexplorer", tmp_path / "lrexplorer")
    shutil.copy(root / "pyproject.toml", tmp_path)
    config = tmp_path / "lrexplorer" / "core" / "config" / "run_config.py"
    config.write_text(config.read_text() + "\nfrom PySide6 import QtCore  # noqa\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    broken = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert broken.returncode != 0
    assert "core imports no Qt BROKEN" in broken.stdout
    assert "lrexplorer.core.config.run_config -> PySide6" in broken.stdout
