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
"""The longest edges are filed or cards' texts laid out at a time (events wait meanwhile)."""
STILL_FOR_MS = 250
"""While the view moves (scrolls, zooms), preparation waits until it has been still for this long: its frames
come first."""
SPARED_FROM_ENTITIES = 2000
"""From this many entities on, the model and its items are spared the garbage collector's walks while shown."""


class CloseUpPreparation(QObject):
    """Does for a new canvas, ahead of its first close-up, what that close-up would otherwise wait for.

    The items of a big model are built and first shown far zoomed out, where neither Qt's item index, nor the
    edge layer's grid, nor the cards' texts are needed. ``PREPARE_AFTER_MS`` after events flow again (after the
    first paint) it files the edges, builds the index (Qt builds it at once: ~60 ms for the large benchmark
    model) and lays out the cards' texts, in slices of ``PREPARE_SLICE_S`` while events flow.

    For a big model (``SPARED_FROM_ENTITIES``) the objects alive (the model, its items and their indexes:
    millions) are spared the cyclic garbage collector's walks (:func:`spare_long_lived`) until the next build,
    from the build on and after each slice: the collector walked them twice (0.3 s each) while the texts were
    laid out, and once (0.1 s) to age the objects built while it was paused.
    """

    def __init__(self, scene: CanvasScene) -> None:
        super().__init__(scene)
        self._scene = scene
        self._cards: list[NodeItem] = []
        self._indexed = False
        self._busy = False
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(PREPARE_AFTER_MS)
        self._delay.timeout.connect(self.prepare_now)
        self._slices = QTimer(self)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._prepare_some)
        self._held = QTimer(self)
        self._held.setSingleShot(True)
        self._held.setInterval(STILL_FOR_MS)
        self._held.timeout.connect(self._slices.start)

    def start(self) -> None:
        """Prepare the canvas built just now, once events have flowed for ``PREPARE_AFTER_MS``."""
        self.cancel()
        self._busy = True
        self._spare_if_big()
        QTimer.singleShot(0, self._delay, self._delay.start)  # counted from when events flow again

    def cancel(self) -> None:
        """Stop preparing (the canvas is being rebuilt)."""
        self._busy = False
        self._delay.stop()
        self._slices.stop()
        self._held.stop()
        self._cards = []

    def hold(self) -> None:
        """The view moved: pause until it has been still for ``STILL_FOR_MS``."""
        if self._delay.isActive():
            self._delay.start()
        elif self._slices.isActive() or self._held.isActive():
            self._slices.stop()
            self._held.start()

    def cards_left(self) -> int:
        """How many cards' texts are still to be laid out."""
        return len(self._cards)

    def is_busy(self) -> bool:
        """True while preparation is pending or under way."""
        return self._busy

    def prepare_now(self) -> None:
        """Start filing the edges, then build the item index and lay out the cards' texts, a slice at a time."""
        self._busy, self._indexed = True, False
        self._cards = [item for item in self._scene.entity_items().values() if isinstance(item, NodeItem)]
        self._slices.start()

    def _prepare_some(self) -> None:
        """One slice: edges to file, else the item index (built at once by Qt), else cards' texts to lay out; what
        it made is spared the collector's walks at once (a big model)."""
        until = time.perf_counter() + PREPARE_SLICE_S
        if not self._scene.edge_layer.file_some(until):
            self._spare_if_big()
            return
        if not self._indexed:
            self._scene.items(QRectF(0.0, 0.0, 1.0, 1.0))
            self._indexed = True
            return
        font = QApplication.font()
        while self._cards and time.perf_counter() < until:
            self._cards.pop().prepare_text(font)
        self._spare_if_big()
        if not self._cards:
            self._slices.stop()
            self._busy = False

    def _spare_if_big(self) -> None:
        if len(self._scene.entity_items()) >= SPARED_FROM_ENTITIES:
            spare_long_lived()
