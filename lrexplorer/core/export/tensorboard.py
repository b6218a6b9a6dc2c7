"""Runs as TensorBoard event files, laid out as Keras's own TensorBoard callback lays out a run
(<run>/train, <run>/validation, its tags and steps), so that `tensorboard --logdir` shows them
beside the user's other experiments; the hyperparameters go to the HParams plugin.

Steps are Keras's: batch scalars at the run's 1-based step, epoch scalars at the 0-based epoch
index, and validation results also against the step at the epoch's end. Each event carries the
time it happened in the run, so TensorBoard's "wall" and "relative" axes are the run's own.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lrexplorer.core.config import RunConfig
from lrexplorer.core.events import DIVERGED, FAILED, FINISHED, STOPPED
from lrexplorer.core.export import hparams_proto
from lrexplorer.core.export.bundle import safe_name
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.store.records import RunRecord

MARKER = "lrexplorer-run.json"  # in each run's folder: which run it holds, to replace it later

# (folder, tag) -> what it is, shown by TensorBoard under the chart.
DESCRIPTIONS = {
    ("train", "batch_loss"): "Running mean of the loss over the epoch so far, as Keras logs it",
    ("train", "batch_accuracy"): "Running mean of the accuracy over the epoch so far",
    ("train", "batch_own_loss"): "This batch's own loss (lrexplorer's per-batch curve)",
    ("train", "batch_own_accuracy"): "This batch's own accuracy",
    ("train", "batch_learning_rate"): "The learning rate this step trained with",
    ("train", "epoch_loss"): "Training loss of the epoch",
    ("train", "epoch_accuracy"): "Training accuracy of the epoch",
    ("train", "epoch_learning_rate"): "The learning rate of the epoch's last step",
    ("validation", "epoch_loss"): "Validation loss after the epoch",
    ("validation", "epoch_accuracy"): "Validation accuracy after the epoch",
    ("validation", "evaluation_loss_vs_iterations"): "Validation loss against the step",
    ("validation", "evaluation_accuracy_vs_iterations"): "Validation accuracy against the step",
}
_BATCH_COLUMNS = {
    "batch_loss": "mean_loss",
    "batch_accuracy": "mean_accuracy",
    "batch_own_loss": "loss",
    "batch_own_accuracy": "accuracy",
    "batch_learning_rate": "learning_rate",
}
_END_STATUS = {
    FINISHED: hparams_proto.STATUS_SUCCESS,
    DIVERGED: hparams_proto.STATUS_FAILURE,
    FAILED: hparams_proto.STATUS_FAILURE,
    STOPPED: hparams_proto.STATUS_UNKNOWN,  # TensorBoard has no "stopped"; a live run: no end
}
# (folder, tag, step, value, wall time)
Scalar = tuple[str, str, int, float, float]


def scalars(record: RunRecord) -> Iterator[Scalar]:
    """Every scalar the export writes for `record`, in the order the run produced them."""
    start = _start_time(record)
    batches = record.batches or {}
    steps = list(batches.get("step", []))
    elapsed = dict(zip(steps, batches.get("elapsed", []), strict=True))
    rates = dict(zip(steps, batches.get("learning_rate", []), strict=True))
    ends = {int(epoch["step"]): epoch for epoch in record.epochs}
    seconds = 0.0
    for index, step in enumerate(steps):
        wall = start + elapsed[step]
        for tag, column in _BATCH_COLUMNS.items():
            yield "train", tag, int(step), float(batches[column][index]), wall
        if int(step) in ends:
            yield from _epoch(ends.pop(int(step)), rates.get(step), wall)
    for epoch in record.epochs:  # epochs with no batch history (not loaded, or none kept)
        seconds += float(epoch.get("seconds") or 0.0)
        if int(epoch["step"]) in ends:
            yield from _epoch(epoch, None, start + seconds)


def _epoch(epoch: dict[str, Any], rate: float | None, wall: float) -> Iterator[Scalar]:
    index = int(epoch["epoch"]) - 1  # Keras's callback counts epochs from 0
    values = [
        ("train", "epoch_loss", index, epoch.get("loss")),
        ("train", "epoch_accuracy", index, epoch.get("accuracy")),
        ("train", "epoch_learning_rate", index, rate),
        ("validation", "epoch_loss", index, epoch.get("val_loss")),
        ("validation", "epoch_accuracy", index, epoch.get("val_accuracy")),
        ("validation", "evaluation_loss_vs_iterations", epoch["step"], epoch.get("val_loss")),
        (
            "validation",
            "evaluation_accuracy_vs_iterations",
            epoch["step"],
            epoch.get("val_accuracy"),
        ),
    ]
    for folder, tag, step, value in values:
        if value is not None:  # a diverged epoch's NaN is saved as null, no validation: none
            yield folder, tag, int(step), float(value), wall


def hparams(record: RunRecord) -> dict[str, bool | float | int | str]:
    """The run's settings as HParams: what TensorBoard's table and parallel plot compare."""
    config = record.config
    values: dict[str, Any] = {
        "optimizer": record.optimizer_config.get("class_name") or config.optimizer,
        "learning_rate": config.learning_rate,
        "model": config.model,
        "dataset": config.dataset,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "seed": config.seed,
        "train_samples": record.train_samples or config.train_samples,
        "test_samples": record.test_samples or config.test_samples,
    }
    values.update(_optimizer_params(config))
    if record.lr_changes:
        values["schedule"] = "changed live"
    elif config.schedule is None:
        values["schedule"] = "constant"
    else:
        values["schedule"] = config.schedule.name
        for name, value in config.schedule.param_dict().items():
            values[f"schedule.{name}"] = value
    return {name: _hparam(value) for name, value in values.items() if value is not None}


def _optimizer_params(config: RunConfig) -> dict[str, Any]:
    """The optimizer's own parameters (Keras's defaults where the run kept them), then any other
    the run set: so runs of one optimizer line up in every column."""
    params: dict[str, Any] = {}
    try:
        from lrexplorer.core.keras_api.optimizers import registry

        spec = registry().get(config.optimizer)
    except Exception:  # an optimizer this Keras does not have: what the run set is still known
        spec = None
    if spec is not None:
        params.update({p.name: p.default for p in spec.own_params})
    params.update(config.param_dict())
    params.pop("learning_rate", None)
    return params


def _hparam(value: Any) -> bool | float | int | str:
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value)  # a list such as PiecewiseConstantDecay's boundaries


def write_tensorboard(
    records: Sequence[RunRecord],
    folder: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write each run into its own subfolder of `folder` and return the subfolders.

    A subfolder is named by the run's label (safe on every system) and never takes an existing
    folder's name, except the one an earlier export of the same run wrote: that one is
    replaced, so exporting again updates a run rather than adding a copy. Each run is written
    in a temporary folder first, so TensorBoard never reads half a run. Histories should be
    loaded (RunStore.load_history); a run without one gets its epoch scalars only.
    """
    if not records:
        raise ValueError("no runs to export: tick the runs to show in TensorBoard")
    keras()  # TensorFlow, with its start-up chatter quietened
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_exports(target)
    taken = [p.name for p in target.iterdir()]
    written = []
    for done, record in enumerate(records):
        name = earlier.get(record.id) or safe_name(record.label or record.id, taken)
        taken.append(name)
        work = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=target))
        try:
            _write_run(work, record)
            final = target / name
            if final.exists():
                shutil.rmtree(final)
            os.replace(work, final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        written.append(final)
        if progress is not None:
            progress(done + 1, len(records))
    return written


def _earlier_exports(folder: Path) -> dict[str, str]:
    """run id -> the subfolder an earlier export wrote it in."""
    found = {}
    for marker in folder.glob(f"*/{MARKER}"):
        try:
            found[str(json.loads(marker.read_text(encoding="utf-8"))["id"])] = marker.parent.name
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not ours after all: left alone, and its name stays taken
    return found


def _write_run(folder: Path, record: RunRecord) -> None:
    start = _start_time(record)
    by_folder: dict[str, list[Scalar]] = {"train": [], "validation": []}
    for scalar in scalars(record):
        by_folder[scalar[0]].append(scalar)
    end = start + float(record.seconds or 0.0)
    for name, values in by_folder.items():
        if values:
            (folder / name).mkdir()
            _write_events(folder / name, start, _scalar_events(values))
    session = [
        _plugin_event(
            hparams_proto.SESSION_START_INFO_TAG,
            hparams_proto.session_start(hparams(record), start),
            start,
        )
    ]
    if record.status in _END_STATUS:
        content = hparams_proto.session_end(_END_STATUS[record.status], end)
        session.append(_plugin_event(hparams_proto.SESSION_END_INFO_TAG, content, end))
    _write_events(folder, start, session)
    marker = {"id": record.id, "label": record.label, "exported_by": "lrexplorer"}
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _start_time(record: RunRecord) -> float:
    try:
        return _dt.datetime.fromisoformat(record.created).timestamp()
    except (TypeError, ValueError):
        return 0.0


# --- event files ----------------------------------------------------------------------------
def _write_events(folder: Path, start: float, events: list[Any]) -> None:
    """One event file, as TensorFlow's summary writer makes it: a TFRecord of Event protos
    that starts with the file version (which also tells TensorBoard not to drop "out of order"
    steps: batch and epoch scalars count steps differently, as Keras's do)."""
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    path = folder / f"events.out.tfevents.{int(start)}.lrexplorer.v2"
    with tf.io.TFRecordWriter(str(path)) as writer:
        writer.write(
            event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()
        )
        for event in events:
            writer.write(event.SerializeToString())


def _scalar_events(values: list[Scalar]) -> list[Any]:
    """Event protos of one folder's scalars, float32 as tf.summary.scalar writes them. The
    values of one step and time share an event (a batch's five: a fifth of the events to
    build); the metadata (which plugin, the description) comes with each tag's first value
    only, as TensorFlow's writer does."""
    from tensorflow.core.framework import summary_pb2, types_pb2
    from tensorflow.core.util import event_pb2

    described: set[str] = set()
    events: list[Any] = []
    for folder, tag, step, value, wall in values:
        if not events or events[-1].step != step or events[-1].wall_time != wall:
            events.append(event_pb2.Event(wall_time=wall, step=step))
        item = events[-1].summary.value.add(tag=tag)
        item.tensor.dtype = types_pb2.DT_FLOAT
        item.tensor.float_val.append(value)
        item.tensor.tensor_shape.SetInParent()  # a scalar: a shape with no dimensions
        if tag not in described:
            described.add(tag)
            item.metadata.summary_description = DESCRIPTIONS.get((folder, tag), "")
            item.metadata.plugin_data.plugin_name = "scalars"
            item.metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
    return events


def _plugin_event(tag: str, content: bytes, wall: float) -> Any:
    from tensorflow.core.framework import summary_pb2, tensor_pb2, types_pb2
    from tensorflow.core.util import event_pb2

    # What TensorBoard's own hparams summaries hold: the data in the metadata, an empty tensor.
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT)
    tensor.tensor_shape.dim.add(size=0)
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=hparams_proto.PLUGIN_NAME, content=content
        ),
        data_class=summary_pb2.DATA_CLASS_TENSOR,
    )
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, tensor=tensor, metadata=metadata)
    return event_pb2.Event(wall_time=wall, step=0, summary=summary)
