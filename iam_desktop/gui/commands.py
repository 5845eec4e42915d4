"""Undoable edits: every command's redo and undo each make exactly one Workspace call."""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtGui import QUndoCommand

from iam_desktop.model import Entity, ModelError, Placement, Removal, Workspace
from iam_desktop.model.edges import EDGE_LABELS, Edge, EdgeKind, connect, disconnect

NUDGE_COMMAND_ID = 4201


class ModelCommand(QUndoCommand):
    """Base of our commands: a model refusal on the first ``redo`` makes the command obsolete, not applied.

    ``failure`` then holds the ``ModelError``; ``QUndoStack.push`` drops an obsolete command, so a refused
    edit leaves neither a change nor an undo step.
    """

    def __init__(self, workspace: Workspace, text: str) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.failure: ModelError | None = None
        self._applied_once = False

    def redo(self) -> None:
        """Apply the edit (Qt override)."""
        if self._applied_once:
            self._redo()
            return
        try:
            self._redo()
        except ModelError as exc:
            self.failure = exc
            self.setObsolete(True)
            return
        self._applied_once = True

    def undo(self) -> None:
        """Revert the edit (Qt override)."""
        self._undo()

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class AddEntitiesCommand(ModelCommand):
    """Add entities (with their placements) in one step; undo removes them again."""

    def __init__(self, workspace: Workspace, entities: Iterable[Entity],
                 placements: Mapping[str, Placement] | None = None, text: str | None = None) -> None:
        self.entities = tuple(entities)
        self.placements = dict(placements or {})
        names = ", ".join(e.name for e in self.entities[:3]) + ("…" if len(self.entities) > 3 else "")
        super().__init__(workspace, text or f"Add {names}")

    def _redo(self) -> None:
        self.workspace.add_many(self.entities, self.placements)

    def _undo(self) -> None:
        self.workspace.remove([e.id for e in self.entities])


class RemoveEntitiesCommand(ModelCommand):
    """Remove entities (and whatever they contain); undo restores them and every reference exactly."""

    def __init__(self, workspace: Workspace, ids: Iterable[str], text: str | None = None) -> None:
        self.ids = tuple(ids)
        self._removal: Removal | None = None
        names = ", ".join(workspace.get(i).name for i in self.ids[:3] if i in workspace)
        super().__init__(workspace, text or f"Delete {names}{'…' if len(self.ids) > 3 else ''}")

    def _redo(self) -> None:
        self._removal = self.workspace.remove(self.ids)

    def _undo(self) -> None:
        assert self._removal is not None
        self.workspace.restore(self._removal)


class UpdateEntityCommand(ModelCommand):
    """Replace one entity by a new version of it (same id); undo puts the old version back."""

    def __init__(self, workspace: Workspace, old: Entity, new: Entity, text: str | None = None) -> None:
        if old.id != new.id:
            raise ValueError(f"an update keeps the id ({old.id!r} != {new.id!r})")
        self.old, self.new = old, new
        super().__init__(workspace, text or f"Edit {new.name}")

    def _redo(self) -> None:
        self.workspace.update(self.new)

    def _undo(self) -> None:
        self.workspace.update(self.old)


class ConnectCommand(UpdateEntityCommand):
    """Draw an edge: the source or target entity edited by ``model.edges.connect``.

    Raises ``InvalidEdgeError`` on construction when the edge makes no sense or exists already.
    """

    def __init__(self, workspace: Workspace, kind: EdgeKind, source_id: str, target_id: str) -> None:
        new = connect(workspace, kind, source_id, target_id)
        self.edge = Edge(kind, source_id, target_id)
        source, target = workspace.get(source_id).name, workspace.get(target_id).name
        super().__init__(workspace, workspace.get(new.id), new, f"Connect {source} {EDGE_LABELS[kind]} {target}")


class DisconnectCommand(UpdateEntityCommand):
    """Remove an edge: the entity holding it edited by ``model.edges.disconnect``."""

    def __init__(self, workspace: Workspace, edge: Edge) -> None:
        new = disconnect(workspace, edge)
        self.edge = edge
        source, target = workspace.get(edge.source).name, workspace.get(edge.target).name
        super().__init__(workspace, workspace.get(new.id), new,
                         f"Disconnect {source} {EDGE_LABELS[edge.kind]} {target}")


class MoveEntitiesCommand(ModelCommand):
    """Move (or resize) entities on the canvas: one ``place_many`` each way.

    With ``nudge`` true (arrow keys), consecutive nudges of the same entities merge into one undo step.
    """

    def __init__(self, workspace: Workspace, new: Mapping[str, Placement],
                 old: Mapping[str, Placement | None], text: str = "Move", nudge: bool = False) -> None:
        self.new = dict(new)
        self.old = {i: old.get(i) for i in self.new}
        self.nudge = nudge
        super().__init__(workspace, text)

    def id(self) -> int:
        """Merge id (Qt override): nudges share one, other moves never merge."""
        return NUDGE_COMMAND_ID if self.nudge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb a following nudge of the same entities (Qt override)."""
        if not isinstance(other, MoveEntitiesCommand) or not other.nudge or other.new.keys() != self.new.keys():
            return False
        self.new = dict(other.new)
        return True

    def _redo(self) -> None:
        self.workspace.place_many(self.new)

    def _undo(self) -> None:
        self.workspace.place_many(self.old)
