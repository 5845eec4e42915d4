"""The open document: one Workspace, its undo stack, file path, selection and highlight, as Qt signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from iam_desktop.gui.commands import ModelCommand, UpdateEntityCommand
from iam_desktop.gui.highlight import Highlight
from iam_desktop.model import Change, ChangeKind, Entity, ModelError, Workspace


class Document(QObject):
    """A workspace being edited: every edit is an undoable command pushed with ``push``.

    Signals
    -------
    changed(Change)
        After every model change (forwarded from the workspace).
    selection_changed(list)
        The ids of the selected entities changed.
    highlight_changed(object)
        A new ``Highlight`` (or None) should be shown.
    file_changed()
        The document was replaced (new / open) or its path changed.
    error(str)
        An edit was refused; the message says why.
    edit_policy_requested(str, object, object)
        Someone asked to edit a policy of an entity: (entity id, policy slot or None, statement index or None).
    """

    changed = Signal(object)
    selection_changed = Signal(list)
    highlight_changed = Signal(object)
    file_changed = Signal()
    error = Signal(str)
    edit_policy_requested = Signal(str, object, object)

    def __init__(self, workspace: Workspace | None = None, path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace if workspace is not None else Workspace()
        self._path = path
        self._selection: list[str] = []
        self._highlight: Highlight | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._workspace.subscribe(self._on_model_change)

    # ----- state -----------------------------------------------------------------------------------------
    @property
    def workspace(self) -> Workspace:
        """The model being edited (the same object for the whole life of the document)."""
        return self._workspace

    @property
    def path(self) -> Path | None:
        """The file this document was loaded from or saved to (None: never saved)."""
        return self._path

    @property
    def highlight(self) -> Highlight | None:
        """The highlight currently shown (None: nothing)."""
        return self._highlight

    def is_modified(self) -> bool:
        """True exactly when the undo stack is not at its clean state."""
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        """The file name without the model suffix, or the workspace name when never saved."""
        if self._path is None:
            return self._workspace.name or "Untitled"
        name = self._path.name
        return name[: -len(".iamd.json")] if name.endswith(".iamd.json") else name

    # ----- editing ---------------------------------------------------------------------------------------
    def push(self, command: QUndoCommand) -> bool:
        """Run ``command`` and put it on the undo stack; a refused edit is emitted through ``error``.

        Returns
        -------
        bool
            True when the command ran, False when the model refused it (nothing changed).
        """
        self.undo_stack.push(command)
        failure = command.failure if isinstance(command, ModelCommand) else None
        if failure is not None:
            self.error.emit(str(failure))
            return False
        return True

    def update_entity(self, new_entity: Entity, text: str) -> bool:
        """Replace the entity with the same id, as one undoable step named ``text``.

        Returns
        -------
        bool
            False (and ``error`` emitted) when the id is unknown or the model refuses the new version.
        """
        try:
            old = self._workspace.get(new_entity.id)
        except ModelError as exc:
            self.error.emit(str(exc))
            return False
        if old == new_entity:
            return True
        return self.push(UpdateEntityCommand(self._workspace, old, new_entity, text))

    def replace(self, workspace: Workspace, path: Path | None) -> None:
        """Show another model (new / open): no undo step; the undo history, selection and highlight are cleared."""
        self._selection = []
        self.set_highlight(None)
        self.undo_stack.clear()
        self._path = path
        self._workspace.replace_all(workspace)
        self.selection_changed.emit([])
        self.file_changed.emit()

    def mark_saved(self, path: Path) -> None:
        """Record that the model was written to ``path``: the document is no longer modified."""
        self._path = path
        self.undo_stack.setClean()
        self.file_changed.emit()

    # ----- selection, highlight, editor ------------------------------------------------------------------
    def select(self, ids: list[str]) -> None:
        """Make ``ids`` (known entity ids, in order) the selection."""
        wanted = [i for i in dict.fromkeys(ids) if i in self._workspace]
        if wanted != self._selection:
            self._selection = wanted
            self.selection_changed.emit(list(wanted))

    def selected_ids(self) -> list[str]:
        """The ids of the selected entities."""
        return list(self._selection)

    def set_highlight(self, highlight: Highlight | None) -> None:
        """Show ``highlight`` on the canvas (None clears it)."""
        if highlight != self._highlight:
            self._highlight = highlight
            self.highlight_changed.emit(highlight)

    def open_in_editor(self, entity_id: str, policy_slot: str | None = None,
                       statement_index: int | None = None) -> None:
        """Ask the policy editor to show a policy of ``entity_id`` (slot such as "trust_policy" or an inline name)."""
        self.edit_policy_requested.emit(entity_id, policy_slot, statement_index)

    # ----- model events ----------------------------------------------------------------------------------
    def _on_clean_changed(self, _clean: bool) -> None:
        self.file_changed.emit()

    def _on_model_change(self, change: Change) -> None:
        self.changed.emit(change)
        if change.kind in (ChangeKind.REMOVED, ChangeKind.RESET) and self._selection:
            kept = [i for i in self._selection if i in self._workspace]
            if kept != self._selection:
                self._selection = kept
                self.selection_changed.emit(list(kept))
