"""What a cell of the runs table shows: results, durations, statuses, tooltips, and the
status and run-colour icons, drawn once and cached."""

from __future__ import annotations

import html
import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from lrexplorer.core import events as ev
from lrexplorer.core.config.number_text import format_number
from lrexplorer.core.store.records import RunRecord


# --- what the cells say ---------------------------------------------------------------------
def format_loss(value: float | None) -> str:
    if value is None:
        return ""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "∞"
    if abs(value) >= 1e5:  # a blown-up loss: its size matters, not its 4th decimal
        return f"{value:.2e}"
    return f"{value:.4f}"


def format_percent(value: float | None) -> str:
    if value is None:
        return ""
    if not math.isfinite(value):
        return "NaN"
    return f"{value * 100:.1f}%"


def format_seconds(seconds: float) -> str:
    """12.3 s, 1 min 05 s, 1 h 02 min."""
    seconds = max(float(seconds), 0.0)
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_setting(value: Any) -> str:
    """A config value as the differences view and tooltips show it; None is Keras's default."""
    if value is None:
        return "default"
    if isinstance(value, bool | int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return ", ".join(format_setting(v) for v in value)
    return str(value)


def run_seconds(record: RunRecord) -> float:
    """Training time; a run in progress has no final time yet, so its latest batch's."""
    if record.status == ev.RUNNING and record.batches and record.batches["elapsed"]:
        return float(record.batches["elapsed"][-1])
    return float(record.seconds)


def status_text(record: RunRecord) -> str:
    if record.status == ev.RUNNING and record.total_steps:
        return f"running {100 * record.steps_done // record.total_steps}%"
    if record.status == ev.RUNNING:
        return "starting"
    return record.status


def run_tooltip(record: RunRecord) -> str:
    """The row's tooltip: name, status, the error if any, then every setting."""
    esc = html.escape
    parts = [f"<b>{esc(record.label or record.id)}</b> — {esc(record.status)}"]
    if record.error:
        parts.append(f"<p style='color:#b00020'>{esc(record.error)}</p>")
    rows = "".join(
        f"<tr><td>{esc(key)}</td><td>&nbsp;{esc(format_setting(value))}</td></tr>"
        for key, value in record.config.flat().items()
    )
    parts.append(f"<table>{rows}</table>")
    if record.prediction:
        parts.append(f"<p>Prediction: {esc(record.prediction)}</p>")
    if record.notes:
        parts.append(f"<p>Notes: {esc(record.notes)}</p>")
    parts.append(f"<p style='color:gray'>Started {esc(record.created.replace('T', ' ')[:16])}</p>")
    return "<qt>" + "".join(parts) + "</qt>"


# --- icons: drawn once, large, so Qt scales them down crisply at any font size ----------------
_ICON_PX = 64
_STATUS_COLOURS = {
    ev.RUNNING: "#1f6fb2",
    ev.FINISHED: "#1b8a3a",
    ev.STOPPED: "#6b6b6b",
    ev.DIVERGED: "#d9730d",
    ev.FAILED: "#c62828",
}
_icon_cache: dict[str, QIcon] = {}


def _painted(draw, width: int = _ICON_PX) -> QIcon:
    pixmap = QPixmap(width, _ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter)
    painter.end()
    return QIcon(pixmap)


def swatch_icon(colour: QColor) -> QIcon:
    """A short thick stroke in the run's colour, like the plot legend's."""
    key = "swatch" + colour.name()
    if key not in _icon_cache:

        def draw(p: QPainter) -> None:
            # A white rim keeps a blue swatch visible on a blue selected row.
            p.setPen(QPen(QColor("white"), 4))
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(4, 14, 2 * _ICON_PX - 8, 36), 12, 12)

        _icon_cache[key] = _painted(draw, 2 * _ICON_PX)
    return _icon_cache[key]


def status_icon(status: str) -> QIcon:
    """A shape per status (not colour alone, for colour-blind readers): play, tick, square,
    warning triangle, cross."""
    key = "status" + status
    if key not in _icon_cache:
        colour = QColor(_STATUS_COLOURS.get(status, "#6b6b6b"))

        def draw(p: QPainter) -> None:
            white = QPen(QColor("white"), 7, c=Qt.PenCapStyle.RoundCap)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            if status == ev.RUNNING:
                path = QPainterPath(QPointF(14, 8))
                path.lineTo(56, 32)
                path.lineTo(14, 56)
                path.closeSubpath()
                p.drawPath(path)
            elif status == ev.STOPPED:
                p.drawRoundedRect(QRectF(10, 10, 44, 44), 6, 6)
            elif status == ev.DIVERGED:
                path = QPainterPath(QPointF(32, 4))
                path.lineTo(62, 58)
                path.lineTo(2, 58)
                path.closeSubpath()
                p.drawPath(path)
                p.setPen(white)
                p.drawLine(QPointF(32, 24), QPointF(32, 38))
                p.drawPoint(QPointF(32, 49))
            else:
                p.drawEllipse(QRectF(4, 4, 56, 56))
                p.setPen(white)
                if status == ev.FINISHED:
                    p.drawPolyline([QPointF(18, 33), QPointF(28, 43), QPointF(46, 22)])
                else:
                    p.drawLine(QPointF(21, 21), QPointF(43, 43))
                    p.drawLine(QPointF(43, 21), QPointF(21, 43))

        _icon_cache[key] = _painted(draw)
    return _icon_cache[key]
