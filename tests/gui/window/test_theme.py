"""Light and dark themes: the window and the plots switch together, the choice is remembered,
"System" follows the system, and every run colour stays readable on the dark plots."""

import math
from types import SimpleNamespace

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from lrexplorer.core import events as ev
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.window.theme import SETTINGS_KEY, ThemeManager, palette
from lrexplorer.plots.canvas import PlotCanvas
from lrexplorer.plots.live_plots import LivePlots
from lrexplorer.plots.palette import RUN_COLOURS, run_colour
from lrexplorer.plots.theme import DARK_PLOTS, LIGHT_PLOTS, style_plot_widget, style_plots_in

ROLE = QPalette.ColorRole


def contrast(a, b):
    """WCAG contrast ratio of two colours."""

    def luminance(colour):
        channels = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in QColor(colour).getRgbF()[:3]
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def app(qapp):
    """The application, given back with its palette and colour scheme as they were."""
    before = QPalette(qapp.palette())
    yield qapp
    qapp.setPalette(before)
    QGuiApplication.styleHints().unsetColorScheme()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def window_colour(app):
    return app.palette().color(ROLE.Window)


def test_offscreen_the_system_choice_is_light_in_fusion(app, settings, qtbot):
    manager = ThemeManager(settings)
    assert manager.choice() == "system"
    with qtbot.waitSignal(manager.theme_changed) as changed:
        assert manager.apply(app) == "light"
    assert changed.args == ["light"]
    assert app.style().name().lower() == "fusion"
    assert window_colour(app).lightness() > 200 and manager.current() == "light"


def test_dark_is_applied_saved_and_restored_next_time(app, settings, qtbot):
    manager = ThemeManager(settings)
    manager.apply(app)
    with qtbot.waitSignal(manager.theme_changed) as changed:
        manager.apply(app, "dark")
    assert changed.args == ["dark"]
    assert window_colour(app).lightness() < 60
    assert app.palette().color(ROLE.Text).lightness() > 200
    assert settings.value(SETTINGS_KEY) == "dark"
    again = ThemeManager(settings)  # the next start
    assert again.choice() == "dark" and again.apply(app) == "dark"


def test_system_choice_follows_the_system_and_an_explicit_choice_does_not(app, settings, qtbot):
    manager = ThemeManager(settings)
    manager.apply(app, "system")
    hints = QGuiApplication.styleHints()
    with qtbot.waitSignal(manager.theme_changed) as changed:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the user switched the system
    assert changed.args == ["dark"] and window_colour(app).lightness() < 60
    manager.apply(app, "light")
    with qtbot.assertNotEmitted(manager.theme_changed):
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert manager.current() == "light" and window_colour(app).lightness() > 200


def test_widgets_styled_by_a_style_sheet_switch_too(app, settings, qtbot):
    label = QLabel("Keras default: 0.001")
    qtbot.addWidget(label)
    label.setStyleSheet("color: palette(placeholder-text);")  # as the rate control's captions
    label.show()
    manager = ThemeManager(settings)
    manager.apply(app, "light")
    assert label.palette().color(ROLE.WindowText).lightness() < 128
    manager.apply(app, "dark")
    assert label.palette().color(ROLE.WindowText).lightness() > 128


def test_an_unknown_choice_is_refused_and_a_bad_saved_one_ignored(app, settings):
    manager = ThemeManager(settings)
    with pytest.raises(ValueError, match="choose one of system, light, dark"):
        manager.apply(app, "purple")
    settings.setValue(SETTINGS_KEY, "purple")  # edited by hand, or from another version
    assert ThemeManager(settings).choice() == "system"


def test_the_menu_ticks_one_choice_and_switches_theme(app, settings):
    manager = ThemeManager(settings)
    manager.apply(app)
    view_menu = QMenu()
    menu = manager.add_menu(view_menu)
    assert menu.objectName() == "themeMenu"
    actions = {a.objectName(): a for a in menu.actions()}
    assert list(actions) == ["themeSystemAction", "themeLightAction", "themeDarkAction"]
    assert [a.isChecked() for a in actions.values()] == [True, False, False]
    actions["themeDarkAction"].trigger()
    assert manager.current() == "dark" and window_colour(app).lightness() < 60
    assert [a.isChecked() for a in actions.values()] == [False, False, True]
    assert settings.value(SETTINGS_KEY) == "dark"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_is_readable_in_both_palettes(theme):
    colours = palette(theme)
    for text, background in [
        (ROLE.WindowText, ROLE.Window),
        (ROLE.Text, ROLE.Base),
        (ROLE.Text, ROLE.AlternateBase),
        (ROLE.ButtonText, ROLE.Button),
        (ROLE.HighlightedText, ROLE.Highlight),
        (ROLE.ToolTipText, ROLE.ToolTipBase),
    ]:
        ratio = contrast(colours.color(text), colours.color(background))
        assert ratio >= 4.5, (text, background, ratio)


def test_every_run_colour_stands_out_on_the_dark_plots():
    for colour in RUN_COLOURS:
        assert contrast(colour, DARK_PLOTS.background) >= 3.0, colour  # WCAG for lines
    for colours in (LIGHT_PLOTS, DARK_PLOTS):
        assert contrast(colours.ink, colours.background) >= 7.0
        assert contrast(colours.axis, colours.background) >= 4.5


def record(run_id, rate, change_at=None):
    config = RunConfig(optimizer="sgd", learning_rate=rate, epochs=2)
    result = RunRecord(id=run_id, config=config)
    result.apply(ev.RunStarted(run_id, config, {"class_name": "SGD"}, 20, 40, 640, 64, "sample"))
    for step in range(1, 41):
        if step == change_at:
            result.apply(ev.LearningRateChanged(step, rate * 10, rate))
        loss = 2.3 * math.exp(-step / 15) + 0.05 * math.sin(step)
        epoch, batch = (step - 1) // 20 + 1, (step - 1) % 20 + 1
        result.apply(ev.BatchEnd(step, epoch, batch, loss, 1 - loss / 3, loss, 0.5, rate, 0.1))
        if batch == 20:
            result.apply(ev.EpochEnd(epoch, step, loss, 0.8, loss, 0.85, 1.0))
    result.apply(ev.RunFinished(ev.FINISHED, 4.0))
    return result


def pen_colour(item, key="pen"):
    return pg.mkPen(item.opts[key]).color()


@pytest.fixture
def plots(qtbot):
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    runs = [record("a", 0.01, change_at=20), record("b", 0.1)]
    widget.set_overlays([(r, run_colour(i)) for i, r in enumerate(runs)])
    widget.redraw_now()
    return widget


def run_items(widget, plot="loss"):
    """(curve, raw, validation) of run "a" as drawn, told apart by what they draw: the raw
    values are a paler or darker shade of the run's colour (the same hue). Each has the
    pyqtgraph-style `opts` (pen, symbol, symbolPen, symbolBrush) of its canvas stroke."""
    widget.redraw_now()
    colour = QColor(run_colour(0))
    curve = raw = validation = None
    canvases = [i for i in widget.plot_item(plot).items if isinstance(i, PlotCanvas)]
    for stroke in (stroke for canvas in canvases for stroke in canvas.strokes()):
        symbol = stroke.symbol
        item = SimpleNamespace(
            opts={"symbol": symbol, "pen": stroke.pen, "symbolPen": stroke.pen,
                  "symbolBrush": stroke.brush},
            isVisible=lambda: True,
        )  # fmt: skip
        if symbol == "d" and pen_colour(item, "symbolPen") == colour:
            validation = item
        elif symbol is None and item.opts["pen"] is not None and item.isVisible():
            pen = pen_colour(item)
            if pen == colour:
                curve = item
            elif abs(pen.hslHue() - colour.hslHue()) <= 10:
                raw = item
    return curve, raw, validation


def test_the_live_plots_turn_dark_and_the_runs_keep_their_colours(plots):
    area = plots.findChild(pg.GraphicsLayoutWidget, "livePlotArea")
    axis = plots.plot_item("loss").getAxis("left")
    plots.set_theme("dark")
    plots.redraw_now()
    assert area.backgroundBrush().color().name() == DARK_PLOTS.background
    assert axis.textPen().color().name() == DARK_PLOTS.ink
    assert DARK_PLOTS.ink in axis.labelString()
    curve, raw, validation = run_items(plots)
    assert pen_colour(curve).name() == run_colour(0).name()
    # The raw values stay in the curve's shade, faint against the dark background, not white.
    assert pen_colour(raw).lightness() < QColor(run_colour(0)).lightness()
    assert pg.mkBrush(validation.opts["symbolBrush"]).color().name() == DARK_PLOTS.background
    marker = next(i for i in plots.plot_item("loss").items if isinstance(i, pg.InfiniteLine))
    assert contrast(marker.label.color, DARK_PLOTS.background) >= 4.5  # "lr → 0.1" readable


def test_a_larger_font_keeps_the_dark_theme_and_light_comes_back_whole(plots):
    axis = plots.plot_item("accuracy").getAxis("left")
    _, raw_before, _ = run_items(plots)
    light_raw = pen_colour(raw_before).name()
    plots.set_theme("dark")
    plots.set_presentation(1.6)  # presentation mode restyles the axes and the runs
    assert axis.textPen().color().name() == DARK_PLOTS.ink
    _, raw, validation = run_items(plots)
    assert pen_colour(raw).lightness() < QColor(run_colour(0)).lightness()
    plots.set_theme("light")
    area = plots.findChild(pg.GraphicsLayoutWidget, "livePlotArea")
    assert area.backgroundBrush().color().name() == LIGHT_PLOTS.background
    assert axis.textPen().color().name() == LIGHT_PLOTS.ink
    _, raw, validation = run_items(plots)
    assert pen_colour(raw).name() == light_raw
    assert pg.mkBrush(validation.opts["symbolBrush"]).color().name() == "#ffffff"


def test_any_pyqtgraph_plot_can_follow_the_theme(qtbot):
    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    data = widget.plot([1, 2, 3], [3, 1, 2], pen=pg.mkPen("#EE6677", width=3))
    best = pg.ScatterPlotItem([2], [1], pen=pg.mkPen("#222222", width=2), brush="w")
    note = pg.TextItem("best", color="#222222")
    for item in (best, note):
        widget.addItem(item)
    style_plot_widget(widget, "dark")
    assert widget.backgroundBrush().color().name() == DARK_PLOTS.background
    assert note.color.name() == DARK_PLOTS.ink
    assert best.opts["pen"].color().name() == DARK_PLOTS.ink
    assert best.opts["brush"].color().name() == DARK_PLOTS.background
    assert pen_colour(data).name() == "#ee6677"  # data keep their colour
    style_plot_widget(widget.getPlotItem(), "light")
    assert note.color.name() == LIGHT_PLOTS.ink and pen_colour(data).name() == "#ee6677"
    assert best.opts["brush"].color().name() == "#ffffff"


def test_a_dialog_with_plots_follows_in_one_call(qtbot):
    dialog = QWidget()
    qtbot.addWidget(dialog)
    first, second = pg.PlotWidget(dialog, background="w"), pg.GraphicsLayoutWidget(dialog)
    second.addPlot().setLabel("left", "loss", color="#222222")
    style_plots_in(dialog, "dark")
    for view in (first, second):
        assert view.backgroundBrush().color().name() == DARK_PLOTS.background
    axis = second.ci.getItem(0, 0).getAxis("left")
    assert axis.textPen().color().name() == DARK_PLOTS.ink and DARK_PLOTS.ink in axis.labelString()
