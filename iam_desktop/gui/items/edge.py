"""The edge item: a styled arrow from one node (or frame) to another, following them as they move."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.items.card_look import base_font, palette_of
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import FAR_ZOOM, HighlightState, NodeItem
from iam_desktop.model.edges import EDGE_LABELS, Edge, EdgeKind

if TYPE_CHECKING:
    from iam_desktop.gui.items.edge_layer import EdgeLayer

Endpoint = Union[NodeItem, FrameItem]


@dataclass(frozen=True)
class EdgeStyle:
    """How one kind of edge is drawn: colour, dash pattern and arrow head ("filled", "open" or "diamond")."""

    color: str
    dash: Qt.PenStyle
    head: str
    label: str


EDGE_STYLES: dict[EdgeKind, EdgeStyle] = {
    EdgeKind.MEMBER_OF: EdgeStyle("#4a8fd6", Qt.PenStyle.SolidLine, "open", EDGE_LABELS[EdgeKind.MEMBER_OF]),
    EdgeKind.ATTACHED: EdgeStyle("#e07a2f", Qt.PenStyle.SolidLine, "filled", EDGE_LABELS[EdgeKind.ATTACHED]),
    EdgeKind.BOUNDARY: EdgeStyle("#d9a21b", Qt.PenStyle.DashLine, "diamond", EDGE_LABELS[EdgeKind.BOUNDARY]),
    EdgeKind.TRUSTS: EdgeStyle("#9b6ce0", Qt.PenStyle.DashDotLine, "filled", EDGE_LABELS[EdgeKind.TRUSTS]),
    EdgeKind.RUNS_AS: EdgeStyle("#20a39e", Qt.PenStyle.DotLine, "open", EDGE_LABELS[EdgeKind.RUNS_AS]),
    EdgeKind.RESOURCE_ACCESS: EdgeStyle("#d64a6b", Qt.PenStyle.SolidLine, "filled",
                                        EDGE_LABELS[EdgeKind.RESOURCE_ACCESS]),
}
EDGE_KINDS = list(EDGE_STYLES)
"""Every kind of edge, in the order the edge layer draws them."""
FAR_PENS = {kind: QPen(QColor(style.color), 0) for kind, style in EDGE_STYLES.items()}
"""The hairline pen of each kind of edge, drawn zoomed far out."""
DIMMED_EDGE_OPACITY = 0.2
_COLORS = {kind: QColor(style.color) for kind, style in EDGE_STYLES.items()}
_HEAD = 11.0
_HEAD_REACH = _HEAD * 1.7 + 2.0  # how far the arrow head (and its pen) reaches from the tip
_SPREAD = 22.0
_WIDTH = 1.6
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption
_PLAIN_FLAGS = _FLAGS | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # the edge layer draws it
_PENS: dict[tuple[int, float, Qt.PenStyle, Qt.PenCapStyle], QPen] = {}


def _pen(color: QColor, width: float, dash: Qt.PenStyle, cap: Qt.PenCapStyle = Qt.PenCapStyle.RoundCap) -> QPen:
    """A shared pen for this colour, width, dash pattern and cap (edges are painted by the thousand)."""
    key = (color.rgba(), width, dash, cap)
    pen = _PENS.get(key)
    if pen is None:
        pen = _PENS[key] = QPen(color, width, dash, cap, Qt.PenJoinStyle.RoundJoin)
    return pen


def line_pen(kind: EdgeKind, thin_at_scale: float | None = None) -> QPen:
    """The pen of a plain edge's line in the edge layer: square caps, which reach as far as round ones but let Qt
    rasterize the line directly instead of stroking its outline.

    With ``thin_at_scale`` (device pixels per scene unit) the line is one device pixel wide, where Qt draws
    antialiased lines without stroking them (3x faster: for views crossing thousands of lines) and dashes of a
    line drawn in parts (clipped to each exposed area) meet exactly; its dashes keep their length on the canvas
    where it is thinner than ``_WIDTH`` and their length on screen where it is wider (dashes of a pixel or less
    cannot be seen, and cost Qt as much as a line each).
    """
    width = _WIDTH if not thin_at_scale else 1.0 / thin_at_scale
    key = (_COLORS[kind].rgba(), width, EDGE_STYLES[kind].dash, Qt.PenCapStyle.SquareCap)
    pen = _PENS.get(key)
    if pen is None:
        pen = _PENS[key] = QPen(_COLORS[kind], width, EDGE_STYLES[kind].dash, Qt.PenCapStyle.SquareCap,
                                Qt.PenJoinStyle.RoundJoin)
        if pen.style() != Qt.PenStyle.SolidLine and width < _WIDTH:
            pen.setDashPattern([length * _WIDTH / width for length in pen.dashPattern()])
    return pen


def head_pen(kind: EdgeKind) -> QPen:
    """The pen of a plain edge's arrow head outline."""
    return _pen(_COLORS[kind], _WIDTH, Qt.PenStyle.SolidLine)


def _clip(rect: tuple[float, float, float, float], toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the line from the centre of ``rect`` (left, top, width, height) toward a point leaves the rectangle."""
    left, top, width, height = rect
    center_x, center_y = left + width / 2, top + height / 2
    dx, dy = toward_x - center_x, toward_y - center_y
    if dx == 0 and dy == 0:
        return center_x, center_y
    scale = min(width / 2 / abs(dx) if dx else math.inf, height / 2 / abs(dy) if dy else math.inf, 1.0)
    return center_x + dx * scale, center_y + dy * scale


def _contains(rect: tuple[float, float, float, float], x: float, y: float) -> bool:
    left, top, width, height = rect
    return left <= x <= left + width and top <= y <= top + height


def _scene_body(item: Endpoint) -> tuple[float, float, float, float]:
    """The item's card or frame in scene coordinates as (left, top, width, height) (items are top-level)."""
    pos, body = item.pos(), item.body_rect()
    return pos.x() + body.x(), pos.y() + body.y(), body.width(), body.height()


def _anchor(item: Endpoint, body: tuple[float, float, float, float], other_x: float,
            other_y: float) -> tuple[float, float, float, float]:
    """The rectangle an edge attaches to: a frame's title bar when the other end lies inside the frame."""
    if isinstance(item, FrameItem) and _contains(body, other_x, other_y):
        title = item.title_rect()
        return body[0] + title.x(), body[1] + title.y(), title.width(), title.height()
    return body


class EdgeItem(QGraphicsItem):
    """One model edge; ``lane`` spreads parallel edges between the same two items apart.

    While plain (neither selected, emphasised nor labelled) the edge has no contents of its own: ``layer``
    draws it together with the other plain edges. The item stays for hit testing, selection, its tooltip and
    its own drawing when it stands out. Only the end points and the bounding rectangle are computed when the
    ends move; the curve, the arrow head, the clickable shape and the label position are built when first
    needed (most edges of a big model are only ever drawn as hairlines, far zoomed out).
    """

    def __init__(self, edge: Edge, source: Endpoint, target: Endpoint, layer: EdgeLayer, lane: float = 0.0) -> None:
        super().__init__()
        self.edge = edge
        self.source_item, self.target_item = source, target
        self.highlight = HighlightState()
        self._layer = layer
        self._in_layer = False
        self._plain = True
        self._lane = lane
        self._style = EDGE_STYLES[edge.kind]
        self._ends = QLineF()
        self._segment: tuple[float, float, float, float] | None = None
        self._control: QPointF | None = None
        self._bounds = QRectF()
        self._extent = (0.0, 0.0, 0.0, 0.0)
        self._head_bounds = QRectF()
        self._path: QPainterPath | None = None
        self._head: QPolygonF | None = None
        self._shape: QPainterPath | None = None
        self.setFlags(_PLAIN_FLAGS)
        self.setZValue(-1.0)
        self.setToolTip(self._style.label)
        source.edges.append(self)
        target.edges.append(self)
        self.update_path()
        layer.add(self)
        self._in_layer = True

    @property
    def key(self) -> str:
        """The model edge's key."""
        return self.edge.key

    @property
    def ends(self) -> QLineF:
        """Where the drawn edge starts and ends (on the borders of its end items), in scene coordinates."""
        return QLineF(self._ends)

    @property
    def live_ends(self) -> QLineF:
        """``ends`` as one object that is updated in place when the edge moves: a picture of the scene keeps it
        to draw the edge where it is now (read it, never change it)."""
        return self._ends

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """The bounds without a label as (left, top, right, bottom), in scene coordinates."""
        return self._extent

    @property
    def segment(self) -> tuple[float, float, float, float] | None:
        """The straight line's end points (x1, y1, x2, y2); None for a curve."""
        return self._segment

    @property
    def reach(self) -> float:
        """How far the arrow head (and its pen) reaches beyond the line."""
        return _HEAD_REACH

    @property
    def head_extent(self) -> tuple[float, float, float, float]:
        """Where the arrow head may reach as (left, top, right, bottom), in scene coordinates."""
        head = self._head_bounds
        return head.left(), head.top(), head.right(), head.bottom()

    def head_in(self, area: QRectF) -> bool:
        """True when the arrow head may show in ``area`` (scene coordinates)."""
        return area.intersects(self._head_bounds)

    def show_state(self) -> None:
        """Draw itself when selected, emphasised or labelled, else leave it to the layer; repaint where it is
        (the scene calls it when the selection or the highlight changes)."""
        plain = not (self.isSelected() or self.highlight.emphasised or self.highlight.label)
        if plain != self._plain:
            self._plain = plain
            self.setFlags(_PLAIN_FLAGS if plain else _FLAGS)
            self._layer.set_standing_out(self, not plain)
        self.update()

    def set_lane(self, lane: float) -> None:
        """Move to another lane among parallel edges."""
        if lane != self._lane:
            self._lane = lane
            self.update_path()

    def detach(self) -> None:
        """Forget the end items and leave the layer (before the edge item is removed from the scene)."""
        for item in (self.source_item, self.target_item):
            if self in item.edges:
                item.edges.remove(self)
        if self._in_layer:
            self._in_layer = False
            self._layer.remove(self)

    def update_path(self) -> None:
        """Recompute the end points and bounds from the end items' current geometry."""
        source_body, target_body = _scene_body(self.source_item), _scene_body(self.target_item)
        source_rect = _anchor(self.source_item, source_body, target_body[0] + target_body[2] / 2,
                              target_body[1] + target_body[3] / 2)
        target_rect = _anchor(self.target_item, target_body, source_body[0] + source_body[2] / 2,
                              source_body[1] + source_body[3] / 2)
        x1, y1 = source_rect[0] + source_rect[2] / 2, source_rect[1] + source_rect[3] / 2
        x2, y2 = target_rect[0] + target_rect[2] / 2, target_rect[1] + target_rect[3] / 2
        if self._lane:
            length = math.hypot(x2 - x1, y2 - y1)
            normal_x, normal_y = ((y2 - y1) / length, -(x2 - x1) / length) if length > 0 else (0.0, 1.0)
            control_x = (x1 + x2) / 2 + normal_x * _SPREAD * self._lane * 2
            control_y = (y1 + y2) / 2 + normal_y * _SPREAD * self._lane * 2
            start = _clip(source_rect, *((control_x, control_y) if not _contains(source_rect, control_x, control_y)
                                         else (x2, y2)))
            end = _clip(target_rect, *((control_x, control_y) if not _contains(target_rect, control_x, control_y)
                                       else (x1, y1)))
            self._control = QPointF(control_x, control_y)
            self._segment = None
            xs, ys = (start[0], end[0], control_x), (start[1], end[1], control_y)
        else:
            start, end = _clip(source_rect, x2, y2), _clip(target_rect, x1, y1)
            self._control = None
            self._segment = (start[0], start[1], end[0], end[1])
            xs, ys = (start[0], end[0]), (start[1], end[1])
        before = self.boundingRect()
        self.prepareGeometryChange()
        self._ends.setLine(start[0], start[1], end[0], end[1])
        self._path = self._head = self._shape = None
        left, top = min(xs) - _HEAD_REACH, min(ys) - _HEAD_REACH
        right, bottom = max(xs) + _HEAD_REACH, max(ys) + _HEAD_REACH
        self._extent = (left, top, right, bottom)
        self._bounds = QRectF(left, top, right - left, bottom - top)
        self._head_bounds = QRectF(end[0] - _HEAD_REACH, end[1] - _HEAD_REACH, 2 * _HEAD_REACH, 2 * _HEAD_REACH)
        if self._in_layer:
            self._layer.moved(self, before)

    def curve(self) -> QPainterPath:
        """The drawn line or curve (built when first needed)."""
        if self._path is None:
            self._path = QPainterPath(self._ends.p1())
            if self._control is not None:
                self._path.quadTo(self._control, self._ends.p2())
            else:
                self._path.lineTo(self._ends.p2())
        return self._path

    def head_polygon(self) -> QPolygonF:
        """The arrow head at the target end (built when first needed)."""
        if self._head is None:
            tip = self._ends.p2()
            before = self._control if self._control is not None else self._ends.p1()
            angle = math.atan2(tip.y() - before.y(), tip.x() - before.x())

            def at(distance: float, spread: float) -> QPointF:
                return QPointF(tip.x() - distance * math.cos(angle + spread),
                               tip.y() - distance * math.sin(angle + spread))
            if self._style.head == "diamond":
                self._head = QPolygonF([tip, at(_HEAD, 0.45), at(_HEAD * 1.7, 0.0), at(_HEAD, -0.45)])
            else:
                self._head = QPolygonF([tip, at(_HEAD, 0.42), at(_HEAD, -0.42)])
        return self._head

    def _label_rect(self) -> QRectF:
        metrics = QFontMetricsF(base_font(None))
        width = metrics.horizontalAdvance(self.highlight.label) + 12
        middle = self.curve().pointAtPercent(0.5) if self._control is not None else self._ends.center()
        return QRectF(middle.x() - width / 2, middle.y() - 11, width, 22)

    # ----- Qt overrides --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The line or curve, arrow head and label room (Qt override)."""
        if self.highlight.label:
            return self._bounds.united(self._label_rect())
        return self._bounds

    def shape(self) -> QPainterPath:
        """A band around the line, wide enough to click (Qt override; kept until the edge moves: Qt asks for it
        whenever the pointer is over the edge's bounding rectangle, which a long edge makes large)."""
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10.0)
            self._shape = stroker.createStroke(self.curve())
            self._shape.addPolygon(self.head_polygon())
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the line, its head and (when highlighted) its label; faded when a highlight dims it (Qt override).

        Zoomed far out the edge is a hairline. The arrow head is drawn only when it lies in the exposed area:
        long edges cross many views whose area holds neither of their ends.
        """
        if self.highlight.dimmed:
            painter.setOpacity(DIMMED_EDGE_OPACITY)
        selected = self.isSelected()
        if QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) < FAR_ZOOM:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(QPen(palette_of(widget).color(QPalette.ColorRole.Highlight), 0) if selected
                           else FAR_PENS[self.edge.kind])
            painter.drawLine(self._ends)
            return
        color = palette_of(widget).color(QPalette.ColorRole.Highlight) if selected else _COLORS[self.edge.kind]
        width = 3.4 if self.highlight.emphasised or selected else _WIDTH
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_pen(color, width, self._style.dash))
        if self._control is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self.curve())
        else:
            painter.drawLine(self._ends)
        if option.exposedRect.intersects(self._head_bounds):
            painter.setPen(_pen(color, width, Qt.PenStyle.SolidLine))
            painter.setBrush(palette_of(widget).color(QPalette.ColorRole.Base) if self._style.head == "open"
                             else color)
            painter.drawPolygon(self.head_polygon())
        if self.highlight.label:
            self._paint_label(painter, color, widget)

    def _paint_label(self, painter: QPainter, color: QColor, widget: QWidget | None) -> None:
        palette = palette_of(widget)
        rect = self._label_rect()
        painter.setPen(QPen(color, 1.2))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setFont(base_font(widget))
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.highlight.label)
