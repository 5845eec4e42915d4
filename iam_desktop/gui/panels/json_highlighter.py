"""Syntax highlighting for policy JSON: keys, strings, numbers, punctuation, with policy element names emphasised."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

POLICY_ELEMENTS = frozenset({
    "Version", "Id", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
    "Principal", "NotPrincipal", "Condition",
})

_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*"?)(?P<colon>\s*:)?'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
    r"|(?P<punct>[{}\[\],:])"
)


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Colours policy JSON line by line (JSON strings never span lines, so no state is carried).

    Parameters
    ----------
    document
        The text document to highlight (``QPlainTextEdit.document()``).
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {
            "key": _format("#1f5fa8"),
            "element": _format("#7a2da3", bold=True),
            "string": _format("#2e7d32"),
            "allow": _format("#2e7d32", bold=True),
            "deny": _format("#c62828", bold=True),
            "number": _format("#b35c00"),
            "literal": _format("#b35c00", italic=True),
            "punct": _format("#757575"),
        }

    def token_kind(self, token: re.Match[str]) -> str:
        """The format name of one token (``key``, ``element``, ``string``, ``allow``, ...)."""
        if token.group("string") is not None:
            inner = token.group("string").strip('"')
            if token.group("colon"):
                return "element" if inner in POLICY_ELEMENTS else "key"
            if inner in ("Allow", "Deny"):
                return inner.lower()
            return "string"
        return next(name for name in ("number", "literal", "punct") if token.group(name) is not None)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        for token in _TOKEN.finditer(text):
            kind = self.token_kind(token)
            if token.group("string") is not None:
                self.setFormat(token.start("string"), len(token.group("string")), self.formats[kind])
                if token.group("colon"):
                    self.setFormat(token.end("colon") - 1, 1, self.formats["punct"])
            else:
                self.setFormat(token.start(), token.end() - token.start(), self.formats[kind])
