"""The question dock: ask through the widgets, read the answer rows and tree, path highlight, context, overlays."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QTreeWidgetItem

from iam_desktop.graph import AccessAnswer
from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.answer_view import AnswerView, stage_text
from iam_desktop.gui.panels.question import QuestionPanel
from iam_desktop.model import Account, InlinePolicy, Resource, Role, User, Workspace
from iam_desktop.policy import Decision, PolicySet, Principal, PrincipalKind, Request, Stage, evaluate

ASSUME = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
READ_WITH_MFA = {"Version": "2012-10-17", "Statement": [{
    "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
READ_IN_REGION = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}
TRUST_ALICE = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def document() -> Document:
    workspace = Workspace()
    workspace.add(Account("acct", "prod", "111122223333"))
    workspace.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("assume", ASSUME),)))
    workspace.add(User("bob", "bob", "acct", inline_policies=(InlinePolicy("region", READ_IN_REGION),)))
    workspace.add(Role("dev", "Dev", "acct", trust_policy=TRUST_ALICE,
                       inline_policies=(InlinePolicy("read", READ_WITH_MFA),)))
    workspace.add(Resource("bucket", "data", "acct", "s3_bucket", "arn:aws:s3:::data"))
    return Document(workspace)


@pytest.fixture
def panel(qtbot, document: Document) -> QuestionPanel:
    widget = QuestionPanel(document)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(i) for i in range(item.childCount())]


def _find(item: QTreeWidgetItem, prefix: str) -> QTreeWidgetItem:
    for child in _children(item):
        if child.text(0).startswith(prefix):
            return child
    raise AssertionError(f"no row starting with {prefix!r} under {item.text(0)!r}: {[c.text(0) for c in _children(item)]}")


def _choose(qtbot, panel: QuestionPanel, principal: str, resource: str) -> None:
    for combo, text in ((panel.principal_combo, principal), (panel.resource_combo, resource)):
        combo.lineEdit().selectAll()
        qtbot.keyClicks(combo.lineEdit(), text)
        qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)


def test_ask_shows_rows_tree_and_highlight(qtbot, panel: QuestionPanel, document: Document) -> None:
    _choose(qtbot, panel, "alice (user)", "data (resource)")
    assert panel.principal_combo.current_id() == "alice" and panel.resource_combo.current_id() == "bucket"
    suggestions = [panel.actions.suggestion_list.item(i).text() for i in range(panel.actions.suggestion_list.count())]
    assert suggestions[:4] == ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"]
    assert "s3:GetBucketPolicy" in suggestions
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    rows = panel.answer_view.row_texts()
    assert [r[:2] for r in rows] == [("s3:GetObject", "○ Implicit deny")]
    top = panel.answer_view.tree.topLevelItem(0)
    direct = _find(top, "Directly as alice")
    assert direct.text(1) == "○ Implicit deny"
    identity = _find(direct, "Identity-based policies")
    assert "decided here" in identity.text(0)
    statement = _find(_find(identity, "Policy assume"), "Statement 1")
    assert statement.text(1) == "does not apply" and "action ✗" in statement.text(2)
    highlight = document.highlight
    assert highlight.node_ids == frozenset({"alice", "bucket"}) and highlight.edge_keys == frozenset()
    assert highlight.node_badges["bucket"] == "NO ALLOW" and highlight.node_colors["bucket"] == "deny"

    panel.context_inputs.mfa_combo.setCurrentText("true")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    rows = panel.answer_view.row_texts()
    assert rows[0][1] == "✔ Allow" and "Through alice → Dev" in rows[0][2]
    top = panel.answer_view.tree.topLevelItem(0)
    path = _find(top, "Via alice → Dev")
    assert _find(path, "alice assumes Dev").text(1) == "✔ Allow"
    final = _find(path, "Dev session makes the request")
    condition = _find(_find(_find(_find(final, "Identity-based policies"), "Policy read"), "Statement 1 (Read)"),
                      "Bool aws:MultiFactorAuthPresent")
    assert condition.text(1) == "✓ holds" and "request: true" in condition.text(2)
    highlight = document.highlight
    assert highlight.node_ids == frozenset({"alice", "dev", "bucket"})
    assert highlight.edge_keys == frozenset({"trusts:alice->dev"})
    assert highlight.edge_labels == {"trusts:alice->dev": "assume role"}
    assert highlight.node_badges == {"dev": "1", "bucket": "ALLOW"}
    assert highlight.node_colors == {"bucket": "allow"}

    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=2000)
    panel.answer_view.tree.setFocus()
    qtbot.keyClick(panel.answer_view.tree, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("# Can alice do s3:GetObject on arn:aws:s3:::data/\\*?")
    assert "**Answer: Allowed**" in copied and "## Path 1: alice \\-\\> Dev" in copied

    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert document.highlight is None


def test_missing_key_is_said_in_words_and_statement_click_opens_editor(qtbot, panel: QuestionPanel,
                                                                      document: Document) -> None:
    opened: list[tuple] = []
    document.edit_policy_requested.connect(lambda *args: opened.append(args))
    assert panel.choose("dev", "bucket", ["s3:GetObject"])
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    top = panel.answer_view.tree.topLevelItem(0)
    statement = _find(_find(_find(_find(top, "Directly as Dev"), "Identity-based policies"), "Policy read"), "Statement 1")
    condition = _find(statement, "Bool aws:MultiFactorAuthPresent")
    assert condition.text(1) == "? missing key"
    assert "the request has no value for this key" in condition.text(2)
    tree = panel.answer_view.tree
    tree.scrollToItem(statement)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(statement).center())
    assert opened == [("dev", "inline:read", 0)]


def test_several_actions_and_wildcards(qtbot, panel: QuestionPanel) -> None:
    panel.choose("dev", "bucket", ["s3:GetObject", "s3:ListBucket"])
    qtbot.keyClicks(panel.actions.extra_edit, "s3:PutObjectAcl, s3:GetObjectT*")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    actions = [row[0] for row in panel.answer_view.row_texts()]
    assert actions == ["s3:GetObject", "s3:ListBucket", "s3:PutObjectAcl", "s3:GetObjectTagging", "s3:GetObjectTorrent"]


def test_context_value_from_suggested_key_changes_the_answer(qtbot, panel: QuestionPanel, document: Document) -> None:
    _choose(qtbot, panel, "bob (user)", "data (resource)")
    assert "aws:RequestedRegion" in panel.context_inputs.suggested_keys()
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    assert panel.answer_view.row_texts()[0][1] == "○ Implicit deny"
    combo = panel.context_inputs.suggestions
    combo.activated.emit(combo.findText("aws:RequestedRegion"))
    table = panel.context_inputs.table.table
    assert table.item(0, 0).text() == "aws:RequestedRegion"
    editor = table.viewport().findChild(QLineEdit)
    qtbot.keyClicks(editor, "eu-west-1")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.answer_view.row_texts()[0][1] == "✔ Allow", timeout=3000)
    assert document.highlight.node_colors == {"bucket": "allow"}


def test_use_selection_and_ask_on_selection(qtbot, panel: QuestionPanel, document: Document) -> None:
    document.select(["bucket", "dev"])
    qtbot.mouseClick(panel.use_selection_button, Qt.MouseButton.LeftButton)
    assert (panel.principal_combo.current_id(), panel.resource_combo.current_id()) == ("dev", "bucket")
    panel.ask_on_selection.setChecked(True)
    document.select(["alice", "dev"])
    assert (panel.principal_combo.current_id(), panel.resource_combo.current_id()) == ("alice", "dev")
    assert [r[:2] for r in panel.answer_view.row_texts()][0] == ("sts:AssumeRole", "✔ Allow")
    document.select(["acct"])
    qtbot.mouseClick(panel.use_selection_button, Qt.MouseButton.LeftButton)
    assert "Select two nodes" in panel.status_label.text()


def test_overlays_colour_nodes_and_follow_the_model(qtbot, panel: QuestionPanel, document: Document) -> None:
    document.select(["bucket"])
    qtbot.mouseClick(panel.who_can_button, Qt.MouseButton.LeftButton)
    assert panel.status_label.text() == "Computing the overlay…"  # in the background: the window stays usable
    qtbot.waitUntil(lambda: document.highlight is not None, timeout=5000)
    highlight = document.highlight
    assert highlight.node_colors == {"alice": "deny", "bob": "deny", "dev": "deny"}
    assert highlight.node_badges["bob"] == "0/4"
    bob = document.workspace.get("bob")
    open_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    document.update_entity(replace(bob, inline_policies=(InlinePolicy("region", open_policy),)), "Open bob")
    qtbot.waitUntil(lambda: document.highlight.node_colors.get("bob") == "allow", timeout=3000)
    assert document.highlight.node_badges["bob"] == "4/4"
    assert "1 of 3 caller(s) can reach data" in panel.status_label.text()

    document.select(["bob"])
    qtbot.mouseClick(panel.what_can_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: document.highlight.node_colors == {"bucket": "allow"}, timeout=5000)
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: document.highlight.node_colors == {"bucket": "deny"}, timeout=3000)
    panel.window().activateWindow()
    qtbot.keyClick(panel.principal_combo, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: document.highlight is None, timeout=2000)


def test_only_the_latest_overlay_request_is_shown(qtbot, panel: QuestionPanel, document: Document) -> None:
    document.select(["bucket"])
    qtbot.mouseClick(panel.who_can_button, Qt.MouseButton.LeftButton)
    document.select(["bob"])
    qtbot.mouseClick(panel.what_can_button, Qt.MouseButton.LeftButton)  # asked before the first is done
    qtbot.waitUntil(lambda: not panel.is_computing(), timeout=5000)
    assert document.highlight.node_colors == {"bucket": "deny"}  # what bob can reach, not who reaches the bucket
    assert "bob" not in document.highlight.node_colors


def test_a_cleared_overlay_never_appears(qtbot, panel: QuestionPanel, document: Document) -> None:
    document.select(["bucket"])
    qtbot.mouseClick(panel.who_can_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_computing(), timeout=5000)
    qtbot.wait(50)
    assert document.highlight is None and panel.status_label.text() == ""


def test_an_overlay_asked_before_an_edit_shows_the_edited_model(qtbot, panel: QuestionPanel,
                                                                document: Document) -> None:
    document.select(["bob"])
    qtbot.mouseClick(panel.what_can_button, Qt.MouseButton.LeftButton)
    bob = document.workspace.get("bob")
    open_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    document.update_entity(replace(bob, inline_policies=(InlinePolicy("all", open_policy),)), "Open bob")
    qtbot.waitUntil(lambda: document.highlight is not None and document.highlight.node_colors == {"bucket": "allow"},
                    timeout=5000)
    qtbot.waitUntil(lambda: not panel.is_computing(), timeout=5000)
    assert document.highlight.node_colors == {"bucket": "allow"}


def test_compute_resource_path_highlights_its_run_as_edge(qtbot, panel: QuestionPanel, document: Document) -> None:
    workspace = document.workspace
    document.update_entity(replace(workspace.get("dev"), inline_policies=(InlinePolicy("all", {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),)),
        "Open Dev")
    workspace.add(Resource("fn", "worker", "acct", "lambda_function",
                           "arn:aws:lambda:us-east-1:111122223333:function:worker", runs_as="dev"))
    assert panel.choose("fn", "bucket", ["s3:GetObject"])
    qtbot.keyClick(panel.actions.extra_edit, Qt.Key.Key_Return)
    assert panel.answer_view.row_texts()[0][1] == "✔ Allow"
    highlight = document.highlight
    assert highlight.node_ids == frozenset({"fn", "dev", "bucket"})
    assert highlight.edge_labels == {"runs_as:fn->dev": "runs as"}


def test_the_default_stage_is_labelled_by_what_it_decided(qtbot, document: Document) -> None:
    alice = Principal("arn:aws:iam::111122223333:user/alice", PrincipalKind.USER, account="111122223333")
    evaluation = evaluate(Request(alice, "sts:GetCallerIdentity", "*", resource_account="111122223333"), PolicySet())
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.DEFAULT
    view = AnswerView(document)
    qtbot.addWidget(view)
    view.show_answers([AccessAnswer("alice", "sts:GetCallerIdentity", "*", evaluation)])
    [(action, decision, why)] = view.row_texts()
    assert decision == "✔ Allow" and why.startswith("Built-in rule: ") and "nothing allows" not in why
    assert stage_text(Stage.DEFAULT, allows=False) == "Default: nothing allows"
    assert stage_text(Stage.IDENTITY, allows=True) == "Identity-based policies"
