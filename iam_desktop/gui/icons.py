"""Node-kind icons drawn with QPainter: a coloured rounded tile with a white glyph, one per kind of node."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from iam_desktop.model import Entity, ManagedPolicy, Resource
from iam_desktop.model.resource_types import RESOURCE_TYPES


@dataclass(frozen=True)
class KindStyle:
    """How one kind of node looks: its label, tile colour and glyph."""

    key: str
    label: str
    color: str
    glyph: str


_RESOURCE_LOOKS = {
    "s3_bucket": ("#3f8624", "bucket"), "dynamodb_table": ("#3350c5", "database"),
    "lambda_function": ("#e8780c", "lambda"), "ec2_instance": ("#c55a11", "chip"),
    "ecs_task": ("#b8662a", "container"), "sqs_queue": ("#c2257a", "queue"),
    "sns_topic": ("#9d2f85", "broadcast"), "kms_key": ("#c62f2f", "key"),
    "secret": ("#a8344f", "lock"), "generic": ("#5f7282", "hexagon"),
}

STYLES: dict[str, KindStyle] = {s.key: s for s in (
    KindStyle("account", "Account", "#2e7d5b", "building"),
    KindStyle("org_unit", "Organization unit", "#7a7420", "tree"),
    KindStyle("user", "User", "#2f7ec8", "person"),
    KindStyle("group", "Group", "#255f9e", "people"),
    KindStyle("role", "Role", "#7b4fc9", "badge"),
    KindStyle("policy:iam", "IAM policy", "#d0561b", "document"),
    KindStyle("policy:scp", "Service control policy (SCP)", "#b8322f", "shield"),
    KindStyle("policy:rcp", "Resource control policy (RCP)", "#a0367a", "shield_dot"),
    KindStyle("service", "Service principal", "#52677a", "gear"),
    *(KindStyle(f"resource:{k}", t.label, *_RESOURCE_LOOKS.get(k, _RESOURCE_LOOKS["generic"]))
      for k, t in RESOURCE_TYPES.items()),
)}


def visual_key(entity: Entity) -> str:
    """The style key of an entity: its kind, refined by policy type or resource type."""
    if isinstance(entity, ManagedPolicy):
        return f"policy:{entity.policy_type.value}"
    if isinstance(entity, Resource):
        key = f"resource:{entity.resource_type}"
        return key if key in STYLES else "resource:generic"
    return entity.kind.value


def style_for(key: str) -> KindStyle:
    """The style for a key from ``visual_key`` (unknown keys: the generic resource look)."""
    return STYLES.get(key) or STYLES["resource:generic"]


def paint_tile(painter: QPainter, rect: QRectF, key: str) -> None:
    """Paint the kind's coloured rounded tile with its white glyph into ``rect``."""
    style = style_for(key)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(style.color))
    radius = rect.width() * 0.18
    painter.drawRoundedRect(rect, radius, radius)
    painter.translate(rect.topLeft())
    painter.scale(rect.width() / 24.0, rect.height() / 24.0)
    pen = QPen(QColor("white"), 1.7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    _GLYPHS[style.glyph](painter)
    painter.restore()


_TILE_PIXMAPS: dict[tuple[str, int], QPixmap] = {}
_TILE_PIXMAP_SIZES = range(4, 257)
"""Tiles drawn on screen between these many device pixels wide are copied from a cached picture."""


def draw_tile(painter: QPainter, rect: QRectF, key: str) -> None:
    """:func:`paint_tile`, copied from a picture drawn once per kind and device size (cards draw thousands)."""
    transform = painter.worldTransform()
    scale = painter.device().devicePixelRatioF()
    pixels = round(rect.width() * transform.m11() * scale)
    if transform.isRotating() or pixels not in _TILE_PIXMAP_SIZES or transform.m11() != transform.m22():
        paint_tile(painter, rect, key)
        return
    pixmap = _TILE_PIXMAPS.get((key, pixels))
    if pixmap is None:
        pixmap = QPixmap(pixels, pixels)
        pixmap.fill(Qt.GlobalColor.transparent)
        tile_painter = QPainter(pixmap)
        paint_tile(tile_painter, QRectF(0, 0, pixels, pixels), key)
        tile_painter.end()
        _TILE_PIXMAPS[(key, pixels)] = pixmap
    painter.drawPixmap(rect, pixmap, QRectF(pixmap.rect()))


_ICON_CACHE: dict[tuple[str, int], QIcon] = {}


def kind_icon(key: str, size: int = 32) -> QIcon:
    """A QIcon of the kind's tile (cached; drawn for normal and high-DPI screens)."""
    cached = _ICON_CACHE.get((key, size))
    if cached is None:
        cached = QIcon()
        for scale in (1, 2):
            pixmap = QPixmap(size * scale, size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            paint_tile(painter, QRectF(1, 1, size * scale - 2, size * scale - 2), key)
            painter.end()
            cached.addPixmap(pixmap)
        _ICON_CACHE[(key, size)] = cached
    return cached


# ----- glyphs, drawn in a 24 x 24 box with a white pen ---------------------------------------------------
def _white(painter: QPainter) -> None:
    painter.setBrush(QColor("white"))


def _person(painter: QPainter, dx: float = 0.0, scale: float = 1.0) -> None:
    _white(painter)
    painter.drawEllipse(QPointF(12 + dx, 8.5), 3.2 * scale, 3.2 * scale)
    path = QPainterPath(QPointF(12 + dx - 6 * scale, 19))
    path.cubicTo(QPointF(12 + dx - 6 * scale, 13), QPointF(12 + dx + 6 * scale, 13), QPointF(12 + dx + 6 * scale, 19))
    path.closeSubpath()
    painter.drawPath(path)


def _people(painter: QPainter) -> None:
    painter.setOpacity(painter.opacity() * 0.7)
    _person(painter, 4, 0.8)
    painter.setOpacity(painter.opacity() / 0.7)
    _person(painter, -2.5, 0.9)


def _badge(painter: QPainter) -> None:
    painter.drawRoundedRect(QRectF(5, 4, 14, 17), 2, 2)
    painter.drawLine(QPointF(10, 4), QPointF(14, 4))
    _white(painter)
    painter.drawEllipse(QPointF(12, 10), 2.4, 2.4)
    painter.drawLine(QPointF(8.5, 15.5), QPointF(15.5, 15.5))
    painter.drawLine(QPointF(9.5, 18), QPointF(14.5, 18))


def _document(painter: QPainter) -> None:
    path = QPainterPath(QPointF(6, 3.5))
    path.lineTo(14, 3.5)
    path.lineTo(18.5, 8)
    path.lineTo(18.5, 20.5)
    path.lineTo(6, 20.5)
    path.closeSubpath()
    painter.drawPath(path)
    painter.drawPolyline(QPolygonF([QPointF(14, 3.5), QPointF(14, 8), QPointF(18.5, 8)]))
    for y in (11.5, 14.5, 17.5):
        painter.drawLine(QPointF(8.5, y), QPointF(16, y))


def _shield_path() -> QPainterPath:
    path = QPainterPath(QPointF(12, 3))
    path.lineTo(19, 6)
    path.cubicTo(QPointF(19, 13), QPointF(16.5, 18), QPointF(12, 21))
    path.cubicTo(QPointF(7.5, 18), QPointF(5, 13), QPointF(5, 6))
    path.closeSubpath()
    return path


def _shield(painter: QPainter) -> None:
    painter.drawPath(_shield_path())
    painter.drawPolyline(QPolygonF([QPointF(8.8, 11.8), QPointF(11.2, 14.3), QPointF(15.4, 9.3)]))


def _shield_dot(painter: QPainter) -> None:
    painter.drawPath(_shield_path())
    _white(painter)
    painter.drawRect(QRectF(9.5, 8.5, 5, 5))
    painter.drawLine(QPointF(12, 13.5), QPointF(12, 16.5))


def _gear(painter: QPainter) -> None:
    path = QPainterPath()
    teeth = 8
    for i in range(teeth * 2):
        angle = math.pi * i / teeth
        radius = 8.5 if i % 2 == 0 else 6.3
        for da in (-0.16, 0.16):
            point = QPointF(12 + radius * math.cos(angle + da), 12 + radius * math.sin(angle + da))
            path.moveTo(point) if path.elementCount() == 0 else path.lineTo(point)
    path.closeSubpath()
    painter.drawPath(path)
    painter.drawEllipse(QPointF(12, 12), 2.6, 2.6)


def _building(painter: QPainter) -> None:
    painter.drawRect(QRectF(6, 4, 12, 16.5))
    _white(painter)
    painter.setPen(Qt.PenStyle.NoPen)
    for x in (8.6, 13.4):
        for y in (6.6, 10, 13.4):
            painter.drawRect(QRectF(x, y, 2, 1.6))
    painter.drawRect(QRectF(10.8, 17, 2.4, 3.5))


def _tree(painter: QPainter) -> None:
    _white(painter)
    painter.drawRect(QRectF(9, 3.5, 6, 4.5))
    painter.drawRect(QRectF(3.5, 15.5, 6, 4.5))
    painter.drawRect(QRectF(14.5, 15.5, 6, 4.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline(QPolygonF([QPointF(12, 8), QPointF(12, 11.5), QPointF(6.5, 11.5), QPointF(6.5, 15.5)]))
    painter.drawPolyline(QPolygonF([QPointF(12, 11.5), QPointF(17.5, 11.5), QPointF(17.5, 15.5)]))


def _bucket(painter: QPainter) -> None:
    path = QPainterPath(QPointF(5, 7))
    path.lineTo(7.5, 19)
    path.cubicTo(QPointF(9, 21), QPointF(15, 21), QPointF(16.5, 19))
    path.lineTo(19, 7)
    painter.drawPath(path)
    painter.drawEllipse(QRectF(5, 4.8, 14, 4.4))


def _database(painter: QPainter) -> None:
    painter.drawEllipse(QRectF(5.5, 3.5, 13, 4.5))
    painter.drawLine(QPointF(5.5, 5.75), QPointF(5.5, 18))
    painter.drawLine(QPointF(18.5, 5.75), QPointF(18.5, 18))
    for y in (11.5, 17.5):
        painter.drawArc(QRectF(5.5, y - 2.25, 13, 4.5), 180 * 16, 180 * 16)


def _lambda(painter: QPainter) -> None:
    pen = painter.pen()
    pen.setWidthF(2.3)
    painter.setPen(pen)
    painter.drawPolyline(QPolygonF([QPointF(6.5, 4.5), QPointF(9.5, 4.5), QPointF(17, 19.5), QPointF(19, 19.5)]))
    painter.drawLine(QPointF(11.8, 9.5), QPointF(6, 19.5))


def _chip(painter: QPainter) -> None:
    painter.drawRoundedRect(QRectF(7, 7, 10, 10), 1.2, 1.2)
    _white(painter)
    painter.drawRect(QRectF(10, 10, 4, 4))
    for offset in (9.5, 12, 14.5):
        painter.drawLine(QPointF(offset, 3.5), QPointF(offset, 7))
        painter.drawLine(QPointF(offset, 17), QPointF(offset, 20.5))
        painter.drawLine(QPointF(3.5, offset), QPointF(7, offset))
        painter.drawLine(QPointF(17, offset), QPointF(20.5, offset))


def _container(painter: QPainter) -> None:
    painter.drawRect(QRectF(4, 12.5, 7.5, 7))
    painter.drawRect(QRectF(12.5, 12.5, 7.5, 7))
    _white(painter)
    painter.drawRect(QRectF(8.2, 4.5, 7.5, 7))


def _queue(painter: QPainter) -> None:
    for x in (3.5, 9, 14.5):
        painter.drawRect(QRectF(x, 8.5, 4.5, 7))
    _white(painter)
    painter.drawRect(QRectF(14.5, 8.5, 4.5, 7))
    painter.drawLine(QPointF(19.5, 12), QPointF(21.5, 12))


def _broadcast(painter: QPainter) -> None:
    _white(painter)
    painter.drawEllipse(QPointF(12, 12), 2.2, 2.2)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for radius in (5.5, 8.8):
        rect = QRectF(12 - radius, 12 - radius, 2 * radius, 2 * radius)
        painter.drawArc(rect, -40 * 16, 80 * 16)
        painter.drawArc(rect, 140 * 16, 80 * 16)


def _key(painter: QPainter) -> None:
    painter.drawEllipse(QPointF(8, 12), 4, 4)
    painter.drawLine(QPointF(12, 12), QPointF(20.5, 12))
    painter.drawLine(QPointF(17.5, 12), QPointF(17.5, 15.5))
    painter.drawLine(QPointF(20.5, 12), QPointF(20.5, 15))


def _lock(painter: QPainter) -> None:
    painter.drawArc(QRectF(8, 4, 8, 9), 0, 180 * 16)
    painter.drawLine(QPointF(8, 8.5), QPointF(8, 11))
    painter.drawLine(QPointF(16, 8.5), QPointF(16, 11))
    _white(painter)
    painter.drawRoundedRect(QRectF(5.5, 11, 13, 9.5), 1.5, 1.5)


def _hexagon(painter: QPainter) -> None:
    angles = [math.pi / 3 * i + math.pi / 6 for i in range(6)]
    points = [QPointF(12 + 8 * math.cos(a), 12 + 8 * math.sin(a)) for a in angles]
    painter.drawPolygon(QPolygonF(points))
    painter.setBrush(QBrush(QColor("white")))
    painter.drawEllipse(QPointF(12, 12), 2, 2)


_GLYPHS: dict[str, Callable[[QPainter], None]] = {
    "person": _person, "people": _people, "badge": _badge, "document": _document, "shield": _shield,
    "shield_dot": _shield_dot, "gear": _gear, "building": _building, "tree": _tree, "bucket": _bucket,
    "database": _database, "lambda": _lambda, "chip": _chip, "container": _container, "queue": _queue,
    "broadcast": _broadcast, "key": _key, "lock": _lock, "hexagon": _hexagon,
}
