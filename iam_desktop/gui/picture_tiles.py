"""The tiles of the canvas picture: a cache bounded in memory, and the blocks that missing tiles are drawn in."""

from __future__ import annotations

import math
from collections import Counter, OrderedDict

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

TILE = 128
"""The side of a tile in the picture's pixels (scene coordinates times the scale; logical pixels)."""
NUDGE = 2.0 ** -10
"""Added to the translation of everything drawn on tiles, so that an edge falling exactly between two pixels
(a card at a round position) rounds the same way on every tile, whatever the tile's place."""
MEMORY_LIMIT = 64 * 1024 * 1024
"""How many bytes of tiles the cache keeps by default."""
TileKey = tuple[float, int, int]
"""A tile: (scale, column, row); it covers the picture's pixels from ``column * TILE``, ``row * TILE``."""
Block = tuple[range, range]
"""Tiles drawn together: (columns, rows)."""


class Tile:
    """One tile's image, and whether the cards' names have been drawn on it yet."""

    __slots__ = ("image", "named")

    def __init__(self, image: QImage, named: bool) -> None:
        self.image = image
        self.named = named


class TileCache:
    """Tiles by key, at most ``memory_limit`` bytes of them (beyond the tiles in use), least recently used first out."""

    def __init__(self, memory_limit: int = MEMORY_LIMIT) -> None:
        self.memory_limit = memory_limit
        self._tiles: OrderedDict[TileKey, Tile] = OrderedDict()
        self._bytes = 0
        self._per_scale: Counter[float] = Counter()

    def __len__(self) -> int:
        return len(self._tiles)

    @property
    def size_in_bytes(self) -> int:
        """The bytes of all the tiles' images."""
        return self._bytes

    def scales(self) -> list[float]:
        """The scales of the tiles kept."""
        return list(self._per_scale)

    def get(self, key: TileKey) -> Tile | None:
        """The tile, marked as just used (None: not cached)."""
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
        return tile

    def peek(self, key: TileKey) -> Tile | None:
        """The tile, without marking it as used (None: not cached)."""
        return self._tiles.get(key)

    def add(self, key: TileKey, tile: Tile) -> None:
        """Keep ``tile`` (replacing any tile of that key)."""
        self.discard(key)
        self._tiles[key] = tile
        self._bytes += tile.image.sizeInBytes()
        self._per_scale[key[0]] += 1

    def discard(self, key: TileKey) -> None:
        """Forget the tile of ``key``, if any."""
        tile = self._tiles.pop(key, None)
        if tile is not None:
            self._bytes -= tile.image.sizeInBytes()
            self._per_scale[key[0]] -= 1
            if not self._per_scale[key[0]]:
                del self._per_scale[key[0]]

    def clear(self) -> None:
        """Forget every tile."""
        self._tiles.clear()
        self._bytes = 0
        self._per_scale.clear()

    def trim(self, in_use: set[TileKey]) -> None:
        """Forget the least recently used tiles not ``in_use`` until the cache is back within its memory limit."""
        for key in list(self._tiles):
            if self._bytes <= self.memory_limit:
                return
            if key not in in_use:
                self.discard(key)


def tiles_under(area: QRect) -> Block:
    """The columns and rows of the tiles that ``area`` (picture pixels) meets."""
    if area.isEmpty():
        return range(0), range(0)
    return (range(math.floor(area.left() / TILE), math.floor(area.right() / TILE) + 1),
            range(math.floor(area.top() / TILE), math.floor(area.bottom() / TILE) + 1))


def blocks_of(missing: list[tuple[int, int]]) -> list[Block]:
    """``missing`` tiles (column, row) grouped into rectangles of adjacent tiles: runs along each row, merged with
    the same run of the rows below."""
    runs: list[tuple[int, int, int]] = []  # (first column, last column, row)
    for column, row in sorted(missing, key=lambda tile: (tile[1], tile[0])):
        if runs and runs[-1][2] == row and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column, row)
        else:
            runs.append((column, column, row))
    open_blocks: dict[tuple[int, int], tuple[int, int]] = {}  # (first, last column) -> (first row, last row)
    blocks: list[Block] = []
    for first, last, row in runs:
        rows = open_blocks.get((first, last))
        if rows is not None and rows[1] == row - 1:
            open_blocks[(first, last)] = (rows[0], row)
            continue
        if rows is not None:
            blocks.append((range(first, last + 1), range(rows[0], rows[1] + 1)))
        open_blocks[(first, last)] = (row, row)
    blocks.extend((range(first, last + 1), range(rows[0], rows[1] + 1)) for (first, last), rows in open_blocks.items())
    return blocks


def bands_of(blocks: list[Block], most: int, pieces: int = 1) -> list[Block]:
    """``blocks`` cut across their longer side into bands of about ``most`` tiles: whole rows (or columns) when
    one fits, else parts of one, at most ``pieces`` to a row (a band draws every edge crossing it, so that
    fewer, bigger bands draw faster in all)."""
    bands: list[Block] = []
    for columns, rows in blocks:
        across, along = (columns, rows) if len(columns) >= len(rows) else (rows, columns)
        if most >= len(across):
            step = most // len(across)
            cuts = [(across, along[start:start + step]) for start in range(0, len(along), step)]
        else:
            width = max(most, math.ceil(len(across) / pieces))
            cuts = [(across[start:start + width], along[index:index + 1])
                    for index in range(len(along)) for start in range(0, len(across), width)]
        bands.extend(cuts if across is columns else [(band_columns, band_rows) for band_rows, band_columns in cuts])
    return bands
