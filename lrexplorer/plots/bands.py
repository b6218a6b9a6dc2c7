"""Seed groups on the live plots: runs of one setting that differ only in seed, drawn as their
mean with a shaded band (lowest to highest seed, or mean +- 1 standard deviation) instead of
one line each, group by group, as Weights & Biases draws grouped runs.

The band spans the curves as drawn: each seed's smoothed line, so switching a group to a band
covers exactly the lines that were there. Only past runs group; a live run is drawn on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QAction, QActionGroup, QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QMenu, QToolButton

from lrexplorer.core.explore.seed_groups import MIN_MAX, STD, Band, aligned_band, group_key
from lrexplorer.core.store.records import RunRecord
from lrexplorer.plots import theme
from lrexplorer.plots.canvas import Stroke
from lrexplorer.plots.items import DrawnRun
from lrexplorer.plots.series import EPOCH_KINDS, EPOCH_PLOTS, PLOTS

BAND_ALPHA = 0.22  # the band's fill: the group's colour, see-through so that bands overlap
Z_BAND = -5  # behind every curve, in front of the grid
KIND_TEXT = {MIN_MAX: "lowest to highest seed", STD: "mean ± 1 standard deviation"}
NO_GROUPS_TIP = (
    "Tick two or more runs that differ only in their seed (Run > Sweep… > Repeat with seeds) "
    "to draw them as their mean and a band"
)


@dataclass
class _Epochs:
    epochs: list[dict[str, Any]] = field(default_factory=list)  # what the legend looks for


class DrawnBand:
    """A group on the plots: the mean as a line (strokes for the canvases, like a run's), the
    mean end-of-epoch results as marks, and a shaded band per plot."""

    live = False

    def __init__(self, key: Any, label: str, colour: QColor, plots: dict[str, pg.PlotItem]):
        self.key = key
        self.label = label
        self.colour = QColor(colour)
        self.members: tuple[str, ...] = ()
        self.strokes: dict[tuple[str, str], Stroke] = {}
        self.bands: dict[str, Band] = {}  # in the values' own units (not log10)
        self.series = _Epochs()
        self.legend_key = pg.PlotDataItem(antialias=True)
        self._plots = plots
        self._fills: dict[str, QGraphicsPathItem] = {}
        self._signature: tuple | None = None

    def draw(
        self, members: list[DrawnRun], kind: str, is_log: Callable[[str], bool],
        scale: float, colours: theme.PlotColours,
    ) -> None:  # fmt: skip
        """Bring the band up to date with its members' curves as drawn (cheap when unchanged)."""
        self.members = tuple(run.id for run in members)
        signature = (self.members, kind, scale, colours, self.colour.name(),
                     tuple(id(run.shown.get(p)) for run in members for p in PLOTS),
                     tuple(len(run.series.epochs) for run in members),
                     tuple(is_log(p) for p in PLOTS))  # fmt: skip
        if signature == self._signature:
            return
        self._signature = signature
        curve = pg.mkPen(self.colour, width=2.5 * scale)
        self.legend_key.setPen(curve)
        fill = QColor(self.colour)
        fill.setAlphaF(BAND_ALPHA)
        for name in PLOTS:
            curves = [(run.shown[name][0], run.shown[name][2]) for run in members
                      if name in run.shown]  # fmt: skip
            band = self.bands[name] = aligned_band(curves, kind)
            log = is_log(name)
            self.strokes[(name, "curve")] = Stroke(band.x, _view(band.mean, log), curve)
            self._set_fill(name, band, log, fill)
        self._draw_epochs(members, is_log, scale, colours)

    def _set_fill(self, name: str, band: Band, log: bool, fill: QColor) -> None:
        item = self._fills.get(name)
        if item is None:
            item = self._fills[name] = QGraphicsPathItem()
            item.setZValue(Z_BAND)
            item.setPen(pg.mkPen(None))
            self._plots[name].addItem(item, ignoreBounds=True)
        item.setBrush(pg.mkBrush(fill))
        path = QPainterPath()
        if band.x.size > 1 and np.any(band.high > band.low):
            low, high = _view(band.low, log), _view(band.high, log)
            path = pg.arrayToQPath(np.concatenate([band.x, band.x[::-1]]),
                                   np.concatenate([high, low[::-1]]), connect="all")  # fmt: skip
            path.closeSubpath()
        item.setPath(path)

    def _draw_epochs(
        self, members: list[DrawnRun], is_log: Callable[[str], bool], scale: float,
        colours: theme.PlotColours,
    ) -> None:  # fmt: skip
        """The mean of the members' end-of-epoch results, marked as a run's are."""
        pens = {"train": pg.mkPen(self.colour.darker(140), width=1.0 * scale),
                "validation": pg.mkPen(self.colour, width=2.0 * scale)}  # fmt: skip
        brushes = {"train": pg.mkBrush(self.colour), "validation": pg.mkBrush(colours.background)}
        counts = [len(run.series.epochs) for run in members]
        self.series.epochs = [{"epoch": e + 1} for e in range(min(counts, default=0))]
        for name in EPOCH_PLOTS:
            for kind in EPOCH_KINDS:
                log = is_log(name)
                points = [run.series.epoch_values(name, kind, log) for run in members]
                mean = _mean_by_epoch(points)
                if mean is None:
                    self.strokes.pop((name, kind), None)
                    continue
                x, y = mean
                size = (11 if kind == "train" else 13) * scale
                symbol = "o" if kind == "train" else "d"
                self.strokes[(name, kind)] = Stroke(x, _view(y, log), pens[kind], symbol, size,
                                                    brushes[kind])  # fmt: skip

    def remove(self) -> None:
        for name, item in self._fills.items():
            self._plots[name].removeItem(item)
        self._fills.clear()


def _mean_by_epoch(points: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Any:
    """(step, mean value) at each epoch every member reached with a value; None if none."""
    shared = None
    for _x, _y, epochs in points:
        shared = set(epochs.tolist()) if shared is None else shared & set(epochs.tolist())
    if not shared:
        return None
    epochs = sorted(shared)
    xs, ys = [], []
    for epoch in epochs:
        at = [(x[e == epoch][0], y[e == epoch][0]) for x, y, e in points]
        xs.append(float(np.mean([a for a, _ in at])))
        ys.append(float(np.mean([b for _, b in at])))
    return np.array(xs), np.array(ys)


def _view(values: np.ndarray, log: bool) -> np.ndarray:
    """Values in view units; on a log axis a band's low end may not reach 0 or below."""
    if not log:
        return values
    return np.log10(np.clip(values, np.finfo(float).tiny, None))


class SeedBands:
    """Which seed groups of the drawn runs show as a band, their drawing, and the "Seed groups"
    menu that toggles them one by one or all at once. `changed` is called to redraw."""

    def __init__(self, plots: dict[str, pg.PlotItem], button: QToolButton, changed: Callable):
        self._plots = plots
        self._changed = changed
        self.button = button
        self.all = False  # every group as a band, unless chosen otherwise one by one
        self.kind = MIN_MAX
        self._chosen: dict[Any, bool] = {}
        self._menu_stale = True
        self._records: dict[str, RunRecord] = {}
        self._drawn: dict[Any, DrawnBand] = {}
        self._groups: dict[Any, list[DrawnRun]] = {}
        self._build_menu()

    # --- what the window and scripts call ---------------------------------------------------
    def track(self, record: RunRecord) -> None:
        """A run drawn from now on (its record says which group it belongs to)."""
        self._records[record.id] = record

    def forget(self, run_id: str) -> None:
        self._records.pop(run_id, None)

    def set_all(self, on: bool) -> None:
        """Every group as a band (on) or as separate lines (off)."""
        self.all = on
        self._chosen.clear()
        self._on_choice()

    def set_banded(self, run_id: str, on: bool) -> None:
        """The group of run `run_id` as a band (on) or as separate lines."""
        record = self._records.get(run_id)
        if record is not None:
            self._chosen[group_key(record)] = on
            self._on_choice()

    def show_settings(self, records: list[RunRecord]) -> None:
        """The groups of these runs (a sweep with seeds) as bands, once two of a group are done."""
        for record in records:
            self._chosen[group_key(record)] = True
        self._on_choice()

    def set_kind(self, kind: str) -> None:
        """MIN_MAX: the band spans the lowest to the highest seed; STD: the mean +- 1 std."""
        self.kind = kind
        self._kind_actions[kind].setChecked(True)
        self._on_choice()

    def _on_choice(self) -> None:
        self._menu_stale = True
        self._changed()

    def is_banded(self, run_id: str) -> bool:
        """Whether run `run_id` is drawn as part of a band now."""
        return any(run_id in band.members for band in self._drawn.values())

    def band_data(self, run_id: str, plot: str) -> Band | None:
        """The band (mean, low, high, in the values' units) drawn for run `run_id`'s group."""
        for band in self._drawn.values():
            if run_id in band.members:
                return band.bands.get(plot)
        return None

    def band_labels(self) -> list[str]:
        return [band.label for band in self._drawn.values()]

    def in_order(self, runs: list[DrawnRun]) -> list[DrawnRun | DrawnBand]:
        """What the legend lists, in the runs' order: a band where its first seed was."""
        shown: list[DrawnRun | DrawnBand] = []
        for run in runs:
            band = next((b for b in self._drawn.values() if run.id in b.members), None)
            if band is None:
                shown.append(run)
            elif band not in shown:
                shown.append(band)
        return shown

    # --- drawing ----------------------------------------------------------------------------
    def split(
        self, past: list[DrawnRun], is_log: Callable[[str], bool], scale: float,
        colours: theme.PlotColours,
    ) -> tuple[list[DrawnRun], list[DrawnBand], bool]:  # fmt: skip
        """The past runs still drawn one by one, the bands drawn for the others, and whether
        the groups changed (the legend and the menu are then rebuilt)."""
        groups: dict[Any, list[DrawnRun]] = {}
        for run in past:
            record = self._records.get(run.id)
            if record is not None:
                groups.setdefault(group_key(record), []).append(run)
        groups = {key: runs for key, runs in groups.items() if len(runs) > 1}
        changed = [(k, [r.id for r in v]) for k, v in groups.items()] != [
            (k, [r.id for r in v]) for k, v in self._groups.items()
        ]
        self._groups = groups
        wanted = [key for key in groups if self._chosen.get(key, self.all)]
        for key in list(self._drawn):
            if key not in wanted:
                self._drawn.pop(key).remove()
                changed = True
        self._drawn = {key: self._drawn[key] for key in wanted if key in self._drawn}
        for key in wanted:
            members = groups[key]
            band = self._drawn.get(key)
            label = f"{self._name(members)}: mean of {len(members)} seeds"
            if band is None or band.label != label:
                if band is not None:
                    band.remove()
                band = self._drawn[key] = DrawnBand(key, label, members[0].colour, self._plots)
                changed = True
            band.colour = QColor(members[0].colour)
            band.draw(members, self.kind, is_log, scale, colours)
        if changed or self._menu_stale:
            self._fill_menu()
        hidden = {run.id for key in wanted for run in groups[key]}
        return [run for run in past if run.id not in hidden], list(self._drawn.values()), changed

    def _name(self, members: list[DrawnRun]) -> str:
        """The setting the group repeats: "RMSprop 1e-3"."""
        record = self._records[members[0].id]
        # Keras's spelling as the run reported it: the plots never ask Keras (not loaded yet).
        return record.config.label(record.optimizer_config.get("class_name") or
                                   record.config.optimizer)  # fmt: skip

    # --- the menu ---------------------------------------------------------------------------
    def _build_menu(self) -> None:
        self.menu = QMenu(self.button)
        # Owned by the button: the menu's clear() deletes the actions it owns (the groups').
        self.all_action = QAction("Every group as mean and band", self.button)
        self.all_action.setObjectName("seedBandsAllAction")
        self.all_action.setCheckable(True)
        self.all_action.triggered.connect(self.set_all)
        kinds = QActionGroup(self.button)
        self._kind_actions: dict[str, QAction] = {}
        for kind, name in ((MIN_MAX, "bandMinMaxAction"), (STD, "bandStdAction")):
            action = QAction(f"Band: {KIND_TEXT[kind]}", self.button, checkable=True)
            action.setObjectName(name)
            action.setChecked(kind == self.kind)
            action.triggered.connect(lambda _on=False, k=kind: self.set_kind(k))
            kinds.addAction(action)
            self._kind_actions[kind] = action
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._fill_menu()

    def _fill_menu(self) -> None:
        self._menu_stale = False
        self.menu.clear()
        self.all_action.setChecked(
            bool(self._groups) and all(self._chosen.get(k, self.all) for k in self._groups)
        )
        self.menu.addAction(self.all_action)
        self.menu.addSeparator()
        for key, members in self._groups.items():
            name = f"{self._name(members)} ({len(members)} seeds)"
            action = QAction(name, self.menu, checkable=True)
            action.setChecked(self._chosen.get(key, self.all))
            action.triggered.connect(lambda on, k=key: self._on_group_triggered(k, on))
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addActions(list(self._kind_actions.values()))
        self.button.setEnabled(bool(self._groups))
        self.button.setToolTip(
            "Draw runs that differ only in seed as their mean and a band" if self._groups
            else NO_GROUPS_TIP
        )  # fmt: skip

    def _on_group_triggered(self, key: Any, on: bool) -> None:
        self._chosen[key] = on
        self._on_choice()
