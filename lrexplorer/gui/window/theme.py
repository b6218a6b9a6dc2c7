"""Light and dark themes: the application's palette (Fusion, the same on every system), the
plots' background, axes and text, and the choice System / Light / Dark kept in the settings."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

SETTINGS_KEY = "view/theme"
CHOICES = {"system": "System", "light": "Light", "dark": "Dark"}  # choice -> menu text
THEMES = ("light", "dark")

_ROLE = QPalette.ColorRole
_ACTIVE, _DISABLED = QPalette.ColorGroup.Active, QPalette.ColorGroup.Disabled
# Fusion's own light palette, written out: Fusion's standardPalette() turns dark by itself when
# the system is dark, which would make "Light" depend on the system. One change: a darker
# selection blue, so that white text on it reads at 4.7:1 rather than 3.7:1.
_LIGHT = {
    _ROLE.Window: "#efefef", _ROLE.WindowText: "#000000", _ROLE.Base: "#ffffff",
    _ROLE.AlternateBase: "#f7f7f7", _ROLE.ToolTipBase: "#ffffdc", _ROLE.ToolTipText: "#000000",
    _ROLE.PlaceholderText: "#80000000", _ROLE.Text: "#000000", _ROLE.Button: "#efefef",
    _ROLE.ButtonText: "#000000", _ROLE.BrightText: "#ffffff", _ROLE.Light: "#ffffff",
    _ROLE.Midlight: "#cacaca", _ROLE.Mid: "#b8b8b8", _ROLE.Dark: "#9f9f9f",
    _ROLE.Shadow: "#767676", _ROLE.Highlight: "#2878b8", _ROLE.HighlightedText: "#ffffff",
    _ROLE.Link: "#0000ff", _ROLE.LinkVisited: "#ff00ff", _ROLE.Accent: "#2878b8",
}  # fmt: skip
_LIGHT_DISABLED = {
    _ROLE.WindowText: "#bebebe", _ROLE.Text: "#bebebe", _ROLE.ButtonText: "#bebebe",
    _ROLE.Base: "#efefef", _ROLE.Dark: "#bebebe", _ROLE.Shadow: "#b1b1b1",
    _ROLE.Highlight: "#919191", _ROLE.Accent: "#919191",
}  # fmt: skip
# Neutral greys (no tint: run colours must look as they do on white). Fields are lighter than
# the window: Fusion outlines them in the window's colour darkened, which a darker field hides.
# Text is #e6e6e6: 12.6:1 on the window, 11.2:1 in a field.
_DARK = {
    _ROLE.Window: "#242424", _ROLE.WindowText: "#e6e6e6", _ROLE.Base: "#2d2d2d",
    _ROLE.AlternateBase: "#333333", _ROLE.ToolTipBase: "#3a3a3a", _ROLE.ToolTipText: "#eeeeee",
    _ROLE.PlaceholderText: "#9a9a9a", _ROLE.Text: "#e6e6e6", _ROLE.Button: "#363636",
    _ROLE.ButtonText: "#e6e6e6", _ROLE.BrightText: "#ff6b6b", _ROLE.Light: "#4a4a4a",
    _ROLE.Midlight: "#3e3e3e", _ROLE.Mid: "#2c2c2c", _ROLE.Dark: "#141414",
    _ROLE.Shadow: "#000000", _ROLE.Highlight: "#2f6db5", _ROLE.HighlightedText: "#ffffff",
    _ROLE.Link: "#7ab4ff", _ROLE.LinkVisited: "#c58af9", _ROLE.Accent: "#2f6db5",
}  # fmt: skip
_DARK_DISABLED = {
    _ROLE.WindowText: "#767676", _ROLE.Text: "#767676", _ROLE.ButtonText: "#767676",
    _ROLE.Base: "#282828", _ROLE.Button: "#2c2c2c", _ROLE.Highlight: "#3d3d3d",
    _ROLE.HighlightedText: "#a0a0a0", _ROLE.PlaceholderText: "#5c5c5c",
    _ROLE.Accent: "#3d3d3d",
}  # fmt: skip


def palette(theme: str) -> QPalette:
    """The application palette of "light" or "dark"."""
    colours, disabled = (_DARK, _DARK_DISABLED) if theme == "dark" else (_LIGHT, _LIGHT_DISABLED)
    result = QPalette()
    for role, name in colours.items():
        result.setColor(role, QColor(name))  # every group
    for role, name in disabled.items():
        result.setColor(_DISABLED, role, QColor(name))
    return result


def system_theme() -> str:
    """ "dark" if the system says so; "light" otherwise, also when it cannot say (offscreen)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


class ThemeManager(QObject):
    """Applies the chosen theme to the application and tells widgets that draw their own
    colours (the plots) through `theme_changed`; follows the system while the choice is
    "system"."""

    theme_changed = Signal(str)  # "light" or "dark", after the palette changed

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        saved = str(settings.value(SETTINGS_KEY, "system")) if settings is not None else "system"
        self._choice = saved if saved in CHOICES else "system"
        self._current: str | None = None
        self._app: QApplication | None = None
        self._actions: dict[str, QAction] = {}
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            self._on_style_hints_color_scheme_changed
        )

    def choice(self) -> str:
        """ "system", "light" or "dark"."""
        return self._choice

    def current(self) -> str:
        """The theme shown: "light" or "dark"."""
        return self._current or self._resolve()

    def apply(self, app: QApplication, choice: str | None = None) -> str:
        """Apply `choice` (default: the saved one), remember it, and return the theme shown."""
        choice = self._choice if choice is None else choice
        if choice not in CHOICES:
            raise ValueError(f"unknown theme {choice!r}: choose one of {', '.join(CHOICES)}")
        self._app, self._choice = app, choice
        if self._settings is not None:
            self._settings.setValue(SETTINGS_KEY, choice)
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # native styles ignore parts of the palette
        hints = QGuiApplication.styleHints()
        # The window frame (title bar) follows too where the system allows it; "system" hands
        # the decision back to the system, and then colorScheme() reports the system's again.
        if choice == "system":
            hints.unsetColorScheme()
        else:
            hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light)
        self._show(self._resolve())
        for name, action in self._actions.items():
            action.setChecked(name == choice)
        return self.current()

    def add_menu(self, parent: QMenu) -> QMenu:
        """A "Theme" submenu of `parent` with System, Light and Dark (one ticked)."""
        menu = parent.addMenu("Theme")
        menu.setObjectName("themeMenu")
        group = QActionGroup(menu)
        group.setExclusive(True)
        for choice, text in CHOICES.items():
            action = QAction(text, menu, checkable=True)
            action.setObjectName(f"theme{text}Action")
            action.setChecked(choice == self._choice)
            action.triggered.connect(lambda _checked=False, c=choice: self._on_menu_chosen(c))
            group.addAction(action)
            menu.addAction(action)
            self._actions[choice] = action
        return menu

    def _on_menu_chosen(self, choice: str) -> None:
        app = self._app or QApplication.instance()
        if isinstance(app, QApplication):
            self.apply(app, choice)

    def _resolve(self, scheme: Qt.ColorScheme | None = None) -> str:
        if self._choice != "system":
            return self._choice
        if scheme is None:
            return system_theme()
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"

    def _show(self, theme: str) -> None:
        if theme == self._current or self._app is None:
            return
        first, self._current = self._current is None, theme
        self._app.setPalette(palette(theme))
        if not first:
            # A style sheet takes the palette (and its palette(...) colours) when it is applied,
            # so widgets styled by one would keep the old theme's text colour: apply theirs
            # again. Only in shown windows: a closed one may be half-way through its deletion.
            # (The first theme is applied before the window builds its widgets.)
            for window in self._app.topLevelWidgets():
                if not window.isVisible():
                    continue
                for widget in [window, *window.findChildren(QWidget)]:
                    if widget.styleSheet():
                        widget.setStyleSheet(widget.styleSheet())
        self.theme_changed.emit(theme)

    def _on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self._show(self._resolve(scheme))


# --- plots ------------------------------------------------------------------------------------
