"""A wait cursor (and a status-bar note) around work done in the GUI thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget


@contextmanager
def busy(widget: QWidget | None = None, message: str = "") -> Iterator[None]:
    """Show a wait cursor (and ``message`` in the status bar of ``widget``'s main window) while the body runs."""
    window = widget.window() if widget is not None else None
    bar = window.statusBar() if isinstance(window, QMainWindow) and message else None
    if bar is not None:
        bar.showMessage(message)
        bar.repaint()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        if bar is not None and bar.currentMessage() == message:
            bar.clearMessage()
