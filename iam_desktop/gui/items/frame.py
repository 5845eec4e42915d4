"""The frame item: an account or organization unit drawn as a titled, resizable rectangle around its nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.icons import paint_tile, style_for
from iam_desktop.gui.items.card_look import base_font, palette_of
from iam_desktop.gui.items.node import DIMMED_OPACITY, OVERLAY_COLORS, HighlightState

if TYPE_CHECKING:
    from iam_desktop.gui.items.edge import EdgeItem

TITLE_HEIGHT = 30.0
GRIP_SIZE = 16.0
MIN_WIDTH = 220.0
MIN_HEIGHT = 120.0
_BORDER_GRAB = 5.0
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable


class FrameItem(QGraphicsItem):
    """An account or organization unit; only its title bar, border and resize grip catch the mouse.

    The inside is left to the canvas (rubber-band selection, drops), so the frame's body is not in ``shape``.
    """

    def __init__(self, entity_id: str, title: str, subtitle: str, style_key: str, width: float, height: float,
                 depth: int = 0) -> None:
        super().__init__()
        self.entity_id = entity_id
        self.edges: list[EdgeItem] = []
        self.highlight = HighlightState()
        self._title, self._subtitle, self._style_key = title, subtitle, style_key
        self._width, self._height = max(MIN_WIDTH, width), max(MIN_HEIGHT, height)
        self.setFlags(_FLAGS)
        self.set_depth(depth)
        self.setToolTip(f"{title}\n{subtitle}")

    @property
    def title(self) -> str:
        """The name shown in the title bar."""
        return self._title

    def set_depth(self, depth: int) -> None:
        """Stack frames by nesting: organization units below their accounts, all below edges and nodes."""
        base = -2.0 if self._style_key == "account" else -3.0
        self.setZValue(base + min(depth, 9) * 0.01)

    def set_text(self, title: str, subtitle: str, style_key: str) -> None:
        """Show a new title and subtitle."""
        if (title, subtitle, style_key) != (self._title, self._subtitle, self._style_key):
            self._title, self._subtitle, self._style_key = title, subtitle, style_key
            self.setToolTip(f"{title}\n{subtitle}")
            self.update()

    def size(self) -> tuple[float, float]:
        """Width and height."""
        return self._width, self._height

    def set_size(self, width: float, height: float) -> None:
        """Resize (never below the minimum size); edges follow."""
        width, height = max(MIN_WIDTH, width), max(MIN_HEIGHT, height)
        if (width, height) != (self._width, self._height):
            self.prepareGeometryChange()
            self._width, self._height = width, height
            for edge in self.edges:
                edge.update_path()

    def move_to(self, position: QPointF) -> None:
        """Move the frame (not its contents: they are placed on their own); its edges follow."""
        self.setPos(position)
        for edge in self.edges:
            edge.update_path()

    def body_rect(self) -> QRectF:
        """The whole frame in item coordinates."""
        return QRectF(0.0, 0.0, self._width, self._height)

    def title_rect(self) -> QRectF:
        """The title bar in item coordinates."""
        return QRectF(0.0, 0.0, self._width, TITLE_HEIGHT)

    def grip_rect(self) -> QRectF:
        """The resize grip in the bottom-right corner, in item coordinates."""
        return QRectF(self._width - GRIP_SIZE, self._height - GRIP_SIZE, GRIP_SIZE, GRIP_SIZE)

    def on_grip(self, item_pos: QPointF) -> bool:
        """True when ``item_pos`` is on the resize grip."""
        return self.grip_rect().adjusted(-3, -3, 3, 3).contains(item_pos)

    # ----- Qt overrides --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The frame plus its pen (Qt override)."""
        return self.body_rect().adjusted(-3, -3, 3, 3)

    def shape(self) -> QPainterPath:
        """Title bar, border strips and grip: the body stays free for the canvas (Qt override)."""
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        outer = self.body_rect()
        path.addRect(self.title_rect())
        path.addRect(QRectF(outer.left() - _BORDER_GRAB, outer.top(), 2 * _BORDER_GRAB, outer.height()))
        path.addRect(QRectF(outer.right() - _BORDER_GRAB, outer.top(), 2 * _BORDER_GRAB, outer.height()))
        path.addRect(QRectF(outer.left(), outer.bottom() - _BORDER_GRAB, outer.width(), 2 * _BORDER_GRAB))
        path.addRect(self.grip_rect().adjusted(-3, -3, 3, 3))
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the tinted body, the title bar and the grip; faded when a highlight dims it (Qt override)."""
        if self.highlight.dimmed:
            painter.setOpacity(DIMMED_OPACITY)
        palette = palette_of(widget)
        color = QColor(style_for(self._style_key).color)
        rect = self.body_rect()
        fill = QColor(color)
        fill.setAlpha(22)
        if self.highlight.tint in OVERLAY_COLORS:
            fill = QColor(OVERLAY_COLORS[self.highlight.tint])
            fill.setAlpha(40)
        selected = self.isSelected()
        pen = QPen(palette.color(QPalette.ColorRole.Highlight) if selected else color,
                   3.0 if selected or self.highlight.emphasised else 1.5)
        if self._style_key == "org_unit":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 6, 6)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        title_fill = QColor(color)
        title_fill.setAlpha(60)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(title_fill)
        title = self.title_rect().adjusted(1, 1, -1, 0)
        painter.drawRoundedRect(title, 5, 5)
        if lod < 0.25:
            return
        paint_tile(painter, QRectF(6, 5, 20, 20), self._style_key)
        font = base_font(widget)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        metrics = QFontMetricsF(font)
        room = rect.width() - 40
        text = metrics.elidedText(f"{self._title}   {self._subtitle}", Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRectF(32, 0, room, TITLE_HEIGHT), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         text)
        grip = self.grip_rect()
        painter.setPen(QPen(color, 1.5))
        for step in (4.0, 8.0, 12.0):
            painter.drawLine(QPointF(grip.right() - step, grip.bottom() - 2),
                             QPointF(grip.right() - 2, grip.bottom() - step))
