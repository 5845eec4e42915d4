"""The cards' names as the canvas shows them far zoomed out, laid out once and drawn in screen pixels."""

from __future__ import annotations

import math
from typing import Iterable

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QStaticText, QTransform

from iam_desktop.gui.items.node import NODE_WIDTH, NodeItem

NAME_PIXELS = 9
"""The height of the names' font on screen (pixels) at every scale, as ``NodeItem.paint_far_title`` draws it."""
_INNER_WIDTH = NODE_WIDTH - 8.0  # the card less 4 scene units on each side
_MOST_TEXTS = 50_000  # laid out texts kept (each elided form of a name seen at some scale)
_WHITE = QColor("white")
PlacedName = tuple[QStaticText, float, float, float, float]
"""A name ready to draw: its text and its box (left, top, width, height) in the picture's pixels."""


class CardNames:
    """The names of cards as ``NodeItem.paint_far_title`` draws them, laid out once.

    A name is bold and white, centred in its card and elided to the card's inner width, ``NAME_PIXELS`` high on
    screen. The card draws it in a font of ``9 / scale`` scene units through the view's scale. Here each name is
    elided as the card elides it (once per scale), and drawn as a static text in a font of ``NAME_PIXELS``
    pixels with a painter in screen pixels: no transform, font or elision per card and frame. The static texts
    are kept by text, so that names elided alike at several scales share one.
    """

    def __init__(self) -> None:
        self._key: tuple[object, ...] = ()
        self._font_key = ""
        self._scale = 1.0
        self._font = QFont()
        self._far_metrics = QFontMetricsF(self._font)
        self._texts: dict[str, tuple[QStaticText, float, float]] = {}
        self._names: dict[NodeItem, tuple[QStaticText, float, float]] = {}
        self._placed: dict[NodeItem, PlacedName] = {}
        self._positions_version = -1
        self._scratch = QImage()

    def use(self, font: QFont, scale: float, items_version: int, positions_version: int) -> None:
        """Draw names in ``font`` (the view's) at ``scale``; forget what was laid out for another font, scale or
        version of the items (a name changed), and where names go when the items moved."""
        if positions_version != self._positions_version:
            self._positions_version, self._placed = positions_version, {}
        key = (font.key(), scale, items_version)
        if key == self._key:
            return
        if key[0] != self._font_key:
            self._font_key, self._texts = key[0], {}
            self._font = QFont(font)
            self._font.setBold(True)
            self._font.setPixelSize(NAME_PIXELS)
        self._key, self._scale, self._names, self._placed = key, scale, {}, {}
        far = QFont(self._font)
        far.setPixelSize(max(1, round(NAME_PIXELS / scale)))
        self._far_metrics = QFontMetricsF(far)

    def place(self, nodes: Iterable[NodeItem]) -> list[PlacedName]:
        """The names of ``nodes``, each with its box in the picture's pixels (scene coordinates times the scale)."""
        placed, found = self._placed, []
        for node in nodes:
            name = placed.get(node)
            if name is None:
                name = placed[node] = self._place(node)
            found.append(name)
        return found

    def _place(self, node: NodeItem) -> PlacedName:
        name = self._names.get(node)
        if name is None:
            name = self._names[node] = self._lay_out(node)
        text, width, height = name
        center = node.live_body.center()
        return text, center.x() * self._scale - width / 2, center.y() * self._scale - height / 2, width, height

    def draw(self, painter: QPainter, placed: Iterable[PlacedName], shift_x: float, shift_y: float) -> None:
        """Draw names placed by ``place``, moved by (``shift_x``, ``shift_y``) (``painter`` in screen pixels,
        without a transform; its font and pen are set here).

        Qt places glyphs differently at negative coordinates: a name starting left of or above the painter's
        device (one crossing into a tile from the tile before) is drawn at positive ones on a scratch image,
        copied at a whole-pixel offset, so that every part of a name matches the others.
        """
        painter.setFont(self._font)
        painter.setPen(_WHITE)
        for text, left, top, width, height in placed:
            x, y = left + shift_x, top + shift_y
            if x >= 0 and y >= 0:
                painter.drawStaticText(QPointF(x, y), text)
            else:
                self._draw_through_scratch(painter, text, x, y, width, height)

    def _draw_through_scratch(self, painter: QPainter, text: QStaticText, x: float, y: float, width: float,
                              height: float) -> None:
        ratio = painter.device().devicePixelRatioF()
        margin = 1 / ratio  # one device pixel
        left, top = math.floor(x * ratio) / ratio - margin, math.floor(y * ratio) / ratio - margin
        size = QSize(math.ceil((width + 3 * margin) * ratio), math.ceil((height + 3 * margin) * ratio))
        scratch = self._scratch
        if scratch.width() < size.width() or scratch.height() < size.height() or scratch.devicePixelRatio() != ratio:
            scratch = self._scratch = QImage(size.expandedTo(scratch.size()), QImage.Format.Format_ARGB32_Premultiplied)
            scratch.setDevicePixelRatio(ratio)
        scratch.fill(Qt.GlobalColor.transparent)
        scratch_painter = QPainter(scratch)
        scratch_painter.setFont(self._font)
        scratch_painter.setPen(_WHITE)
        scratch_painter.drawStaticText(QPointF(x - left, y - top), text)
        scratch_painter.end()
        painter.drawImage(QPointF(left, top), scratch)

    def _lay_out(self, node: NodeItem) -> tuple[QStaticText, float, float]:
        """The card's name elided as the card elides it, as a static text with its size in pixels."""
        elided = self._far_metrics.elidedText(node.title, Qt.TextElideMode.ElideRight, _INNER_WIDTH)
        laid_out = self._texts.get(elided)
        if laid_out is None:
            if len(self._texts) >= _MOST_TEXTS:
                self._texts.clear()
            text = QStaticText(elided)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.prepare(QTransform(), self._font)
            size = text.size()
            laid_out = self._texts[elided] = (text, size.width(), size.height())
        return laid_out
