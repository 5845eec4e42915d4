"""The inspector dock: the selected entity's fields, tags and policies, each edit one undoable step."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QFrame, QGroupBox, QLabel, QLineEdit, QScrollArea, QSizePolicy, QSpinBox,
    QVBoxLayout, QWidget,
)

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.inspector_policies import PoliciesSection
from iam_desktop.gui.panels.tags_editor import KeyValueTable
from iam_desktop.model import (
    Account, Change, ChangeKind, Entity, Group, ManagedPolicy, Resource, Role, User,
)
from iam_desktop.model.resource_types import RESOURCE_TYPES, resource_type

NO_ROLE = "(none)"


def _kind(entity: Entity) -> str:
    return entity.kind.value.replace("_", " ")


class InspectorPanel(QScrollArea):
    """Shows and edits the one selected entity.

    Parameters
    ----------
    document
        The open document; every edit is one ``update_entity`` call named after what it does.
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._entity_id: str | None = None
        self._filling = False
        self._committing = False
        self._commit_error: str | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.hide()
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.arn_edit = QLineEdit()
        self.arn_edit.editingFinished.connect(self._on_arn_edited)
        self.account_label = QLabel()
        self.account_label.setWordWrap(True)
        self.account_id_edit = QLineEdit()
        self.account_id_edit.setInputMask("")
        self.account_id_edit.editingFinished.connect(self._on_account_id_edited)
        self.path_edit = QLineEdit()
        self.path_edit.editingFinished.connect(self._on_path_edited)
        self.description_edit = QLineEdit()
        self.description_edit.editingFinished.connect(self._on_description_edited)
        self.session_spin = QSpinBox()
        self.session_spin.setRange(3600, 43200)
        self.session_spin.setSingleStep(900)
        self.session_spin.setSuffix(" s")
        self.session_spin.setKeyboardTracking(False)
        self.session_spin.editingFinished.connect(self._on_session_edited)
        self.type_combo = QComboBox()
        for key, rtype in RESOURCE_TYPES.items():
            self.type_combo.addItem(rtype.label, key)
        self.type_combo.activated.connect(self._on_type_chosen)
        self.runs_as_combo = QComboBox()
        self.runs_as_combo.activated.connect(self._on_runs_as_chosen)
        self.policy_type_label = QLabel()
        self.tags = KeyValueTable("Tag key", "Value")
        self.tags.edited.connect(self._on_tags_edited)
        self.tags.duplicate_key.connect(lambda key: self.show_message(f"The tag key {key!r} is used twice."))
        self.tags_box = QGroupBox("Tags")
        tags_layout = QVBoxLayout(self.tags_box)
        tags_layout.addWidget(self.tags)
        self.policies = PoliciesSection(document, self.commit, self.show_message)

        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("ARN", self.arn_edit)
        self.form.addRow("Account", self.account_label)
        self.form.addRow("Account id", self.account_id_edit)
        self.form.addRow("Path", self.path_edit)
        self.form.addRow("Type", self.type_combo)
        self.form.addRow("Policy type", self.policy_type_label)
        self.form.addRow("Runs as role", self.runs_as_combo)
        self.form.addRow("Max session", self.session_spin)
        self.form.addRow("Description", self.description_edit)
        self.empty_label = QLabel("Select one item on the canvas to see and edit it here.")
        self.empty_label.setWordWrap(True)
        content = QWidget()
        content.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(content)
        layout.addWidget(self.title_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.message_label)
        layout.addLayout(self.form)
        layout.addWidget(self.tags_box)
        layout.addWidget(self.policies)
        layout.addStretch(1)
        self.setWidget(content)
        document.selection_changed.connect(self._on_selection_changed)
        document.changed.connect(self._on_changed)
        document.error.connect(self._on_error)
        self.show_entity(None)

    # ----- public API ------------------------------------------------------------------------------------
    @property
    def entity_id(self) -> str | None:
        """The id of the entity shown (None: nothing)."""
        return self._entity_id

    def show_message(self, message: str) -> None:
        """Show a message (why an edit was refused) above the fields."""
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def commit(self, entity: Entity, text: str) -> bool:
        """Store ``entity`` as one undo step named ``text``; on refusal show why and return False."""
        self._committing, self._commit_error = True, None
        try:
            accepted = self.document.update_entity(entity, text)
        finally:
            self._committing = False
        self.show_message("" if accepted else (self._commit_error or "The model refused the change."))
        return accepted

    def show_entity(self, entity_id: str | None) -> None:
        """Show the entity with this id (None: the hint that nothing is selected)."""
        self._entity_id = entity_id if entity_id in self.document.workspace else None
        entity = self.document.workspace.get(self._entity_id) if self._entity_id else None
        self.empty_label.setVisible(entity is None)
        self.tags_box.setVisible(entity is not None and hasattr(entity, "tags"))
        if entity is None:
            self.title_label.setText("Inspector")
            for row in range(self.form.rowCount()):
                self.form.setRowVisible(row, False)
            self.policies.hide()
            return
        self._filling = True
        try:
            self._fill(entity)
        finally:
            self._filling = False

    # ----- display ---------------------------------------------------------------------------------------
    def _fill(self, entity: Entity) -> None:
        workspace = self.document.workspace
        self.title_label.setText(f"{_kind(entity).capitalize()}: {entity.name}")
        iam = isinstance(entity, (User, Group, Role, ManagedPolicy, Account))
        visible: dict[QWidget, bool] = {
            self.name_edit: True,
            self.arn_edit: isinstance(entity, (User, Group, Role, ManagedPolicy, Account, Resource)),
            self.account_label: hasattr(entity, "account"),
            self.account_id_edit: isinstance(entity, Account),
            self.path_edit: hasattr(entity, "path"),
            self.type_combo: isinstance(entity, Resource),
            self.policy_type_label: isinstance(entity, ManagedPolicy),
            self.runs_as_combo: isinstance(entity, Resource) and resource_type(entity.resource_type).service_principal is not None,
            self.session_spin: isinstance(entity, Role),
            self.description_edit: isinstance(entity, (Role, ManagedPolicy)),
        }
        for widget, shown in visible.items():
            self.form.setRowVisible(widget, shown)
        self.name_edit.setText(entity.name)
        self.arn_edit.setText(workspace.arn_of(entity.id))
        self.arn_edit.setReadOnly(iam)
        arn = workspace.arn_of(entity.id)
        self.arn_edit.setToolTip(f"{arn}\n" + ("Derived from the account, path and name" if iam else
                                                "The resource's ARN: edit it and press Enter"))
        account_id = getattr(entity, "account", None)
        if account_id:
            account = workspace.get(account_id)
            self.account_label.setText(f"{account.name} ({workspace.account_id_of(account_id)})")
        elif hasattr(entity, "account"):
            self.account_label.setText("AWS managed" if isinstance(entity, ManagedPolicy) else "—")
        if isinstance(entity, Account):
            self.account_id_edit.setText(entity.account_id)
        self.path_edit.setText(getattr(entity, "path", ""))
        self.description_edit.setText(getattr(entity, "description", ""))
        if isinstance(entity, Role):
            self.session_spin.setValue(entity.max_session_duration)
        if isinstance(entity, ManagedPolicy):
            self.policy_type_label.setText(entity.policy_type.value.upper())
        if isinstance(entity, Resource):
            self.type_combo.setCurrentIndex(max(self.type_combo.findData(entity.resource_type), 0))
            self.runs_as_combo.clear()
            self.runs_as_combo.addItem(NO_ROLE, None)
            for role in workspace.roles():
                self.runs_as_combo.addItem(role.name, role.id)
            self.runs_as_combo.setCurrentIndex(max(self.runs_as_combo.findData(entity.runs_as), 0))
        self.tags.set_values(getattr(entity, "tags", {}))
        self.policies.show_entity(entity)

    def _current(self) -> Entity | None:
        if self._filling or self._entity_id is None or self._entity_id not in self.document.workspace:
            return None
        return self.document.workspace.get(self._entity_id)

    def _edit(self, field: str, value: Any, text: str) -> None:
        entity = self._current()
        if entity is not None and getattr(entity, field) != value:
            self.commit(replace(entity, **{field: value}), text.format(kind=_kind(entity), name=entity.name))

    # ----- field edits -----------------------------------------------------------------------------------
    def _on_name_edited(self) -> None:
        self._edit("name", self.name_edit.text().strip(), f"Rename {{kind}} {{name}} to {self.name_edit.text().strip()}")

    def _on_arn_edited(self) -> None:
        if not self.arn_edit.isReadOnly():
            self._edit("arn", self.arn_edit.text().strip(), "Change ARN of {kind} {name}")

    def _on_account_id_edited(self) -> None:
        value = self.account_id_edit.text().strip()
        self._edit("account_id", value, f"Change account id of {{kind}} {{name}} to {value}")

    def _on_path_edited(self) -> None:
        value = self.path_edit.text().strip()
        self._edit("path", value, f"Change path of {{kind}} {{name}} to {value}")

    def _on_description_edited(self) -> None:
        self._edit("description", self.description_edit.text(), "Change description of {kind} {name}")

    def _on_session_edited(self) -> None:
        value = self.session_spin.value()
        self._edit("max_session_duration", value, f"Set maximum session of {{kind}} {{name}} to {value} s")

    def _on_type_chosen(self, index: int) -> None:
        key = self.type_combo.itemData(index)
        self._edit("resource_type", key, f"Change type of {{kind}} {{name}} to {resource_type(key).label}")

    def _on_runs_as_chosen(self, index: int) -> None:
        role_id = self.runs_as_combo.itemData(index)
        text = f"Run {{kind}} {{name}} as role {self.runs_as_combo.itemText(index)}" if role_id else \
            "Clear the run-as role of {kind} {name}"
        self._edit("runs_as", role_id, text)

    def _on_tags_edited(self, tags: dict[str, str]) -> None:
        entity = self._current()
        if entity is not None and dict(getattr(entity, "tags", {})) != tags:
            self.commit(replace(entity, tags=tags), f"Edit tags of {_kind(entity)} {entity.name}")

    # ----- notifications ---------------------------------------------------------------------------------
    def _on_error(self, message: str) -> None:
        if self._committing:
            self._commit_error = message

    def _on_selection_changed(self, ids: list[str]) -> None:
        self.show_message("")
        if len(ids) == 1:
            self.show_entity(ids[0])
            return
        self.show_entity(None)
        if len(ids) > 1:
            self.empty_label.setText(f"{len(ids)} items selected. Select one item to edit it.")
        else:
            self.empty_label.setText("Select one item on the canvas to see and edit it here.")

    def _on_changed(self, change: Change) -> None:
        if self._entity_id is None or change.kind is ChangeKind.PLACED:
            return
        if self._entity_id not in self.document.workspace:
            self.show_entity(None)
        elif change.kind is not ChangeKind.UPDATED or self._entity_id in change.ids or \
                isinstance(self.document.workspace.get(self._entity_id), Resource):
            self.show_entity(self._entity_id)
