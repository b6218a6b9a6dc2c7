"""MessageBox: an icon and wrapped text on a coloured background that reads the same in light
and dark themes (the export dialog's warning, ok note and error)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QWidget

# Explicit colours (not the palette's) so the boxes read the same in every theme: (light, dark).
_BOX_STYLE = {
    "nameWarning": (("#FFF3CD", "#D9A400", "#3D2E00"), ("#4A3B00", "#D9A400", "#FFE9A8")),
    "nameOk": (("#E7F4EA", "#8CC79A", "#1B4D2A"), ("#1E3A28", "#4F8F5F", "#D2F0DA")),
    "exportError": (("#FDE2E1", "#D64541", "#5C1412"), ("#4A1614", "#D64541", "#FFD6D3")),
}


class MessageBox(QFrame):
    """An icon and wrapped text on a coloured background: the name form's warning or ok note."""

    def __init__(self, name: str, icon: QStyle.StandardPixmap, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(12)
        self.icon = QLabel(self)
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(32, 32))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(self)
        self.text.setObjectName(f"{name}Text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)

    def set_dark(self, dark: bool) -> None:
        background, border, text = _BOX_STYLE[self.objectName()][int(dark)]
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {background}; "
            f"border: 1px solid {border}; border-radius: 6px; }}"
            f"QLabel {{ color: {text}; background: transparent; border: none; }}"
        )
