"""Canvas gestures turned into commands: move, resize, connect, drop from the palette, nudge with arrow keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QPen
from PySide6.QtWidgets import (
    QGraphicsLineItem, QGraphicsSceneDragDropEvent, QGraphicsSceneMouseEvent, QMenu,
)

from iam_desktop.gui.commands import AddEntitiesCommand, ConnectCommand, MoveEntitiesCommand
from iam_desktop.gui.creation import MIME_TYPE, create_from_palette
from iam_desktop.gui.items.edge import EDGE_STYLES, EdgeItem
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.model import Account, ModelError, OrgUnit, Placement
from iam_desktop.model.edges import EDGE_LABELS, EdgeKind, allowed_edge_kinds, refusal_reason

if TYPE_CHECKING:
    from iam_desktop.gui.scene import CanvasScene

EntityItem = Union[NodeItem, FrameItem]
GRID = 10.0
NUDGE = 10.0
_DRAG_THRESHOLD = 3.0
_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


def snap(value: float) -> float:
    """``value`` rounded to the canvas grid."""
    return round(value / GRID) * GRID


class CanvasInteraction:
    """The gesture state machine of one scene; it reads the model and pushes commands, never edits items' model.

    ``connect_tool`` (the Connect tool, key C) makes every drag from a node draw an edge; without it, drag
    from a node's round handle or hold Shift. ``snap_to_grid`` aligns moved and resized items to a 10-pixel grid.
    """

    def __init__(self, scene: CanvasScene) -> None:
        self.scene = scene
        self.connect_tool = False
        self.snap_to_grid = True
        self.edge_menu: QMenu | None = None
        self._mode = ""
        self._press_pos = QPointF()
        self._press_item: EntityItem | None = None
        self._was_selected = False
        self._moved = False
        self._start: dict[str, QPointF] = {}
        self._start_size = (0.0, 0.0)
        self._line: QGraphicsLineItem | None = None

    def connect_line(self) -> QGraphicsLineItem | None:
        """The line drawn while connecting (None when no connect gesture is under way)."""
        return self._line

    # ----- mouse -----------------------------------------------------------------------------------------
    def press(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Begin a gesture on a left press over a node or frame; False lets the scene handle the event."""
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        item = self._entity_item_at(event.scenePos())
        if item is None:
            return False
        local = item.mapFromScene(event.scenePos())
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self.connect_tool or shift or (isinstance(item, NodeItem) and item.on_handle(local)):
            self._begin_connect(item, event.scenePos())
            return True
        self._press_pos, self._press_item, self._moved = event.scenePos(), item, False
        if isinstance(item, FrameItem) and item.on_grip(local):
            self._mode, self._start_size = "resize", item.size()
            return True
        self._was_selected = item.isSelected()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            item.setSelected(not item.isSelected())
        elif not item.isSelected():
            self.scene.clearSelection()
            item.setSelected(True)
        self._mode = "move"
        self._start = {i: self.scene.entity_items()[i].pos() for i in self._moving_ids()}
        return True

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Follow the mouse during a gesture."""
        if self._mode == "connect" and self._line is not None:
            line = self._line.line()
            self._line.setLine(QLineF(line.p1(), event.scenePos()))
            self.scene.note_drawing_changed()
            return True
        if self._mode not in ("move", "resize"):
            return False
        delta = event.scenePos() - self._press_pos
        if not self._moved and abs(delta.x()) + abs(delta.y()) < _DRAG_THRESHOLD:
            return True
        self._moved = True
        if self._mode == "resize":
            assert isinstance(self._press_item, FrameItem)
            width, height = self._start_size[0] + delta.x(), self._start_size[1] + delta.y()
            if self.snap_to_grid:
                width, height = snap(width), snap(height)
            self._press_item.set_size(width, height)
            self.scene.note_items_moved()
            return True
        if self._press_item is not None and self._press_item.entity_id in self._start and self.snap_to_grid:
            lead = self._start[self._press_item.entity_id]
            delta = QPointF(snap(lead.x() + delta.x()) - lead.x(), snap(lead.y() + delta.y()) - lead.y())
        items = self.scene.entity_items()
        for entity_id, start in self._start.items():
            items[entity_id].move_to(start + delta)
        self.scene.note_items_moved()
        return True

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Finish a gesture with one command."""
        mode, self._mode = self._mode, ""
        if mode == "connect":
            self._finish_connect(event.scenePos())
            return True
        if mode == "resize":
            if self._moved and self._press_item is not None:
                self._push_placements([self._press_item.entity_id], "Resize")
            return True
        if mode != "move":
            return False
        if self._moved:
            self._push_placements(list(self._start), "Move")
        elif (self._press_item is not None and self._was_selected
              and not event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.scene.clearSelection()
            self._press_item.setSelected(True)
        self._start = {}
        return True

    def double_click(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Ask the policy editor to open the double-clicked node's policy."""
        item = self._entity_item_at(event.scenePos())
        if isinstance(item, NodeItem):
            self.scene.document.open_in_editor(item.entity_id, None, None)
            return True
        return False

    # ----- keys ------------------------------------------------------------------------------------------
    def key_press(self, event: QKeyEvent) -> bool:
        """Arrow keys nudge the selection (one merged undo step); Esc cancels or clears the highlight."""
        if event.key() == Qt.Key.Key_Escape:
            if self._mode == "connect":
                self._end_connect()
                self._mode = ""
            elif self.scene.document.highlight is not None:
                self.scene.document.set_highlight(None)
            else:
                self.scene.clearSelection()
            return True
        direction = _ARROWS.get(Qt.Key(event.key()))
        ids = self.scene.selected_entity_ids()
        if direction is None or not ids:
            return False
        step = 1.0 if event.modifiers() & Qt.KeyboardModifier.AltModifier else NUDGE
        ids = self.with_contents(ids)
        new = {}
        for entity_id in ids:
            placement = self.scene.placement_of(entity_id)
            new[entity_id] = Placement(placement.x + direction[0] * step, placement.y + direction[1] * step,
                                       placement.width, placement.height)
        workspace = self.scene.document.workspace
        self.scene.document.push(MoveEntitiesCommand(
            workspace, new, {i: workspace.placements.get(i) for i in ids}, "Nudge", nudge=True))
        return True

    # ----- drops from the palette ------------------------------------------------------------------------
    def drag_enter(self, event: QGraphicsSceneDragDropEvent) -> None:
        """Accept drags that carry a palette entry."""
        event.setAccepted(event.mimeData().hasFormat(MIME_TYPE))
        if event.isAccepted():
            event.acceptProposedAction()

    def drop(self, event: QGraphicsSceneDragDropEvent) -> None:
        """Create the dropped entry: one AddEntitiesCommand (with a default account when there is none)."""
        if not event.mimeData().hasFormat(MIME_TYPE):
            event.ignore()
            return
        event.acceptProposedAction()
        key = bytes(event.mimeData().data(MIME_TYPE).data()).decode()
        self.create_at(key, event.scenePos())

    def create_at(self, key: str, point: QPointF) -> str | None:
        """Create the palette entry ``key`` centred on scene ``point``; returns the new entity's id."""
        scene, document = self.scene, self.scene.document
        creation = create_from_palette(
            document.workspace, key, point.x(), point.y(),
            lambda x, y: scene.frame_at(QPointF(x, y), Account), lambda x, y: scene.frame_at(QPointF(x, y), OrgUnit))
        if creation.refusal:
            scene.status_message.emit(creation.refusal)
            return None
        if self.snap_to_grid:
            creation.placements = {i: Placement(snap(p.x), snap(p.y), p.width, p.height)
                                   for i, p in creation.placements.items()}
        if not document.push(AddEntitiesCommand(document.workspace, creation.entities, creation.placements)):
            return None
        document.select([creation.selected])
        name = document.workspace.get(creation.selected).name
        scene.status_message.emit(f"Added {name}: rename it in the Inspector; drag its round handle to connect it.")
        return creation.selected

    # ----- connecting ------------------------------------------------------------------------------------
    def _begin_connect(self, item: EntityItem, point: QPointF) -> None:
        self._mode, self._press_item = "connect", item
        center = item.mapRectToScene(item.body_rect()).center()
        self._line = QGraphicsLineItem(QLineF(center, point))
        pen = QPen(self.scene.palette().highlight().color(), 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)  # as wide when zoomed far out
        self._line.setPen(pen)
        self._line.setZValue(10.0)
        self.scene.addItem(self._line)
        self.scene.note_drawing_changed()

    def _end_connect(self) -> None:
        if self._line is not None:
            self.scene.removeItem(self._line)
            self._line = None
            self.scene.note_drawing_changed()

    def _finish_connect(self, point: QPointF) -> None:
        self._end_connect()
        source = self._press_item
        target = self._entity_item_at(point, include_frame_bodies=True)
        if source is None or target is None or target is source:
            self.scene.status_message.emit("To connect, release the drag over another node.")
            return
        self.connect_items(source.entity_id, target.entity_id)

    def connect_items(self, source_id: str, target_id: str) -> None:
        """Connect two entities: refused (status message), one ConnectCommand, or a menu of the possible kinds."""
        workspace = self.scene.document.workspace
        source, target = workspace.get(source_id), workspace.get(target_id)
        kinds = allowed_edge_kinds(source, target)
        if not kinds:
            self.scene.status_message.emit(refusal_reason(source, target))
        elif len(kinds) == 1:
            self._push_connect(kinds[0], source_id, target_id)
        else:
            self._offer_kinds(kinds, source_id, target_id)

    def _offer_kinds(self, kinds: list[EdgeKind], source_id: str, target_id: str) -> None:
        views = self.scene.views()
        if not views:
            return
        view = views[0]
        menu = QMenu(view)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for kind in kinds:
            action = menu.addAction(EDGE_LABELS[kind].capitalize())
            action.setToolTip(EDGE_STYLES[kind].label)
            action.triggered.connect(lambda _checked=False, k=kind: self._push_connect(k, source_id, target_id))
        self.edge_menu = menu
        menu.aboutToHide.connect(self._on_edge_menu_hidden)
        menu.popup(view.viewport().mapToGlobal(view.mapFromScene(self.scene.entity_rect(target_id).center())))

    def _on_edge_menu_hidden(self) -> None:
        self.edge_menu = None

    def _push_connect(self, kind: EdgeKind, source_id: str, target_id: str) -> None:
        workspace = self.scene.document.workspace
        try:
            command = ConnectCommand(workspace, kind, source_id, target_id)
        except ModelError as exc:
            self.scene.status_message.emit(str(exc))
            return
        if self.scene.document.push(command):
            self.scene.status_message.emit(command.text())

    # ----- helpers ---------------------------------------------------------------------------------------
    def _entity_item_at(self, point: QPointF, include_frame_bodies: bool = False) -> EntityItem | None:
        """The card or frame at ``point``; None where an edge lies on top of a frame (a click there is the edge's),
        unless ``include_frame_bodies`` (a connect gesture's target: the frame around the point)."""
        for item in self.scene.items(point):
            if isinstance(item, (NodeItem, FrameItem)):
                return item
            if isinstance(item, EdgeItem) and not include_frame_bodies:
                return None
        if include_frame_bodies:
            frame_id = self.scene.frame_at(point, Account) or self.scene.frame_at(point, OrgUnit)
            return self.scene.entity_item(frame_id) if frame_id else None
        return None

    def _moving_ids(self) -> list[str]:
        return self.with_contents(self.scene.selected_entity_ids())

    def with_contents(self, ids: list[str]) -> list[str]:
        """The ids plus everything inside the selected frames (by model membership), each once."""
        children: dict[str, list[str]] = {}
        for entity in self.scene.document.workspace.entities.values():
            owner = getattr(entity, "parent", None) or getattr(entity, "account", None)
            if owner:
                children.setdefault(owner, []).append(entity.id)
        result: dict[str, None] = {}
        stack = list(ids)
        while stack:
            entity_id = stack.pop()
            if entity_id in result:
                continue
            result[entity_id] = None
            stack.extend(children.get(entity_id, ()))
        shown = self.scene.entity_items()
        return [i for i in result if i in shown]

    def _push_placements(self, ids: list[str], text: str) -> None:
        workspace = self.scene.document.workspace
        new = {i: self.scene.placement_of(i) for i in ids}
        self.scene.document.push(MoveEntitiesCommand(workspace, new, {i: workspace.placements.get(i) for i in ids},
                                                     text))
