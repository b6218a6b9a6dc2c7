"""A lesson bundle: a folder (or .zip) that hands out runs' results - per run its JSON, CSVs and
Keras code, with the plots and a README - written whole or not at all."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from lrexplorer import __version__
from lrexplorer.core.config import DATASETS
from lrexplorer.core.data.resources import resource_path
from lrexplorer.core.export.csv_export import batches_csv, epochs_csv
from lrexplorer.core.store.records import RunRecord
from lrexplorer.core.store.run_store import save_record_json

SAMPLE = "mnist_sample.npz"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)
}
_NAME_LENGTH = 60  # room for the path above it on Windows' 260 characters


def safe_name(label: str, taken: Iterable[str] = ()) -> str:
    """A file name from a run label that every system and zip tool accepts, unique among
    `taken` regardless of case: "SGD 0.01 momentum=0.9 (CosineDecay)" ->
    "SGD_0.01_momentum=0.9_CosineDecay", "a/b" -> "a_b", a second "a/b" -> "a_b-2"."""
    text = unicodedata.normalize("NFC", label)
    kept = "".join(c if c.isalnum() or c in "-.=+" else "_" for c in text)
    base = "_".join(part for part in kept.split("_") if part)[:_NAME_LENGTH].strip("._-")
    base = base or "run"
    if base.split(".")[0].upper() in _WINDOWS_RESERVED:
        base = f"{base}_"
    used = {name.casefold() for name in taken}
    name, number = base, 1
    while name.casefold() in used:
        number += 1
        name = f"{base}-{number}"
    return name


def write_bundle(
    records: Sequence[RunRecord],
    target: str | os.PathLike[str],
    images: dict[str, bytes] | None = None,
    as_zip: bool = False,
    title: str = "",
) -> Path:
    """Write the bundle at `target` (".zip" added if `as_zip` and missing) and return its path.

    Histories must be loaded (RunStore.load_history); a run without one is bundled without
    batches.csv. `images` maps file names such as "plots.png" to their bytes. An existing
    folder is never replaced; an existing zip is, but only once the new one is complete.
    """
    if not records:
        raise ValueError("no runs to bundle: tick the runs to hand out")
    target = Path(target)
    if as_zip and target.suffix.lower() != ".zip":
        target = target.with_name(f"{target.name}.zip")
    if not as_zip and target.exists():
        raise FileExistsError(f"{target.name} already exists: choose a new name for the bundle")
    for name in images or {}:
        if not name or Path(name).name != name or name.casefold() == "readme.md":
            raise ValueError(f"cannot bundle an image named {name!r}: give a plain file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent))
    try:
        folder = work / (target.stem if as_zip else target.name)
        folder.mkdir()
        _fill(folder, list(records), images or {}, title or target.stem)
        if as_zip:
            archive = work / target.name
            _zip(folder, archive)
            os.replace(archive, target)
        else:
            os.replace(folder, target)  # the commit point: until here, `target` does not exist
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _fill(folder: Path, records: list[RunRecord], images: dict[str, bytes], title: str) -> None:
    names: list[str] = [*images, "README.md", SAMPLE]  # a run folder never takes these names
    rows = []
    sample_used = False
    for record in records:
        name = safe_name(record.label or record.id, names)
        names.append(name)
        notes = _write_run(folder / name, record)
        sample_used |= record.config.dataset == "sample"
        rows.append((name, record, notes))
    for image, data in images.items():
        (folder / image).write_bytes(data)
    sample = resource_path(SAMPLE)
    bundled_sample = sample_used and sample.exists()
    if bundled_sample:
        shutil.copyfile(sample, folder / SAMPLE)
    text = _readme(title, rows, sorted(images), bundled_sample)
    (folder / "README.md").write_text(text, encoding="utf-8")


def _write_run(folder: Path, record: RunRecord) -> list[str]:
    """The run's files; returns notes on what could not be written, for the READMEs."""
    folder.mkdir()
    save_record_json(record, folder / "run.json")
    notes = []
    if record.batches is None:
        notes.append("Its per-batch history was not available, so there is no batches.csv.")
    else:
        _write_text(folder / "batches.csv", batches_csv(record))
    _write_text(folder / "epochs.csv", epochs_csv(record))
    code, problem = _snippets(record)
    for name, text in code.items():
        _write_text(folder / name, text)
    if problem:
        notes.append(f"Its Keras code could not be written: {problem}")
        _write_text(
            folder / "README.md",
            f"# {record.label or record.id}\n\nThe Keras code for this run could not be written: "
            f"{_sentence(problem)}\n\nIts results are in run.json and the CSV files.\n",
        )
    return notes


def _snippets(record: RunRecord) -> tuple[dict[str, str], str | None]:
    """Every snippet form and the notebook by file name, with the run's live rate changes
    replayed; or why there are none."""
    # Both import Keras: only when bundling.
    from lrexplorer.core.export.notebook import notebook_text, record_notebook
    from lrexplorer.core.export.snippets import FORMS, render

    changes = record.rate_changes()
    code = {}
    try:
        for form in FORMS:
            code[f"{form}.py"] = render(
                record.config, form, lr_changes=changes, steps_per_epoch=record.steps_per_epoch
            ).code
        # The notebook opens in the run's folder: the bundle's copy of the sample is one up.
        notebook = record_notebook(record, sample_path=f"../{SAMPLE}")
        code["notebook.ipynb"] = notebook_text(notebook)
    except Exception as error:
        # Whatever stops one run's code (a config this Keras refuses, an optimizer it lacks)
        # is a note in the bundle, not a lesson's results lost.
        return {}, str(error) or type(error).__name__
    if record.config.dataset == "sample":
        # The script reads the sample where lrexplorer is installed; the bundle carries a copy.
        here = json.dumps(str(resource_path(SAMPLE)), ensure_ascii=False)
        code["script.py"] = code["script.py"].replace(here, json.dumps(f"../{SAMPLE}"))
    return code, None


def _write_text(path: Path, text: str) -> None:
    # newline="\n": the same bytes on every system, so bundles of the same runs compare equal.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _zip(folder: Path, archive: Path) -> None:
    """One top folder inside, so unzipping never scatters files into the current folder."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            out.write(path, path.relative_to(folder.parent).as_posix())


# --- the README -------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _percent(value: float | None) -> str:
    return f"{value:.1%}" if isinstance(value, float | int) and math.isfinite(value) else "-"


def _readme(
    title: str,
    rows: list[tuple[str, RunRecord, list[str]]],
    images: list[str],
    bundled_sample: bool,
) -> str:
    today = _dt.date.today().isoformat()
    lines = [
        f"# {title}",
        "",
        f"{len(rows)} training run{'s' if len(rows) != 1 else ''} from lrexplorer {__version__}, "
        f"bundled on {today}.",
        "",
        "## What is inside",
        "",
    ]
    lines += [
        f"- `{name}`: the training plots (loss, accuracy, learning rate) as they were on screen"
        for name in images
    ]
    if bundled_sample:
        lines.append(
            f"- `{SAMPLE}`: the MNIST sample the runs on the offline sample trained on "
            "(8,000 training and 2,000 test digits; MNIST is CC BY-SA 3.0, by Yann LeCun, "
            "Corinna Cortes and Christopher J.C. Burges)"
        )
    lines += [
        "- a folder per run, holding:",
        "  - `run.json`: everything about the run: settings, status, results of each epoch and "
        "every batch",
        "  - `batches.csv`: one row per training step (loss, accuracy, learning rate), "
        "for a spreadsheet",
        "  - `epochs.csv`: one row per epoch, with the validation results",
        "  - `name.py`, `dict.py`, `object.py`: the three ways to give Keras the optimizer; "
        '`name.py` (`optimizer="rmsprop"`) says which of the run\'s settings it would lose',
        "  - `script.py`: a complete script that trains the same model the same way",
        "  - `notebook.ipynb`: the same as a Jupyter notebook, a cell per step, ending with a "
        "plot of the history",
        "",
        "## Runs",
        "",
        "| Folder | Run | Status | Validation accuracy | Prediction |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, record, _notes in rows:
        label = _cell(record.label or record.id)
        accuracy = _percent(record.final("val_accuracy"))
        prediction = _cell(record.prediction) or "-"
        lines.append(f"| `{name}` | {label} | {record.status} | {accuracy} | {prediction} |")
    remarks = [
        (name, record, notes)
        for name, record, notes in rows
        if notes or record.error or record.notes.strip()
    ]
    if remarks:
        lines += ["", "## Notes on the runs", ""]
        for name, record, notes in remarks:
            said = [_sentence(record.error)] if record.error else []
            said += notes
            if record.notes.strip():
                said.append(f"Notes: {_sentence(record.notes)}")
            lines.append(f"- `{name}` ({record.status}): " + " ".join(_cell(s) for s in said))
    lines += _rerun_section(rows, bundled_sample)
    return "\n".join(lines) + "\n"


def _rerun_section(rows: list[tuple[str, RunRecord, list[str]]], bundled_sample: bool) -> list[str]:
    example = next((name for name, _record, _notes in rows), "<run folder>")
    lines = [
        "",
        "## Running a run again",
        "",
        "Install Python 3, then TensorFlow (it brings Keras) and NumPy, and run the script from "
        "the run's folder:",
        "",
        "```sh",
        "pip install tensorflow numpy",
        f'cd "{example}"',
        "python script.py",
        "```",
        "",
        "It trains the same model with the same optimizer, learning rate, schedule and seed, and "
        "prints the test accuracy. The numbers come out close to the run's, not identical: "
        "another machine or Keras version rounds differently.",
        "",
        "Or open `notebook.ipynb` in Jupyter (`pip install notebook matplotlib`, then "
        "`jupyter notebook notebook.ipynb` in the run's folder) and run all its cells.",
    ]
    datasets = {record.config.dataset for _name, record, _notes in rows}
    if datasets & {"mnist", "fashion_mnist"}:
        names = " and ".join(DATASETS[d] for d in sorted(datasets & {"mnist", "fashion_mnist"}))
        lines += ["", f"Runs on {names}: Keras downloads the data the first time."]
    if "sample" in datasets:
        where = (
            f"reads `../{SAMPLE}` from this bundle"
            if bundled_sample
            else f"reads the sample from the lrexplorer installation ({SAMPLE})"
        )
        lines += ["", f"Runs on the offline sample: the script {where}."]
    if "file" in datasets:
        lines += [
            "",
            "Runs on a local data file: the script reads it at the path it had on the machine "
            "that trained the run; change that line if the file is elsewhere.",
        ]
    return lines
