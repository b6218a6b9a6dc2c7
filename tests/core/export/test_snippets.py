"""Exported code builds the optimizer the app trains with, and the exported script runs."""

import gzip
import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lrexplorer.core.config import DATASETS, RunConfig, ScheduleConfig
from lrexplorer.core.export.snippets import IMPORT_STYLES, render, with_learning_rate_history
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.models import MODELS
from lrexplorer.core.keras_api.optimizers import build_optimizer, registry
from lrexplorer.core.keras_api.validation import check_config

SPECS = registry().specs()
EXPONENTIAL = ScheduleConfig("ExponentialDecay", {"decay_steps": 100, "decay_rate": 0.5})
PIECEWISE = ScheduleConfig(
    "PiecewiseConstantDecay", {"boundaries": [10, 20], "values": [0.01, 0.001, 1e-4]}
)


@pytest.fixture(scope="module")
def model():
    k = keras()
    return k.Sequential([k.Input(shape=(4,)), k.layers.Dense(2, activation="softmax")])


def _changed(param):
    """A valid value other than the Keras default."""
    if param.kind == "bool":
        return not param.default
    if param.kind == "int":
        return param.default + 1
    for candidate in (param.default / 2, 0.5):
        if candidate != param.default and param.bounds.contains(candidate):
            return candidate
    raise AssertionError(f"no test value for {param.name}")


def _configs(spec):
    own = spec.own_params[0]
    return {
        "defaults": RunConfig(spec.name),
        "changed": RunConfig(spec.name, spec.default_learning_rate / 4, {own.name: _changed(own)}),
        "exponential": RunConfig(spec.name, 0.01, schedule=EXPONENTIAL),
        "piecewise": RunConfig(spec.name, schedule=PIECEWISE),
    }


def _run(code, model):
    """The optimizer the snippet builds: its `optimizer` variable, or the compiled model's."""
    namespace = {"model": model}
    exec(code, namespace)
    return namespace.get("optimizer", model.optimizer)


def _settings(optimizer):
    config = optimizer.get_config()
    config.pop("name")
    return config


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_every_form_builds_the_apps_optimizer(name, model):
    spec = registry().get(name)
    defaults = _settings(build_optimizer(check_config(RunConfig(name))))
    for case, config in _configs(spec).items():
        expected = _settings(build_optimizer(check_config(config)))
        assert (expected == defaults) == (case == "defaults"), case
        for style in IMPORT_STYLES:
            for form in ("dict", "object"):
                snippet = render(config, form, style)
                assert snippet.warning is None
                built = _settings(_run(snippet.code, model))
                assert built == expected, f"{form} form, {case}, {style}:\n{snippet.code}"
            if spec.by_name:
                # The name form trains with Keras's defaults, whatever the run used.
                snippet = render(config, "name", style)
                assert _settings(_run(snippet.code, model)) == defaults, snippet.code
                assert (snippet.warning is None) == (case == "defaults"), snippet.warning


def test_name_form_names_every_value_it_loses():
    snippet = render(RunConfig("rmsprop", 1e-4, {"rho": 0.95}), "name")
    assert snippet.warning == (
        "The name form trains with Keras's defaults: learning_rate 0.001, not 0.0001; "
        "rho 0.9, not 0.95."
    )
    comment = " ".join(line[2:] for line in snippet.code.splitlines() if line.startswith("# "))
    assert comment == snippet.warning
    assert 'optimizer="rmsprop"' in snippet.code

    scheduled = render(RunConfig("adam", 0.01, schedule=EXPONENTIAL), "name").warning
    assert "a constant learning_rate 0.001, not the ExponentialDecay schedule" in scheduled
    changed_live = render(RunConfig("sgd", 0.1), "name", lr_changes=[(50, 0.01)]).warning
    assert "not the learning-rate changes made during the run" in changed_live


def test_all_default_config_has_no_warning():
    snippet = render(RunConfig("rmsprop"), "name")
    assert snippet.warning is None
    assert "#" not in snippet.code
    assert snippet.code == (
        "import keras\n\n"
        "model.compile(\n"
        '    optimizer="rmsprop",\n'
        '    loss="sparse_categorical_crossentropy",\n'
        '    metrics=["accuracy"],\n'
        ")\n"
    )


def test_optimizer_keras_cannot_name_gets_no_name_form():
    snippet = render(RunConfig("lamb", 0.01), "name")
    assert "by name" in snippet.warning and "dict or object form" in snippet.warning
    assert "model.compile" not in snippet.code.replace("# model.compile", "")
    dict_form = render(RunConfig("lamb", 0.01), "dict").code
    assert '"module": "keras.optimizers"' in dict_form and '"class_name": "Lamb"' in dict_form


def test_numbers_print_as_typed():
    config = RunConfig("adam", 1e-4, {"epsilon": 1e-5, "beta_1": 0.95}, schedule=EXPONENTIAL)
    for form in ("dict", "object", "script"):
        code = render(config, form).code
        assert "0.0001" in code and "1e-5" in code and "0.95" in code
        assert "e-05" not in code and "9.99" not in code
    assert "learning_rate 0.001, not 0.0003." in render(RunConfig("adam", 3e-4), "name").warning


def test_the_full_script_executes_like_the_app_and_the_short_forms_stay_short():
    fast = RunConfig("sgd", steps_per_execution=16, jit_compile=True)
    for form in ("name", "dict", "object"):
        code = render(fast, form).code
        assert "steps_per_execution" not in code and "jit_compile" not in code
    script = render(fast, "script").code
    assert "steps_per_execution=16" in script and "jit_compile=True" in script
    plain = render(RunConfig("sgd", steps_per_execution=1), "script").code
    # Keras's default jit_compile="auto" means XLA on a GPU; the app's False must be explicit.
    assert "jit_compile=False" in plain and "steps_per_execution" not in plain


@pytest.fixture
def sample_resource(monkeypatch, tmp_path):
    """core/resources.py, or a stand-in where this checkout does not have it yet."""
    if importlib.util.find_spec("lrexplorer.core.data.resources") is None:
        module = type(sys)("lrexplorer.core.data.resources")
        module.resource_path = lambda name: tmp_path / name
        monkeypatch.setitem(sys.modules, module.__name__, module)


@pytest.mark.usefixtures("sample_resource")
def test_generated_code_is_pep8(tmp_path):
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")
    configs = [
        RunConfig("rmsprop", 1e-4, {"rho": 0.95}, dataset="sample"),
        RunConfig("adam", 0.01, {"clipnorm": 1.0}, EXPONENTIAL, steps_per_execution=8),
        RunConfig(
            "sgd", dataset="file", data_path=str(tmp_path.joinpath(*["long"] * 9, "data.npz"))
        ),
        RunConfig("lamb", schedule=PIECEWISE, jit_compile=True, model="cnn", dataset="file"),
    ]
    (tmp_path / "snippets").mkdir()
    (tmp_path / "scripts").mkdir()
    for i, config in enumerate(configs):
        if config.dataset == "file" and config.data_path is None:
            config = config.replace(data_path=str(tmp_path.joinpath(*["long"] * 9, "idx")))
        for form in ("name", "dict", "object"):
            (tmp_path / "snippets" / f"{form}_{i}.py").write_text(render(config, form).code)
        for style in IMPORT_STYLES:
            code = render(config, "script", style).code
            (tmp_path / "scripts" / f"{style.replace('.', '_')}_{i}.py").write_text(code)
    ruff = [sys.executable, "-m", "ruff"]
    lint = ["check", "--isolated", "--select", "E,W,F,I"]

    def passes(*args):
        return subprocess.run([*ruff, *args], cwd=tmp_path).returncode == 0

    assert passes("format", "--check", "--isolated", "--line-length", "79", "snippets")
    # The name form's `model` comes from the user's code, and its import is there to paste.
    assert passes(*lint, "--line-length", "79", "--ignore", "F821,F401", "snippets")
    # Scripts quote core/model_zoo.py verbatim, which follows the project's 100 columns.
    assert passes(*lint, "--line-length", "100", "scripts")


def _rates_by_step(start, changes, steps):
    """The rate trained with at steps 1..steps when `changes` are applied live."""
    rates, rate = [], start
    for step in range(1, steps + 1):
        for at, new in changes:
            if at == step:
                rate = new
        rates.append(rate)
    return rates


@pytest.mark.parametrize(
    "changes",
    [
        [(2, 0.01)],
        [(1, 0.05), (5, 0.01)],
        [(4, 0.01), (4, 0.002), (9, 0.3)],
        [(3, 0.1), (6, 0.02), (6, 0.1), (8, 0.02), (8, 0.02), (12, 0.004)],
    ],
)
def test_learning_rate_history_replays_every_step(changes, model):
    steps = 16
    config = with_learning_rate_history(RunConfig("sgd", 0.1), changes)
    optimizer = build_optimizer(check_config(config))
    actual = []
    for iterations in range(steps):  # Keras's counter is 0 during step 1
        optimizer.iterations.assign(iterations)
        actual.append(float(optimizer.learning_rate))
    expected = np.float32(_rates_by_step(0.1, changes, steps))
    np.testing.assert_array_equal(np.float32(actual), expected)
    exported = _run(render(RunConfig("sgd", 0.1), "object", lr_changes=changes).code, model)
    assert _settings(exported) == _settings(optimizer)


def test_learning_rate_history_drops_changes_that_change_nothing():
    config = RunConfig("sgd", 0.1)
    assert with_learning_rate_history(config, [(5, 0.1), (7, 0.2), (7, 0.1)]) == config
    moved = with_learning_rate_history(config, [(1, 0.2)])
    assert moved.learning_rate == 0.2 and moved.schedule is None
    history = with_learning_rate_history(config, [(3, 0.2), (6, 0.2)])
    assert history.schedule.param_dict() == {"boundaries": (1,), "values": (0.1, 0.2)}
    with pytest.raises(ValueError, match="steps start at 1"):
        with_learning_rate_history(config, [(0, 0.2)])
    with pytest.raises(ValueError, match="schedule"):
        with_learning_rate_history(config.replace(schedule=EXPONENTIAL), [(3, 0.2)])


def _write_idx(path, array, kind=(8, ">u1")):
    code, dtype = kind
    header = bytes([0, 0, code, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(dtype).tobytes())


def test_exported_scripts_train_for_real(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (64, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 64, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (32, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 32, dtype=np.uint8),
    }
    np.savez(tmp_path / "tiny.npz", **arrays)
    (tmp_path / "idx").mkdir()
    for key, name in [
        ("x_train", "train-images-idx3-ubyte"),
        ("y_train", "train-labels-idx1-ubyte"),
        ("x_test", "t10k-images-idx3-ubyte"),
        ("y_test", "t10k-labels-idx1-ubyte"),
    ]:
        # Labels as 32-bit integers, which IDX allows: the script reads them as the app does.
        kind = (0x0C, ">i4") if key.startswith("y") else (8, ">u1")
        _write_idx(tmp_path / "idx" / f"{name}.gz", arrays[key], kind)
    run = {"epochs": 1, "batch_size": 32, "dataset": "file"}
    scripts = {
        "npz.py": render(
            RunConfig(
                "rmsprop",
                1e-4,
                {"rho": 0.95},
                EXPONENTIAL,
                data_path=str(tmp_path / "tiny.npz"),
                train_samples=48,
                **run,
            ),
            "script",
        ),
        "idx.py": render(
            RunConfig("lamb", 0.01, model="cnn", data_path=str(tmp_path / "idx"), **run),
            "script",
            "tf.keras",
            lr_changes=[(2, 1e-3)],
        ),
    }
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    processes = {}
    for name, snippet in scripts.items():
        (tmp_path / name).write_text(snippet.code)
        processes[name] = subprocess.Popen(
            [sys.executable, name],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        for name, process in processes.items():
            out, err = process.communicate(timeout=180)
            process.stdout_text = out
            assert process.returncode == 0, f"{name} failed:\n{err[-3000:]}"
            assert re.search(r"^Test accuracy: \d\.\d{4}$", out, re.MULTILINE), out
        # 48 images in batches of 32: Keras's progress bar counts 2 steps, not the 32 a call
        # would run if steps_per_execution were not capped at an epoch's batches.
        npz_out = re.sub(r"\x1b\[[0-9;]*m", "", processes["npz.py"].stdout_text)  # colours
        assert re.search(r"^2/2 ", npz_out, re.MULTILINE), npz_out
        assert not re.search(r"^(\d{2,}|[3-9])/2 ", npz_out, re.MULTILINE), npz_out
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.usefixtures("sample_resource")
@pytest.mark.parametrize("model_name", list(MODELS))
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_scripts_for_every_model_and_dataset_are_python(model_name, dataset, tmp_path):
    data_path = str(tmp_path / "data.npz") if dataset == "file" else None
    config = RunConfig(
        "adam", 3e-4, model=model_name, dataset=dataset, data_path=data_path, seed=7, test_samples=9
    )
    code = render(config, "script").code
    compile(code, f"{model_name}-{dataset}.py", "exec")
    assert f"def {MODELS[model_name].builder}():" in code
    assert ("class SimpleDense" in code) == (model_name == "tutorial")
    assert "keras.utils.set_random_seed(7)" in code
    assert "x_test[:9], y_test[:9]" in code and "x_train[:" not in code
    if dataset in ("mnist", "fashion_mnist"):
        assert f"keras.datasets.{dataset}.load_data()" in code
        assert "numpy" not in code
    else:
        assert "np.load(" in code
