"""The main window: canvas in the middle, palette, legend, undo history and panels around it, menus and toolbar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QCompleter, QDockWidget, QLabel, QLineEdit, QMainWindow, QMenu, QUndoView, QWidget,
)

from iam_desktop.formats.model_file import MODEL_SUFFIX
from iam_desktop.gui.autosave import Autosaver
from iam_desktop.gui.canvas_actions import CanvasActions
from iam_desktop.gui.context_menu import show_canvas_menu
from iam_desktop.gui.document import Document
from iam_desktop.gui.file_actions import FileActions
from iam_desktop.gui.legend import EdgeLegend
from iam_desktop.gui.palette import NodePalette
from iam_desktop.gui.scene import CanvasScene
from iam_desktop.gui.view import CanvasView
from iam_desktop.gui.window_menus import build_menus

if TYPE_CHECKING:
    from iam_desktop.gui.panels.question import QuestionPanel

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """One document in one window.

    Parameters
    ----------
    document
        The document to show and edit.
    autosave_interval_ms
        How often unsaved changes are written to the recovery file.
    """

    def __init__(self, document: Document, autosave_interval_ms: int = 30_000) -> None:
        super().__init__()
        self.document = document
        document.setParent(self)
        self.scene = CanvasScene(document, self)
        self.view = CanvasView(self.scene, self)
        self.setCentralWidget(self.view)
        self.canvas_actions = CanvasActions(self.scene, self.view, self)
        self.files = FileActions(self)
        self.autosaver = Autosaver(document, autosave_interval_ms, self)
        self.palette_widget = NodePalette()
        self.palette_widget.entry_activated.connect(self.canvas_actions.create_in_view)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.palette_dock = self._dock("Palette", self.palette_widget, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.legend_dock = self._dock("Legend", EdgeLegend(), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.history_view = QUndoView(document.undo_stack)
        self.history_view.setEmptyLabel("<opened model>")
        self.history_dock = self._dock("Undo History", self.history_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.panel_docks = self._add_panels()
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Find a node by name or ARN (Ctrl+F)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMaximumWidth(320)
        self.search_field.returnPressed.connect(self._on_search)
        self._completer = QCompleter([], self.search_field)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search_field.setCompleter(self._completer)
        self.zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.actions_by_name = build_menus(self)
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self._docks_sized = False
        self.scene.status_message.connect(self._on_status_message)
        document.error.connect(self._on_status_message)
        document.file_changed.connect(self._update_title)
        document.changed.connect(self._on_model_changed)
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self.view.context_menu_requested.connect(self._on_context_menu_requested)
        self.canvas_menu: QMenu | None = None
        self._update_title()
        self._update_zoom_label()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _add_panels(self) -> list[QDockWidget]:
        """The inspector, policy editor, question and matrix panels, when the panels package provides them."""
        try:
            from iam_desktop.gui.panels import create_panels
        except ImportError as exc:
            log.info("no panels: %s", exc)
            return []
        docks = []
        for title, widget, area in create_panels(self.document, self):
            docks.append(self._dock(title, widget, area))
        for area in (Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea):
            same = [d for d in docks if self.dockWidgetArea(d) == area]
            if area == Qt.DockWidgetArea.RightDockWidgetArea and same:
                same.append(self.history_dock)
            for dock in same[1:]:
                self.tabifyDockWidget(same[0], dock)
            if same:
                same[0].raise_()
        return docks

    def showEvent(self, event: QShowEvent) -> None:
        """The first time, give the docks sensible sizes (unless a saved layout was restored) (Qt override)."""
        super().showEvent(event)
        if not self._docks_sized:
            self._docks_sized = True
            self._size_docks()

    def _size_docks(self) -> None:
        """Leave most of the window to the canvas: a slim palette column and a low bottom area."""
        legend_height = self.legend_dock.widget().minimumHeight() + 30
        self.resizeDocks([self.palette_dock], [230], Qt.Orientation.Horizontal)
        self.resizeDocks([self.palette_dock, self.legend_dock], [self.height() - legend_height, legend_height],
                         Qt.Orientation.Vertical)
        bottom = [d for d in self.panel_docks if self.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
        if bottom:
            self.resizeDocks(bottom[:1], [max(260, self.height() * 7 // 20)], Qt.Orientation.Vertical)
        right = [d for d in self.panel_docks if self.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
        if right:
            self.resizeDocks(right[:1], [max(360, self.width() * 13 // 50)], Qt.Orientation.Horizontal)

    def question_panel(self) -> QuestionPanel | None:
        """The question panel, when the panels are available."""
        widget = next((d.widget() for d in self.panel_docks if d.widget().objectName() == "QuestionPanel"), None)
        return cast("QuestionPanel | None", widget)

    def _on_context_menu_requested(self, global_pos: QPoint, entity_id: object) -> None:
        show_canvas_menu(self, global_pos, entity_id if isinstance(entity_id, str) else None)

    # ----- title, status ---------------------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — IAM Desktop")
        self.setWindowModified(self.document.is_modified())
        self.setWindowFilePath(str(self.document.path) if self.document.path else "")

    def _on_status_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_model_changed(self, _change: object) -> None:
        self._update_zoom_label()

    def _on_zoom_changed(self, _factor: float) -> None:
        self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(f"{round(self.view.zoom_factor() * 100)} %  ·  {len(self.document.workspace)} nodes")

    def set_connect_tool(self, on: bool) -> None:
        """Turn the Connect tool on (every drag from a node draws an edge) or off."""
        self.scene.interaction.connect_tool = on
        if on:
            self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.view.viewport().unsetCursor()
        self.statusBar().showMessage("Connect tool: drag from one node to another." if on else "", 5000)

    # ----- search ----------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        """Put the cursor in the search field, with fresh completions."""
        self._completer.model().setStringList(self.canvas_actions.search_candidates())  # type: ignore[attr-defined]
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _on_search(self) -> None:
        if self.canvas_actions.search(self.search_field.text()):
            self.view.setFocus()

    # ----- files -----------------------------------------------------------------------------------------
    def remember_recent(self, path: Path) -> None:
        """Add ``path`` to the recent files, when settings are available."""
        try:
            from iam_desktop.gui.settings import AppSettings
        except ImportError:
            return
        AppSettings().add_recent_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept model files dropped on the window (Qt override)."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the first dropped model file (Qt override)."""
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            path = next((p for p in paths if p.name.endswith(MODEL_SUFFIX)), paths[0])
            self.files.open_path(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes; a clean close removes the recovery file (Qt override)."""
        if not self.files.maybe_save():
            event.ignore()
            return
        self.autosaver.clear()
        self.autosaver.release()
        self._save_geometry()
        event.accept()

    def _save_geometry(self) -> None:
        try:
            from iam_desktop.gui.settings import AppSettings
        except ImportError:
            return
        settings = AppSettings()
        settings.set_window_geometry(self.saveGeometry())
        settings.set_window_state(self.saveState())

    def restore_geometry(self) -> None:
        """Restore the window's size, position and dock layout from the settings; the first time, open maximised."""
        try:
            from iam_desktop.gui.settings import AppSettings
        except ImportError:
            return
        settings = AppSettings()
        geometry, state = settings.window_geometry(), settings.window_state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.setGeometry(self.screen().availableGeometry())  # where no window manager maximises
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        if state is not None and self.restoreState(state):
            self._docks_sized = True
