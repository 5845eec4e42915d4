"""Background threads kept referenced while they run, and cancelled (when they can be) and awaited when the app quits."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QThread

_RUNNING: set[QThread] = set()
_QUIT_HOOKED: list[QCoreApplication] = []


@runtime_checkable
class Cancellable(Protocol):
    """A worker that can be asked to stop early."""

    def cancel(self) -> None:
        """Ask the work to stop soon."""


def start_kept(thread: QThread) -> None:
    """Start ``thread``, holding a reference to it until it finishes (so it is never destroyed while running);
    when the app quits, it is cancelled if it can be, and awaited."""
    app = QCoreApplication.instance()
    if app is not None and app not in _QUIT_HOOKED:
        app.aboutToQuit.connect(stop_all)
        _QUIT_HOOKED.append(app)
    _RUNNING.add(thread)
    thread.finished.connect(lambda: _RUNNING.discard(thread))
    thread.start()


def stop_all() -> None:
    """Cancel every running background thread that can be cancelled, and wait for all of them."""
    for thread in list(_RUNNING):
        if isinstance(thread, Cancellable):
            thread.cancel()
        thread.wait()
