"""Lesson bundles: a folder or zip a teacher hands out, every file in it readable on its own."""

import csv
import io
import json
import math
import zipfile

import nbformat
import pytest

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig, ScheduleConfig
from lrexplorer.core.export.bundle import SAMPLE, safe_name, write_bundle
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import load_record_json

SAMPLE_RUN = RunConfig(dataset="sample", train_samples=256, test_samples=64, epochs=2)
IMAGES = {"plots.png": b"\x89PNG fake", "plots.svg": b"<svg/>"}


def record_of(run_id, config, losses, label="", change=None, prediction=""):
    record = RunRecord(id=run_id, config=config, label=label, prediction=prediction)
    record.apply(ev.RunStarted(run_id, config, {"class_name": "SGD"}, 2, 4, 256, 64, "sample"))
    rate = config.learning_rate
    for step, loss in enumerate(losses, start=1):
        epoch, batch = (step - 1) // 2 + 1, (step - 1) % 2 + 1
        if change and step == change[0]:
            record.apply(ev.LearningRateChanged(step, change[1], rate))
            rate = change[1]
        record.apply(ev.BatchEnd(step, epoch, batch, loss, 0.5, loss, 0.5, rate, step * 0.1))
        if batch == 2 and math.isfinite(loss):
            record.apply(ev.EpochEnd(epoch, step, loss, 0.6, loss, 0.875, 1.0))
    status = ev.FINISHED if math.isfinite(losses[-1]) else ev.DIVERGED
    record.apply(ev.RunFinished(status, 1.0, None if status == ev.FINISHED else "loss became NaN"))
    return record


def lesson():
    sgd = SAMPLE_RUN.replace(optimizer="sgd", learning_rate=0.01)
    cosine = sgd.replace(
        params={"momentum": 0.9}, schedule=ScheduleConfig("CosineDecay", {"decay_steps": 4})
    )
    return [
        record_of("r1", sgd, [2.3, 1.9, 1.5, 1.2], change=(3, 0.05), prediction="too slow"),
        record_of("r2", cosine, [2.3, 1.5, 1.0, 0.8], label="SGD 0.01 momentum=0.9 (CosineDecay)"),
        record_of("r3", sgd.replace(learning_rate=5.0), [2.3, 90.0, math.nan], label="a/b"),
        record_of("r4", sgd, [2.2, 1.8, 1.4, 1.1], label="a/b"),
    ]


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_folder_bundle_has_every_file_and_each_one_reads(tmp_path):
    records = lesson()
    path = write_bundle(records, tmp_path / "lesson 3", IMAGES)
    assert path == tmp_path / "lesson 3" and path.is_dir()
    folders = sorted(p.name for p in path.iterdir() if p.is_dir())
    assert folders == ["SGD_0.01", "SGD_0.01_momentum=0.9_CosineDecay", "a_b", "a_b-2"]
    assert (path / "plots.png").read_bytes() == IMAGES["plots.png"]
    assert (path / "plots.svg").read_bytes() == IMAGES["plots.svg"]
    for folder, record in zip(
        ["SGD_0.01", "SGD_0.01_momentum=0.9_CosineDecay", "a_b", "a_b-2"], records, strict=True
    ):
        run = path / folder
        assert {p.name for p in run.iterdir()} == {
            "run.json", "batches.csv", "epochs.csv", "name.py", "dict.py", "object.py", "script.py",
            "notebook.ipynb",
        }  # fmt: skip
        again = load_record_json(run / "run.json")
        assert again.config == record.config and again.status == record.status
        batches = rows((run / "batches.csv").read_text(encoding="utf-8"))
        assert batches[0][:4] == ["step", "epoch", "batch", "loss"]
        assert len(batches) == 1 + len(record.batches["step"])
        epochs = rows((run / "epochs.csv").read_text(encoding="utf-8"))
        assert len(epochs) == 1 + len(record.epochs)
        for form in ("name", "dict", "object", "script"):
            compile((run / f"{form}.py").read_text(encoding="utf-8"), f"{form}.py", "exec")
        notebook = nbformat.read(run / "notebook.ipynb", as_version=4)
        nbformat.validate(notebook)
        assert notebook.cells[0].source.startswith(f"# {record.label}")
    # The live rate change of the first run is replayed in its code.
    assert "PiecewiseConstantDecay" in (path / "SGD_0.01" / "object.py").read_text()


def test_the_readme_lists_each_run_and_how_to_rerun_it(tmp_path):
    path = write_bundle(lesson(), tmp_path / "lesson", IMAGES)
    readme = (path / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    assert table[0] == "| `SGD_0.01` | SGD 0.01 | finished | 87.5% | too slow |"
    assert table[2].startswith("| `a_b` | a/b | diverged |")
    assert "loss became NaN" in readme
    assert "python script.py" in readme and "plots.png" in readme and "plots.svg" in readme
    assert "`notebook.ipynb`: the same as a Jupyter notebook" in readme
    assert "jupyter notebook notebook.ipynb" in readme


def test_sample_runs_carry_the_sample_and_their_script_reads_that_copy(tmp_path):
    path = write_bundle(lesson()[:1], tmp_path / "lesson", IMAGES)
    script = (path / "SGD_0.01" / "script.py").read_text(encoding="utf-8")
    assert f'np.load("../{SAMPLE}")' in script
    notebook = nbformat.read(path / "SGD_0.01" / "notebook.ipynb", as_version=4)
    data = next(cell.source for cell in notebook.cells if cell.id == "data")
    assert f'np.load("../{SAMPLE}")' in data
    assert (path / "SGD_0.01" / ".." / SAMPLE).resolve().stat().st_size > 1_000_000


def test_zip_bundle_unpacks_into_one_folder_with_the_same_files(tmp_path):
    path = write_bundle(lesson(), tmp_path / "lesson", IMAGES, as_zip=True)
    assert path == tmp_path / "lesson.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert all(name.startswith("lesson/") for name in names)
        assert "lesson/README.md" in names and "lesson/plots.svg" in names
        text = archive.read("lesson/a_b-2/batches.csv").decode("utf-8")
        compile(archive.read("lesson/a_b-2/script.py"), "script.py", "exec")
        data = json.loads(archive.read("lesson/SGD_0.01/run.json"))
    assert len(rows(text)) == 5 and data["id"] == "r1"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.zip"]  # no temporary files left


def test_a_run_without_history_still_bundles(tmp_path):
    record = lesson()[0]
    record.batches = None  # as read from the store, before its history is loaded
    path = write_bundle([record], tmp_path / "lesson")
    run = path / "SGD_0.01"
    assert not (run / "batches.csv").exists()
    assert len(rows((run / "epochs.csv").read_text())) == 3
    assert "no batches.csv" in (path / "README.md").read_text()


def test_a_run_whose_code_cannot_render_gets_a_note_not_a_crash(tmp_path):
    config = SAMPLE_RUN.replace(optimizer="no_such_optimizer")
    odd = record_of("x", config, [2.3, 2.0], label="Mystery")
    path = write_bundle([lesson()[0], odd], tmp_path / "lesson")
    run = path / "Mystery"
    assert (run / "run.json").exists() and not (run / "script.py").exists()
    note = (run / "README.md").read_text()
    assert "no_such_optimizer" in note
    assert "could not be written" in (path / "README.md").read_text()
    assert (path / "SGD_0.01" / "script.py").exists()


def test_a_failure_leaves_no_half_bundle(tmp_path):
    broken = lesson()[1]
    broken.optimizer_config = {"unsaveable": object()}
    with pytest.raises(TypeError):
        write_bundle([lesson()[0], broken], tmp_path / "lesson", IMAGES)
    with pytest.raises(TypeError):
        write_bundle([lesson()[0], broken], tmp_path / "lesson", IMAGES, as_zip=True)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_replaced_but_a_zip_is(tmp_path):
    (tmp_path / "lesson").mkdir()
    (tmp_path / "lesson" / "homework.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="lesson already exists"):
        write_bundle(lesson(), tmp_path / "lesson")
    assert (tmp_path / "lesson" / "homework.txt").read_text() == "mine"
    (tmp_path / "old.zip").write_bytes(b"old")
    write_bundle(lesson()[:1], tmp_path / "old.zip", as_zip=True)
    assert zipfile.is_zipfile(tmp_path / "old.zip")


def test_image_names_must_be_plain_file_names(tmp_path):
    with pytest.raises(ValueError, match="plain file name"):
        write_bundle(lesson(), tmp_path / "lesson", {"../escape.png": b""})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("SGD 0.01 momentum=0.9 (CosineDecay)", "SGD_0.01_momentum=0.9_CosineDecay"),
        ("a/b", "a_b"),
        ('RMSprop 1e-4: "slow"?', "RMSprop_1e-4_slow"),
        ("..", "run"),
        ("CON", "CON_"),
        ("Adam über alles", "Adam_über_alles"),
    ],
)
def test_names_are_safe_on_every_system(label, expected):
    assert safe_name(label) == expected


def test_names_are_unique_regardless_of_case():
    taken = ["Adam_1e-3", "README.md"]
    assert safe_name("adam 1e-3", taken) == "adam_1e-3-2"
    assert safe_name("readme.md", taken) == "readme.md-2"
    assert len(safe_name("x" * 300)) == 60
