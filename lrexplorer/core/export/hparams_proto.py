"""The messages of TensorBoard's HParams plugin (tensorboard/plugins/hparams/plugin_data.proto),
declared here by their field numbers: writing a run's hyperparameters then needs only protobuf,
which TensorFlow brings, and TensorBoard itself only to look at them."""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, struct_pb2

PACKAGE = "tensorboard.hparams"
PLUGIN_NAME = "hparams"
PLUGIN_DATA_VERSION = 0  # what TensorBoard's hparams/metadata.py reads
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
# api.proto's Status values
STATUS_UNKNOWN = 0
STATUS_SUCCESS = 1
STATUS_FAILURE = 2
STATUS_RUNNING = 3

_F = descriptor_pb2.FieldDescriptorProto


def _field(name: str, number: int, kind: int, type_name: str = "", **more: Any) -> Any:
    if type_name:  # set only for messages and enums: an empty one still counts as set
        more["type_name"] = type_name
    more.setdefault("label", _F.LABEL_OPTIONAL)
    return _F(name=name, number=number, type=kind, **more)


def _file() -> descriptor_pb2.FileDescriptorProto:
    """The subset of plugin_data.proto (and api.proto's Status) that a session needs."""
    proto = descriptor_pb2.FileDescriptorProto(
        name="lrexplorer/tensorboard_hparams.proto",
        package=PACKAGE,
        syntax="proto3",
        dependency=["google/protobuf/struct.proto"],
    )
    status = proto.enum_type.add(name="Status")
    for number, name in enumerate(["UNKNOWN", "SUCCESS", "FAILURE", "RUNNING"]):
        status.value.add(name=f"STATUS_{name}", number=number)

    data = proto.message_type.add(name="HParamsPluginData")
    data.oneof_decl.add(name="data")
    data.field.extend(
        [
            _field("version", 1, _F.TYPE_INT32),
            _field("session_start_info", 3, _F.TYPE_MESSAGE, f".{PACKAGE}.SessionStartInfo"),
            _field("session_end_info", 4, _F.TYPE_MESSAGE, f".{PACKAGE}.SessionEndInfo"),
        ]
    )
    for field in data.field[1:]:
        field.oneof_index = 0

    start = proto.message_type.add(name="SessionStartInfo")
    entry = start.nested_type.add(name="HparamsEntry")
    entry.options.map_entry = True
    entry.field.extend(
        [
            _field("key", 1, _F.TYPE_STRING),
            _field("value", 2, _F.TYPE_MESSAGE, ".google.protobuf.Value"),
        ]
    )
    start.field.extend(
        [
            _field(
                "hparams",
                1,
                _F.TYPE_MESSAGE,
                f".{PACKAGE}.SessionStartInfo.HparamsEntry",
                label=_F.LABEL_REPEATED,
            ),
            _field("model_uri", 2, _F.TYPE_STRING),
            _field("monitor_url", 3, _F.TYPE_STRING),
            _field("group_name", 4, _F.TYPE_STRING),
            _field("start_time_secs", 5, _F.TYPE_DOUBLE),
        ]
    )

    end = proto.message_type.add(name="SessionEndInfo")
    end.field.extend(
        [
            _field("status", 1, _F.TYPE_ENUM, f".{PACKAGE}.Status"),
            _field("end_time_secs", 2, _F.TYPE_DOUBLE),
        ]
    )
    return proto


@functools.cache
def plugin_data_class() -> type:
    """HParamsPluginData, from a pool of its own (TensorBoard's, if installed, is untouched)."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(struct_pb2.DESCRIPTOR.serialized_pb)
    pool.AddSerializedFile(_file().SerializeToString())
    descriptor = pool.FindMessageTypeByName(f"{PACKAGE}.HParamsPluginData")
    try:
        from google.protobuf.message_factory import GetMessageClass
    except ImportError:  # protobuf < 4.21, which TensorFlow 2.16 still allows
        from google.protobuf.message_factory import MessageFactory

        return MessageFactory(pool).GetPrototype(descriptor)
    return GetMessageClass(descriptor)


def session_start(hparams: dict[str, bool | float | int | str], start_time: float) -> bytes:
    """The plugin content that gives a session (a run's folder) its hyperparameters."""
    data = plugin_data_class()(version=PLUGIN_DATA_VERSION)
    info = data.session_start_info
    info.start_time_secs = start_time
    for name in sorted(hparams):
        value = hparams[name]
        if isinstance(value, bool):
            info.hparams[name].bool_value = value
        elif isinstance(value, int | float):
            info.hparams[name].number_value = value
        else:
            info.hparams[name].string_value = str(value)
    return data.SerializeToString()


def session_end(status: int, end_time: float) -> bytes:
    data = plugin_data_class()(version=PLUGIN_DATA_VERSION)
    data.session_end_info.status = status
    data.session_end_info.end_time_secs = end_time
    return data.SerializeToString()
