"""Every symbol the GUI's texts use has a glyph in an installed font, so none is drawn as an empty box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QRawFont

GUI_SOURCES = Path(__file__).resolve().parent.parent / "iam_desktop" / "gui"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def test_every_symbol_in_gui_texts_has_a_glyph(qapp) -> None:
    symbols = {char for path in GUI_SOURCES.rglob("*.py") for char in _NON_ASCII.findall(path.read_text("utf-8"))}
    assert "✖" in symbols  # the scan reads the decision texts
    fonts = [QRawFont.fromFont(QFont(family)) for family in QFontDatabase.families()]
    fonts = [font for font in fonts if font.isValid()]
    if not fonts:
        pytest.skip("no font is installed: nothing can be drawn")
    missing = sorted(f"U+{ord(char):04X} {char}" for char in symbols
                     if not any(font.supportsCharacter(ord(char)) for font in fonts))
    assert not missing, f"no installed font draws {missing}"
