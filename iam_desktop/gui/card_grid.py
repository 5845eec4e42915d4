"""The canvas's cards filed in a grid of scene cells, so that the cards of an area are found and drawn in batches."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from iam_desktop.gui.items.node import NODE_HEIGHT, NODE_WIDTH, NodeItem

CARD_CELL = 512.0
"""The side of a grid cell (scene units): each card is filed in the cell holding its top-left corner."""
Cell = tuple[int, int]


class CardGrid:
    """The cards of a scene by the cell of their top-left corner, their rectangles grouped by colour.

    ``rebuild`` takes the cards (when items are added, removed or restyled); ``refile`` files them again where
    they are now (when they moved: the grid keeps each card's live body, updated in place). The colours keep the
    order in which they first appear among the cards, the order the picture has always drawn them in.
    """

    def __init__(self) -> None:
        self._nodes: list[NodeItem] = []
        self._colors: list[QColor] = []
        self._color_of_node: list[int] = []
        self._rects: dict[Cell, list[list[QRectF]]] = {}
        self._cards: dict[Cell, list[NodeItem]] = {}

    def rebuild(self, nodes: list[NodeItem]) -> None:
        """Take ``nodes`` (in drawing order) and file them where they are."""
        color_indexes: dict[int, int] = {}
        self._colors, self._color_of_node = [], []
        for node in nodes:
            index = color_indexes.setdefault(node.color.rgba(), len(self._colors))
            if index == len(self._colors):
                self._colors.append(QColor(node.color))
            self._color_of_node.append(index)
        self._nodes = list(nodes)
        self.refile()

    def refile(self) -> None:
        """File every card again in the cell where it is now."""
        rects: dict[Cell, list[list[QRectF]]] = {}
        cards: dict[Cell, list[NodeItem]] = {}
        colors = len(self._colors)
        for node, color in zip(self._nodes, self._color_of_node):
            body = node.live_body
            cell = (math.floor(body.x() / CARD_CELL), math.floor(body.y() / CARD_CELL))
            in_cell = rects.get(cell)
            if in_cell is None:
                in_cell = rects[cell] = [[] for _ in range(colors)]
                cards[cell] = []
            in_cell[color].append(body)
            cards[cell].append(node)
        self._rects, self._cards = rects, cards

    def rects_in(self, area: QRectF) -> list[tuple[QColor, list[QRectF]]]:
        """The live rectangles of the cards that may meet ``area`` (scene coordinates), by colour in drawing order."""
        by_color: list[list[QRectF]] = [[] for _ in self._colors]
        for cell in self._cells_under(area):
            in_cell = self._rects.get(cell)
            if in_cell is not None:
                for rects, found in zip(by_color, in_cell):
                    rects.extend(found)
        return [(color, rects) for color, rects in zip(self._colors, by_color) if rects]

    def cards_in(self, area: QRectF) -> list[NodeItem]:
        """The cards that may meet ``area`` (scene coordinates): a superset, from the cells it covers."""
        found: list[NodeItem] = []
        for cell in self._cells_under(area):
            found.extend(self._cards.get(cell, ()))
        return found

    @staticmethod
    def _cells_under(area: QRectF) -> list[Cell]:
        """The cells holding the top-left corner of any card that meets ``area``."""
        columns = range(math.floor((area.left() - NODE_WIDTH) / CARD_CELL), math.floor(area.right() / CARD_CELL) + 1)
        rows = range(math.floor((area.top() - NODE_HEIGHT) / CARD_CELL), math.floor(area.bottom() / CARD_CELL) + 1)
        return [(column, row) for row in rows for column in columns]
