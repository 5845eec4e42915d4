"""What the canvas picture paints: an area's frames, edges and cards in batches, and the marks over them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.card_grid import CardGrid
from iam_desktop.gui.card_names import CardNames
from iam_desktop.gui.items.edge import DIMMED_EDGE_OPACITY, EDGE_KINDS, FAR_PENS, EdgeItem
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import DIMMED_OPACITY, NodeItem
from iam_desktop.gui.picture_tiles import NUDGE

if TYPE_CHECKING:
    from iam_desktop.gui.scene import CanvasScene

MARK_PIXELS = 7.0
"""Selected and highlighted cards are drawn at least this many pixels wide, outlined, so that they stay visible."""
_MARK_PEN_PIXELS = 2.0
_RANKS = {kind: rank for rank, kind in enumerate(EDGE_KINDS)}


def _mark_pen(color: QColor) -> QPen:
    """A line ``_MARK_PEN_PIXELS`` wide on screen whatever the scale (a highlighted or selected edge)."""
    pen = QPen(color, _MARK_PEN_PIXELS)
    pen.setCosmetic(True)
    return pen


def _faded(color: QColor, background: QColor, opacity: float) -> QColor:
    """``color`` drawn at ``opacity`` over ``background``, as one opaque colour."""
    return QColor.fromRgbF(*(opacity * part + (1 - opacity) * under
                             for part, under in zip(color.getRgbF()[:3], background.getRgbF()[:3])))


class EdgeSurvey:
    """What the picture needs to know of all the edges at once: ``length``, the summed width and height of all
    edges (scene units), how much edge a pixel holds on average at a scale."""

    def __init__(self, scene: CanvasScene) -> None:
        self.length = 0.0
        for edge in scene.edge_items().values():
            line = edge.live_ends
            self.length += abs(line.dx()) + abs(line.dy())


class Marks:
    """What is drawn over the picture's tiles: the highlighted and selected edges, then the marked cards.

    Gathered from the scene when its drawing changed. It also knows the edges the edge layer leaves out while
    they stand out (selected, emphasised or labelled), which the tiles draw as plain hairlines all the same.
    """

    def __init__(self, scene: CanvasScene, selection: QColor) -> None:
        highlight, selected = scene.shown_highlight(), scene.selectedItems()
        self.lines: list[tuple[QPen, QLineF]] = []
        self.standing_out: list[list[QLineF]] = [[] for _ in EDGE_KINDS]
        marked_cards: list[NodeItem] = []
        if highlight is not None:
            for key in set(highlight.edge_keys).union(highlight.edge_labels):
                edge = scene.edge_item(key)
                if edge is not None:
                    self.lines.append((_mark_pen(FAR_PENS[edge.edge.kind].color()), edge.live_ends))
                    self.standing_out[_RANKS[edge.edge.kind]].append(edge.live_ends)
            marked = highlight.node_ids | set(highlight.node_badges) | set(highlight.node_colors)
            for entity_id in sorted(marked, key=lambda i: highlight.node_colors.get(i) == "allow"):  # "allow" on top
                card = scene.entity_item(entity_id)
                if isinstance(card, NodeItem):
                    marked_cards.append(card)
        for item in selected:
            if isinstance(item, EdgeItem):
                self.lines.append((_mark_pen(selection), item.live_ends))
                self.standing_out[_RANKS[item.edge.kind]].append(item.live_ends)
        self.cards = [*marked_cards, *(item for item in selected if isinstance(item, NodeItem))]

    def draw(self, painter: QPainter, viewport: QWidget, scale: float, offset: QPoint, exposed: QRect,
             names: CardNames | None) -> None:
        """Draw the marks that show in ``exposed`` (viewport pixels): the edges, then each marked card outlined
        and at least ``MARK_PIXELS`` wide, and its name when ``names`` is given (``painter`` without a
        transform; the scene is drawn at ``scale``, its origin at ``offset``)."""
        if not self.lines and not self.cards:
            return
        painter.setTransform(QTransform(scale, 0, 0, scale, offset.x(), offset.y()))
        for pen, line in self.lines:
            painter.setPen(pen)
            painter.drawLine(line)
        least = MARK_PIXELS / scale
        shown = QRectF(exposed.translated(-offset)).adjusted(-MARK_PIXELS, -MARK_PIXELS, MARK_PIXELS, MARK_PIXELS)
        shown = QRectF(shown.x() / scale, shown.y() / scale, shown.width() / scale, shown.height() / scale)
        cards = [card for card in self.cards if shown.intersects(card.live_body)]
        palette = viewport.palette()
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 0))
        selection = palette.color(QPalette.ColorRole.Highlight)
        for card in cards:
            center = card.live_body.center()
            width, height = max(card.live_body.width(), least), max(card.live_body.height(), least)
            painter.setBrush(card.far_color(selection))
            painter.drawRect(QRectF(center.x() - width / 2, center.y() - height / 2, width, height))
        painter.resetTransform()
        if names is not None:
            names.draw(painter, names.place(cards), offset.x() + NUDGE, offset.y() + NUDGE)


def paint_area(painter: QPainter, area: QRectF, scene: CanvasScene, frames: list[FrameItem], grid: CardGrid,
               standing_out: list[list[QLineF]], viewport: QWidget, dims: bool) -> None:
    """Paint what meets ``area`` (scene coordinates) as the picture shows it: the frames as they paint themselves,
    every edge as a hairline of its kind, then the cards as tiles of their colour.

    Parameters
    ----------
    painter
        A painter in scene coordinates, clipped to its device (Qt draws hairlines twice as fast when clipped).
    area
        The scene rectangle to paint.
    scene, frames, grid
        The scene (its edge layer gives the plain edges of the area), its frames from the bottom up and its cards.
    standing_out
        The edges the edge layer leaves out while they stand out (``Marks.standing_out``), by kind rank.
    viewport
        The widget whose palette and font to paint with.
    dims
        True when a highlight fades everything it does not cover.
    """
    option = QStyleOptionGraphicsItem()
    for frame in frames:
        if frame.sceneBoundingRect().intersects(area):
            painter.save()
            painter.translate(frame.pos())
            frame.paint(painter, option, viewport)
            painter.restore()
    painter.setOpacity(1.0)
    base = viewport.palette().color(QPalette.ColorRole.Base)
    layer = scene.edge_layer
    for rank, kind in enumerate(EDGE_KINDS):  # faded as opaque colours: translucent hairlines draw 8x slower
        painter.setPen(QPen(_faded(FAR_PENS[kind].color(), base, DIMMED_EDGE_OPACITY), 0) if dims else FAR_PENS[kind])
        painter.drawLines([*layer.lines_in(area, rank).values(), *layer.lines_in(area, rank, curves=True).values(),
                           *standing_out[rank]])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setOpacity(DIMMED_OPACITY if dims else 1.0)
    for color, rects in grid.rects_in(area):
        painter.setBrush(color)
        painter.drawRects(rects)
