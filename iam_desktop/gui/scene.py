"""The canvas scene: a projection of the document's workspace, kept in step with model changes."""

from __future__ import annotations

import gc
from collections import defaultdict
from typing import Iterable, Union

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGraphicsScene, QGraphicsSceneDragDropEvent, QGraphicsSceneMouseEvent, QWidget,
)

from iam_desktop.gui.close_up import CloseUpPreparation
from iam_desktop.gui.collector import release_long_lived
from iam_desktop.gui.creation import ACCOUNT_SIZE, NODE_SIZE, ORG_UNIT_SIZE
from iam_desktop.gui.document import Document
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.icons import style_for, visual_key
from iam_desktop.gui.interaction import CanvasInteraction
from iam_desktop.gui.items.card_layer import CardLayer
from iam_desktop.gui.items.edge import EdgeItem
from iam_desktop.gui.items.edge_layer import EdgeLayer
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.model import (
    Account, Change, ChangeKind, Entity, ManagedPolicy, OrgUnit, Placement, Resource,
)
from iam_desktop.model.edges import Edge, derive_edges
from iam_desktop.model.resource_types import resource_type

EntityItem = Union[NodeItem, FrameItem]
_SUBTITLES = {"user": "IAM user", "group": "IAM group", "role": "IAM role", "service": "Service principal",
              "policy:scp": "Service control policy", "policy:rcp": "Resource control policy"}


def subtitle_of(entity: Entity) -> str:
    """The second line of a card (or the frame's title suffix): what kind of thing the entity is."""
    if isinstance(entity, Account):
        return entity.account_id
    if isinstance(entity, OrgUnit):
        return "root" if entity.parent is None else "organization unit"
    if isinstance(entity, Resource):
        return resource_type(entity.resource_type).label
    if isinstance(entity, ManagedPolicy) and entity.policy_type.value == "iam":
        return "AWS managed policy" if entity.account is None else "Customer managed policy"
    return _SUBTITLES.get(visual_key(entity), style_for(visual_key(entity)).label)


class CanvasScene(QGraphicsScene):
    """Items for every entity and derived edge of ``document.workspace``, and the gestures that edit it.

    Signals
    -------
    status_message(str)
        A short message for the status bar (a refused connection, a hint).
    drawing_changed()
        Something drawn may have changed (items, positions, selection, highlight, a gesture's line):
        ``drawing_version`` changed.
    """

    status_message = Signal(str)
    drawing_changed = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._entity_items: dict[str, EntityItem] = {}
        self._edge_items: dict[str, EdgeItem] = {}
        self._syncing_selection = False
        self._fallback_top: float | None = None
        self._fallback_count = 0
        self._shown_highlight: Highlight | None = None
        self._items_version = 0
        self._positions_version = 0
        self._drawing_version = 0
        self._content_rect: QRectF | None = None
        self._selected_edges: set[EdgeItem] = set()
        self.edge_layer = EdgeLayer()
        self.card_layer = CardLayer()
        self._selected_cards: set[NodeItem] = set()
        self.close_up = CloseUpPreparation(self)
        self.interaction = CanvasInteraction(self)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBspTreeDepth(8)  # Qt's automatic depth files long edges in many leaves: slow, big first paint
        self.addItem(self.edge_layer)
        self.addItem(self.card_layer)
        document.changed.connect(self._on_model_changed)
        document.selection_changed.connect(self._on_document_selection)
        document.highlight_changed.connect(self._on_highlight_changed)
        self.selectionChanged.connect(self._on_scene_selection)
        self._rebuild()

    # ----- lookup ----------------------------------------------------------------------------------------
    def entity_item(self, entity_id: str) -> EntityItem | None:
        """The node or frame item showing ``entity_id``."""
        return self._entity_items.get(entity_id)

    def edge_item(self, edge_key: str) -> EdgeItem | None:
        """The edge item for ``Edge.key``."""
        return self._edge_items.get(edge_key)

    def entity_items(self) -> dict[str, EntityItem]:
        """All node and frame items by entity id (a copy)."""
        return dict(self._entity_items)

    def edge_items(self) -> dict[str, EdgeItem]:
        """All edge items by edge key (a copy)."""
        return dict(self._edge_items)

    def entity_rect(self, entity_id: str) -> QRectF:
        """The scene rectangle of an entity's card or frame (empty when not shown)."""
        item = self._entity_items.get(entity_id)
        return item.mapRectToScene(item.body_rect()) if item else QRectF()

    def frame_at(self, point: QPointF, kind: type[Account] | type[OrgUnit] = Account) -> str | None:
        """The innermost frame of this kind (account or organization unit) containing ``point``."""
        best: tuple[float, str] | None = None
        for entity_id, item in self._entity_items.items():
            if isinstance(item, FrameItem) and isinstance(self.document.workspace.entities.get(entity_id), kind):
                rect = item.mapRectToScene(item.body_rect())
                if rect.contains(point) and (best is None or rect.width() * rect.height() < best[0]):
                    best = (rect.width() * rect.height(), entity_id)
        return best[1] if best else None

    def selected_entity_ids(self) -> list[str]:
        """Ids of the selected nodes and frames."""
        return [i.entity_id for i in self.selectedItems() if isinstance(i, (NodeItem, FrameItem))]

    def selected_edges(self) -> list[Edge]:
        """The model edges of the selected edge items."""
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def shown_highlight(self) -> Highlight | None:
        """The highlight the items show."""
        return self._shown_highlight

    def content_rect(self) -> QRectF:
        """The bounding rectangle of every item (``itemsBoundingRect``, kept until the drawing changes)."""
        if self._content_rect is None:
            self.edge_layer.tighten()
            self.card_layer.tighten()
            self._content_rect = self.itemsBoundingRect()
        return QRectF(self._content_rect)

    # ----- versions of the drawing (for pictures of the canvas) ------------------------------------------
    def items_version(self) -> int:
        """A number that changes whenever items are added, removed or restyled (not when they only move)."""
        return self._items_version

    def positions_version(self) -> int:
        """A number that changes whenever items are added, removed, restyled, moved or resized."""
        return self._positions_version

    def drawing_version(self) -> int:
        """A number that changes whenever anything drawn may have changed: items, positions, selection, highlight."""
        return self._drawing_version

    def note_items_moved(self) -> None:
        """Record that items moved or were resized (gestures call it while they move items)."""
        self._positions_version += 1
        self._content_rect = None
        self.note_drawing_changed()

    def note_drawing_changed(self) -> None:
        """Record that something drawn changed (the selection, the highlight, a gesture's line)."""
        self._drawing_version += 1
        self.drawing_changed.emit()

    def _note_items_changed(self) -> None:
        self._items_version += 1
        self.note_items_moved()

    def placement_of(self, entity_id: str) -> Placement:
        """The placement the item currently shows (position, and size for frames)."""
        item = self._entity_items[entity_id]
        if isinstance(item, FrameItem):
            width, height = item.size()
            return Placement(item.pos().x(), item.pos().y(), width, height)
        return Placement(item.pos().x(), item.pos().y())

    # ----- projection ------------------------------------------------------------------------------------
    def _on_model_changed(self, change: Change) -> None:
        self._fallback_top, self._fallback_count = None, 0
        if change.kind is ChangeKind.PLACED:
            self.note_items_moved()
        else:
            self._note_items_changed()
        if change.kind is ChangeKind.RESET:
            self._rebuild()
            return
        if change.kind is ChangeKind.PLACED:
            for entity_id in change.ids:
                self._place(entity_id)
            self._refit_scene_rect()
            return
        if change.kind is ChangeKind.REMOVED:
            for entity_id in change.ids:
                for edge in list(getattr(self._entity_items.get(entity_id), "edges", [])):
                    self._drop_edge(edge.key)
                item = self._entity_items.pop(entity_id, None)
                if isinstance(item, NodeItem):
                    self.card_layer.remove(item)
                    self._selected_cards.discard(item)
                if item is not None:
                    self.removeItem(item)
        else:
            for entity_id in change.ids:
                self._show_entity(entity_id)
        self._sync_edges()
        self._apply_highlight(self.document.highlight)
        self._refit_scene_rect()

    def _rebuild(self) -> None:
        release_long_lived()  # the model and items spared for the last build may now be garbage
        self.close_up.cancel()
        collecting = gc.isenabled()
        gc.disable()  # building makes only live items: spare the cyclic collector's repeated walks over the model
        try:
            self._build_items()
        finally:
            if collecting:
                gc.enable()

    def _build_items(self) -> None:
        self._fallback_top, self._fallback_count = None, 0
        self._note_items_changed()
        self._syncing_selection = True
        for edge in self._edge_items.values():
            self.removeItem(edge)
        for item in self._entity_items.values():
            item.edges.clear()  # no cycles between the old items: they go as soon as they are dropped
            self.removeItem(item)
        self._edge_items.clear()
        self._entity_items.clear()
        self._selected_edges.clear()
        self._selected_cards.clear()
        self.edge_layer.clear()
        self.card_layer.clear()
        for entity_id in self.document.workspace.entities:
            self._show_entity(entity_id)
        self._sync_edges()
        self._syncing_selection = False
        self._apply_highlight(self.document.highlight)
        self._refit_scene_rect()
        self.close_up.start()

    def _show_entity(self, entity_id: str) -> None:
        workspace = self.document.workspace
        entity = workspace.get(entity_id)
        key, subtitle = visual_key(entity), subtitle_of(entity)
        item = self._entity_items.get(entity_id)
        if item is None:
            if isinstance(entity, (Account, OrgUnit)):
                item = FrameItem(entity_id, entity.name, subtitle, key, *self._default_frame_size(entity),
                                 depth=self._depth(entity))
            else:
                item = NodeItem(entity_id, entity.name, subtitle, key, self.card_layer)
            self._entity_items[entity_id] = item
            self.addItem(item)
            self._place(entity_id)
            if isinstance(item, NodeItem):
                self.card_layer.add(item)
        else:
            item.set_text(entity.name, subtitle, key)
            if isinstance(item, FrameItem):
                item.set_depth(self._depth(entity))

    @staticmethod
    def _default_frame_size(entity: Entity) -> tuple[float, float]:
        return ACCOUNT_SIZE if isinstance(entity, Account) else ORG_UNIT_SIZE

    def _depth(self, entity: Entity) -> int:
        depth, parent = 0, getattr(entity, "parent", None)
        while parent is not None and depth < 20:
            depth += 1
            parent = getattr(self.document.workspace.entities.get(parent), "parent", None)
        return depth

    def _place(self, entity_id: str) -> None:
        item = self._entity_items.get(entity_id)
        if item is None:
            return
        placement = self.document.workspace.placements.get(entity_id)
        if placement is None:
            placement = self._fallback_placement(entity_id)
        if isinstance(item, FrameItem):
            default = self._default_frame_size(self.document.workspace.get(entity_id))
            item.set_size(placement.width or default[0], placement.height or default[1])
        item.move_to(QPointF(placement.x, placement.y))

    def _fallback_placement(self, entity_id: str) -> Placement:
        """Where an entity without a placement is shown: a grid below the placed content (view only)."""
        if self._fallback_top is None:
            placed = self.document.workspace.placements.values()
            self._fallback_top = max((p.y + (p.height or NODE_SIZE[1]) for p in placed), default=0.0) + 80.0
        index = self._fallback_count
        self._fallback_count += 1
        columns = 8
        return Placement((index % columns) * (NODE_SIZE[0] + 40),
                         self._fallback_top + (index // columns) * (NODE_SIZE[1] + 40))

    def _sync_edges(self) -> None:
        wanted = {edge.key: edge for edge in derive_edges(self.document.workspace)
                  if edge.source in self._entity_items and edge.target in self._entity_items}
        for key in [k for k in self._edge_items if k not in wanted]:
            self._drop_edge(key)
        for key, edge in wanted.items():
            if key not in self._edge_items:
                item = EdgeItem(edge, self._entity_items[edge.source], self._entity_items[edge.target],
                                self.edge_layer)
                self._edge_items[key] = item
                self.addItem(item)
        lanes: dict[frozenset[str], list[EdgeItem]] = defaultdict(list)
        for item in self._edge_items.values():
            lanes[frozenset((item.edge.source, item.edge.target))].append(item)
        for parallel in lanes.values():
            for index, item in enumerate(parallel):
                item.set_lane(index - (len(parallel) - 1) / 2)

    def _drop_edge(self, key: str) -> None:
        item = self._edge_items.pop(key, None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _refit_scene_rect(self) -> None:
        rect = self.content_rect().adjusted(-400, -400, 400, 400)
        self.setSceneRect(rect.united(QRectF(-200, -200, 1200, 900)))

    # ----- selection -------------------------------------------------------------------------------------
    def _on_scene_selection(self) -> None:
        selected = self.selectedItems()
        selected_edges = {item for item in selected if isinstance(item, EdgeItem)}
        selected_cards = {item for item in selected if isinstance(item, NodeItem)}
        for item in [*(selected_edges ^ self._selected_edges), *(selected_cards ^ self._selected_cards)]:
            item.show_state()
        self._selected_edges, self._selected_cards = selected_edges, selected_cards
        self.note_drawing_changed()
        if not self._syncing_selection:
            self.document.select(self.selected_entity_ids())

    def _on_document_selection(self, ids: list[str]) -> None:
        if ids == self.selected_entity_ids():
            return
        self._syncing_selection = True
        wanted = set(ids)
        for item in self.selectedItems():
            if not isinstance(item, (NodeItem, FrameItem)) or item.entity_id not in wanted:
                item.setSelected(False)
        for entity_id in ids:
            item = self._entity_items.get(entity_id)
            if item is not None:
                item.setSelected(True)
        self._syncing_selection = False

    # ----- highlight -------------------------------------------------------------------------------------
    def _on_highlight_changed(self, highlight: Highlight | None) -> None:
        self._apply_highlight(highlight, everything=False)

    def _apply_highlight(self, highlight: Highlight | None, everything: bool = True) -> None:
        """Show ``highlight``, touching only the items whose highlight state changes.

        Without ``everything``, only the items the previous or the new highlight names are looked at, unless
        fading the others starts or stops (then every item is).
        """
        before = self._shown_highlight
        self._shown_highlight = highlight
        self.edge_layer.set_dimmed(_dims(highlight))
        self.note_drawing_changed()
        if (before is not None and before.edge_labels) or (highlight is not None and highlight.edge_labels):
            self._content_rect = None  # edge labels change the bounds
        if everything or _dims(before) != _dims(highlight):
            node_ids: Iterable[str] = self._entity_items
            edge_keys: Iterable[str] = self._edge_items
        else:
            node_ids = _named_nodes(before) | _named_nodes(highlight)
            edge_keys = _named_edges(before) | _named_edges(highlight)
        for entity_id in node_ids:
            item = self._entity_items.get(entity_id)
            if item is not None:
                _show_node_state(item, entity_id, highlight)
        for key in edge_keys:
            edge = self._edge_items.get(key)
            if edge is not None:
                _show_edge_state(edge, key, highlight)

    # ----- gestures (delegated to CanvasInteraction) -----------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Start a move, resize or connect gesture, or select (Qt override)."""
        if self.interaction.press(event):
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Continue the current gesture (Qt override)."""
        if self.interaction.move(event):
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Finish the current gesture: one command (Qt override)."""
        if self.interaction.release(event):
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Double-click a node: ask the policy editor to open its policy (Qt override)."""
        if self.interaction.double_click(event):
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrow keys nudge the selection; Esc cancels a gesture and clears the highlight (Qt override)."""
        if self.interaction.key_press(event):
            event.accept()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        """Accept palette entries (Qt override)."""
        self.interaction.drag_enter(event)

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        """Keep accepting palette entries (Qt override)."""
        self.interaction.drag_enter(event)

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        """Create the dropped palette entry (Qt override)."""
        self.interaction.drop(event)


def _dims(highlight: Highlight | None) -> bool:
    return highlight is not None and highlight.dim_others


def _named_nodes(highlight: Highlight | None) -> set[str]:
    if highlight is None:
        return set()
    return set(highlight.node_ids).union(highlight.node_badges, highlight.node_colors)


def _named_edges(highlight: Highlight | None) -> set[str]:
    return set() if highlight is None else set(highlight.edge_keys).union(highlight.edge_labels)


def _show_node_state(item: EntityItem, entity_id: str, highlight: Highlight | None) -> None:
    """Set a node's or frame's highlight state; repaint it only when the state changed."""
    state = item.highlight
    emphasised = highlight is not None and entity_id in highlight.node_ids
    badge = highlight.node_badges.get(entity_id, "") if highlight else ""
    tint = highlight.node_colors.get(entity_id, "") if highlight else ""
    dimmed = highlight is not None and highlight.dim_others and not highlight.covers_node(entity_id)
    if (state.emphasised, state.badge, state.tint, state.dimmed) != (emphasised, badge, tint, dimmed):
        state.emphasised, state.badge, state.tint, state.dimmed = emphasised, badge, tint, dimmed
        if isinstance(item, NodeItem):
            item.show_state()
        else:
            item.update()


def _show_edge_state(edge: EdgeItem, key: str, highlight: Highlight | None) -> None:
    """Set an edge's highlight state (a labelled edge goes above the nodes); repaint it only when it changed."""
    state = edge.highlight
    covered = highlight is not None and highlight.covers_edge(key)
    dimmed = _dims(highlight) and not covered
    label = highlight.edge_labels.get(key, "") if highlight else ""
    if (state.emphasised, state.dimmed, state.label) == (covered, dimmed, label):
        return
    if label != state.label:
        edge.prepareGeometryChange()
        state.label = label
    state.emphasised, state.dimmed = covered, dimmed
    edge.setZValue(2.0 if label else -0.5 if covered else -1.0)  # a label stays readable over nodes
    edge.show_state()
