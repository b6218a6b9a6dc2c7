"""The log axis every plot of learning rates uses: ticks written the way rates are typed."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg

from lrexplorer.core.config.number_text import compact_number


class RateAxis(pg.AxisItem):
    """Log ticks written the way rates are typed (1e-4, 0.2). With many ticks only 1, 2 and 5
    get text, so that large projector fonts do not run into each other; with `decades`, only
    powers of ten do, all written alike (1e-2, not 0.01)."""

    def __init__(self, orientation: str, decades: bool = False, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.decades = decades

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        labelled = (1,) if self.decades else (1, 2, 5) if len(values) > 4 else None
        texts = []
        for exponent in values:
            value = float(f"{10.0**exponent * scale:.3g}")
            power = math.floor(math.log10(value) + 1e-9)
            mantissa = round(value / 10.0**power, 3)
            if labelled is not None and mantissa not in labelled:
                texts.append("")
            elif self.decades:
                texts.append(decade_text(power))
            else:
                texts.append(compact_number(value).removesuffix(".0"))
        return texts


def decade_text(power: int) -> str:
    """10**power as an axis of rates reads best, all alike: 1e-4, 1e-3, 1e-2 (not 0.01), 1, 10."""
    return "1" if power == 0 else "10" if power == 1 else f"1e{power}"
