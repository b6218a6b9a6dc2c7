"""Curve smoothing as TensorBoard does it: a debiased exponential moving average.

Pure numpy, so the plots, the command line and the tests all smooth the same way.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

# w**-k must stay far from overflow inside one block of the closed form below.
_MAX_SCALE_EXPONENT = 200.0
_MAX_BLOCK = 4096


def smooth(values: ArrayLike, weight: float) -> np.ndarray:
    """Debiased EMA of `values` with smoothing `weight` in [0, 1): TensorBoard's slider.

    last = weight * last + (1 - weight) * x, starting from 0, then divided by
    1 - weight**n (n = values seen so far), which removes the pull towards 0 at the start:
    the first output equals the first value and a constant input stays constant.
    NaN and inf are passed through unchanged and do not disturb the average.
    """
    data = np.asarray(values, dtype=float)
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    finite = np.isfinite(data)
    if weight == 0.0 or not finite.any():
        return data.copy()
    if finite.all():
        return _debiased_ema(data, weight)
    out = data.copy()
    out[finite] = _debiased_ema(data[finite], weight)
    return out


def _debiased_ema(x: np.ndarray, w: float) -> np.ndarray:
    """Vectorised: within a block, ema_t = w**t * (ema_0 + (1-w) * sum_k x_k * w**-k).

    Blocks are short enough that w**-k stays finite, so a long run costs a few numpy calls
    instead of a Python loop per point (the live plot smooths every frame).
    """
    n = x.size
    block = max(1, min(_MAX_BLOCK, int(_MAX_SCALE_EXPONENT / -math.log10(w))))
    log_w = math.log(w)
    decay = np.exp(np.arange(1, min(n, block) + 1) * log_w)  # w**k, exp is faster than pow
    ema = np.empty(n)
    last = 0.0
    for start in range(0, n, block):
        chunk = x[start : start + block]
        d = decay[: chunk.size]
        ema[start : start + chunk.size] = d * (last + (1.0 - w) * np.cumsum(chunk / d))
        last = ema[start + chunk.size - 1]
    # 1 - w**n is 1.0 to double precision after a few dozen points: only divide where it is not.
    biased = min(n, int(40.0 / -log_w) + 1)
    ema[:biased] /= -np.expm1(np.arange(1, biased + 1) * log_w)
    return ema
