"""The edge item: a styled arrow from one node (or frame) to another, following them as they move."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import HighlightState, NodeItem, base_font, palette_of
from iam_desktop.model.edges import EDGE_LABELS, Edge, EdgeKind

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
_FAR_PENS = {kind: QPen(QColor(style.color), 0) for kind, style in EDGE_STYLES.items()}  # hairlines, zoomed out
_HEAD = 11.0
_SPREAD = 22.0
_DIMMED_OPACITY = 0.2


def _clip(rect: QRectF, toward: QPointF) -> QPointF:
    """Where the line from the centre of ``rect`` toward ``toward`` leaves the rectangle."""
    center = rect.center()
    dx, dy = toward.x() - center.x(), toward.y() - center.y()
    if dx == 0 and dy == 0:
        return center
    scale = min(rect.width() / 2 / abs(dx) if dx else math.inf, rect.height() / 2 / abs(dy) if dy else math.inf)
    return QPointF(center.x() + dx * min(scale, 1.0), center.y() + dy * min(scale, 1.0))


def anchor_rect(item: Endpoint, other: QPointF) -> QRectF:
    """The scene rectangle an edge attaches to: a frame's title bar when the other end lies inside the frame."""
    rect = item.mapRectToScene(item.body_rect())
    if isinstance(item, FrameItem) and rect.contains(other):
        return item.mapRectToScene(item.title_rect())
    return rect


class EdgeItem(QGraphicsItem):
    """One model edge; ``lane`` spreads parallel edges between the same two items apart."""

    def __init__(self, edge: Edge, source: Endpoint, target: Endpoint, lane: float = 0.0) -> None:
        super().__init__()
        self.edge = edge
        self.source_item, self.target_item = source, target
        self.highlight = HighlightState()
        self._lane = lane
        self._style = EDGE_STYLES[edge.kind]
        self._path = QPainterPath()
        self._head = QPolygonF()
        self._mid = QPointF()
        self._ends = QLineF()
        self._bounds = QRectF()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1.0)
        self.setToolTip(self._style.label)
        source.edges.append(self)
        target.edges.append(self)
        self.update_path()

    @property
    def key(self) -> str:
        """The model edge's key."""
        return self.edge.key

    @property
    def ends(self) -> QLineF:
        """Where the drawn edge starts and ends (on the borders of its end items), in scene coordinates."""
        return QLineF(self._ends)

    def set_lane(self, lane: float) -> None:
        """Move to another lane among parallel edges."""
        if lane != self._lane:
            self._lane = lane
            self.update_path()

    def detach(self) -> None:
        """Forget the end items (before the edge item is removed from the scene)."""
        for item in (self.source_item, self.target_item):
            if self in item.edges:
                item.edges.remove(self)

    def update_path(self) -> None:
        """Recompute the cached path from the end items' current geometry."""
        source_body = self.source_item.mapRectToScene(self.source_item.body_rect())
        target_body = self.target_item.mapRectToScene(self.target_item.body_rect())
        source_rect = anchor_rect(self.source_item, target_body.center())
        target_rect = anchor_rect(self.target_item, source_body.center())
        line = QLineF(source_rect.center(), target_rect.center())
        normal = line.normalVector().unitVector() if line.length() > 0 else QLineF(0, 0, 0, 1)
        bend = QPointF(normal.dx() * _SPREAD * self._lane, normal.dy() * _SPREAD * self._lane)
        control = line.center() + bend * 2
        curved = bool(self._lane)
        start = _clip(source_rect, control if curved and not source_rect.contains(control) else target_rect.center())
        end = _clip(target_rect, control if curved and not target_rect.contains(control) else source_rect.center())
        path = QPainterPath(start)
        if curved:
            path.quadTo(control, end)
        else:
            path.lineTo(end)
        before_end = control if curved else start
        angle = math.atan2(end.y() - before_end.y(), end.x() - before_end.x())
        self._head = self._head_polygon(end, angle)
        self.prepareGeometryChange()
        self._path = path
        self._mid = path.pointAtPercent(0.5)
        self._ends = QLineF(start, end)
        self._bounds = path.boundingRect().united(self._head.boundingRect()).adjusted(-8, -8, 8, 8)

    def _head_polygon(self, tip: QPointF, angle: float) -> QPolygonF:
        def at(distance: float, spread: float) -> QPointF:
            return QPointF(tip.x() - distance * math.cos(angle + spread), tip.y() - distance * math.sin(angle + spread))
        if self._style.head == "diamond":
            return QPolygonF([tip, at(_HEAD, 0.45), at(_HEAD * 1.7, 0.0), at(_HEAD, -0.45)])
        return QPolygonF([tip, at(_HEAD, 0.42), at(_HEAD, -0.42)])

    # ----- Qt overrides --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The cached path, arrow head and label room (Qt override)."""
        if self.highlight.label:
            return self._bounds.united(self._label_rect())
        return self._bounds

    def shape(self) -> QPainterPath:
        """A band around the line, wide enough to click (Qt override)."""
        stroker = QPainterPathStroker()
        stroker.setWidth(10.0)
        shape = stroker.createStroke(self._path)
        shape.addPolygon(self._head)
        return shape

    def _label_rect(self) -> QRectF:
        metrics = QFontMetricsF(base_font(None))
        width = metrics.horizontalAdvance(self.highlight.label) + 12
        return QRectF(self._mid.x() - width / 2, self._mid.y() - 11, width, 22)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the line, its head and (when highlighted) its label; faded when a highlight dims it (Qt override)."""
        if self.highlight.dimmed:
            painter.setOpacity(_DIMMED_OPACITY)
        selected = self.isSelected()
        if QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) < 0.3:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(QPen(palette_of(widget).color(QPalette.ColorRole.Highlight), 0) if selected
                           else _FAR_PENS[self.edge.kind])
            painter.drawLine(self._ends)
            return
        palette = palette_of(widget)
        color = palette.color(QPalette.ColorRole.Highlight) if selected else QColor(self._style.color)
        width = 3.4 if self.highlight.emphasised or selected else 1.6
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, width, self._style.dash, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        pen.setStyle(Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.setBrush(palette.color(QPalette.ColorRole.Base) if self._style.head == "open" else color)
        painter.drawPolygon(self._head)
        if self.highlight.label:
            rect = self._label_rect()
            painter.setPen(QPen(color, 1.2))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setFont(base_font(widget))
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.highlight.label)
