"""Python syntax colouring for the exported code, readable on a projector in light or dark themes.

One scanner walks each line so that a `#` or a keyword inside a string is not coloured as code;
triple-quoted strings carry over to the next lines through the block state.
"""

from __future__ import annotations

import builtins
import keyword
import re

from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

# Colours with at least 4.5:1 contrast on white (light) or on #1e1e1e (dark), the WCAG level
# for body text, because a projector washes colours out.
LIGHT = {
    "keyword": "#0033B3",
    "builtin": "#871094",
    "string": "#067D17",
    "number": "#B03A00",
    "comment": "#5C6670",
    "decorator": "#7A5C00",
    "definition": "#00627A",
}
DARK = {
    "keyword": "#82AAFF",
    "builtin": "#D7A6FF",
    "string": "#8FD694",
    "number": "#FFAB70",
    "comment": "#9DA5B4",
    "decorator": "#E5C07B",
    "definition": "#5FD7E0",
}

_KEYWORDS = frozenset(keyword.kwlist)  # not the soft ones: `type` and `match` are mostly names
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
_STRING_PREFIX = r"(?:[rRbBuUfF]{1,2})?"
_TOKEN = re.compile(
    rf"""
      (?P<comment>\#.*)
    | (?P<triple>{_STRING_PREFIX}(?:'''|\"\"\"))
    | (?P<string>{_STRING_PREFIX}(?:"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?))
    | (?P<name>[A-Za-z_]\w*)
    | (?P<number>(?<![\w.])(?:0[xXoObB][0-9a-fA-F_]+
        |(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?))
    """,
    re.VERBOSE,
)
_DECORATOR = re.compile(r"^\s*(@[\w.]+)")
_NOT_IN_STRING = -1
_OPEN_TRIPLE = {'"""': 1, "'''": 2}  # block state: which triple quote is still open


def is_dark(palette: QPalette) -> bool:
    """Whether the theme is dark, judged like the user's eye: by the window colour's lightness."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _char_format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Colours keywords, builtins, strings, numbers, comments, decorators and defined names."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self._dark = not dark  # so that set_dark below builds the formats
        self.set_dark(dark)

    @property
    def dark(self) -> bool:
        return self._dark

    def set_dark(self, dark: bool) -> None:
        """Switch to the colours for a dark (or light) background and recolour the text."""
        if dark == self._dark:
            return
        self._dark = dark
        colours = DARK if dark else LIGHT
        self._formats = {
            "keyword": _char_format(colours["keyword"], bold=True),
            "builtin": _char_format(colours["builtin"]),
            "string": _char_format(colours["string"]),
            "number": _char_format(colours["number"]),
            "comment": _char_format(colours["comment"], italic=True),
            "decorator": _char_format(colours["decorator"]),
            "definition": _char_format(colours["definition"], bold=True),
        }
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        self.setCurrentBlockState(_NOT_IN_STRING)
        start = 0
        open_quote = next(
            (q for q, state in _OPEN_TRIPLE.items() if state == self.previousBlockState()), None
        )
        if open_quote is not None:
            start = self._finish_triple(text, 0, 0, open_quote)
        decorator = _DECORATOR.match(text, start)
        if decorator:
            self.setFormat(decorator.start(1), len(decorator.group(1)), self._formats["decorator"])
            start = decorator.end()
        defining = False
        while start < len(text):
            match = _TOKEN.search(text, start)
            if match is None:
                return
            kind, begin, end = match.lastgroup, match.start(), match.end()
            if kind == "triple":
                quote = match.group()[-3:]
                end = self._finish_triple(text, begin, end, quote)
            elif kind == "name":
                word = match.group()
                if defining:
                    self.setFormat(begin, end - begin, self._formats["definition"])
                elif word in _KEYWORDS:
                    self.setFormat(begin, end - begin, self._formats["keyword"])
                elif word in _BUILTINS and not _is_attribute(text, begin):
                    self.setFormat(begin, end - begin, self._formats["builtin"])
                defining = word in ("def", "class")
                start = end
                continue
            else:
                self.setFormat(begin, end - begin, self._formats[kind])
            defining = False
            start = max(end, begin + 1)

    def _finish_triple(self, text: str, begin: int, after_quote: int, quote: str) -> int:
        """Colour a triple-quoted string from `begin`; where the line goes on after it closes."""
        close = text.find(quote, after_quote)
        if close < 0:
            self.setFormat(begin, len(text) - begin, self._formats["string"])
            self.setCurrentBlockState(_OPEN_TRIPLE[quote])
            return len(text)
        end = close + len(quote)
        self.setFormat(begin, end - begin, self._formats["string"])
        return end


def _is_attribute(text: str, begin: int) -> bool:
    """`keras.Input` or `x.format`: a builtin's name after a dot is somebody else's attribute."""
    return begin > 0 and text[begin - 1] == "."
