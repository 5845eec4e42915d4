"""The inspector's policy section: inline policies, attached managed policies, boundary, and the policy buttons."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
    QSizePolicy, QVBoxLayout, QWidget,
)

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.policy_slots import DOCUMENT, RESOURCE_POLICY, TRUST, inline_slot, policy_slots
from iam_desktop.model import Account, Entity, Group, InlinePolicy, ManagedPolicy, OrgUnit, Role, User

Commit = Callable[[Entity, str], bool]
"""Stores an edited entity as one undo step with the given text; False (and a message shown) when refused."""

_INLINE_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
EMPTY_POLICY = {"Version": "2012-10-17", "Statement": []}


def _attached_field(entity: Entity) -> str | None:
    """The field listing the policies attached to ``entity`` (None: nothing attaches to it)."""
    if isinstance(entity, (User, Group, Role)):
        return "managed_policies"
    if isinstance(entity, (Account, OrgUnit)):
        return "policies"
    return None


def _kind(entity: Entity) -> str:
    return entity.kind.value.replace("_", " ")


class PoliciesSection(QGroupBox):
    """Lists an entity's policies and edits the lists (add / rename / delete inline, detach, remove boundary).

    Parameters
    ----------
    document
        The open document (read for names; asked to open policies in the editor).
    commit
        How an edited entity is stored (the inspector's undoable ``update_entity`` with error display).
    report
        Shows a message in the inspector (a refused name, for example).
    """

    def __init__(self, document: Document, commit: Commit, report: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Policies", parent)
        self.document = document
        self._commit = commit
        self._report = report
        self._entity: Entity | None = None
        self._filling = False
        self.inline_label = QLabel("Inline policies")
        self.inline_list = QListWidget()
        self.inline_list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                         | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.inline_list.setToolTip("Double-click a name to rename the policy")
        self.inline_list.itemChanged.connect(self._on_inline_renamed)
        self.inline_list.itemActivated.connect(self._on_inline_activated)
        self.new_inline_name = QLineEdit()
        self.new_inline_name.setPlaceholderText("New inline policy name")
        self.new_inline_name.returnPressed.connect(self.add_inline)
        self.add_inline_button = QPushButton("Add")
        self.add_inline_button.clicked.connect(self.add_inline)
        self.edit_inline_button = QPushButton("Edit")
        self.edit_inline_button.clicked.connect(self._on_edit_inline)
        self.delete_inline_button = QPushButton("Delete")
        self.delete_inline_button.clicked.connect(self.delete_inline)
        self.managed_label = QLabel("Attached managed policies")
        self.managed_list = QListWidget()
        self.managed_list.itemActivated.connect(self._on_managed_activated)
        self.detach_button = QPushButton("Detach")
        self.detach_button.clicked.connect(self.detach_selected)
        self.boundary_label = QLabel()
        self.boundary_label.setWordWrap(True)
        self.boundary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.remove_boundary_button = QPushButton("Remove boundary")
        self.remove_boundary_button.clicked.connect(self.remove_boundary)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._on_open_main_policy)

        new_row = QHBoxLayout()
        new_row.addWidget(self.new_inline_name, 1)
        new_row.addWidget(self.add_inline_button)
        inline_buttons = QHBoxLayout()
        inline_buttons.addWidget(self.edit_inline_button)
        inline_buttons.addWidget(self.delete_inline_button)
        inline_buttons.addStretch(1)
        managed_buttons = QHBoxLayout()
        managed_buttons.addWidget(self.detach_button)
        managed_buttons.addStretch(1)
        boundary_row = QHBoxLayout()
        boundary_row.addWidget(self.remove_boundary_button)
        boundary_row.addStretch(1)
        self.inline_box = QWidget()
        inline_layout = QVBoxLayout(self.inline_box)
        inline_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.inline_label, self.inline_list):
            inline_layout.addWidget(widget)
        inline_layout.addLayout(inline_buttons)
        inline_layout.addLayout(new_row)
        self.managed_box = QWidget()
        managed_layout = QVBoxLayout(self.managed_box)
        managed_layout.setContentsMargins(0, 0, 0, 0)
        managed_layout.addWidget(self.managed_label)
        managed_layout.addWidget(self.managed_list)
        managed_layout.addLayout(managed_buttons)
        managed_layout.addWidget(self.boundary_label)
        managed_layout.addLayout(boundary_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.open_button)
        layout.addWidget(self.inline_box)
        layout.addWidget(self.managed_box)
        for widget in (self.inline_list, self.managed_list):
            widget.setMinimumHeight(60)
            widget.setMaximumHeight(140)

    # ----- display ---------------------------------------------------------------------------------------
    def show_entity(self, entity: Entity) -> None:
        """Fill the lists from ``entity``; the section hides for entities without policies."""
        self._entity = entity
        has_inline = isinstance(entity, (User, Group, Role))
        attached = _attached_field(entity)
        main = [slot for slot, _ in policy_slots(entity) if slot in (TRUST, RESOURCE_POLICY, DOCUMENT)]
        self.setVisible(attached is not None or bool(main))
        self.inline_box.setVisible(has_inline)
        self.managed_box.setVisible(attached is not None)
        self.open_button.setVisible(bool(main))
        if main:
            self.open_button.setText(f"Edit {dict(policy_slots(entity))[main[0]].lower()}…")
        self._filling = True
        try:
            self.inline_list.clear()
            for policy in getattr(entity, "inline_policies", ()):
                item = QListWidgetItem(policy.name)
                item.setData(Qt.ItemDataRole.UserRole, policy.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.inline_list.addItem(item)
            self.managed_list.clear()
            for policy_id in getattr(entity, attached or "", ()):
                item = QListWidgetItem(self._policy_name(policy_id))
                item.setData(Qt.ItemDataRole.UserRole, policy_id)
                self.managed_list.addItem(item)
        finally:
            self._filling = False
        self.managed_label.setText("Attached SCPs and RCPs" if attached == "policies" else "Attached managed policies")
        boundary = getattr(entity, "permission_boundary", None)
        self.boundary_label.setText(f"Permission boundary: {self._policy_name(boundary)}" if boundary
                                    else "No permission boundary")
        self.boundary_label.setVisible(isinstance(entity, (User, Role)))
        self.remove_boundary_button.setVisible(boundary is not None)

    def _policy_name(self, policy_id: str) -> str:
        policy = self.document.workspace.get(policy_id)
        return policy.name if isinstance(policy, ManagedPolicy) else policy_id

    # ----- inline policies -------------------------------------------------------------------------------
    def _inline_names(self) -> list[str]:
        return [p.name for p in getattr(self._entity, "inline_policies", ())]

    def _check_inline_name(self, name: str, ignore: str | None = None) -> str | None:
        if not _INLINE_NAME.match(name):
            return f"{name!r} is not a valid policy name: 1 to 128 letters, digits and + = , . @ _ -"
        if any(n.lower() == name.lower() and n != ignore for n in self._inline_names()):
            return f"{self._entity.name} already has an inline policy named {name!r}"  # type: ignore[union-attr]
        return None

    def add_inline(self) -> None:
        """Add an empty inline policy named as typed, then open it in the policy editor."""
        entity, name = self._entity, self.new_inline_name.text().strip()
        if entity is None or not name:
            return
        problem = self._check_inline_name(name)
        if problem:
            self._report(problem)
            return
        updated = replace(entity, inline_policies=(*entity.inline_policies, InlinePolicy(name, dict(EMPTY_POLICY))))  # type: ignore[union-attr]
        if self._commit(updated, f"Add inline policy {name} to {_kind(entity)} {entity.name}"):
            self.new_inline_name.clear()
            self.document.open_in_editor(entity.id, inline_slot(name), None)

    def delete_inline(self) -> None:
        """Delete the selected inline policy."""
        entity, item = self._entity, self.inline_list.currentItem()
        if entity is None or item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        kept = tuple(p for p in entity.inline_policies if p.name != name)  # type: ignore[union-attr]
        self._commit(replace(entity, inline_policies=kept), f"Delete inline policy {name} of {_kind(entity)} {entity.name}")

    def _on_inline_renamed(self, item: QListWidgetItem) -> None:
        entity = self._entity
        if self._filling or entity is None:
            return
        old, new = item.data(Qt.ItemDataRole.UserRole), item.text().strip()
        if new == old:
            return
        problem = self._check_inline_name(new, ignore=old)
        if problem:
            self._report(problem)
            self.show_entity(entity)
            return
        renamed = tuple(InlinePolicy(new, p.document) if p.name == old else p
                        for p in entity.inline_policies)  # type: ignore[union-attr]
        self._commit(replace(entity, inline_policies=renamed),
                     f"Rename inline policy {old} to {new} of {_kind(entity)} {entity.name}")

    def _on_edit_inline(self) -> None:
        item = self.inline_list.currentItem()
        if item is not None:
            self._on_inline_activated(item)

    def _on_inline_activated(self, item: QListWidgetItem) -> None:
        if self._entity is not None:
            self.document.open_in_editor(self._entity.id, inline_slot(item.data(Qt.ItemDataRole.UserRole)), None)

    # ----- managed policies and boundary -----------------------------------------------------------------
    def detach_selected(self) -> None:
        """Detach the selected managed policy."""
        entity, item = self._entity, self.managed_list.currentItem()
        if entity is None or item is None:
            return
        policy_id, field = item.data(Qt.ItemDataRole.UserRole), _attached_field(entity)
        if field is None:
            return
        kept = tuple(p for p in getattr(entity, field) if p != policy_id)
        self._commit(replace(entity, **{field: kept}),
                     f"Detach policy {self._policy_name(policy_id)} from {_kind(entity)} {entity.name}")

    def remove_boundary(self) -> None:
        """Remove the permission boundary."""
        entity = self._entity
        if entity is not None and getattr(entity, "permission_boundary", None):
            self._commit(replace(entity, permission_boundary=None),
                         f"Remove permission boundary from {_kind(entity)} {entity.name}")

    def _on_managed_activated(self, item: QListWidgetItem) -> None:
        self.document.select([item.data(Qt.ItemDataRole.UserRole)])

    def _on_open_main_policy(self) -> None:
        if self._entity is not None:
            self.document.open_in_editor(self._entity.id, None, None)
