"""The inspector dock: rename, tags, ARN, role and resource fields, inline policies — each one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.inspector import InspectorPanel
from iam_desktop.model import Account, InlinePolicy, ManagedPolicy, PolicyType, Resource, Role, User, Workspace

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.fixture
def document() -> Document:
    workspace = Workspace()
    workspace.add(ManagedPolicy("scp", "DenyRegions", POLICY, policy_type=PolicyType.SCP))
    workspace.add(Account("acct", "prod", "111122223333", policies=("scp",)))
    workspace.add(ManagedPolicy("pol", "S3Full", POLICY, account="acct"))
    workspace.add(User("alice", "alice", "acct", tags={"team": "red"}, managed_policies=("pol",),
                       permission_boundary="pol", inline_policies=(InlinePolicy("read", POLICY),)))
    workspace.add(Role("dev", "Dev", "acct"))
    workspace.add(Resource("fn", "worker", "acct", "lambda_function",
                           "arn:aws:lambda:us-east-1:111122223333:function:worker"))
    workspace.add(Resource("bucket", "data", "acct", "s3_bucket", "arn:aws:s3:::data"))
    return Document(workspace)


@pytest.fixture
def inspector(qtbot, document: Document) -> InspectorPanel:
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.resize(360, 700)
    panel.show()
    return panel


def _type_into(qtbot, line_edit, text: str) -> None:
    line_edit.setFocus()
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)


def _check_undo_redo(document: Document, entity_id: str, field: str, before: object, after: object) -> None:
    assert getattr(document.workspace.get(entity_id), field) == after
    document.undo_stack.undo()
    assert getattr(document.workspace.get(entity_id), field) == before
    document.undo_stack.redo()
    assert getattr(document.workspace.get(entity_id), field) == after


def test_rename_user_is_one_undoable_step(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["alice"])
    assert inspector.name_edit.text() == "alice"
    assert inspector.arn_edit.text() == "arn:aws:iam::111122223333:user/alice"
    assert inspector.arn_edit.isReadOnly()
    _type_into(qtbot, inspector.name_edit, "bob")
    assert document.undo_stack.undoText() == "Rename user alice to bob"
    assert inspector.arn_edit.text() == "arn:aws:iam::111122223333:user/bob"
    _check_undo_redo(document, "alice", "name", "alice", "bob")
    document.undo_stack.undo()
    assert inspector.name_edit.text() == "alice"


def test_invalid_name_is_refused_with_a_message(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["alice"])
    _type_into(qtbot, inspector.name_edit, "bad name!")
    assert document.workspace.get("alice").name == "alice"
    assert document.undo_stack.count() == 0
    assert inspector.message_label.isVisible()
    assert "IAM names may contain only" in inspector.message_label.text()


def test_resource_arn_is_editable_and_checked(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["bucket"])
    assert not inspector.arn_edit.isReadOnly()
    _type_into(qtbot, inspector.arn_edit, "not-an-arn")
    assert document.workspace.get("bucket").arn == "arn:aws:s3:::data"
    assert "is not an ARN" in inspector.message_label.text()
    _type_into(qtbot, inspector.arn_edit, "arn:aws:s3:::data2")
    assert not inspector.message_label.isVisible()
    assert document.undo_stack.undoText() == "Change ARN of resource data"
    _check_undo_redo(document, "bucket", "arn", "arn:aws:s3:::data", "arn:aws:s3:::data2")


def test_edit_add_and_remove_tags(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["alice"])
    table = inspector.tags.table
    assert (table.item(0, 0).text(), table.item(0, 1).text()) == ("team", "red")
    table.item(0, 1).setText("blue")
    assert document.undo_stack.undoText() == "Edit tags of user alice"
    _check_undo_redo(document, "alice", "tags", {"team": "red"}, {"team": "blue"})
    qtbot.mouseClick(inspector.tags.add_button, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 2 and document.undo_stack.count() == 1
    key_editor = table.viewport().findChild(QLineEdit)
    assert key_editor is not None and key_editor.isVisible()
    qtbot.keyClicks(key_editor, "env")
    qtbot.keyClick(key_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: document.workspace.get("alice").tags == {"team": "blue", "env": ""}, timeout=2000)
    table.item(1, 1).setText("prod")
    assert document.workspace.get("alice").tags == {"team": "blue", "env": "prod"}
    table.selectRow(0)
    qtbot.mouseClick(inspector.tags.remove_button, Qt.MouseButton.LeftButton)
    assert document.workspace.get("alice").tags == {"env": "prod"}
    _check_undo_redo(document, "alice", "tags", {"team": "blue", "env": "prod"}, {"env": "prod"})


def test_role_session_and_resource_runs_as(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["dev"])
    assert inspector.session_spin.isVisible()
    _type_into(qtbot, inspector.session_spin, "7200")
    _check_undo_redo(document, "dev", "max_session_duration", 3600, 7200)
    document.select(["fn"])
    assert inspector.runs_as_combo.isVisible()
    inspector.runs_as_combo.setCurrentIndex(inspector.runs_as_combo.findText("Dev"))
    inspector.runs_as_combo.activated.emit(inspector.runs_as_combo.currentIndex())
    assert document.undo_stack.undoText() == "Run resource worker as role Dev"
    _check_undo_redo(document, "fn", "runs_as", None, "dev")


def test_inline_policies_add_rename_delete_and_detach(qtbot, inspector: InspectorPanel, document: Document) -> None:
    opened: list[tuple] = []
    document.edit_policy_requested.connect(lambda *args: opened.append(args))
    document.select(["alice"])
    section = inspector.policies
    assert [section.inline_list.item(i).text() for i in range(section.inline_list.count())] == ["read"]
    assert section.managed_list.item(0).text() == "S3Full"
    assert "S3Full" in section.boundary_label.text()

    _type_into(qtbot, section.new_inline_name, "write")
    names = [p.name for p in document.workspace.get("alice").inline_policies]
    assert names == ["read", "write"] and opened[-1] == ("alice", "inline:write", None)
    assert document.undo_stack.undoText() == "Add inline policy write to user alice"

    _type_into(qtbot, section.new_inline_name, "READ")
    assert "already has an inline policy" in inspector.message_label.text()
    assert len(document.workspace.get("alice").inline_policies) == 2

    section.inline_list.item(1).setText("write2")
    assert [p.name for p in document.workspace.get("alice").inline_policies] == ["read", "write2"]
    assert document.undo_stack.undoText() == "Rename inline policy write to write2 of user alice"

    section.inline_list.setCurrentRow(0)
    qtbot.mouseClick(section.delete_inline_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in document.workspace.get("alice").inline_policies] == ["write2"]
    document.undo_stack.undo()
    assert [p.name for p in document.workspace.get("alice").inline_policies] == ["read", "write2"]
    document.undo_stack.redo()
    assert section.inline_list.count() == 1

    section.managed_list.setCurrentRow(0)
    qtbot.mouseClick(section.detach_button, Qt.MouseButton.LeftButton)
    _check_undo_redo(document, "alice", "managed_policies", ("pol",), ())
    qtbot.mouseClick(section.remove_boundary_button, Qt.MouseButton.LeftButton)
    _check_undo_redo(document, "alice", "permission_boundary", "pol", None)


def test_multiple_selection_shows_a_hint(inspector: InspectorPanel, document: Document) -> None:
    document.select(["alice", "dev"])
    assert inspector.entity_id is None
    assert "2 items selected" in inspector.empty_label.text()


@pytest.mark.parametrize(("entity_id", "widget", "field", "typed", "before", "after", "text"), [
    ("alice", "path_edit", "path", "/dev/", "/", "/dev/", "Change path of user alice to /dev/"),
    ("dev", "description_edit", "description", "Developers", "", "Developers", "Change description of role Dev"),
    ("acct", "account_id_edit", "account_id", "444455556666", "111122223333", "444455556666",
     "Change account id of account prod to 444455556666"),
])
def test_text_fields_are_undoable(qtbot, inspector: InspectorPanel, document: Document, entity_id: str, widget: str,
                                  field: str, typed: str, before: str, after: str, text: str) -> None:
    document.select([entity_id])
    _type_into(qtbot, getattr(inspector, widget), typed)
    assert document.undo_stack.undoText() == text
    _check_undo_redo(document, entity_id, field, before, after)


def test_resource_type_and_inline_add_rename_undo(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["bucket"])
    combo = inspector.type_combo
    combo.setCurrentIndex(combo.findData("generic"))
    combo.activated.emit(combo.currentIndex())
    assert document.undo_stack.undoText() == "Change type of resource data to Other resource (any ARN)"
    _check_undo_redo(document, "bucket", "resource_type", "s3_bucket", "generic")

    document.select(["dev"])
    section = inspector.policies
    _type_into(qtbot, section.new_inline_name, "ops")
    section.inline_list.item(0).setText("ops2")
    document.undo_stack.undo()
    assert [p.name for p in document.workspace.get("dev").inline_policies] == ["ops"]
    assert section.inline_list.item(0).text() == "ops"
    document.undo_stack.undo()
    assert document.workspace.get("dev").inline_policies == ()
    document.undo_stack.redo()
    document.undo_stack.redo()
    assert [p.name for p in document.workspace.get("dev").inline_policies] == ["ops2"]
    section.inline_list.item(0).setText("bad name")
    assert "not a valid policy name" in inspector.message_label.text()
    assert section.inline_list.item(0).text() == "ops2"


def test_account_lists_and_detaches_its_scps(qtbot, inspector: InspectorPanel, document: Document) -> None:
    document.select(["acct"])
    section = inspector.policies
    assert section.managed_label.text() == "Attached SCPs and RCPs"
    assert section.managed_list.item(0).text() == "DenyRegions"
    assert not section.inline_box.isVisible() and not section.boundary_label.isVisible()
    section.managed_list.setCurrentRow(0)
    qtbot.mouseClick(section.detach_button, Qt.MouseButton.LeftButton)
    assert document.undo_stack.undoText() == "Detach policy DenyRegions from account prod"
    _check_undo_redo(document, "acct", "policies", ("scp",), ())
