"""Prepares a freshly built canvas for close-ups while events flow: item index, edge grid and card texts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtWidgets import QApplication

from iam_desktop.gui.collector import spare_long_lived
from iam_desktop.gui.items.node import NodeItem

if TYPE_CHECKING:
    from iam_desktop.gui.scene import CanvasScene

PREPARE_AFTER_MS = 300
"""How long after the items are built and events flow again the preparation starts."""
PREPARE_SLICE_S = 0.004
"""The longest the cards' texts are laid out at a time (events wait meanwhile)."""
SPARED_FROM_ENTITIES = 2000
"""From this many entities on, the model and its items are spared the garbage collector's walks while shown."""


class CloseUpPreparation(QObject):
    """Does for a new canvas, ahead of its first close-up, what that close-up would otherwise wait for.

    The items of a big model are built and first shown far zoomed out, where neither Qt's item index, nor the
    edge layer's grid, nor the cards' texts are needed. ``PREPARE_AFTER_MS`` after events flow again (after the
    first paint) it builds the index and files the edges at once, then lays out the cards' texts in slices of
    ``PREPARE_SLICE_S``. When all is done for a big model (``SPARED_FROM_ENTITIES``), the objects alive then (the
    model, its items and their indexes: millions) are spared the cyclic garbage collector's walks
    (:func:`spare_long_lived`) until the next build.
    """

    def __init__(self, scene: CanvasScene) -> None:
        super().__init__(scene)
        self._scene = scene
        self._cards: list[NodeItem] = []
        self._busy = False
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(PREPARE_AFTER_MS)
        self._delay.timeout.connect(self.prepare_now)
        self._slices = QTimer(self)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._lay_out_some_cards)

    def start(self) -> None:
        """Prepare the canvas built just now, once events have flowed for ``PREPARE_AFTER_MS``."""
        self.cancel()
        self._busy = True
        QTimer.singleShot(0, self._delay, self._delay.start)  # counted from when events flow again

    def cancel(self) -> None:
        """Stop preparing (the canvas is being rebuilt)."""
        self._busy = False
        self._delay.stop()
        self._slices.stop()
        self._cards = []

    def is_busy(self) -> bool:
        """True while preparation is pending or under way."""
        return self._busy

    def prepare_now(self) -> None:
        """Build the item index and file the edges now, then start laying out the cards' texts."""
        scene = self._scene
        scene.edge_layer.file_all()
        scene.items(QRectF(0.0, 0.0, 1.0, 1.0))
        self._cards = [item for item in scene.entity_items().values() if isinstance(item, NodeItem)]
        self._slices.start()

    def _lay_out_some_cards(self) -> None:
        font = QApplication.font()
        until = time.perf_counter() + PREPARE_SLICE_S
        while self._cards and time.perf_counter() < until:
            self._cards.pop().prepare_text(font)
        if not self._cards:
            self._slices.stop()
            self._busy = False
            if len(self._scene.entity_items()) >= SPARED_FROM_ENTITIES:
                spare_long_lived()
