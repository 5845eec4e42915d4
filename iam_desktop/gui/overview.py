"""The far-zoom picture of the canvas: cards, frames and edges drawn in one batched pass into an image the view reuses."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.items.edge import DIMMED_EDGE_OPACITY, FAR_PENS, EdgeItem
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import DIMMED_OPACITY, FAR_TITLES_ABOVE, FAR_ZOOM, NodeItem
from iam_desktop.model.edges import EdgeKind

if TYPE_CHECKING:
    from iam_desktop.gui.scene import CanvasScene

OVERVIEW_ZOOM = FAR_ZOOM
"""Below this scale (cards as plain tiles with their names) the view shows the picture instead of painting its
thousands of items one by one."""
MARK_PIXELS = 7.0
"""Selected and highlighted cards are drawn at least this many pixels wide, outlined, so that they stay visible."""
_MARK_PEN_PIXELS = 2.0


def _mark_pen(color: QColor) -> QPen:
    """A line ``_MARK_PEN_PIXELS`` wide on screen whatever the scale (a highlighted or selected edge)."""
    pen = QPen(color, _MARK_PEN_PIXELS)
    pen.setCosmetic(True)
    return pen


class _Geometry:
    """What the picture draws, grouped for batched painting; rebuilt when items are added, removed or restyled.

    The lists hold the items' live geometry objects, updated in place when items move: moving needs no rebuild.
    """

    def __init__(self, scene: CanvasScene) -> None:
        self.lines: dict[EdgeKind, list[QLineF]] = defaultdict(list)
        self.cards: dict[int, list[QRectF]] = defaultdict(list)
        self.nodes: list[tuple[NodeItem, QRectF]] = []
        self.colors: dict[int, QColor] = {}
        self.frames: list[FrameItem] = []
        for edge in scene.edge_items().values():
            self.lines[edge.edge.kind].append(edge.live_ends)
        for item in scene.entity_items().values():
            if isinstance(item, NodeItem):
                key = item.color.rgba()
                self.colors.setdefault(key, item.color)
                self.cards[key].append(item.live_body)
                self.nodes.append((item, item.live_body))
            else:
                self.frames.append(item)
        self.frames.sort(key=lambda frame: frame.zValue())


class CanvasPicture:
    """The canvas around the view at the view's scale, drawn once per change.

    Zoomed out (below ``OVERVIEW_ZOOM``) every item would otherwise go through its own Python ``paint`` (tens of
    thousands in a big model). The picture draws edges as hairlines, cards as tiles of their kind's colour with
    their names (above ``FAR_TITLES_ABOVE``, as cards draw them) and frames as they paint themselves, batched by
    colour, into an image; the view then only copies it. It has two layers: the base (items where they are,
    faded when a highlight dims the others), drawn anew when items are added, moved or restyled, when the
    dimming starts or stops, or when the scale, palette or area changes; and the marks on a copy of it (the
    selection and the highlighted path, outlined cards at least ``MARK_PIXELS`` wide), drawn anew when the
    selection or the highlight changes. The picture covers the view and a quarter of a view around it, so that
    panning a little only copies it again.
    """

    def __init__(self, scene: CanvasScene) -> None:
        self._scene = scene
        self._geometry: _Geometry | None = None
        self._items_version = -1
        self._area = QRect()
        self._base = QImage()
        self._base_key: tuple[object, ...] = ()
        self._image = QImage()
        self._marks_version = -1

    def draw(self, painter: QPainter, viewport: QWidget, transform: QTransform, exposed: QRect) -> None:
        """Draw the picture under ``exposed`` (viewport pixels) for the view's ``transform`` (a scale and a
        translation); draw its layers anew first when they are stale or do not cover the exposed area."""
        scale = transform.m11()
        offset = QPoint(round(transform.dx()), round(transform.dy()))
        geometry = self._current_geometry()
        highlight = self._scene.shown_highlight()
        dims = highlight is not None and highlight.dim_others
        frames = tuple((frame.isSelected(), frame.highlight.dimmed, frame.highlight.emphasised, frame.highlight.tint)
                       for frame in geometry.frames)
        base_key = (self._scene.positions_version(), scale, viewport.devicePixelRatioF(),
                    viewport.palette().cacheKey(), dims, frames)
        if base_key != self._base_key or not self._area.contains(exposed.translated(-offset)):
            visible = viewport.rect().translated(-offset)
            margin_x, margin_y = visible.width() // 4, visible.height() // 4
            self._area = visible.adjusted(-margin_x, -margin_y, margin_x, margin_y)
            self._base = self._render_base(geometry, viewport, scale, dims)
            self._base_key = base_key
            self._marks_version = -1
        if self._marks_version != self._scene.drawing_version():
            self._image = self._with_marks(viewport, scale)
            self._marks_version = self._scene.drawing_version()
        painter.drawImage(self._area.topLeft() + offset, self._image)

    def _current_geometry(self) -> _Geometry:
        version = self._scene.items_version()
        if self._geometry is None or version != self._items_version:
            self._geometry = _Geometry(self._scene)
            self._items_version = version
        return self._geometry

    def _painter(self, image: QImage, scale: float) -> QPainter:
        painter = QPainter(image)
        painter.setTransform(QTransform(scale, 0, 0, scale, -self._area.x(), -self._area.y()))
        return painter

    def _render_base(self, geometry: _Geometry, viewport: QWidget, scale: float, dims: bool) -> QImage:
        ratio = viewport.devicePixelRatioF()
        image = QImage(max(1, math.ceil(self._area.width() * ratio)), max(1, math.ceil(self._area.height() * ratio)),
                       QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(viewport.palette().color(QPalette.ColorRole.Base))
        painter = self._painter(image, scale)
        option = QStyleOptionGraphicsItem()
        for frame in geometry.frames:
            painter.save()
            painter.translate(frame.pos())
            frame.paint(painter, option, viewport)
            painter.restore()
        painter.setOpacity(DIMMED_EDGE_OPACITY if dims else 1.0)
        for kind, lines in geometry.lines.items():
            painter.setPen(FAR_PENS[kind])
            painter.drawLines(lines)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setOpacity(DIMMED_OPACITY if dims else 1.0)
        for key, cards in geometry.cards.items():
            painter.setBrush(geometry.colors[key])
            painter.drawRects(cards)
        if scale > FAR_TITLES_ABOVE:
            shown = QRectF(self._area.x() / scale, self._area.y() / scale, self._area.width() / scale,
                           self._area.height() / scale)
            self._draw_titles(painter, [node for node, body in geometry.nodes if shown.intersects(body)], viewport,
                              scale)
        painter.end()
        return image

    def _draw_titles(self, painter: QPainter, nodes: list[NodeItem], viewport: QWidget, scale: float) -> None:
        """The cards' names as the cards draw them at this scale (``painter`` in the picture's coordinates)."""
        font = viewport.font()
        for node in nodes:
            position = node.pos()
            painter.setTransform(QTransform(scale, 0, 0, scale, position.x() * scale - self._area.x(),
                                            position.y() * scale - self._area.y()))
            node.paint_far_title(painter, scale, QFont(font))
        painter.setTransform(QTransform(scale, 0, 0, scale, -self._area.x(), -self._area.y()))

    def _with_marks(self, viewport: QWidget, scale: float) -> QImage:
        """The base with the highlighted edges and cards, then the selected ones, drawn over it."""
        highlight = self._scene.shown_highlight()
        selected = self._scene.selectedItems()
        if not selected and highlight is None:
            return self._base
        image = self._base.copy()
        painter = self._painter(image, scale)
        selection_color = viewport.palette().color(QPalette.ColorRole.Highlight)
        edges, marked_cards = self._scene.edge_items(), []
        if highlight is not None:
            for key in set(highlight.edge_keys).union(highlight.edge_labels):
                edge = edges.get(key)
                if edge is not None:
                    painter.setPen(_mark_pen(FAR_PENS[edge.edge.kind].color()))
                    painter.drawLine(edge.live_ends)
            marked = highlight.node_ids | set(highlight.node_badges) | set(highlight.node_colors)
            marked_cards = [self._scene.entity_item(entity_id)  # what is allowed on top: the answer people look for
                            for entity_id in sorted(marked, key=lambda i: highlight.node_colors.get(i) == "allow")]
        for item in selected:
            if isinstance(item, EdgeItem):
                painter.setPen(_mark_pen(selection_color))
                painter.drawLine(item.live_ends)
        outline = QPen(viewport.palette().color(QPalette.ColorRole.Text), 0)
        painter.setPen(outline)
        least = MARK_PIXELS / scale
        for card in [*marked_cards, *selected]:
            if isinstance(card, NodeItem):
                body = card.live_body
                width, height = max(body.width(), least), max(body.height(), least)
                painter.setBrush(card.far_color(selection_color))
                painter.drawRect(QRectF(body.center().x() - width / 2, body.center().y() - height / 2, width, height))
        if scale > FAR_TITLES_ABOVE:
            painter.setOpacity(1.0)
            self._draw_titles(painter, [card for card in [*marked_cards, *selected] if isinstance(card, NodeItem)],
                              viewport, scale)
        painter.end()
        return image
