"""The policy editor dock: shows one policy slot of one entity and applies edits through the document."""

from __future__ import annotations

import json
from typing import Any, Mapping

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.policy_editor import PolicyEditor
from iam_desktop.gui.panels.policy_slots import (
    RESOURCE_POLICY, normalize_slot, policy_slots, slot_document, slot_label, slot_policy_type, with_slot_document,
)
from iam_desktop.model import Change, ChangeKind, Entity


def kind_label(entity: Entity) -> str:
    """The entity's kind in words (``user``, ``managed policy``)."""
    return entity.kind.value.replace("_", " ")


def document_text(document: Mapping[str, Any] | None) -> str:
    """A policy document as the editor shows it: indented JSON (empty for no document)."""
    if document is None:
        return ""
    return json.dumps(document, indent=2, default=dict)


class PolicyEditorPanel(QWidget):
    """Edits the policies of the entity the person selected or asked to open.

    Parameters
    ----------
    document
        The open document; edits become ``update_entity`` calls, one undo step per Apply.
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._entity_id: str | None = None
        self._slot: str | None = None
        self._applying = False
        self._apply_error: str | None = None
        self.slot_combo = QComboBox()
        self.slot_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.slot_combo.setMinimumContentsLength(12)
        self.slot_combo.setToolTip("Which policy of the entity to edit")
        self.slot_combo.activated.connect(self._on_slot_chosen)
        self.editor = PolicyEditor()
        self.editor.apply_requested.connect(self._on_apply_requested)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message_label.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("Policy:"))
        top.addWidget(self.slot_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message_label)
        document.edit_policy_requested.connect(self._on_edit_policy_requested)
        document.selection_changed.connect(self._on_selection_changed)
        document.changed.connect(self._on_changed)
        document.error.connect(self._on_error)
        self._show(None, None)

    # ----- public API ------------------------------------------------------------------------------------
    @property
    def entity_id(self) -> str | None:
        """The id of the entity whose policy is shown (None: nothing)."""
        return self._entity_id

    @property
    def slot(self) -> str | None:
        """The policy slot shown (``trust``, ``resource_policy``, ``document``, ``inline:NAME``)."""
        return self._slot

    def open_policy(self, entity_id: str, slot: object = None, statement_index: int | None = None) -> None:
        """Show a policy of ``entity_id`` and, when given, select statement ``statement_index``."""
        if entity_id not in self.document.workspace:
            return
        entity = self.document.workspace.get(entity_id)
        self._show(entity_id, normalize_slot(entity, slot))
        if statement_index is not None:
            self.editor.select_statement(statement_index)
        self.editor.editor.setFocus()

    # ----- display ---------------------------------------------------------------------------------------
    def _show(self, entity_id: str | None, slot: str | None) -> None:
        self._entity_id, self._slot = entity_id, slot
        self.message_label.hide()
        self.slot_combo.clear()
        if entity_id is None:
            self.slot_combo.setEnabled(False)
            self.editor.set_source("", "identity", "Select a role, resource, policy or principal with inline "
                                   "policies to edit its policies.", enabled=False)
            return
        entity = self.document.workspace.get(entity_id)
        for value, label in policy_slots(entity):
            self.slot_combo.addItem(label, value)
        self.slot_combo.setEnabled(self.slot_combo.count() > 0)
        if slot is None:
            self.editor.set_source("", "identity", f"{kind_label(entity).capitalize()} {entity.name} has no "
                                   "policy to edit here (add an inline policy in the inspector).", enabled=False)
            return
        self.slot_combo.setCurrentIndex(self.slot_combo.findData(slot))
        title = f"{slot_label(entity, slot)} of {kind_label(entity)} {entity.name}"
        self.editor.set_source(document_text(slot_document(entity, slot)), slot_policy_type(entity, slot), title,
                               optional=slot == RESOURCE_POLICY)

    def _on_slot_chosen(self, index: int) -> None:
        if self._entity_id is not None:
            self._show(self._entity_id, self.slot_combo.itemData(index))

    # ----- editing ---------------------------------------------------------------------------------------
    def _on_apply_requested(self, new_document: dict[str, Any] | None) -> None:
        if self._entity_id is None or self._slot is None:
            return
        entity = self.document.workspace.get(self._entity_id)
        updated = with_slot_document(entity, self._slot, new_document)
        label = slot_label(entity, self._slot)
        verb = "Edit" if new_document is not None else "Remove"
        text = f"{verb} {label[0].lower()}{label[1:]} of {kind_label(entity)} {entity.name}"
        self._applying, self._apply_error = True, None
        try:
            accepted = self.document.update_entity(updated, text)
        finally:
            self._applying = False
        if accepted:
            self.editor.mark_applied()
            self.message_label.hide()
        else:
            self.message_label.setText(f"Not applied: {self._apply_error or 'the model refused the change.'}")
            self.message_label.show()

    def _on_error(self, message: str) -> None:
        if self._applying:
            self._apply_error = message

    # ----- notifications ---------------------------------------------------------------------------------
    def _on_edit_policy_requested(self, entity_id: str, slot: object, statement_index: object) -> None:
        self.open_policy(entity_id, slot, statement_index if isinstance(statement_index, int) else None)

    def _on_selection_changed(self, ids: list[str]) -> None:
        if len(ids) != 1 or ids[0] == self._entity_id or self.editor.is_modified():
            return
        entity = self.document.workspace.get(ids[0])
        if policy_slots(entity):
            self._show(entity.id, normalize_slot(entity, None))

    def _on_changed(self, change: Change) -> None:
        if self._entity_id is None or self._applying:
            return
        if change.kind is ChangeKind.RESET or self._entity_id not in self.document.workspace:
            self._show(None, None)
            return
        if self._entity_id not in change.ids or change.kind is ChangeKind.PLACED:
            return
        entity = self.document.workspace.get(self._entity_id)
        slot = self._slot if self._slot in dict(policy_slots(entity)) else normalize_slot(entity, None)
        if self.editor.is_modified() and slot == self._slot:
            self._refresh_slot_list(entity)
            return
        self._show(entity.id, slot)

    def _refresh_slot_list(self, entity: Entity) -> None:
        self.slot_combo.clear()
        for value, label in policy_slots(entity):
            self.slot_combo.addItem(label, value)
        self.slot_combo.setCurrentIndex(self.slot_combo.findData(self._slot))
