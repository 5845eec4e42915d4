"""Every undoable command: do, undo, redo leave the model exactly as expected; refused edits change nothing."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from iam_desktop.gui.commands import (
    AddEntitiesCommand, ConnectCommand, DisconnectCommand, MoveEntitiesCommand, RemoveEntitiesCommand,
    UpdateEntityCommand,
)
from iam_desktop.gui.document import Document
from iam_desktop.gui.highlight import Highlight
from iam_desktop.model import (
    Account, Group, InvalidEdgeError, ManagedPolicy, Placement, Resource, Role, User, Workspace,
)
from iam_desktop.model.edges import Edge, EdgeKind, derive_edges

pytestmark = pytest.mark.gui


@pytest.fixture
def document(qapp: QApplication) -> Document:
    workspace = Workspace("Commands")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 600, 400))
    workspace.add_many([
        User("alice", "alice", "acct"), Group("devs", "devs", "acct"), Role("deploy", "deploy", "acct"),
        ManagedPolicy("pol", "ReadOnly", {"Version": "2012-10-17", "Statement": []}, account="acct"),
        Resource("bucket", "assets", "acct", "s3_bucket", "arn:aws:s3:::assets"),
    ], {"alice": Placement(20, 40), "devs": Placement(240, 40)})
    return Document(workspace)


def check_do_undo_redo(document: Document, command: object, check_done: object) -> None:
    """Run the command, undo it (back to the start), redo it (same as done)."""
    before = document.workspace.copy()
    count = document.undo_stack.count()
    assert document.push(command)
    done = document.workspace.copy()
    check_done()
    assert document.is_modified()
    document.undo_stack.undo()
    assert document.workspace.same_content(before)
    assert document.is_modified() == (count > 0)
    document.undo_stack.redo()
    assert document.workspace.same_content(done)
    check_done()


def test_add_entities(document: Document) -> None:
    bob = User("bob", "bob", "acct")
    command = AddEntitiesCommand(document.workspace, [bob], {"bob": Placement(5, 6)})
    check_do_undo_redo(document, command, lambda: (
        document.workspace.get("bob") == bob and document.workspace.placements["bob"] == Placement(5, 6)))
    assert "bob" in document.workspace


def test_remove_entities_restores_references(document: Document) -> None:
    document.workspace.update(User("alice", "alice", "acct", groups=("devs",)))
    command = RemoveEntitiesCommand(document.workspace, ["devs"])

    def check() -> None:
        assert "devs" not in document.workspace
        assert document.workspace.get("alice").groups == ()  # type: ignore[union-attr]

    check_do_undo_redo(document, command, check)
    document.undo_stack.undo()
    assert document.workspace.get("alice").groups == ("devs",)  # type: ignore[union-attr]
    assert document.workspace.placements["devs"] == Placement(240, 40)


def test_update_entity(document: Document) -> None:
    old = document.workspace.get("alice")
    new = User("alice", "alice-renamed", "acct")
    check_do_undo_redo(document, UpdateEntityCommand(document.workspace, old, new, "Rename"),
                       lambda: document.workspace.get("alice").name == "alice-renamed")


@pytest.mark.parametrize("kind, source, target", [
    (EdgeKind.MEMBER_OF, "alice", "devs"),
    (EdgeKind.ATTACHED, "pol", "deploy"),
    (EdgeKind.BOUNDARY, "pol", "alice"),
    (EdgeKind.TRUSTS, "alice", "deploy"),
    (EdgeKind.RESOURCE_ACCESS, "deploy", "bucket"),
])
def test_connect_and_disconnect(document: Document, kind: EdgeKind, source: str, target: str) -> None:
    edge = Edge(kind, source, target)

    def connected() -> None:
        assert edge in derive_edges(document.workspace)

    check_do_undo_redo(document, ConnectCommand(document.workspace, kind, source, target), connected)

    def disconnected() -> None:
        assert edge not in derive_edges(document.workspace)

    check_do_undo_redo(document, DisconnectCommand(document.workspace, edge), disconnected)


def test_connect_refused_on_construction(document: Document) -> None:
    with pytest.raises(InvalidEdgeError):
        ConnectCommand(document.workspace, EdgeKind.MEMBER_OF, "deploy", "devs")


def test_move_entities(document: Document) -> None:
    old = {"alice": document.workspace.placements["alice"], "devs": document.workspace.placements["devs"]}
    new = {"alice": Placement(100, 100), "devs": Placement(300, 100)}
    check_do_undo_redo(document, MoveEntitiesCommand(document.workspace, new, old),
                       lambda: document.workspace.placements["alice"] == Placement(100, 100))


def test_move_of_unplaced_entity_undoes_to_no_placement(document: Document) -> None:
    command = MoveEntitiesCommand(document.workspace, {"deploy": Placement(1, 2)}, {})
    check_do_undo_redo(document, command, lambda: document.workspace.placements["deploy"] == Placement(1, 2))
    document.undo_stack.undo()
    assert "deploy" not in document.workspace.placements


def test_nudges_merge_into_one_step(document: Document) -> None:
    start = document.workspace.placements["alice"]
    for step in range(1, 4):
        previous = document.workspace.placements["alice"]
        document.push(MoveEntitiesCommand(document.workspace, {"alice": Placement(start.x + 10 * step, start.y)},
                                          {"alice": previous}, "Nudge", nudge=True))
    assert document.undo_stack.count() == 1
    assert document.workspace.placements["alice"].x == start.x + 30
    document.undo_stack.undo()
    assert document.workspace.placements["alice"] == start
    document.undo_stack.redo()
    assert document.workspace.placements["alice"].x == start.x + 30


def test_drag_moves_do_not_merge(document: Document) -> None:
    for x in (10.0, 20.0):
        document.push(MoveEntitiesCommand(document.workspace, {"alice": Placement(x, 0)},
                                          {"alice": document.workspace.placements["alice"]}))
    assert document.undo_stack.count() == 2


def test_refused_command_changes_nothing_and_reports(document: Document) -> None:
    errors: list[str] = []
    document.error.connect(errors.append)
    before = document.workspace.copy()
    clash = User("carol", "alice", "acct")  # same name as alice in the same account
    assert not document.push(AddEntitiesCommand(document.workspace, [clash]))
    assert document.workspace.same_content(before)
    assert document.undo_stack.count() == 0 and not document.is_modified()
    assert errors and "alice" in errors[0]


def test_update_entity_reports_model_errors(document: Document) -> None:
    errors: list[str] = []
    document.error.connect(errors.append)
    assert not document.update_entity(User("alice", "not valid!", "acct"), "Rename")
    assert document.workspace.get("alice").name == "alice"
    assert errors and document.undo_stack.count() == 0
    assert document.update_entity(User("alice", "alice2", "acct"), "Rename")
    assert document.undo_stack.undoText() == "Rename"


def test_document_selection_and_highlight_signals(document: Document) -> None:
    selections: list[list[str]] = []
    highlights: list[object] = []
    document.selection_changed.connect(selections.append)
    document.highlight_changed.connect(highlights.append)
    document.select(["alice", "missing", "devs"])
    assert document.selected_ids() == ["alice", "devs"]
    document.push(RemoveEntitiesCommand(document.workspace, ["alice"]))
    assert document.selected_ids() == ["devs"]
    assert selections == [["alice", "devs"], ["devs"]]
    highlight = Highlight(frozenset({"devs"}), frozenset())
    document.set_highlight(highlight)
    document.set_highlight(None)
    assert highlights == [highlight, None]


def test_open_in_editor_emits_request(document: Document) -> None:
    requests: list[tuple[str, object, object]] = []
    document.edit_policy_requested.connect(lambda *args: requests.append(args))
    document.open_in_editor("deploy", "trust_policy", 0)
    assert requests == [("deploy", "trust_policy", 0)]


def test_replace_clears_history_and_is_not_modified(document: Document) -> None:
    document.push(AddEntitiesCommand(document.workspace, [User("bob", "bob", "acct")]))
    other = Workspace("Other")
    document.replace(other, None)
    assert len(document.workspace) == 0 and document.undo_stack.count() == 0 and not document.is_modified()
