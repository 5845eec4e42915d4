"""The policy editor dock: validation as you type, Apply as one undo step, templates, statements, completion."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.policy_editor_panel import PolicyEditorPanel
from iam_desktop.model import Account, InlinePolicy, Resource, Role, User, Workspace

VALID = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
BROKEN = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "s3:GetObject" "Resource": "*"}]}'


@pytest.fixture
def document() -> Document:
    workspace = Workspace()
    workspace.add(Account("acct", "prod", "111122223333"))
    workspace.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("read", {
        "Version": "2012-10-17", "Statement": [
            {"Sid": "First", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
            {"Sid": "Second", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),)))
    workspace.add(Role("dev", "Dev", "acct"))
    workspace.add(Resource("bucket", "data", "acct", "s3_bucket", "arn:aws:s3:::data"))
    return Document(workspace)


@pytest.fixture
def panel(qtbot, document: Document) -> PolicyEditorPanel:
    widget = PolicyEditorPanel(document)
    qtbot.addWidget(widget)
    widget.resize(420, 500)
    widget.show()
    return widget


def _retype(qtbot, panel: PolicyEditorPanel, text: str) -> None:
    editor = panel.editor.editor
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    editor.insertPlainText(text)


def _issues_text(panel: PolicyEditorPanel) -> list[str]:
    return [panel.editor.issue_list.item(i).text() for i in range(panel.editor.issue_list.count())]


def test_selecting_an_entity_shows_its_main_policy(panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["dev"])
    assert panel.slot_combo.currentText() == "Trust policy"
    assert "Trust policy of role Dev" in panel.editor.title_label.text()
    assert json.loads(panel.editor.text()) == {"Version": "2012-10-17", "Statement": []}
    assert not panel.editor.apply_button.isEnabled()


def test_syntax_error_is_listed_with_line_and_column_then_fixed_applied_undone(qtbot, panel: PolicyEditorPanel,
                                                                             document: Document) -> None:
    document.select(["alice"])
    _retype(qtbot, panel, BROKEN)
    qtbot.waitUntil(lambda: panel.editor.issue_list.count() > 0, timeout=2000)
    texts = _issues_text(panel)
    assert any(t.startswith("Error: Line 2, column") for t in texts), texts
    assert not panel.editor.apply_button.isEnabled()
    assert "Not valid" in panel.editor.status_label.text()
    marks = [s for s in panel.editor.editor.extraSelections()
             if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]
    assert marks and marks[0].format.underlineColor().name() == "#d32f2f"

    _retype(qtbot, panel, VALID)
    qtbot.waitUntil(panel.editor.apply_button.isEnabled, timeout=2000)
    assert panel.editor.issue_list.count() == 0
    qtbot.mouseClick(panel.editor.apply_button, Qt.MouseButton.LeftButton)
    new_document = json.loads(VALID)
    assert document.workspace.get("alice").inline_policies[0].document == new_document
    assert document.undo_stack.undoText() == "Edit inline policy read of user alice"
    assert not panel.editor.apply_button.isEnabled()

    document.undo_stack.undo()
    assert document.workspace.get("alice").inline_policies[0].document["Statement"][0]["Sid"] == "First"
    assert json.loads(panel.editor.text())["Statement"][0]["Sid"] == "First"
    document.undo_stack.redo()
    assert document.workspace.get("alice").inline_policies[0].document == new_document
    assert json.loads(panel.editor.text()) == new_document


def test_ctrl_enter_applies_and_revert_restores(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["dev"])
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
             '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    _retype(qtbot, panel, trust)
    assert panel.editor.revert_button.isEnabled()
    qtbot.mouseClick(panel.editor.revert_button, Qt.MouseButton.LeftButton)
    assert json.loads(panel.editor.text())["Statement"] == []
    _retype(qtbot, panel, trust)
    qtbot.keyClick(panel.editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert document.workspace.get("dev").trust_policy == json.loads(trust)
    assert document.undo_stack.count() == 1


def test_trust_policy_without_principal_is_an_error(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["dev"])
    _retype(qtbot, panel, VALID)
    qtbot.waitUntil(lambda: panel.editor.issue_list.count() > 0, timeout=2000)
    assert not panel.editor.apply_button.isEnabled()
    qtbot.keyClick(panel.editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert document.undo_stack.count() == 0


def test_template_replaces_the_text(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["dev"])
    actions = {a.text(): a for a in panel.editor.templates_button.menu().actions()}
    assert list(actions)[0].startswith("Trust:")
    actions["Trust: Amazon EC2"].trigger()
    qtbot.waitUntil(panel.editor.apply_button.isEnabled, timeout=2000)
    qtbot.mouseClick(panel.editor.apply_button, Qt.MouseButton.LeftButton)
    assert document.workspace.get("dev").trust_policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_open_in_editor_selects_the_statement(panel: PolicyEditorPanel, document: Document) -> None:
    document.open_in_editor("alice", "inline:read", 1)
    assert panel.slot == "inline:read"
    selected = panel.editor.editor.textCursor().selectedText()
    assert '"Sid": "Second"' in selected and "First" not in selected


def test_completion_offers_catalog_actions(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["alice"])
    editor = panel.editor.editor
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, '{"Action": "s3:GetObj')
    popup = editor.completer.popup()
    assert popup.isVisible()
    shown = [editor.completer.completionModel().index(i, 0).data() for i in range(editor.completer.completionCount())]
    assert "s3:GetObject" in shown
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.toPlainText().startswith('{"Action": "s3:GetObject')


def test_clicking_an_issue_moves_the_cursor_there(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["alice"])
    _retype(qtbot, panel, BROKEN)
    qtbot.waitUntil(lambda: panel.editor.issue_list.count() > 0, timeout=2000)
    issue_list = panel.editor.issue_list
    item = issue_list.item(0)
    qtbot.mouseClick(issue_list.viewport(), Qt.MouseButton.LeftButton, pos=issue_list.visualItemRect(item).center())
    line, column = item.data(Qt.ItemDataRole.UserRole)
    cursor = panel.editor.editor.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (line, column)


def test_unapplied_text_survives_selection_changes(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["alice"])
    _retype(qtbot, panel, VALID)
    document.select(["dev"])
    assert panel.entity_id == "alice" and panel.editor.text() == VALID
    qtbot.mouseClick(panel.editor.revert_button, Qt.MouseButton.LeftButton)
    document.select(["dev"])
    assert panel.entity_id == "alice"
    document.select(["alice"])
    document.select(["dev"])
    assert panel.entity_id == "dev"


def test_bucket_policy_can_be_written_and_removed(qtbot, panel: PolicyEditorPanel, document: Document) -> None:
    document.select(["bucket"])
    assert panel.slot == "resource_policy" and panel.editor.text() == ""
    assert "Bucket policy of resource data" in panel.editor.title_label.text()
    assert not panel.editor.apply_button.isEnabled()
    actions = {a.text(): a for a in panel.editor.templates_button.menu().actions()}
    assert list(actions)[0] == "Bucket policy: read for one account"
    actions["Bucket policy: read for one account"].trigger()
    qtbot.keyClick(panel.editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert document.workspace.get("bucket").policy["Statement"][0]["Sid"] == "AccountRead"
    _retype(qtbot, panel, "")
    qtbot.waitUntil(panel.editor.apply_button.isEnabled, timeout=2000)
    assert panel.editor.status_label.text() == "Empty: applying removes the policy."
    qtbot.mouseClick(panel.editor.apply_button, Qt.MouseButton.LeftButton)
    assert document.workspace.get("bucket").policy is None
    assert document.undo_stack.undoText() == "Remove bucket policy of resource data"
    document.undo_stack.undo()
    assert document.workspace.get("bucket").policy["Statement"][0]["Sid"] == "AccountRead"
    document.undo_stack.redo()
    assert document.workspace.get("bucket").policy is None
