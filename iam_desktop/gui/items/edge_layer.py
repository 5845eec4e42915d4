"""The edge layer: one item that draws every plain edge of the canvas in batches, found through a grid of cells."""

from __future__ import annotations

import gc
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QLineF, QRectF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPalette, QPen, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from iam_desktop.gui.items.card_look import palette_of
from iam_desktop.gui.items.edge import (
    DIMMED_EDGE_OPACITY,
    EDGE_KINDS,
    EDGE_STYLES,
    FAR_PENS,
    EdgeItem,
    head_pen,
    line_pen,
)
from iam_desktop.gui.items.layer import Layer, exposed_areas
from iam_desktop.gui.items.node import FAR_ZOOM
from iam_desktop.model.edges import EdgeKind

CELL = 2048.0
"""The side of a grid cell (scene units): each edge is filed in the cells its line passes through."""
LAYER_Z = -1.0
"""The layer's stacking value: above the frames, below the cards (as edges are)."""
DENSE_LINES = 400
"""Where more plain edges than this are filed in the cells under the view (or an exported area), their lines are
drawn one device pixel wide: faster, and clearer in such a tangle."""
MOVING_BUDGET_S = 0.008
"""While the view moves (scrolls, jumps, zooms) over a tangle (more than ``DENSE_LINES`` plain edges filed under
it), an even pick of its lines is drawn, as many as this time is expected to allow after the last whole view
(Qt needs 10-30 ns for each pixel of a line: a view crossed by 4,000 lines took 50-60 ms). All are drawn
``SETTLE_MS`` after it stops."""
SETTLE_MS = 150
Cell = tuple[int, int]
Filing = tuple[int, Cell]  # (the rank of the edge's kind in EDGE_KINDS, a cell)
_RANKS = {kind: rank for rank, kind in enumerate(EDGE_KINDS)}


def _cells_along(edge: EdgeItem) -> list[Cell]:
    """The cells the edge's line (or, for a curve, its bounds) passes through, widened by its arrow head's reach."""
    left, top, right, bottom = edge.extent
    rows = range(math.floor(top / CELL), math.floor(bottom / CELL) + 1)
    columns = range(math.floor(left / CELL), math.floor(right / CELL) + 1)
    segment = edge.segment
    if segment is None or len(rows) == 1 or len(columns) == 1:
        return [(column, row) for row in rows for column in columns]
    x1, y1, x2, y2 = segment
    if len(rows) <= len(columns):
        return [(column, row) for row, span in zip(rows, _spans(rows, columns, y1, x1, y2, x2, edge.reach))
                for column in span]
    return [(column, row) for column, span in zip(columns, _spans(columns, rows, x1, y1, x2, y2, edge.reach))
            for row in span]


def _cells_under(extent: tuple[float, float, float, float]) -> list[Cell]:
    """The cells a rectangle (left, top, right, bottom) overlaps."""
    left, top, right, bottom = extent
    return [(column, row) for row in range(math.floor(top / CELL), math.floor(bottom / CELL) + 1)
            for column in range(math.floor(left / CELL), math.floor(right / CELL) + 1)]


def _spans(bands: range, across: range, a1: float, b1: float, a2: float, b2: float, reach: float) -> list[range]:
    """For each band of cells along coordinate a, the cells across it (coordinate b) that the segment from
    (a1, b1) to (a2, b2), widened by ``reach``, passes through."""
    low, high = min(a1, a2), max(a1, a2)
    slope = (b2 - b1) / (a2 - a1) if a2 != a1 else 0.0
    spans = []
    for band in bands:
        start = min(max(band * CELL - reach, low), high)
        end = min(max((band + 1) * CELL + reach, low), high)
        if a1 == a2:  # across the bands: the segment spans its whole length in each band its reach meets
            b_start, b_end = b1, b2
        else:
            b_start, b_end = b1 + (start - a1) * slope, b1 + (end - a1) * slope
        first = max(math.floor((min(b_start, b_end) - reach) / CELL), across.start)
        last = min(math.floor((max(b_start, b_end) + reach) / CELL), across.stop - 1)
        spans.append(range(first, last + 1))
    return spans


def _clipped(segment: tuple[float, float, float, float], area: QRectF) -> tuple[QLineF, float] | None:
    """The part of ``segment`` inside ``area`` and how far along the segment it starts (None: it misses)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    start, end = 0.0, 1.0
    for step, room in ((-dx, x1 - area.left()), (dx, area.right() - x1), (-dy, y1 - area.top()),
                       (dy, area.bottom() - y1)):
        if step == 0:
            if room < 0:
                return None
        elif step < 0:
            start = max(start, room / step)
        else:
            end = min(end, room / step)
        if start > end:
            return None
    line = QLineF(x1 + start * dx, y1 + start * dy, x1 + end * dx, y1 + end * dy)
    return line, start * math.hypot(dx, dy)


class EdgeLayer(Layer):
    """Draws the plain edges (neither selected, emphasised nor labelled) of the scene in one pass.

    Qt would otherwise call a Python ``paint`` for every edge whose bounding rectangle meets the repainted area,
    and a long edge's rectangle meets most views. The edge items stay in the scene for hit testing, selection
    and their own drawing when selected, emphasised or labelled; while plain they have no contents. The layer
    files each edge's line by kind in the grid cells it passes through (``CELL``) and its arrow head in the
    cells around its tip; for each exposed rectangle it gathers the lines of the cells it covers kind by kind
    (dictionary merges, no Python step per edge) and draws straight solid lines with one ``drawLines`` (square
    caps: Qt's direct line rasterizer, many times faster than the stroker round caps need), dashed lines cut to
    the rectangle with the dash pattern continued where it was, curves as paths, and the arrow heads in the
    rectangle. Zoomed far out (below ``FAR_ZOOM``) edges are unshaded hairlines without heads. Plain edges are
    faded exactly when the shown highlight dims the others (``set_dimmed``).
    """

    def __init__(self) -> None:
        super().__init__(LAYER_Z)
        self._lines: dict[Filing, dict[EdgeItem, QLineF]] = defaultdict(dict)
        self._curves: dict[Filing, dict[EdgeItem, QLineF]] = defaultdict(dict)
        self._heads: dict[Filing, dict[EdgeItem, None]] = defaultdict(dict)
        self._filed: dict[EdgeItem, tuple[dict[Filing, dict[EdgeItem, QLineF]], list[Filing], list[Filing]]] = {}
        self._unfiled: set[EdgeItem] = set()
        self._standing_out: set[EdgeItem] = set()
        self._dimmed = False
        self._drew_dense = False
        self._view_transform = QTransform()
        # what drawing a view's lines took per line filed under it, by scale, learnt from whole views (a line
        # crosses more pixels of a view far out); a scale not seen yet is expected to cost the most seen
        self._seconds_per_line: dict[float, float] = {0.0: 40e-6}
        self._settling = QTimer()  # after the view last moved over a tangle: then all of its lines are drawn
        self._settling.setSingleShot(True)
        self._settling.setInterval(SETTLE_MS)
        self._settling.timeout.connect(self._on_settled)

    # ----- the edges it draws ------------------------------------------------------------------------------
    def add(self, edge: EdgeItem) -> None:
        """Draw ``edge`` (while it is plain)."""
        self._unfiled.add(edge)
        self.grow(edge.boundingRect())
        self.update(edge.boundingRect())

    def remove(self, edge: EdgeItem) -> None:
        """Stop drawing ``edge`` (it leaves the scene)."""
        self._unfile(edge)
        self._unfiled.discard(edge)
        self._standing_out.discard(edge)
        self.loosen()
        self.update(edge.boundingRect())

    def moved(self, edge: EdgeItem, before: QRectF) -> None:
        """``edge`` moved from ``before`` (its former bounds) to where it is now: file it anew, repaint both."""
        if edge in self._filed:
            self._unfile(edge)
            self._unfiled.add(edge)
        self.loosen()
        self.grow(edge.boundingRect())
        self.update(before)
        self.update(edge.boundingRect())

    def set_standing_out(self, edge: EdgeItem, standing_out: bool) -> None:
        """Leave ``edge`` to its own drawing (selected, emphasised or labelled), or draw it again; repaint it."""
        if standing_out:
            self._standing_out.add(edge)
        else:
            self._standing_out.discard(edge)
        self.update(edge.boundingRect())

    def set_dimmed(self, dimmed: bool) -> None:
        """Fade the plain edges (a highlight dims everything it does not cover), or stop fading them."""
        if dimmed != self._dimmed:
            self._dimmed = dimmed
            self.update()

    def clear(self) -> None:
        """Forget every edge (the scene is rebuilt)."""
        for filings in (self._lines, self._curves, self._heads, self._filed):
            filings.clear()
        self._unfiled.clear()
        self._standing_out.clear()
        self.forget_bounds()

    def drawn_bounds(self) -> Iterable[QRectF]:
        """The bounds of every edge the layer draws (Layer's ``tighten``)."""
        return (edge.boundingRect() for edge in [*self._filed, *self._unfiled])

    def file_all(self) -> None:
        """File the edges added or moved since the last drawing in their cells (drawing does it when needed)."""
        self.file_some(math.inf)

    def file_some(self, until: float) -> bool:
        """File edges added or moved since the last drawing until ``time.perf_counter()`` passes ``until``; True
        when all are filed."""
        collecting = gc.isenabled()
        gc.disable()  # filing a big model makes ~100,000 keys: spare the collector's walks over the model
        try:
            while self._unfiled:
                edge = self._unfiled.pop()
                rank = _RANKS[edge.edge.kind]
                filings = self._lines if edge.segment is not None else self._curves
                line_keys = [(rank, cell) for cell in _cells_along(edge)]
                head_keys = [(rank, cell) for cell in _cells_under(edge.head_extent)]
                self._filed[edge] = (filings, line_keys, head_keys)
                line = edge.live_ends
                for key in line_keys:
                    filings[key][edge] = line
                for key in head_keys:
                    self._heads[key][edge] = None
                if len(self._unfiled) % 64 == 0 and time.perf_counter() > until:
                    break
            return not self._unfiled
        finally:
            if collecting:
                gc.enable()

    def lines_in(self, area: QRectF, rank: int, curves: bool = False) -> dict[EdgeItem, QLineF]:
        """The plain straight edges (or curves) of one kind filed in the cells ``area`` covers: a superset of those
        crossing it, with their live end points."""
        self.file_all()
        return self._gather(self._curves if curves else self._lines, area, rank)

    def heads_in(self, area: QRectF, rank: int) -> list[EdgeItem]:
        """The plain edges of one kind whose arrow heads show in ``area``."""
        self.file_all()
        return [edge for edge in self._gather(self._heads, area, rank) if edge.head_in(area)]

    def _gather(self, filings: dict[Filing, dict[EdgeItem, Any]], area: QRectF, rank: int) -> dict[EdgeItem, Any]:
        found: dict[EdgeItem, Any] = {}
        for cell in _cells_under((area.left(), area.top(), area.right(), area.bottom())):
            filed = filings.get((rank, cell))
            if filed:
                found.update(filed)
        for edge in self._standing_out:
            found.pop(edge, None)
        return found

    def _unfile(self, edge: EdgeItem) -> None:
        filed = self._filed.pop(edge, None)
        if filed is None:
            return
        filings, line_keys, head_keys = filed
        for all_filings, keys in ((filings, line_keys), (self._heads, head_keys)):
            for key in keys:
                edges = all_filings[key]
                del edges[edge]
                if not edges:
                    del all_filings[key]

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the plain edges crossing each exposed rectangle (Qt override).

        When the exposed region has several rectangles (the strips a scroll uncovers), each is drawn into an image
        of its own and copied: Qt clips lines to a region of several rectangles along their whole length, to one
        rectangle at once.
        """
        scale = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        far = scale < FAR_ZOOM
        areas = exposed_areas(painter, option)
        shown = _shown_area(painter, option, widget)
        count = 0 if far else self._count_under(shown)
        dense = count > DENSE_LINES
        if dense != self._drew_dense:  # one width in the whole view: repaint what this paint does not cover
            self._drew_dense = dense
            if not any(area.contains(shown.adjusted(1.0, 1.0, -1.0, -1.0)) for area in areas):
                self.update()
        every = 1
        if widget is not None and dense:  # on screen: while the view moves over a tangle, some of its lines
            if painter.worldTransform() != self._view_transform:
                self._settling.start()
            if self._settling.isActive():
                per_line = self._seconds_per_line.get(round(scale, 3), max(self._seconds_per_line.values()))
                every = max(1, math.ceil(count * per_line / MOVING_BUDGET_S))
        if widget is not None:
            self._view_transform = painter.worldTransform()
        started = time.perf_counter()
        painter.save()
        if len(areas) == 1:
            painter.setClipRect(areas[0], Qt.ClipOperation.IntersectClip)
            self._paint_area(painter, areas[0], far, dense, every, widget)
        else:
            painter.setOpacity(1.0)
            for area in areas:
                self._paint_area_through_image(painter, area, far, dense, every, widget)
        painter.restore()
        if dense and len(areas) == 1 and areas[0].contains(shown.adjusted(1.0, 1.0, -1.0, -1.0)):
            self._seconds_per_line[round(scale, 3)] = (time.perf_counter() - started) / (count / every)

    def _count_under(self, shown: QRectF) -> int:
        """How many plain edges are filed in the cells under ``shown``."""
        self.file_all()
        found: set[EdgeItem] = set()
        for cell in _cells_under((shown.left(), shown.top(), shown.right(), shown.bottom())):
            for rank in range(len(EDGE_KINDS)):
                for filings in (self._lines, self._curves):
                    filed = filings.get((rank, cell))
                    if filed:
                        found.update(filed.keys())
        return len(found)

    def _on_settled(self) -> None:
        """The view stopped moving over a tangle: draw all of its lines."""
        self.update()

    def _paint_area_through_image(self, painter: QPainter, area: QRectF, far: bool, dense: bool, every: int,
                                  widget: QWidget | None) -> None:
        world = painter.worldTransform()
        target = world.mapRect(area).toAlignedRect()
        ratio = painter.device().devicePixelRatioF()
        image = QImage(max(1, math.ceil(target.width() * ratio)), max(1, math.ceil(target.height() * ratio)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        image_painter = QPainter(image)
        image_painter.setTransform(world * QTransform.fromTranslate(-target.x(), -target.y()))
        self._paint_area(image_painter, area, far, dense, every, widget)
        image_painter.end()
        painter.resetTransform()
        painter.drawImage(target.topLeft(), image)
        painter.setWorldTransform(world)

    def _paint_area(self, painter: QPainter, area: QRectF, far: bool, dense: bool, every: int,
                    widget: QWidget | None) -> None:
        """The plain edges crossing ``area``, kind by kind (the same order in every area); ``dense``: one device
        pixel wide; ``every``: only every so many of them (and their arrow heads)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not far)
        painter.setOpacity(DIMMED_EDGE_OPACITY if self._dimmed else 1.0)
        found = [(kind, self.lines_in(area, rank), self.lines_in(area, rank, curves=True))
                 for rank, kind in enumerate(EDGE_KINDS)]
        if far:
            for kind, lines, curves in found:
                painter.setPen(FAR_PENS[kind])
                painter.drawLines([*lines.values(), *curves.values()])
            return
        scale = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        for rank, (kind, lines, curves) in enumerate(found):
            heads = self.heads_in(area, rank)
            if every > 1:
                lines = dict(list(lines.items())[::every])
                curves = dict(list(curves.items())[::every])
                heads = [edge for edge in heads if edge in lines or edge in curves]
            _paint_edges(painter, area, kind, line_pen(kind, scale if dense else None), lines, list(curves), heads,
                         widget)


def _shown_area(painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None) -> QRectF:
    """What the paint shows in scene coordinates: the whole view on screen, else (an export) the exposed area."""
    to_scene, invertible = painter.worldTransform().inverted()
    if widget is None or not invertible:
        return option.exposedRect
    return to_scene.mapRect(QRectF(widget.rect()))


def _paint_edges(painter: QPainter, area: QRectF, kind: EdgeKind, pen: QPen, lines: dict[EdgeItem, QLineF],
                 curves: list[EdgeItem], heads: list[EdgeItem], widget: QWidget | None) -> None:
    """The lines (with ``pen``), curves and arrow heads of one kind in ``area``, as ``EdgeItem.paint`` draws plain
    edges.

    Solid lines, and any line of a pen one device pixel wide (whose dashes Qt places along the whole line even
    when it draws only a part of it), are drawn in one call; other dashed lines are cut to the area first (Qt
    would otherwise stroke every dash of a long line), their dashes where they fall on the whole line.
    """
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    device_width = pen.widthF() * QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
    if pen.style() == Qt.PenStyle.SolidLine or abs(device_width - 1.0) < 1e-6:
        painter.drawLines(list(lines.values()))
    else:
        reach = area.adjusted(-8.0, -8.0, 8.0, 8.0)  # beyond the clip: cut ends never show
        for edge in lines:
            _draw_dashed(painter, pen, edge.segment, reach)
    for edge in curves:
        painter.drawPath(edge.curve())
    if heads:
        painter.setPen(head_pen(kind))
        painter.setBrush(palette_of(widget).color(QPalette.ColorRole.Base) if EDGE_STYLES[kind].head == "open"
                         else pen.color())
        for edge in heads:
            painter.drawPolygon(edge.head_polygon())


def _draw_dashed(painter: QPainter, pen: QPen, segment: tuple[float, float, float, float] | None,
                 area: QRectF) -> None:
    """The part of a dashed line inside ``area``, its dashes where they fall on the whole line."""
    clipped = _clipped(segment, area) if segment is not None else None
    if clipped is None:
        return
    line, along = clipped
    if along:
        shifted = QPen(pen)
        shifted.setDashOffset(along / pen.widthF())
        painter.setPen(shifted)
        painter.drawLine(line)
        painter.setPen(pen)
    else:
        painter.drawLine(line)
