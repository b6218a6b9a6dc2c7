"""What a benchmark figure depends on: the CPU and its vector extensions, the threads
TensorFlow uses, whether it picked oneDNN's kernels, and how busy the rest of the machine was.

The training figures depend on the machine's balance between compute and per-call overhead
(README, Performance), so each figure is printed with the machine it was measured on.
"""

from __future__ import annotations

import os
import subprocess
import sys

# TensorFlow 2.21 turns oneDNN on by default on Linux only when the CPU has one of these
# (DefaultOneDnnPolicy in tensorflow/core/util/port.cc); TF_ENABLE_ONEDNN_OPTS overrides it.
ONEDNN_DEFAULT_FLAGS = (
    "avx512_vnni",
    "avx512_bf16",
    "avx_vnni",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
)

_TF_PROBE = """
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
try:
    from tensorflow.python.util import _pywrap_util_port
    onednn = bool(_pywrap_util_port.IsMklEnabled())
except (ImportError, AttributeError):
    onednn = None
print(json.dumps({
    "version": tf.__version__,
    "intra": tf.config.threading.get_intra_op_parallelism_threads(),
    "inter": tf.config.threading.get_inter_op_parallelism_threads(),
    "onednn": onednn,
}))
"""


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu() -> tuple[str, list[str]]:
    """(model name, the vector extensions among the CPU's flags: avx*, fma, avx512*, amx*)."""
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown CPU":
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    vector = sorted(
        f
        for f in flags
        if f in ("avx", "avx2", "fma") or f.startswith(("avx512", "avx_vnni", "amx"))
    )
    return model, vector


def tensorflow() -> dict:
    """TensorFlow's version, thread pools and oneDNN, read in a fresh process as a run sees
    them (0 threads means TensorFlow's default: one per usable CPU)."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", _TF_PROBE], capture_output=True, text=True, timeout=300
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def header() -> tuple[str, str]:
    """(a paragraph for the top of the report, a short tag for each table row)."""
    model, vector = cpu()
    tf = tensorflow()
    cpus = usable_cpus()
    intra = tf["intra"] or cpus
    inter = tf["inter"] or cpus
    onednn = {True: "on", False: "off", None: "unknown"}[tf["onednn"]]
    triggers = [f for f in vector if f in ONEDNN_DEFAULT_FLAGS]
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset")
    avx512 = [f for f in vector if f.startswith("avx512")]
    paragraph = (
        f"CPU: {model}, {cpus} usable CPUs; vector extensions: {' '.join(vector) or 'none'}\n"
        f"TensorFlow {tf['version']}: {intra} intra-op and {inter} inter-op threads; oneDNN "
        f"kernels {onednn} (TF_ENABLE_ONEDNN_OPTS={setting}; on by default only with "
        f"{', '.join(ONEDNN_DEFAULT_FLAGS)}: this CPU has {' '.join(triggers) or 'none of them'})"
    )
    tag = (
        f"{model}, {cpus} CPUs, {'AVX-512' if avx512 else 'no AVX-512'}"
        f"{' + VNNI' if 'avx512_vnni' in vector else ''}, TF {intra}/{inter} threads, "
        f"oneDNN {onednn}"
    )
    return paragraph, tag


def busy_cpu_seconds() -> float:
    """CPU-seconds the whole machine has spent busy since boot (all processes)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
