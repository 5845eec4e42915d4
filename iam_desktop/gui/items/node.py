"""The node item: a card with the kind's icon, the entity's name and kind, a connect handle and highlight state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsSceneHoverEvent, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.icons import draw_tile, style_for

if TYPE_CHECKING:
    from iam_desktop.gui.items.edge import EdgeItem

NODE_WIDTH = 184.0
NODE_HEIGHT = 50.0
HANDLE_RADIUS = 7.0
WRAP_AFTER = " .-_/:@+="
NODE_BODY = QRectF(0.0, 0.0, NODE_WIDTH, NODE_HEIGHT)
SMALLEST_TEXT_PIXELS = 7.0
"""Subtitles smaller than this on screen cannot be read, so they are not drawn."""
FAR_ZOOM = 0.3
"""Below this level of detail cards are plain tiles and edges hairlines."""
_BOUNDS = QRectF(-4.0, -12.0, NODE_WIDTH + HANDLE_RADIUS + 8.0, NODE_HEIGHT + 16.0)  # the handle and badge stick out
DIMMED_OPACITY = 0.25  # a node or frame a highlight fades
OVERLAY_COLORS = {"allow": QColor(46, 160, 67), "deny": QColor(215, 58, 73)}
FAR_TITLES_ABOVE = 0.1
"""Far zoomed out, cards show their names only above this level of detail."""
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable  # once: "|" is slow


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
    cut = 1
    while cut < len(title) and metrics.horizontalAdvance(title[:cut + 1]) <= width:
        cut += 1
    separators = [i + 1 for i, char in enumerate(title[:cut]) if char in WRAP_AFTER
                  or (char.islower() and title[i + 1:i + 2].isupper())]
    if separators and separators[-1] >= cut // 2:
        cut = separators[-1]
    return [title[:cut], metrics.elidedText(title[cut:], Qt.TextElideMode.ElideMiddle, width)]


class HighlightState:
    """How an item shows the current highlight: emphasised, dimmed, badge text and overlay tint."""

    __slots__ = ("emphasised", "dimmed", "badge", "tint", "label")

    def __init__(self) -> None:
        self.emphasised = False
        self.dimmed = False
        self.badge = ""
        self.tint = ""
        self.label = ""


class NodeItem(QGraphicsItem):
    """One entity drawn as a card; it knows its edges so that they follow it when it moves."""

    def __init__(self, entity_id: str, title: str, subtitle: str, style_key: str) -> None:
        super().__init__()
        self.entity_id = entity_id
        self.edges: list[EdgeItem] = []
        self.highlight = HighlightState()
        self._title = title
        self._subtitle = subtitle
        self._style_key = style_key
        self._color = QColor(style_for(style_key).color)
        self._hovered = False
        self._live_body = QRectF(NODE_BODY)
        self._layout_key: tuple[object, ...] = ()
        self._layout: tuple[list[str], QFont, str, QFont, float] = ([], QFont(), "", QFont(), 0.0)
        self.setFlags(_FLAGS)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)
        self.setToolTip(f"{title}\n{subtitle}")

    @property
    def title(self) -> str:
        """The name shown on the card."""
        return self._title

    @property
    def live_body(self) -> QRectF:
        """The card in scene coordinates as one object that is updated in place when the card moves: a picture
        of the scene keeps it to draw the card where it is now (read it, never change it)."""
        return self._live_body

    @property
    def color(self) -> QColor:
        """The colour of the entity's kind."""
        return self._color

    def far_color(self, selection: QColor) -> QColor:
        """The colour of the plain tile drawn far zoomed out: ``selection`` when selected, else the overlay tint
        or the kind's colour."""
        if self.isSelected():
            return selection
        return OVERLAY_COLORS.get(self.highlight.tint, self._color)

    def set_text(self, title: str, subtitle: str, style_key: str) -> None:
        """Show a new name, subtitle and kind look."""
        if (title, subtitle, style_key) != (self._title, self._subtitle, self._style_key):
            self._title, self._subtitle, self._style_key = title, subtitle, style_key
            self._color = QColor(style_for(style_key).color)
            self.setToolTip(f"{title}\n{subtitle}")
            self.update()

    def move_to(self, position: QPointF) -> None:
        """Move the card; its edges follow.

        Cards move only through this (the scene placing them, gestures dragging them): a Python ``itemChange``
        would be called a dozen times for every card Qt creates, adds and styles, seconds for a big model.
        """
        self.setPos(position)
        self._live_body.moveTo(position)
        for edge in self.edges:
            edge.update_path()

    def body_rect(self) -> QRectF:
        """The card's rectangle in item coordinates (what edges attach to)."""
        return QRectF(0.0, 0.0, NODE_WIDTH, NODE_HEIGHT)

    def handle_center(self) -> QPointF:
        """The centre of the connect handle, on the card's right edge."""
        return QPointF(NODE_WIDTH, NODE_HEIGHT / 2)

    def on_handle(self, item_pos: QPointF) -> bool:
        """True when ``item_pos`` (item coordinates) is on the connect handle."""
        delta = item_pos - self.handle_center()
        return delta.x() ** 2 + delta.y() ** 2 <= (HANDLE_RADIUS + 3) ** 2

    # ----- Qt overrides --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The card plus the handle and the badge that stick out (Qt override)."""
        return _BOUNDS

    def shape(self) -> QPainterPath:
        """The card and its connect handle (Qt override)."""
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        path.addRoundedRect(self.body_rect(), 8, 8)
        path.addEllipse(self.handle_center(), HANDLE_RADIUS + 3, HANDLE_RADIUS + 3)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the card: simplified when zoomed far out, faded when a highlight dims it (Qt override)."""
        if self.highlight.dimmed:
            painter.setOpacity(DIMMED_OPACITY)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < FAR_ZOOM:  # thousands of cards at once: as little work per card as possible
            painter.fillRect(NODE_BODY, self.far_color(palette_of(widget).color(QPalette.ColorRole.Highlight)))
            if lod > FAR_TITLES_ABOVE:
                self.paint_far_title(painter, lod, base_font(widget))
            return
        selected = self.isSelected()
        palette = palette_of(widget)
        color = self._color
        rect = self.body_rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = palette.color(QPalette.ColorRole.Highlight) if selected else color
        width = 3.0 if selected or self.highlight.emphasised else 1.4
        painter.setPen(QPen(border, width))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 8, 8)
        if self.highlight.tint in OVERLAY_COLORS:
            tint = QColor(OVERLAY_COLORS[self.highlight.tint])
            tint.setAlpha(70)
            painter.setPen(QPen(OVERLAY_COLORS[self.highlight.tint], 3.0))
            painter.setBrush(tint)
            painter.drawRoundedRect(rect, 8, 8)
        draw_tile(painter, QRectF(8, 9, 32, 32), self._style_key)
        self._paint_text(painter, palette, rect, base_font(widget), lod)
        if self._hovered or selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 1.5))
            painter.setBrush(color)
            painter.drawEllipse(self.handle_center(), HANDLE_RADIUS, HANDLE_RADIUS)
        if self.highlight.badge:
            self._paint_badge(painter, palette, base_font(widget))

    def _paint_text(self, painter: QPainter, palette: QPalette, rect: QRectF, font: QFont, lod: float) -> None:
        """The title (one or two lines) and, when it is big enough on screen to be read, the subtitle."""
        text_left, text_width = 48.0, rect.width() - 56.0
        lines, title_font, subtitle, subtitle_font, subtitle_height = self._text_layout(font, text_width)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        readable = subtitle_height * lod >= SMALLEST_TEXT_PIXELS
        tops = ((6.0,) if len(lines) == 1 else (3.0, 18.0)) if readable else (
            (rect.center().y() - 10.0,) if len(lines) == 1 else (rect.center().y() - 17.0, rect.center().y()))
        for top, line in zip(tops, lines):
            painter.drawText(QRectF(text_left, top, text_width, 17 if len(lines) > 1 else 20), left, line)
        if not readable:  # the title alone, centred
            return
        painter.setFont(subtitle_font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRectF(text_left, 26 if len(lines) == 1 else 34, text_width, 18 if len(lines) == 1 else 14),
                         left, subtitle)

    def _text_layout(self, font: QFont, width: float) -> tuple[list[str], QFont, str, QFont, float]:
        """The title's lines in bold, the elided subtitle, their fonts and the subtitle's line height (kept while
        font, width and text stay)."""
        key = (font.key(), width, self._title, self._subtitle)
        if self._layout_key != key:
            title_font = QFont(font)
            title_font.setBold(True)
            lines = title_lines(self._title, QFontMetricsF(title_font), width)
            subtitle_font = QFont(font)
            subtitle_font.setPointSizeF(max(6.0, font.pointSizeF() * (0.85 if len(lines) == 1 else 0.78)))
            subtitle_metrics = QFontMetricsF(subtitle_font)
            subtitle = subtitle_metrics.elidedText(self._subtitle, Qt.TextElideMode.ElideRight, width)
            self._layout = (lines, title_font, subtitle, subtitle_font, subtitle_metrics.height())
            self._layout_key = key
        return self._layout

    def paint_far_title(self, painter: QPainter, lod: float, font: QFont) -> None:
        """Zoomed far out: the name in white at a readable screen size, elided to the card (``painter`` in the
        card's coordinates, ``lod`` its scale)."""
        rect = NODE_BODY
        font.setBold(True)
        font.setPixelSize(max(1, round(9 / lod)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        inner = rect.adjusted(4, 0, -4, 0)
        text = QFontMetricsF(font).elidedText(self._title, Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_badge(self, painter: QPainter, palette: QPalette, font: QFont) -> None:
        font.setBold(True)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        metrics = QFontMetricsF(font)
        width = max(20.0, metrics.horizontalAdvance(self.highlight.badge) + 12)
        badge = QRectF(NODE_WIDTH - width + 6, -10, width, 18)
        fill = OVERLAY_COLORS.get(self.highlight.tint, palette.color(QPalette.ColorRole.Highlight))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(badge, 9, 9)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.highlight.badge)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Show the connect handle (Qt override)."""
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """A cross cursor over the connect handle (Qt override)."""
        if self.on_handle(event.pos()):
            self.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.unsetCursor()
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Hide the connect handle (Qt override)."""
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)
