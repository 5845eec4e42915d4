"""Overlays computed off the GUI thread on a snapshot of the model, one at a time, the newest request winning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.overlays import OverlayResult, what_can_overlay, who_can_overlay
from iam_desktop.gui.workers import start_kept
from iam_desktop.model import Change, ChangeKind
from iam_desktop.model.callers import AuthorizationError

if TYPE_CHECKING:
    from iam_desktop.graph import AccessGraph

OverlayRequest = tuple[str, str]
"""("what", principal id) or ("who", resource id)."""


class _OverlayThread(QThread):
    """Computes one overlay with a graph no other thread uses while it runs."""

    done = Signal(object, int, object)
    """(request, snapshot generation, OverlayResult or the message of an AuthorizationError)."""

    def __init__(self, graph: AccessGraph, request: OverlayRequest, generation: int) -> None:
        super().__init__()
        self._graph = graph
        self._request = request
        self._generation = generation

    def run(self) -> None:
        """Compute (Qt override; runs in the thread)."""
        mode, subject = self._request
        try:
            result: OverlayResult | str = (what_can_overlay if mode == "what" else who_can_overlay)(self._graph, subject)
        except AuthorizationError as error:
            result = f"Cannot compute the overlay: {error}"
        self.done.emit(self._request, self._generation, result)


class OverlayRunner(QObject):
    """Runs overlay requests in a background thread on a copy of the document's model.

    The copy and its access graph are kept (warm caches) until the model changes. One request runs at a
    time; a request made meanwhile waits, replacing any other waiting one. A result is given only when it
    answers the latest request on the current model; others are dropped.

    Signals
    -------
    computed(object, object)
        The request and its OverlayResult, or a message saying why it cannot be computed.
    """

    computed = Signal(object, object)

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._graph: AccessGraph | None = None
        self._generation = 0
        self._latest: OverlayRequest | None = None
        self._waiting: OverlayRequest | None = None
        self._running: _OverlayThread | None = None
        document.changed.connect(self._on_changed)

    def request(self, request: OverlayRequest) -> None:
        """Compute ``request`` as soon as the running one (if any) is done."""
        self._latest = self._waiting = request
        self._start_waiting()

    def forget(self) -> None:
        """Give no result for the requests made so far (those running finish unseen)."""
        self._latest = self._waiting = None

    def is_running(self) -> bool:
        """True while an overlay is being computed."""
        return self._running is not None

    def _start_waiting(self) -> None:
        if self._running is not None or self._waiting is None:
            return
        if self._graph is None:
            from iam_desktop.graph import AccessGraph  # in the GUI thread: importing in a thread can hang

            self._graph = AccessGraph(self.document.workspace.copy())
        self._running = thread = _OverlayThread(self._graph, self._waiting, self._generation)
        self._waiting = None
        thread.done.connect(self._on_done)
        start_kept(thread)

    def _on_done(self, request: OverlayRequest, generation: int, result: OverlayResult | str) -> None:
        self._running = None
        if generation == self._generation and request == self._latest:
            self.computed.emit(request, result)
        self._start_waiting()

    def _on_changed(self, change: Change) -> None:
        if change.kind is not ChangeKind.PLACED:
            self._generation += 1
            self._graph = None  # the next request copies the changed model
