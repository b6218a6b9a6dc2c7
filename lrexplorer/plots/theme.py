"""How plots look in the light and dark themes: background, ink, axes and grid; the runs keep
their own colours (plots/palette.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class PlotColours:
    """The plots' neutral colours; data keep their own."""

    dark: bool
    background: str
    ink: str  # tick labels, axis titles, legend, hover text
    axis: str  # axis lines and ticks, grey legend keys
    grid: str
    hover_fill: str  # #AARRGGBB: the hover label's box, a little see-through


# Light: the plots' original colours. Dark: #141414 is the lightest grey on which all eight run
# colours keep 3:1 contrast, the least a line needs (WCAG 1.4.11); the purple #AA3377 is the
# limit at 3.03:1. Ink on it is 14.8:1, the axis grey 8:1.
LIGHT_PLOTS = PlotColours(False, "#ffffff", "#222222", "#555555", "#e4e4e4", "#ebffffff")
DARK_PLOTS = PlotColours(True, "#141414", "#e6e6e6", "#a6a6a6", "#2e2e2e", "#eb262626")


def plot_colours(theme: str) -> PlotColours:
    return DARK_PLOTS if theme == "dark" else LIGHT_PLOTS


def style_plot_widget(target: pg.GraphicsView | pg.PlotItem, theme: str | PlotColours) -> None:
    """Recolour a pyqtgraph widget (GraphicsLayoutWidget, PlotWidget) or one PlotItem for the
    theme: background, axes, grid, legend and text. Data in colour keep their colours; items
    drawn in neutral greys follow the theme (dark grey ink becomes light grey ink, a white
    fill the background). Call it again after the owner restyles (e.g. a new font scale), and
    for items added later, style_item."""
    colours = theme if isinstance(theme, PlotColours) else plot_colours(theme)
    if isinstance(target, pg.PlotItem):
        view = target.getViewWidget()
        items, pending = [], [target]
        while pending:
            item = pending.pop()
            items.append(item)
            pending += item.childItems()
    else:
        view = target
        items = target.scene().items()
    if view is not None:
        view.setBackground(colours.background)
    for item in items:
        style_item(item, colours)


def style_plots_in(root: QWidget, theme: str | PlotColours) -> None:
    """style_plot_widget on every pyqtgraph view inside `root` (a dialog with plots)."""
    views = root.findChildren(pg.GraphicsView)
    if isinstance(root, pg.GraphicsView):
        views.append(root)
    for view in views:
        style_plot_widget(view, theme)


def style_item(item: object, colours: PlotColours) -> None:
    """One pyqtgraph item, as style_plot_widget describes."""
    if isinstance(item, pg.AxisItem):
        item.setPen(recoloured(item.pen(), colours.axis))
        item.setTextPen(colours.ink)
        item.labelStyle = {**item.labelStyle, "color": colours.ink}
        item.label.setHtml(item.labelString())
    elif isinstance(item, pg.GridItem):
        item.setPen(recoloured(item.opts["pen"], colours.grid))
    elif isinstance(item, pg.LegendItem):
        item.setLabelTextColor(colours.ink)  # labels added later; present ones are LabelItems
    elif isinstance(item, pg.LabelItem):
        colour = pg.mkColor(item.opts.get("color") or "k")
        if _neutral(colour) and colour.name() != colours.ink:
            item.setText(item.text, color=colours.ink)
    elif isinstance(item, pg.TextItem):
        _style_text(item, colours)
    elif isinstance(item, pg.PlotDataItem):
        _style_neutrals(item, colours, ("pen", "symbolPen", "symbolBrush"))
    elif isinstance(item, pg.ScatterPlotItem | pg.InfiniteLine) and not isinstance(
        item.parentItem(), pg.PlotDataItem
    ):
        _style_neutrals(item, colours, ("pen", "brush"))


def _style_text(item: pg.TextItem, colours: PlotColours) -> None:
    if _neutral(item.color) and item.color.name() != colours.ink:
        item.setColor(colours.ink)
    if item.fill.style() != Qt.BrushStyle.NoBrush and _neutral(item.fill.color()):
        item.fill = QBrush(QColor(colours.hover_fill))
    if item.border.style() != Qt.PenStyle.NoPen and _neutral(item.border.color()):
        item.border = recoloured(item.border, colours.axis)
    item.update()


def _style_neutrals(item: object, colours: PlotColours, keys: tuple[str, ...]) -> None:
    """Pens and brushes in neutral greys take the theme's ink, axis or background colour."""
    for key in keys:
        value = _current(item, key)
        if value is None or value.style() in (Qt.PenStyle.NoPen, Qt.BrushStyle.NoBrush):
            continue
        colour = value.color()
        if not _neutral(colour):
            continue
        target = getattr(colours, _role(colour))
        if colour.name() != QColor(target).name():
            _set(item, key, recoloured(value, target))


def _current(item: object, key: str) -> QPen | QBrush | None:
    if isinstance(item, pg.InfiniteLine):
        return item.pen if key == "pen" else None
    value = item.opts.get(key)
    if value is None:
        return None
    return pg.mkBrush(value) if "rush" in key else pg.mkPen(value)


def _set(item: object, key: str, value: QPen | QBrush) -> None:
    setter = {"pen": "setPen", "brush": "setBrush"}.get(key, f"set{key[0].upper()}{key[1:]}")
    getattr(item, setter)(value)


def _role(colour: QColor) -> str:
    """What a neutral colour stands for: one of ours exactly (this item was styled before), or
    by its lightness, as the owners draw for white paper (#222 text, #555 axes, white fills)."""
    name = colour.name()
    for colours in (DARK_PLOTS, LIGHT_PLOTS):
        for role in ("ink", "axis", "background"):
            if name == getattr(colours, role):
                return role
    lightness = colour.lightness()
    return "ink" if lightness < 64 else "axis" if lightness < 192 else "background"


def _neutral(colour: QColor) -> bool:
    return colour.hsvSaturation() <= 12 or colour.alpha() == 0


def recoloured(pen_or_brush: QPen | QBrush, colour: str | QColor) -> QPen | QBrush:
    """The same pen (width, dashes) or brush in another colour, keeping its transparency."""
    result = QPen(pen_or_brush) if isinstance(pen_or_brush, QPen) else QBrush(pen_or_brush)
    new = QColor(colour)
    new.setAlpha(pen_or_brush.color().alpha())
    result.setColor(new)
    return result


def tint(colour: QColor, amount: float, paper: str | QColor) -> QColor:
    """`colour` mixed into `paper`: amount 0 is the paper, 1 the colour; opaque."""
    base = QColor(paper)
    return QColor.fromRgbF(
        *(
            p + amount * (c - p)
            for c, p in zip(colour.getRgbF()[:3], base.getRgbF()[:3], strict=True)
        )
    )
