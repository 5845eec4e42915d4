"""The canvas view: zoom (Ctrl+wheel, Ctrl +/-), pan (middle drag or Space+drag), fit, and a dotted grid."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPolygonF, QResizeEvent, QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QRubberBand, QStyle, QStyleOptionRubberBand, QWidget

from iam_desktop.gui.interaction import GRID
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.overview import OVERVIEW_ZOOM, CanvasPicture
from iam_desktop.gui.scene import CanvasScene

MIN_ZOOM = 0.03
MAX_ZOOM = 4.0
ZOOM_STEP = 1.2


class CanvasView(QGraphicsView):
    """Shows a CanvasScene.

    Zoom: Ctrl + wheel (around the mouse), Ctrl + / Ctrl - (View menu); plain wheel scrolls, Shift + wheel
    scrolls sideways. Pan: drag with the middle button, or hold Space and drag. Rubber-band select by dragging
    on empty canvas. Below ``OVERVIEW_ZOOM`` the view draws a ``CanvasPicture`` of the scene instead of
    painting every item, and repaints whenever the scene says its drawing changed.

    Signals
    -------
    zoom_changed(float)
        The scale changed (1.0: 100 %).
    context_menu_requested(QPoint, object)
        A right-click at a global position, on the entity with this id (None: on empty canvas).
    """

    zoom_changed = Signal(float)
    context_menu_requested = Signal(QPoint, object)

    def __init__(self, scene: CanvasScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.canvas = scene
        self._pan_start: QPoint | None = None
        self._space_held = False
        self._fit_pending = False
        self._keep_fitted = False
        self._picture = CanvasPicture(scene)
        self._dots = QPolygonF()
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scene.drawing_changed.connect(self._on_drawing_changed)
        self.zoom_changed.connect(scene.close_up.hold)

    # ----- zoom ------------------------------------------------------------------------------------------
    def zoom_factor(self) -> float:
        """The current scale (1.0: 100 %)."""
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        """Scale to ``factor`` (clamped to 3 %..400 %), keeping the view's centre."""
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        self._keep_fitted = False
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor / self.zoom_factor(), factor / self.zoom_factor())
        self.setTransformationAnchor(anchor)
        self.zoom_changed.emit(self.zoom_factor())

    def shows_overview(self) -> bool:
        """True when the view draws the picture of the canvas instead of its items: below ``OVERVIEW_ZOOM``, where
        cards are plain tiles with their names and edges hairlines."""
        return self.zoom_factor() < OVERVIEW_ZOOM

    def _on_drawing_changed(self) -> None:
        """Repaint while the picture is shown: Qt repaints only where it last painted the changed items, and
        with the picture it paints none."""
        if self.shows_overview():
            self.viewport().update()

    def zoom_in(self) -> None:
        """One step closer."""
        self.set_zoom(self.zoom_factor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step farther."""
        self.set_zoom(self.zoom_factor() / ZOOM_STEP)

    def fit_rect(self, rect: QRectF) -> None:
        """Show ``rect`` (scene coordinates) as large as fits, never beyond 100 %."""
        if rect.isEmpty():
            return
        self._keep_fitted = False
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom_factor() > 1.0:
            self.set_zoom(1.0)
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom_factor())

    def fit_all(self) -> None:
        """Show the whole model (once the view has its real size, when it is not shown yet).

        The model stays fitted while the view is resized (window maximised, docks moved) until the user
        zooms, scrolls or pans.
        """
        if not self.isVisible():
            self._fit_pending = True
            return
        self.fit_rect(self.canvas.content_rect())
        self._keep_fitted = True

    def zoom_to_selection(self) -> None:
        """Show the selected items (the whole model when nothing is selected)."""
        rect = QRectF()
        for item in self.canvas.selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        if rect.isEmpty():
            self.fit_all()
        else:
            self.fit_rect(rect)

    def reveal(self, entity_id: str) -> None:
        """Centre the view on an entity, zooming in if it would be too small to read."""
        rect = self.canvas.entity_rect(entity_id)
        if rect.isEmpty():
            return
        self._keep_fitted = False
        if self.zoom_factor() < 0.6:
            self.set_zoom(1.0)
        self.centerOn(rect.center())

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Scroll, and let the canvas's idle-time preparation wait until the view is still (Qt override)."""
        super().scrollContentsBy(dx, dy)
        self.canvas.close_up.hold()

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the model when a fit was asked for before the view was shown (Qt override)."""
        super().showEvent(event)
        if self._fit_pending:
            self._fit_pending = False
            self.fit_all()

    def changeEvent(self, event: QEvent) -> None:
        """Redraw the canvas in the new colours when the palette (theme) changes (Qt override)."""
        if event.type() == QEvent.Type.PaletteChange:
            self.viewport().update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the model fitted while it was just fitted and not navigated since (Qt override)."""
        super().resizeEvent(event)
        if self._keep_fitted and self.isVisible():
            self.fit_all()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl + wheel zooms around the mouse; the wheel alone scrolls (Qt override)."""
        self._keep_fitted = False
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                factor = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom_factor() * math.pow(ZOOM_STEP, steps)))
                self.scale(factor / self.zoom_factor(), factor / self.zoom_factor())
                self.zoom_changed.emit(self.zoom_factor())
            event.accept()
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and event.angleDelta().y():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(event.angleDelta().y() / 120.0 * bar.singleStep() * 3))
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space held: drag pans (Qt override)."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """Space released: back to selecting (Qt override)."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Ask for the context menu of the node or frame under the mouse (Qt override)."""
        entity_id = None
        for item in self.items(event.pos()):
            if isinstance(item, (NodeItem, FrameItem)):
                entity_id = item.entity_id
                break
        self.context_menu_requested.emit(event.globalPos(), entity_id)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Middle button (or any button with Space held) starts panning; the right button keeps the selection
        for the context menu (Qt override)."""
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            return
        left_with_space = self._space_held and event.button() == Qt.MouseButton.LeftButton
        if event.button() == Qt.MouseButton.MiddleButton or left_with_space:
            self._pan_start = event.position().toPoint()
            self._keep_fitted = False
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Pan while the middle button is down (Qt override)."""
        if self._pan_start is not None:
            delta = event.position().toPoint() - self._pan_start
            self._pan_start = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End panning (Qt override)."""
        if self._pan_start is not None:
            self._pan_start = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Zoomed far out, draw the background, the picture of the canvas, the connect line and the rubber band
        instead of every item (Qt override)."""
        if not self.shows_overview():
            self._picture.stop()
            super().paintEvent(event)
            return
        viewport = self.viewport()
        exposed = event.rect()
        transform = self.viewportTransform()
        painter = QPainter(viewport)
        painter.setWorldTransform(transform)
        self.drawBackground(painter, self.mapToScene(exposed).boundingRect())
        painter.resetTransform()
        self._picture.draw(painter, viewport, transform, exposed)
        line = self.canvas.interaction.connect_line()
        if line is not None:
            painter.setWorldTransform(transform)
            painter.setPen(line.pen())
            painter.drawLine(line.line())
            painter.resetTransform()
        band = self.rubberBandRect()
        if not band.isEmpty():
            option = QStyleOptionRubberBand()
            option.initFrom(viewport)
            option.rect = band
            option.shape = QRubberBand.Shape.Rectangle
            viewport.style().drawControl(QStyle.ControlElement.CE_RubberBand, option, painter, viewport)
        painter.end()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """Fill with the palette's base colour and draw grid dots when close enough to see them (Qt override)."""
        painter.fillRect(rect, self.palette().color(QPalette.ColorRole.Base))
        spacing = GRID * 4
        if self.zoom_factor() * spacing < 12:
            return
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        left = math.floor(rect.left() / spacing) * spacing
        top = math.floor(rect.top() / spacing) * spacing
        columns, rows = math.ceil((rect.right() - left) / spacing), math.ceil((rect.bottom() - top) / spacing)
        if columns != self._dots.size():  # one row of dots, made once for views this wide (a view has thousands)
            self._dots = QPolygonF([QPointF(column * spacing, 0.0) for column in range(columns)])
        for row in range(rows):
            painter.translate(left, top + row * spacing)
            painter.drawPoints(self._dots)
            painter.translate(-left, -top - row * spacing)
