"""The node item: a card with the kind's icon, the entity's name and kind, a connect handle and highlight state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneHoverEvent, QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.icons import draw_tile, style_for
from iam_desktop.gui.items.card_look import (
    ANTIALIASING, FACE_BOUNDS, NODE_BODY, NODE_HEIGHT, NODE_WIDTH, SMALLEST_TEXT_PIXELS, TILE, CardPainting, CardText,
    card_face, paint_frame,
)

if TYPE_CHECKING:
    from iam_desktop.gui.items.card_layer import CardLayer
    from iam_desktop.gui.items.edge import EdgeItem

HANDLE_RADIUS = 7.0
FAR_ZOOM = 0.3
"""Below this level of detail cards are plain tiles and edges hairlines."""
CARD_BOUNDS = QRectF(-4.0, -12.0, NODE_WIDTH + HANDLE_RADIUS + 8.0, NODE_HEIGHT + 16.0)
"""A card's bounds in its own coordinates: the body and the connect handle and badge that stick out."""
DIMMED_OPACITY = 0.25  # a node or frame a highlight fades
OVERLAY_COLORS = {"allow": QColor(46, 160, 67), "deny": QColor(215, 58, 73)}
FAR_TITLES_ABOVE = 0.1
"""Far zoomed out, cards show their names only above this level of detail."""
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable  # once: "|" is slow
_PLAIN_FLAGS = _FLAGS | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # the card layer draws it


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
    """One entity drawn as a card; it knows its edges so that they follow it when it moves.

    While plain (neither selected, hovered, emphasised, tinted nor badged) the card has no contents of its own:
    ``layer`` draws it together with the other plain cards (the scene adds it there once it is placed). The
    item stays for hit testing, hovering, selection, its tooltip and its own drawing when it stands out.
    """

    def __init__(self, entity_id: str, title: str, subtitle: str, style_key: str, layer: CardLayer) -> None:
        super().__init__()
        self.entity_id = entity_id
        self._layer = layer
        self._plain = True
        self.edges: list[EdgeItem] = []
        self.highlight = HighlightState()
        self._title = title
        self._subtitle = subtitle
        self._style_key = style_key
        self._color = QColor(style_for(style_key).color)
        self._hovered = False
        self._live_body = QRectF(NODE_BODY)
        self._text_key: tuple[object, ...] = ()
        self._text: CardText | None = None
        self.setFlags(_PLAIN_FLAGS)
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
            self.show_state()

    def show_state(self) -> None:
        """Draw itself when it stands out, else leave it to the layer; repaint where it is (the scene calls it
        when the selection or the highlight changes)."""
        tinted = self.highlight.tint in OVERLAY_COLORS
        plain = not (self.isSelected() or self._hovered or self.highlight.emphasised or tinted or self.highlight.badge)
        if plain != self._plain:
            self._plain = plain
            self.setFlags(_PLAIN_FLAGS if plain else _FLAGS)
            self._layer.set_standing_out(self, not plain)
        elif plain:
            self._layer.update(self.sceneBoundingRect())
        else:
            self.update()

    def move_to(self, position: QPointF) -> None:
        """Move the card; its edges follow.

        Cards move only through this (the scene placing them, gestures dragging them): a Python ``itemChange``
        would be called a dozen times for every card Qt creates, adds and styles, seconds for a big model.
        """
        before = self.sceneBoundingRect()
        self.setPos(position)
        self._live_body.moveTo(position)
        self._layer.moved(self, before)
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
        return CARD_BOUNDS

    def shape(self) -> QPainterPath:
        """The card and its connect handle (Qt override)."""
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        path.addRoundedRect(self.body_rect(), 8, 8)
        path.addEllipse(self.handle_center(), HANDLE_RADIUS + 3, HANDLE_RADIUS + 3)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the card while it stands out (the card layer draws it while plain) (Qt override)."""
        self.paint_card(painter, CardPainting(painter, widget))

    def paint_card(self, painter: QPainter, shared: CardPainting) -> None:
        """Draw the card (``painter`` in the card's coordinates) with what the paint's cards share: simplified
        when zoomed far out, faded when a highlight dims it."""
        painter.setOpacity(DIMMED_OPACITY if self.highlight.dimmed else 1.0)
        lod = shared.lod
        if lod < FAR_ZOOM:  # thousands of cards at once: as little work per card as possible
            painter.fillRect(NODE_BODY, self.far_color(shared.highlight))
            if lod > FAR_TITLES_ABOVE:
                self.paint_far_title(painter, lod, QFont(shared.font))
            return
        selected = self.isSelected()
        painter.setRenderHint(ANTIALIASING)
        tinted = self.highlight.tint in OVERLAY_COLORS
        if shared.raster and not selected and not tinted and not self.highlight.emphasised:
            painter.drawPixmap(FACE_BOUNDS.topLeft(), card_face(self._style_key, round(lod * shared.ratio, 4),
                                                                  shared.base))
        else:
            paint_frame(painter, shared.highlight if selected else self._color,
                         3.0 if selected or self.highlight.emphasised else 1.4, shared.base)
            if tinted:
                tint = QColor(OVERLAY_COLORS[self.highlight.tint])
                tint.setAlpha(70)
                paint_frame(painter, OVERLAY_COLORS[self.highlight.tint], 3.0, tint)
            draw_tile(painter, TILE, self._style_key)
        self._paint_text(painter, shared)
        if self._hovered or selected:
            painter.setPen(QPen(shared.base, 1.5))
            painter.setBrush(self._color)
            painter.drawEllipse(self.handle_center(), HANDLE_RADIUS, HANDLE_RADIUS)
        if self.highlight.badge:
            self._paint_badge(painter, shared.palette, QFont(shared.font))

    def _paint_text(self, painter: QPainter, shared: CardPainting) -> None:
        """The title (one or two lines) and, when it is big enough on screen to be read, the subtitle; the title
        alone is centred."""
        text = self._card_text(shared.font, shared.font_key)
        text.draw(painter, shared.raster, text.subtitle_height * shared.lod >= SMALLEST_TEXT_PIXELS, shared.text,
                  shared.placeholder)

    def prepare_text(self, font: QFont) -> None:
        """Lay out the card's text for ``font`` now, ahead of its first close-up paint."""
        self._card_text(font, font.key())

    def _card_text(self, font: QFont, font_key: str) -> CardText:
        """The card's text laid out for ``font`` (kept while font and text stay)."""
        if self._text is None or self._text_key != (font_key, self._title, self._subtitle):
            self._text = CardText(self._title, self._subtitle, font, font_key)
            self._text_key = (font_key, self._title, self._subtitle)
        return self._text

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
        self.show_state()
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
        self.show_state()
        super().hoverLeaveEvent(event)
