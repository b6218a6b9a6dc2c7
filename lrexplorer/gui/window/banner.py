"""A message strip above the plots: notices and errors people should read, without a modal box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

_STYLES = {
    "info": ("#e8f1fb", "#1d4f7a", "ℹ"),
    "warning": ("#fff4d6", "#6b4a00", "⚠"),
    "error": ("#fde7e9", "#8a1c2b", "✖"),
}
# The same messages on a dark window (text contrast 9.5-10.6:1).
_DARK_STYLES = {
    "info": ("#16304a", "#cfe6ff", "ℹ"),
    "warning": ("#3d3210", "#ffe08a", "⚠"),
    "error": ("#4a1a20", "#ffc2c8", "✖"),
}


class MessageBanner(QFrame):
    """Shows the latest message until closed; `details` go into the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.icon = QLabel()
        self.text = QLabel(objectName="messageText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(objectName="messageClose", text="✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level = "info"
        self.hide()

    def show_message(self, text: str, level: str = "info", details: str | None = None) -> None:
        dark = self.palette().window().color().lightness() < 128
        background, foreground, icon = (_DARK_STYLES if dark else _STYLES)[level]
        self.level = level
        self.setStyleSheet(
            f"#messageBanner {{ background: {background}; border: 1px solid {foreground}; "
            f"border-radius: 4px; }} QLabel {{ color: {foreground}; }}"
        )
        self.icon.setText(icon)
        self.text.setText(text)
        self.setToolTip(details or "")
        self.show()

    def message(self) -> str:
        return self.text.text() if self.isVisible() else ""
