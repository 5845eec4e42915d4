"""The card layer: one item that draws every plain card of the canvas, found through a grid of cells."""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.items.card_look import NODE_HEIGHT, NODE_WIDTH, CardPainting
from iam_desktop.gui.items.layer import Layer, exposed_areas
from iam_desktop.gui.items.node import CARD_BOUNDS, NodeItem

CELL = 1024.0
"""The side of a grid cell (scene units): each card is filed in the cells its bounds overlap."""
LAYER_Z = 0.5
"""The layer's stacking value: above edges and frames, below the cards that draw themselves."""
Cell = tuple[int, int]
# how far a card's bounds reach beyond its body on each side (left, top, right, bottom)
_OVERHANG = (-CARD_BOUNDS.left(), -CARD_BOUNDS.top(), CARD_BOUNDS.right() - NODE_WIDTH,
             CARD_BOUNDS.bottom() - NODE_HEIGHT)


class CardLayer(Layer):
    """Draws the plain cards (neither selected, hovered, emphasised, tinted nor badged) of the scene in one pass.

    Qt would otherwise call each card's Python ``paint`` through its item machinery; a view of a big model
    shows hundreds of cards, all new after a jump or a zoom step. The card items stay in the scene for hit
    testing, hovering, selection and their own drawing when they stand out; while plain they have no contents.
    The layer files each card in the grid cells its bounds overlap (``CELL``) and, for each exposed rectangle,
    draws the cards of the cells it covers in the order they were added, as they would draw themselves.
    """

    def __init__(self) -> None:
        super().__init__(LAYER_Z)
        self._cells: dict[Cell, dict[NodeItem, None]] = {}
        self._filed: dict[NodeItem, list[Cell]] = {}
        self._order: dict[NodeItem, int] = {}
        self._standing_out: set[NodeItem] = set()

    # ----- the cards it draws ------------------------------------------------------------------------------
    def add(self, card: NodeItem) -> None:
        """Draw ``card`` (while it is plain)."""
        self._order[card] = len(self._order)
        self._file(card)
        self.update(card.sceneBoundingRect())

    def remove(self, card: NodeItem) -> None:
        """Stop drawing ``card`` (it leaves the scene)."""
        self._unfile(card)
        self._order.pop(card, None)
        self._standing_out.discard(card)
        self.loosen()
        self.update(card.sceneBoundingRect())

    def moved(self, card: NodeItem, before: QRectF) -> None:
        """``card`` moved from ``before`` (its former scene bounds): file it anew, repaint both places."""
        if card in self._filed:
            self._unfile(card)
            self._file(card)
            self.loosen()
            self.update(before)
            self.update(card.sceneBoundingRect())

    def set_standing_out(self, card: NodeItem, standing_out: bool) -> None:
        """Leave ``card`` to its own drawing (selected, hovered or marked by a highlight), or draw it again."""
        if standing_out:
            self._standing_out.add(card)
        else:
            self._standing_out.discard(card)
        self.update(card.sceneBoundingRect())

    def clear(self) -> None:
        """Forget every card (the scene is rebuilt)."""
        self._cells.clear()
        self._filed.clear()
        self._order.clear()
        self._standing_out.clear()
        self.forget_bounds()

    def drawn_bounds(self) -> Iterable[QRectF]:
        """The bounds of every card the layer files (Layer's ``tighten``)."""
        return (card.sceneBoundingRect() for card in self._filed)

    def cards_in(self, areas: list[QRectF]) -> list[NodeItem]:
        """The plain cards whose bounds meet any of ``areas`` (scene coordinates), in the order they were added."""
        found: dict[NodeItem, None] = {}
        for area in areas:
            for cell in _cells_under(area):
                filed = self._cells.get(cell)
                if filed:
                    found.update(filed)
        left, top, right, bottom = _OVERHANG  # a card's bounds meet an area when its body meets the area widened so
        reaches = [area.adjusted(-right, -bottom, left, top) for area in areas]
        shown = [card for card in found if card not in self._standing_out
                 and any(reach.intersects(card.live_body) for reach in reaches)]
        shown.sort(key=self._order.__getitem__)
        return shown

    def _file(self, card: NodeItem) -> None:
        bounds = card.sceneBoundingRect()
        cells = _cells_under(bounds)
        self._filed[card] = cells
        for cell in cells:
            self._cells.setdefault(cell, {})[card] = None
        self.grow(bounds)

    def _unfile(self, card: NodeItem) -> None:
        for cell in self._filed.pop(card, ()):
            filed = self._cells[cell]
            del filed[card]
            if not filed:
                del self._cells[cell]

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the plain cards meeting the exposed rectangles, each as it draws itself (Qt override)."""
        cards = self.cards_in(exposed_areas(painter, option))
        if not cards:
            return
        world = painter.worldTransform()
        shared = CardPainting(painter, widget)
        for card in cards:
            painter.translate(card.pos())
            card.paint_card(painter, shared)
            painter.setWorldTransform(world)
        painter.setOpacity(1.0)


def _cells_under(area: QRectF) -> list[Cell]:
    """The cells a rectangle overlaps."""
    return [(column, row) for row in range(math.floor(area.top() / CELL), math.floor(area.bottom() / CELL) + 1)
            for column in range(math.floor(area.left() / CELL), math.floor(area.right() / CELL) + 1)]
