"""Edit operations on the canvas selection: delete, copy, paste, duplicate, select all, search, auto layout."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QObject, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from iam_desktop.gui.clipboard import CLIPBOARD_MIME, copy_to_json, paste_from_json
from iam_desktop.gui.commands import AddEntitiesCommand, DisconnectCommand, MoveEntitiesCommand, RemoveEntitiesCommand
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.layout import compute_layout
from iam_desktop.gui.scene import CanvasScene
from iam_desktop.gui.view import CanvasView
from iam_desktop.model import ModelError

PASTE_OFFSET = 30.0


class CanvasActions(QObject):
    """What the Edit and View menus do to the canvas; every change is one undoable step."""

    def __init__(self, scene: CanvasScene, view: CanvasView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.view = view
        self.document = scene.document
        self._pastes = 0
        self._last_clip = ""

    # ----- delete ----------------------------------------------------------------------------------------
    def delete_selection(self) -> None:
        """Delete the selected nodes and frames (with their contents) and disconnect the selected edges."""
        ids = self.scene.selected_entity_ids()
        edges = [e for e in self.scene.selected_edges() if e.source not in ids and e.target not in ids]
        if not ids and not edges:
            self.scene.status_message.emit("Nothing selected to delete.")
            return
        workspace, stack = self.document.workspace, self.document.undo_stack
        stack.beginMacro(f"Delete {len(ids) + len(edges)} item(s)")
        try:
            for edge in edges:
                try:
                    self.document.push(DisconnectCommand(workspace, edge))
                except ModelError as exc:
                    self.document.error.emit(str(exc))
            if ids:
                self.document.push(RemoveEntitiesCommand(workspace, ids))
        finally:
            stack.endMacro()

    # ----- clipboard -------------------------------------------------------------------------------------
    def copy_selection(self) -> bool:
        """Put the selected entities on the clipboard as JSON (also as text); False when nothing is selected."""
        ids = self.scene.selected_entity_ids()
        if not ids:
            self.scene.status_message.emit("Select nodes to copy.")
            return False
        ids = self.scene.interaction.with_contents(ids)
        text = copy_to_json(self.document.workspace, ids)
        data = QMimeData()
        data.setData(CLIPBOARD_MIME, text.encode())
        data.setText(text)
        QGuiApplication.clipboard().setMimeData(data)
        self._last_clip, self._pastes = text, 0
        self.scene.status_message.emit(f"Copied {len(ids)} item(s).")
        return True

    def paste(self) -> list[str]:
        """Add copies of the clipboard's entities, offset from the originals; returns the new ids (selected)."""
        data = QGuiApplication.clipboard().mimeData()
        if data is not None and data.hasFormat(CLIPBOARD_MIME):
            text = bytes(data.data(CLIPBOARD_MIME).data()).decode()
        else:
            text = data.text() if data is not None else ""
        if text != self._last_clip:
            self._last_clip, self._pastes = text, 0
        self._pastes += 1
        return self._paste_text(text, PASTE_OFFSET * self._pastes)

    def duplicate(self) -> list[str]:
        """Copy the selection and paste it at once (the clipboard keeps what it held)."""
        ids = self.scene.selected_entity_ids()
        if not ids:
            self.scene.status_message.emit("Select nodes to duplicate.")
            return []
        text = copy_to_json(self.document.workspace, self.scene.interaction.with_contents(ids))
        return self._paste_text(text, PASTE_OFFSET)

    def _paste_text(self, text: str, offset: float) -> list[str]:
        try:
            entities, placements = paste_from_json(self.document.workspace, text, offset)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            self.scene.status_message.emit("The clipboard holds no IAM Desktop nodes to paste.")
            return []
        if not entities:
            self.scene.status_message.emit("Nothing to paste (service principals exist only once).")
            return []
        if not self.document.push(AddEntitiesCommand(self.document.workspace, entities, placements,
                                                     f"Paste {len(entities)} item(s)")):
            return []
        ids = [e.id for e in entities]
        self.document.select(ids)
        return ids

    # ----- selection and search --------------------------------------------------------------------------
    def select_all(self) -> None:
        """Select every node and frame."""
        self.document.select(list(self.document.workspace.entities))

    def search(self, text: str) -> str | None:
        """Select and show the entity named ``text`` (id, ARN or name; else the first containing it).

        Returns
        -------
        str or None
            The id found; None (and a status message) when nothing matches.
        """
        query = text.strip()
        if not query:
            return None
        workspace = self.document.workspace
        found = workspace.find(query)
        entity_id = found.id if found is not None else None
        if entity_id is None:
            lowered = query.lower()
            entity_id = next((i for i, e in workspace.entities.items()
                              if lowered in e.name.lower() or lowered in workspace.arn_of(i).lower()), None)
        if entity_id is None:
            self.scene.status_message.emit(f"No node matches {query!r}.")
            return None
        self.document.select([entity_id])
        self.view.reveal(entity_id)
        item = self.scene.entity_item(entity_id)
        if isinstance(item, NodeItem):
            item.setFocus()
        self.scene.status_message.emit(f"Found {workspace.get(entity_id).name}.")
        return entity_id

    def search_candidates(self) -> list[str]:
        """Names and ARNs to offer while typing in the search field."""
        workspace = self.document.workspace
        names = [e.name for e in workspace.entities.values()]
        return sorted(set(names) | {workspace.arn_of(i) for i in workspace.entities})

    # ----- layout ----------------------------------------------------------------------------------------
    def auto_layout(self) -> None:
        """Place every entity by the automatic layout, as one undoable step, and show the result."""
        workspace = self.document.workspace
        if not len(workspace):
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            new = compute_layout(workspace)
            old = {i: workspace.placements.get(i) for i in new}
            self.document.push(MoveEntitiesCommand(workspace, new, old, "Automatic layout"))
        finally:
            QApplication.restoreOverrideCursor()
        self.view.fit_all()

    def create_in_view(self, key: str) -> str | None:
        """Create a palette entry at the centre of the visible canvas (palette double-click)."""
        center = self.view.mapToScene(self.view.viewport().rect().center())
        return self.scene.interaction.create_at(key, QPointF(center))
