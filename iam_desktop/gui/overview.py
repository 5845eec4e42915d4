"""The far-zoom picture of the canvas: tiles of cards, frames and edges drawn in batches, reused while they hold."""

from __future__ import annotations

import math
import time
from functools import partial
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPalette, QRegion, QTransform
from PySide6.QtWidgets import QWidget

from iam_desktop.gui.card_grid import CardGrid
from iam_desktop.gui.card_names import NAME_PIXELS, CardNames, PlacedName
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import DIMMED_OPACITY, FAR_TITLES_ABOVE, FAR_ZOOM, NodeItem
from iam_desktop.gui.picture_paint import EdgeSurvey, Marks, paint_area
from iam_desktop.gui.picture_tiles import (
    MEMORY_LIMIT, NUDGE, TILE, Block, Tile, TileCache, TileKey, bands_of, blocks_of, tiles_under,
)

if TYPE_CHECKING:
    from iam_desktop.gui.scene import CanvasScene

OVERVIEW_ZOOM = FAR_ZOOM
"""Below this scale (cards as plain tiles with their names) the view shows the picture instead of painting its
thousands of items one by one."""
PAINT_BUDGET_S = 0.010
"""How long a paint may spend drawing missing tiles and names; the rest follows in idle steps."""
STEP_BUDGET_S = 0.004
"""How long one idle step may spend drawing tiles and names before events get through again."""
FIRST_STEP_AFTER_MS = 16
"""After a paint, idle steps wait this long (a screen refresh): the next scroll or zoom comes first."""
_BAND_BUDGET_S = 0.004  # missing tiles are drawn in bands expected to take about this long
_MOST_PIECES = 4  # a row of missing tiles is cut into at most this many bands
_PIXEL_SECONDS = 5e-9  # what a tile's pixel costs besides its edges (cards, frames, copying)
_EDGE_PIXEL_SECONDS = 6e-9  # what a pixel of an edge costs (clipped hairlines)
_EDGE_SECONDS = 2e-6  # what an edge crossing a band costs besides its pixels
_NAME_BAND_TILES = 4  # the names of at most this many tiles are drawn together
_AHEAD_TILES = 2  # in idle time, tiles are drawn this far around the view (panning then draws none)
_STAND_IN_SCALES = 2  # a missing tile is stood in for by the tiles of at most this many other scales
Place = tuple[int, int]  # a tile's (column, row)


class CanvasPicture:
    """The canvas at the view's scale as tiles drawn in batches, kept while what they show holds.

    Zoomed out (below ``OVERVIEW_ZOOM``) every item would otherwise go through its own Python ``paint`` (tens of
    thousands in a big model). The picture draws edges as hairlines, cards as tiles of their kind's colour with
    their names (above ``FAR_TITLES_ABOVE``, as cards draw them) and frames as they paint themselves, in tiles of
    ``TILE`` pixels on a grid of the scaled scene, kept in a cache of at most ``memory_limit`` bytes. Tiles are
    drawn from only what lies in them (the edge layer's grid gives their edges, a ``CardGrid`` their cards),
    neighbours together as one image cut into tiles. Every tile is dropped when items are added, moved or
    restyled, or the dimming, the palette or the frames' states change; tiles at other scales stay for zooming
    back until the cache needs their room.

    A paint draws the missing tiles under the exposed area, nearest its middle first, then their names, for at
    most ``PAINT_BUDGET_S``; idle steps of at most ``STEP_BUDGET_S`` draw what is left, repainting the view
    after each, and then draw ahead: the tiles around the view (for panning) and the whole canvas at the scale
    that fits it in the view. Until a tile is drawn, the tiles of the nearest other scales (and of the view
    before the last change) stand in for it. The marks (the selection and the highlighted path: ``Marks``) are
    drawn over the tiles at each paint, so that a selection or a highlight that does not change the dimming
    draws no tile.
    """

    def __init__(self, scene: CanvasScene, memory_limit: int = MEMORY_LIMIT) -> None:
        self._scene = scene
        self._cache = TileCache(memory_limit)
        self._grid = CardGrid()
        self._names = CardNames()
        self._frames: list[FrameItem] = []
        self._edges: EdgeSurvey | None = None
        self._items_version = -1
        self._positions_version = -1
        self._content: tuple[object, ...] = ()
        self._dims = False
        self._scale = 1.0
        self._offset = QPoint()
        self._visible = QRect()
        self._viewport: QWidget | None = None
        self._timer: QTimer | None = None
        self._before_change: tuple[float, dict[Place, QImage]] = (1.0, {})
        self._seconds_per_tile: dict[float, float] = {}
        self._seconds_per_named_tile = 0.0
        self._marks: Marks | None = None
        self._marks_key: tuple[object, ...] = ()
        self._rendered = 0
        self._changed: set[Place] = set()

    # ----- what callers see ----------------------------------------------------------------------------
    @property
    def rendered_tiles(self) -> int:
        """How many tiles have been drawn since the picture was made."""
        return self._rendered

    @property
    def cached_bytes(self) -> int:
        """The bytes of the tiles kept."""
        return self._cache.size_in_bytes

    @property
    def memory_limit(self) -> int:
        """How many bytes of tiles are kept at most, beyond those the view shows."""
        return self._cache.memory_limit

    def has_pending_work(self) -> bool:
        """True while tiles or names of the view (as last drawn) are still to be drawn (idle steps draw them)."""
        if self._viewport is None:
            return False
        return self._content != self._content_now(self._viewport) or self._pending(self._keys_under(self._visible))

    def finish(self) -> None:
        """Draw now whatever the view still misses (tiles, names) and repaint it."""
        if self._viewport is None:
            return
        self._refresh(self._viewport)
        self._work(self._keys_under(self._visible), math.inf)
        self._viewport.update()

    def stop(self) -> None:
        """Draw nothing more in idle steps (the view no longer shows the picture)."""
        if self._timer is not None:
            self._timer.stop()

    def draw(self, painter: QPainter, viewport: QWidget, transform: QTransform, exposed: QRect) -> None:
        """Draw the picture under ``exposed`` (viewport pixels) for the view's ``transform`` (a scale and a
        translation), drawing the missing tiles first for as long as ``PAINT_BUDGET_S`` allows."""
        deadline = time.perf_counter() + PAINT_BUDGET_S
        if self._viewport is not viewport:
            self._viewport = viewport
            self._timer = QTimer(viewport)
            self._timer.setSingleShot(True)
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._step)
        self._refresh(viewport)
        self._scale = round(transform.m11(), 12)  # the same key for the same zoom reached another way
        self._offset = QPoint(round(transform.dx()), round(transform.dy()))
        self._visible = viewport.rect().translated(-self._offset)
        self._names.use(viewport.font(), self._scale, self._items_version, self._positions_version)
        keys = self._keys_under(exposed.translated(-self._offset))
        self._work(keys, deadline, at_least_one=not self._stood_in(exposed.translated(-self._offset).center()))
        self._blit(painter, keys)
        self._current_marks(viewport).draw(painter, viewport, self._scale, self._offset, exposed,
                                           self._names if self._names_shown(self._scale) else None)
        if self._timer is not None:
            self._timer.start(FIRST_STEP_AFTER_MS)

    # ----- keeping the tiles current ---------------------------------------------------------------------
    def _content_now(self, viewport: QWidget) -> tuple[object, ...]:
        """What every tile shows, but for the scale: when it changes, the tiles are drawn anew."""
        frames = tuple((frame.isSelected(), frame.highlight.dimmed, frame.highlight.emphasised, frame.highlight.tint)
                       for frame in self._frames)
        return (self._scene.items_version(), self._scene.positions_version(), viewport.devicePixelRatioF(),
                viewport.palette().cacheKey(), self._dims_now(), frames)

    def _dims_now(self) -> bool:
        """True when the shown highlight fades everything it does not cover."""
        highlight = self._scene.shown_highlight()
        return highlight is not None and highlight.dim_others

    def _refresh(self, viewport: QWidget) -> None:
        """Take the scene's items anew when they changed, file the cards again when they moved, and drop every
        tile when what the tiles show changed (keeping those the view showed, to stand in for the new ones)."""
        items_version, positions_version = self._scene.items_version(), self._scene.positions_version()
        if items_version != self._items_version:
            items = self._scene.entity_items().values()
            self._frames = sorted((item for item in items if isinstance(item, FrameItem)), key=FrameItem.zValue)
            self._grid.rebuild([item for item in items if isinstance(item, NodeItem)])
            self._items_version, self._positions_version = items_version, positions_version
        elif positions_version != self._positions_version:
            self._grid.refile()
            self._positions_version = positions_version
        content = self._content_now(viewport)
        if content[:2] != self._content[:2]:
            self._edges = EdgeSurvey(self._scene)
        if content != self._content:
            columns, rows = tiles_under(self._visible)
            self._before_change = (self._scale, {(column, row): tile.image for row in rows for column in columns
                                                 if (tile := self._cache.peek((self._scale, column, row)))})
            self._content, self._dims = content, self._dims_now()
            self._cache.clear()

    def _keys_under(self, area: QRect, scale: float | None = None) -> list[TileKey]:
        columns, rows = tiles_under(area)
        scale = self._scale if scale is None else scale
        return [(scale, column, row) for row in rows for column in columns]

    @staticmethod
    def _names_shown(scale: float) -> bool:
        return scale > FAR_TITLES_ABOVE

    def _pending(self, keys: list[TileKey]) -> bool:
        for key in keys:
            tile = self._cache.peek(key)
            if tile is None or not tile.named:
                return True
        return False

    def _step(self) -> None:
        """One idle step: draw what the view misses, else ahead of it, for at most ``STEP_BUDGET_S``."""
        viewport = self._viewport
        if viewport is None or not viewport.isVisible() or self._content != self._content_now(viewport):
            return  # the view repaints after a change, and its paint starts the steps again
        deadline = time.perf_counter() + STEP_BUDGET_S
        keys = self._keys_under(self._visible)
        self._changed.clear()
        changed = self._work(keys, deadline)
        more = self._pending(keys) or self._work_ahead(deadline, at_least_one=not changed)
        if self._changed:  # repaint the tiles drawn
            offset = self._offset
            viewport.update(QRegion(_tiles_rect(self._changed).translated(offset)))
        if more and self._timer is not None:
            self._timer.start(0)

    def _work(self, keys: list[TileKey], deadline: float, at_least_one: bool = True) -> bool:
        """Draw the missing tiles of ``keys`` (all at the current scale), then the names on the tiles without
        them, nearest the middle first, until ``deadline`` (at least one band of tiles, when asked); True when a
        tile changed."""
        changed = self._render_missing(keys, deadline, at_least_one)
        changed = self._name_unnamed(keys, deadline, at_least_one and not changed) or changed
        if all(self._cache.get(key) is not None for key in keys):
            self._before_change = (1.0, {})
        self._cache.trim(set(keys))
        return changed

    def _name_unnamed(self, keys: list[TileKey], deadline: float, at_least_one: bool) -> bool:
        """Draw the names on the tiles of ``keys`` (at the current scale) without them, nearest their middle
        first, while each band is expected to end before ``deadline`` (at least one band when asked); True when
        some were drawn."""
        if not self._names_shown(self._scale):
            return False
        unnamed = [(column, row) for scale, column, row in keys
                   if (tile := self._cache.peek((scale, column, row))) is not None and not tile.named]
        drawn = False
        for band in _nearest_first(bands_of(blocks_of(unnamed), _NAME_BAND_TILES, pieces=len(unnamed)), unnamed):
            expected = len(band[0]) * len(band[1]) * self._seconds_per_named_tile
            if (drawn or not at_least_one) and time.perf_counter() + expected > deadline:
                break
            self._name(band)
            drawn = True
        return drawn

    def _work_ahead(self, deadline: float, at_least_one: bool) -> bool:
        """Draw tiles ahead of the view until ``deadline`` (at least one band when asked): the tiles around it
        with their names, then the whole canvas at the scale that fits it in the view; True while some are
        still to be drawn."""
        if self._cache.size_in_bytes > self._cache.memory_limit // 2:
            return False
        ahead = [(self._keys_under(self._visible.adjusted(-_AHEAD_TILES * TILE, -_AHEAD_TILES * TILE,
                                                          _AHEAD_TILES * TILE, _AHEAD_TILES * TILE)), True)]
        fitting = self._fitting_scale()
        if fitting is not None:
            content = self._scene.content_rect()
            ahead.append((self._keys_under(QRect(math.floor(content.x() * fitting), math.floor(content.y() * fitting),
                                                 math.ceil(content.width() * fitting) + 1,
                                                 math.ceil(content.height() * fitting) + 1), fitting), False))
        for keys, named in ahead:
            if self._render_missing(keys, deadline, at_least_one):
                at_least_one = False
            if named and self._name_unnamed(keys, deadline, at_least_one):
                at_least_one = False
            if self._pending(keys) if named else any(self._cache.peek(key) is None for key in keys):
                return True
        return False

    def _fitting_scale(self) -> float | None:
        """The scale that fits the whole canvas in the view, when it is well below the current one."""
        content = self._scene.content_rect()
        if content.isEmpty() or self._visible.isEmpty():
            return None
        fitting = round(min(self._visible.width() / content.width(), self._visible.height() / content.height()), 12)
        return fitting if fitting < self._scale / 2 else None

    # ----- drawing tiles ---------------------------------------------------------------------------------
    def _render_missing(self, keys: list[TileKey], deadline: float, at_least_one: bool) -> bool:
        """Draw the tiles of ``keys`` (of one scale) not kept, in bands, nearest their middle first, while each
        band is expected to end before ``deadline`` (with ``at_least_one``, one band or at least its middle tile
        whatever the time); True when some were drawn."""
        missing = [(column, row) for scale, column, row in keys if self._cache.peek((scale, column, row)) is None]
        if not missing:
            return False
        scale = keys[0][0]
        tile_seconds = self._expected_tile_seconds(scale)
        drawn = False
        for band in _nearest_first(bands_of(blocks_of(missing), int(_BAND_BUDGET_S / tile_seconds), _MOST_PIECES),
                                   missing):
            expected = len(band[0]) * len(band[1]) * tile_seconds
            if time.perf_counter() + expected > deadline:
                if drawn or not at_least_one:
                    break
                band = (range(band[0][len(band[0]) // 2], band[0][len(band[0]) // 2] + 1),  # its middle tile only
                        range(band[1][len(band[1]) // 2], band[1][len(band[1]) // 2] + 1))
            self._render(band, scale)
            tile_seconds = self._expected_tile_seconds(scale)
            drawn = True
        return drawn

    def _expected_tile_seconds(self, scale: float) -> float:
        """What drawing a tile at ``scale`` is expected to cost: as measured there lately (the densest places
        weigh most), and at least what the edges' average density implies (the more edge a tile holds, the
        farther out)."""
        content = self._scene.content_rect()
        length = self._edges.length if self._edges is not None else 0.0
        density = length / max(1.0, content.width() * content.height()) / scale  # edge pixels per tile pixel
        crossing = density * 2 * TILE / math.pi  # edges crossing a tile, on average (Cauchy-Crofton)
        average = TILE * TILE * (_PIXEL_SECONDS + _EDGE_PIXEL_SECONDS * density) + _EDGE_SECONDS * crossing
        return max(self._seconds_per_tile.get(scale, 0.0), average)

    def _render(self, band: Block, scale: float) -> None:
        """Draw a band of tiles as one image and keep its tiles (without names)."""
        started = time.perf_counter()
        viewport = self._viewport
        assert viewport is not None
        columns, rows = band
        ratio = viewport.devicePixelRatioF()
        side = math.ceil(TILE * ratio)
        image = QImage(side * len(columns), side * len(rows), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(viewport.palette().color(QPalette.ColorRole.Base))
        left, top = columns.start * TILE, rows.start * TILE
        painter = QPainter(image)
        painter.setClipRect(QRect(0, 0, len(columns) * TILE, len(rows) * TILE))  # Qt draws hairlines 2x faster then
        painter.setTransform(QTransform(scale, 0, 0, scale, NUDGE - left, NUDGE - top))
        area = QRectF(left / scale, top / scale, len(columns) * TILE / scale, len(rows) * TILE / scale)
        paint_area(painter, area, self._scene, self._frames, self._grid, self._current_marks(viewport).standing_out,
                   viewport, self._dims)
        painter.end()
        named = not self._names_shown(scale)
        for row_index, row in enumerate(rows):
            for column_index, column in enumerate(columns):
                tile = image.copy(column_index * side, row_index * side, side, side)
                tile.setDevicePixelRatio(ratio)
                self._cache.add((scale, column, row), Tile(tile, named))
        self._rendered += len(columns) * len(rows)
        if scale == self._scale:
            self._changed.update((column, row) for row in rows for column in columns)
        seconds = (time.perf_counter() - started) / (len(columns) * len(rows))
        self._seconds_per_tile[scale] = max(seconds, 0.85 * self._seconds_per_tile.get(scale, 0.0))

    def _name(self, band: Block) -> None:
        """Draw on the tiles of ``band`` the names of the cards that meet them (faded with the cards when a
        highlight dims them): each tile holds the part of every name crossing it."""
        started = time.perf_counter()
        columns, rows = band
        scale = self._scale
        reach = 2 * NAME_PIXELS / scale  # how far a name's box may reach beyond its card
        area = QRectF(columns.start * TILE / scale - reach, rows.start * TILE / scale - reach,
                      len(columns) * TILE / scale + 2 * reach, len(rows) * TILE / scale + 2 * reach)
        on_tile: dict[Place, list[PlacedName]] = {(column, row): [] for row in rows for column in columns}
        for placed in self._names.place(self._grid.cards_in(area)):
            _, left, top, width, height = placed
            first_column, last_column = int(left // TILE), int((left + width) // TILE)
            first_row, last_row = int(top // TILE), int((top + height) // TILE)
            if first_column == last_column and first_row == last_row:
                names = on_tile.get((first_column, first_row))
                if names is not None:
                    names.append(placed)
                continue
            for row in range(first_row, last_row + 1):
                for column in range(first_column, last_column + 1):
                    names = on_tile.get((column, row))
                    if names is not None:
                        names.append(placed)
        for (column, row), names in on_tile.items():
            tile = self._cache.peek((scale, column, row))
            if tile is None:
                continue
            if names:
                painter = QPainter(tile.image)
                painter.setOpacity(DIMMED_OPACITY if self._dims else 1.0)
                self._names.draw(painter, names, NUDGE - column * TILE, NUDGE - row * TILE)
                painter.end()
            tile.named = True
            self._changed.add((column, row))
        seconds = (time.perf_counter() - started) / (len(columns) * len(rows))
        self._seconds_per_named_tile = max(seconds, 0.7 * self._seconds_per_named_tile)

    def _blit(self, painter: QPainter, keys: list[TileKey]) -> None:
        """Draw the tiles of ``keys``, over what stands in for those missing."""
        offset, tiles = self._offset, [(key, self._cache.get(key)) for key in keys]
        missing = QRect()
        for (_, column, row), tile in tiles:
            if tile is None:
                missing = missing.united(QRect(column * TILE, row * TILE, TILE, TILE))
        if not missing.isEmpty():
            self._draw_stand_ins(painter, missing)
        for (_, column, row), tile in tiles:
            if tile is not None:
                painter.drawImage(QPoint(column * TILE + offset.x(), row * TILE + offset.y()), tile.image)

    def _stand_in_scales(self) -> list[float]:
        """The scales of kept tiles that may stand in for missing ones, the nearest last: coarser ones, or less
        than twice as fine (finer ones take many small images)."""
        return sorted((scale for scale in self._cache.scales() if scale != self._scale and scale < 2 * self._scale),
                      key=lambda scale: -abs(math.log(scale / self._scale)))[-_STAND_IN_SCALES:]

    def _stood_in(self, point: QPoint) -> bool:
        """True when a kept tile of another scale, or of the view before the last change, covers ``point``
        (picture pixels)."""
        before_scale, before = self._before_change
        sources = [(scale, partial(self._kept_image, scale)) for scale in self._stand_in_scales()]
        for scale, tile_at in [*sources, (before_scale, before.get)]:
            ratio = scale / self._scale
            if tile_at((math.floor(point.x() * ratio / TILE), math.floor(point.y() * ratio / TILE))) is not None:
                return True
        return False

    def _draw_stand_ins(self, painter: QPainter, missing: QRect) -> None:
        """Over ``missing`` (picture pixels): the kept tiles of the nearest other scales, then what the view
        showed there before the last change, scaled to the current scale (the nearest drawn last, on top)."""
        painter.save()
        painter.setClipRect(missing.translated(self._offset), Qt.ClipOperation.IntersectClip)
        for scale in self._stand_in_scales():
            self._draw_scaled(painter, missing, scale, partial(self._kept_image, scale))
        before_scale, before = self._before_change
        if before:
            self._draw_scaled(painter, missing, before_scale, before.get)
        painter.restore()

    def _kept_image(self, scale: float, place: Place) -> QImage | None:
        tile = self._cache.peek((scale, *place))
        return None if tile is None else tile.image

    def _draw_scaled(self, painter: QPainter, area: QRect, scale: float,
                     tile_at: Callable[[Place], QImage | None]) -> None:
        """The tiles at ``scale`` that ``tile_at`` gives over ``area`` (picture pixels at the current scale)."""
        ratio = self._scale / scale
        columns, rows = tiles_under(QRect(math.floor(area.x() / ratio), math.floor(area.y() / ratio),
                                          math.ceil(area.width() / ratio) + 1, math.ceil(area.height() / ratio) + 1))
        side, offset = TILE * ratio, self._offset
        for row in rows:
            for column in columns:
                image = tile_at((column, row))
                if image is not None:
                    painter.drawImage(QRectF(column * side + offset.x(), row * side + offset.y(), side, side), image)

    def _current_marks(self, viewport: QWidget) -> Marks:
        key = (self._scene.drawing_version(), viewport.palette().cacheKey())
        if self._marks is None or key != self._marks_key:
            self._marks = Marks(self._scene, viewport.palette().color(QPalette.ColorRole.Highlight))
            self._marks_key = key
        return self._marks


def _tiles_rect(places: set[Place]) -> QRect:
    """The picture pixels covered by the tiles at ``places`` (their bounding rectangle)."""
    columns, rows = [column for column, _ in places], [row for _, row in places]
    return QRect(min(columns) * TILE, min(rows) * TILE, (max(columns) - min(columns) + 1) * TILE,
                 (max(rows) - min(rows) + 1) * TILE)


def _nearest_first(bands: list[Block], places: list[Place]) -> list[Block]:
    """``bands`` ordered by the distance of their middle from the middle of ``places``."""
    if not places:
        return bands
    middle_column = sum(column for column, _ in places) / len(places)
    middle_row = sum(row for _, row in places) / len(places)
    return sorted(bands, key=lambda band: math.hypot((band[0].start + band[0].stop - 1) / 2 - middle_column,
                                                     (band[1].start + band[1].stop - 1) / 2 - middle_row))
