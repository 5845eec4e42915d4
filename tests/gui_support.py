"""Helpers shared by the GUI tests."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from iam_desktop.gui.document import Document
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Workspace


def discard_changes(main: MainWindow) -> None:
    """Closing a test window must not ask about unsaved changes."""
    main.document.undo_stack.setClean()


def shown_window(qtbot: QtBot, workspace: Workspace, zoom: float, size: tuple[int, int] = (1300, 850)) -> MainWindow:
    """A main window on ``workspace``, shown at ``size`` and ``zoom``; closing it discards the changes."""
    main = MainWindow(Document(workspace))
    qtbot.addWidget(main, before_close_func=discard_changes)
    main.resize(*size)
    main.show()
    qtbot.waitExposed(main)
    main.view.set_zoom(zoom)
    return main


def shot(window: MainWindow) -> QImage:
    """The canvas as it paints now (a fresh paint of its viewport)."""
    return window.view.viewport().grab().toImage()


def color_at(window: MainWindow, image: QImage, scene_point: QPointF) -> QColor:
    """The colour of ``image`` (a shot of the canvas) where ``scene_point`` shows."""
    return image.pixelColor(window.view.mapFromScene(scene_point))
