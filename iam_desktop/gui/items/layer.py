"""The base of the canvas's layers (one item drawing many others' looks, never hit) and the areas a paint exposes."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QRegion
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption
_MOST_AREAS = 4  # an exposed region of more rectangles is drawn as its bounding rectangle


class Layer(QGraphicsItem):
    """An item at stacking value ``z`` that draws on behalf of other items and is never hit (no shape, no mouse
    buttons). Its bounds grow with what it is given to draw (``grow``) and shrink on ``tighten`` to the bounds
    of what it draws then (``drawn_bounds``), after something moved or went (``loosen``)."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self._extent = QRectF()
        self._extent_loose = False
        self.setFlags(_FLAGS)
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def drawn_bounds(self) -> Iterable[QRectF]:
        """The scene bounds of everything the layer draws now (for ``tighten``)."""
        raise NotImplementedError

    def grow(self, rect: QRectF) -> None:
        """Take ``rect`` (scene coordinates) into the bounds."""
        if not self._extent.contains(rect):
            self.prepareGeometryChange()
            self._extent = self._extent.united(rect)

    def loosen(self) -> None:
        """Something drawn moved or went: the bounds may be wider than needed until ``tighten``."""
        self._extent_loose = True

    def forget_bounds(self) -> None:
        """Empty bounds (the layer draws nothing any more)."""
        self.prepareGeometryChange()
        self._extent = QRectF()
        self._extent_loose = False

    def tighten(self) -> None:
        """Shrink the bounds to what is drawn now (they only grow while things move or go)."""
        if not self._extent_loose:
            return
        self._extent_loose = False
        extent = QRectF()
        for rect in self.drawn_bounds():
            extent = extent.united(rect)
        if extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """Everything the layer draws (Qt override)."""
        return self._extent

    def shape(self) -> QPainterPath:
        """Nothing: clicks, hovering and rubber bands reach the items below (Qt override)."""
        return QPainterPath()


def exposed_areas(painter: QPainter, option: QStyleOptionGraphicsItem) -> list[QRectF]:
    """The rectangles (scene coordinates) being repainted: the paint event's region, or the exposed rectangle."""
    engine = painter.paintEngine()
    region = engine.systemClip() if engine is not None else QRegion()
    to_scene, invertible = painter.deviceTransform().inverted()
    if region.isEmpty() or region.rectCount() > _MOST_AREAS or not invertible:
        return [option.exposedRect]
    areas = [to_scene.mapRect(QRectF(rect)).intersected(option.exposedRect) for rect in region]
    return [area for area in areas if not area.isEmpty()]
