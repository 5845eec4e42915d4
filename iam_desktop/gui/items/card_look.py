"""How a card looks: its geometry, its face (border, fill and kind tile) drawn once per scale, and its text laid
out once."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QPaintEngine, QPainter, QPalette, QPen, QPixmap, QTextLayout,
)
from PySide6.QtWidgets import QApplication, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.icons import paint_tile, style_for

NODE_WIDTH = 184.0
NODE_HEIGHT = 50.0
WRAP_AFTER = " .-_/:@+="
NODE_BODY = QRectF(0.0, 0.0, NODE_WIDTH, NODE_HEIGHT)
SMALLEST_TEXT_PIXELS = 7.0
"""Subtitles smaller than this on screen cannot be read, so they are not drawn."""
# enum members looked up once: each lookup through its class costs about a microsecond, cards paint by the hundred
ANTIALIASING = QPainter.RenderHint.Antialiasing
_RASTER = QPaintEngine.Type.Raster
_BASE, _TEXT, _PLACEHOLDER_TEXT, _HIGHLIGHT = (QPalette.ColorRole.Base, QPalette.ColorRole.Text,
                                               QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Highlight)
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight


def palette_of(widget: QWidget | None) -> QPalette:
    """The palette to paint with: the view's, or the application's when painting off-screen (export)."""
    return widget.palette() if widget is not None else QApplication.palette()


def base_font(widget: QWidget | None) -> QFont:
    """A fresh copy of the font to start from (the view does not restore painter state between items)."""
    return QFont(widget.font() if widget is not None else QApplication.font())


def title_lines(title: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """The title as one line, or wrapped onto two (after a separator or between camelCase words), the second elided."""
    if metrics.horizontalAdvance(title) <= width:
        return [title]
    fits, too_long = 1, len(title)  # the longest prefix that fits, found by halving (prefixes only grow)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if metrics.horizontalAdvance(title[:middle]) <= width:
            fits = middle
        else:
            too_long = middle
    cut = fits
    separators = [i + 1 for i, char in enumerate(title[:cut]) if char in WRAP_AFTER
                  or (char.islower() and title[i + 1:i + 2].isupper())]
    if separators and separators[-1] >= cut // 2:
        cut = separators[-1]
    return [title[:cut], metrics.elidedText(title[cut:], Qt.TextElideMode.ElideMiddle, width)]


FACE_BOUNDS = QRectF(-1.0, -1.0, NODE_WIDTH + 2.0, NODE_HEIGHT + 2.0)  # the card and its border's outer half
_FACES: dict[tuple[str, float, int], QPixmap] = {}
MOST_FACE_BYTES = 32 * 1024 * 1024
"""The most the kept card faces take together (a face at 400 % on a high-DPI screen takes 2.5 MB)."""


def card_face(style_key: str, pixels_per_unit: float, base: QColor) -> QPixmap:
    """A picture of an unmarked card without its text (border, fill and kind tile) at this many device pixels per
    scene unit, drawn once per kind, scale and fill colour: copying it is ten times cheaper than drawing it."""
    key = (style_key, pixels_per_unit, base.rgba())
    face = _FACES.get(key)
    if face is None:
        width, height = (max(1, round(FACE_BOUNDS.width() * pixels_per_unit)),
                         max(1, round(FACE_BOUNDS.height() * pixels_per_unit)))
        if kept_face_bytes() + width * height * 4 > MOST_FACE_BYTES:
            _FACES.clear()
        face = QPixmap(width, height)
        face.fill(Qt.GlobalColor.transparent)
        painter = QPainter(face)
        painter.setRenderHint(ANTIALIASING)
        painter.scale(pixels_per_unit, pixels_per_unit)
        painter.translate(-FACE_BOUNDS.topLeft())
        paint_frame(painter, QColor(style_for(style_key).color), 1.4, base)
        paint_tile(painter, TILE, style_key)
        painter.end()
        face.setDevicePixelRatio(pixels_per_unit)
        _FACES[key] = face
    return face


def kept_face_bytes() -> int:
    """How much memory the kept card faces take."""
    return sum(face.width() * face.height() * 4 for face in _FACES.values())


def paint_frame(painter: QPainter, border: QColor, width: float, fill: QColor | QBrush) -> None:
    """The card's rounded rectangle outlined in ``border`` (``width`` wide) and filled with ``fill``."""
    painter.setPen(QPen(border, width))
    painter.setBrush(fill)
    painter.drawRoundedRect(NODE_BODY, 8, 8)


TILE = QRectF(8, 9, 32, 32)
_TEXT_LEFT = 48.0
_TEXT_WIDTH = NODE_WIDTH - 56.0


class _CardFonts:
    """The fonts of a card's text for one base font, and their metrics (shared by every card)."""

    def __init__(self, font: QFont) -> None:
        self.title = QFont(font)
        self.title.setBold(True)
        self.title_metrics = QFontMetricsF(self.title)
        self.subtitles: list[tuple[QFont, QFontMetricsF]] = []
        for share in (0.85, 0.78):  # under a one-line title, under a two-line one
            subtitle = QFont(font)
            subtitle.setPointSizeF(max(6.0, font.pointSizeF() * share))
            self.subtitles.append((subtitle, QFontMetricsF(subtitle)))


_CARD_FONTS: dict[str, _CardFonts] = {}


class CardText:
    """A card's text laid out once for a font: the title's lines in bold and the elided subtitle, each line's
    glyphs placed once (drawing them needs no new layout at any scale, several times cheaper than ``drawText``),
    with where the lines go with the subtitle and, centred, without it. The subtitle is laid out when first
    drawn (far zoomed out it is too small to be drawn)."""

    __slots__ = ("title_font", "subtitle_font", "lines", "tops", "centred_tops", "subtitle_height", "_subtitle",
                 "_subtitle_metrics", "_subtitle_line", "_subtitle_top")

    def __init__(self, title: str, subtitle: str, font: QFont, font_key: str) -> None:
        fonts = _CARD_FONTS.get(font_key)
        if fonts is None:
            fonts = _CARD_FONTS[font_key] = _CardFonts(font)
        texts = title_lines(title, fonts.title_metrics, _TEXT_WIDTH)
        one = len(texts) == 1
        self.title_font = fonts.title
        self.subtitle_font, self._subtitle_metrics = fonts.subtitles[0 if one else 1]
        self.lines = [_TextLine(text, self.title_font) for text in texts]
        # each line is centred vertically in a box (top, height): with the subtitle, and centred without it
        boxes = ((6.0, 20.0),) if one else ((3.0, 17.0), (18.0, 17.0))
        middle = NODE_HEIGHT / 2
        centred = ((middle - 10.0, 20.0),) if one else ((middle - 17.0, 17.0), (middle, 17.0))
        title_height = fonts.title_metrics.height()
        self.tops = [QPointF(_TEXT_LEFT, top + (height - title_height) / 2) for top, height in boxes]
        self.centred_tops = [QPointF(_TEXT_LEFT, top + (height - title_height) / 2) for top, height in centred]
        box_top, box_height = (26.0, 18.0) if one else (34.0, 14.0)
        self.subtitle_height = self._subtitle_metrics.height()
        self._subtitle = subtitle
        self._subtitle_line: _TextLine | None = None
        self._subtitle_top = QPointF(_TEXT_LEFT, box_top + (box_height - self.subtitle_height) / 2)

    def draw(self, painter: QPainter, raster: bool, with_subtitle: bool, title: QColor, subtitle: QColor) -> None:
        """Draw the title in ``title``'s colour and, ``with_subtitle``, the subtitle below it in ``subtitle``'s,
        else the title centred (``raster``: into pixels, from the glyphs; else as text)."""
        if not raster:  # glyphs carry their font
            painter.setFont(self.title_font)
        painter.setPen(title)
        for line, top in zip(self.lines, self.tops if with_subtitle else self.centred_tops):
            line.draw(painter, raster, top)
        if with_subtitle:
            if self._subtitle_line is None:
                elided = self._subtitle_metrics.elidedText(self._subtitle, _ELIDE_RIGHT, _TEXT_WIDTH)
                self._subtitle_line = _TextLine(elided, self.subtitle_font)
            if not raster:
                painter.setFont(self.subtitle_font)
            painter.setPen(subtitle)
            self._subtitle_line.draw(painter, raster, self._subtitle_top)


class _TextLine:
    """One line of a card's text in one font: its glyphs placed once, and its text for painters into vector files
    (which need the characters)."""

    __slots__ = ("text", "glyphs", "ascent")

    def __init__(self, text: str, font: QFont) -> None:
        layout = QTextLayout(text, font)
        layout.beginLayout()
        line = layout.createLine()
        layout.endLayout()
        self.text = text
        self.glyphs = line.glyphRuns()
        self.ascent = line.ascent()

    def draw(self, painter: QPainter, raster: bool, top_left: QPointF) -> None:
        """Draw the line with its top-left at ``top_left``."""
        if raster:
            for glyphs in self.glyphs:
                painter.drawGlyphRun(top_left, glyphs)
        else:
            painter.drawText(QPointF(top_left.x(), top_left.y() + self.ascent), self.text)


class CardPainting:
    """What the cards painted by one paint share: the scale, the palette's colours, the font, and whether card
    faces can be copied from cached pictures (into pixels, not into a vector file)."""

    __slots__ = ("lod", "ratio", "raster", "palette", "font", "font_key", "base", "text", "placeholder", "highlight")

    def __init__(self, painter: QPainter, widget: QWidget | None) -> None:
        self.lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        self.ratio = painter.device().devicePixelRatioF()
        engine = painter.paintEngine()
        self.raster = engine is not None and engine.type() == _RASTER
        self.palette = palette_of(widget)
        self.font = base_font(widget)
        self.font_key = self.font.key()
        self.base, self.text = self.palette.color(_BASE), self.palette.color(_TEXT)
        self.placeholder, self.highlight = self.palette.color(_PLACEHOLDER_TEXT), self.palette.color(_HIGHLIGHT)
