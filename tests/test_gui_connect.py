"""Connecting nodes by dragging: every edge kind, the choice menu, refusals in the status bar, the Connect tool."""

from __future__ import annotations


import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from iam_desktop.gui.items.edge import EdgeItem
from iam_desktop.gui.items.frame import TITLE_HEIGHT
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import (
    Account, Group, ManagedPolicy, Placement, PolicyType, Resource, Role, ServicePrincipal, User, Workspace,
)
from iam_desktop.model.edges import Edge, EdgeKind, derive_edges
from gui_support import shown_window

pytestmark = pytest.mark.gui
EMPTY = {"Version": "2012-10-17", "Statement": []}


def model() -> Workspace:
    workspace = Workspace("Connect")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 1000, 420))
    nodes = [
        User("alice", "alice", "acct"), Group("devs", "devs", "acct"), Role("deploy", "deploy", "acct"),
        Role("admin", "admin", "acct"),
        ManagedPolicy("pol", "ReadOnly", EMPTY, account="acct"),
        Resource("bucket", "assets", "acct", "s3_bucket", "arn:aws:s3:::assets"),
        Resource("fn", "worker", "acct", "lambda_function", "arn:aws:lambda:us-east-1:123456789012:function:worker"),
        Resource("vm", "box", "acct", "ec2_instance", "arn:aws:ec2:us-east-1:123456789012:instance/box"),
    ]
    placements = {n.id: Placement(40 + (i % 4) * 240, 60 + (i // 4) * 160) for i, n in enumerate(nodes)}
    workspace.add_many(nodes, placements)
    workspace.add(ManagedPolicy("scp", "DenyRegions", EMPTY, policy_type=PolicyType.SCP), Placement(40, 520))
    workspace.add(ServicePrincipal("svc", "lambda.amazonaws.com"), Placement(300, 520))
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), 0.8, (1400, 900))
    main.view.centerOn(QPointF(500, 300))
    return main


def handle_of(window: MainWindow, entity_id: str) -> QPointF:
    item = window.scene.entity_item(entity_id)
    assert isinstance(item, NodeItem)
    return item.mapToScene(item.handle_center())


def center_of(window: MainWindow, entity_id: str) -> QPointF:
    return window.scene.entity_rect(entity_id).center()


def drag(window: MainWindow, start: QPointF, end: QPointF,
         modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    viewport = window.view.viewport()
    a, b = window.view.mapFromScene(start), window.view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, a)
    for step in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * step / 5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, b)


def on_border(point: QPointF, rect: QRectF) -> bool:
    """True when ``point`` lies on the rectangle's outline (or on a frame's title bar bottom edge)."""
    inside = rect.adjusted(-1, -1, 1, 1).contains(point)
    near_side = min(abs(point.x() - rect.left()), abs(point.x() - rect.right()),
                    abs(point.y() - rect.top()), abs(point.y() - rect.bottom()),
                    abs(point.y() - rect.top() - TITLE_HEIGHT)) < 1.0
    return inside and near_side


def edges(window: MainWindow) -> set[Edge]:
    return set(derive_edges(window.document.workspace))


@pytest.mark.parametrize("kind, source, target", [
    (EdgeKind.MEMBER_OF, "alice", "devs"),
    (EdgeKind.ATTACHED, "pol", "devs"),
    (EdgeKind.ATTACHED, "scp", "acct"),
    (EdgeKind.TRUSTS, "alice", "deploy"),
    (EdgeKind.TRUSTS, "svc", "deploy"),
    (EdgeKind.TRUSTS, "admin", "deploy"),
    (EdgeKind.TRUSTS, "acct", "deploy"),
    (EdgeKind.RUNS_AS, "fn", "deploy"),
    (EdgeKind.RUNS_AS, "vm", "admin"),
    (EdgeKind.RESOURCE_ACCESS, "deploy", "bucket"),
    (EdgeKind.RESOURCE_ACCESS, "alice", "fn"),
])
def test_connect_each_kind_by_dragging(window: MainWindow, kind: EdgeKind, source: str, target: str) -> None:
    edge = Edge(kind, source, target)
    assert edge not in edges(window)
    if source == "acct":  # a frame has no handle: Shift-drag from its title bar
        start = window.scene.entity_rect("acct").topLeft() + QPointF(300, 12)
        drag(window, start, center_of(window, target), Qt.KeyboardModifier.ShiftModifier)
    else:
        target_point = center_of(window, target) if target != "acct" else QPointF(900, 380)  # inside the frame
        drag(window, handle_of(window, source), target_point)
    assert edge in edges(window)
    item = window.scene.edge_item(edge.key)
    assert isinstance(item, EdgeItem) and item.isVisible()
    assert on_border(item.ends.p1(), window.scene.entity_rect(source))
    assert on_border(item.ends.p2(), window.scene.entity_rect(target))
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert edge not in edges(window) and window.scene.edge_item(edge.key) is None
    window.document.undo_stack.redo()
    assert window.scene.edge_item(edge.key) is not None


def choose_in_menu(window: MainWindow, qtbot: QtBot, text: str) -> None:
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    action = next(a for a in menu.actions() if a.text().lower().startswith(text))
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())


@pytest.mark.parametrize("choice, kind", [("permission boundary", EdgeKind.BOUNDARY),
                                          ("attached", EdgeKind.ATTACHED)])
def test_policy_to_user_asks_which_edge(window: MainWindow, qtbot: QtBot, choice: str, kind: EdgeKind) -> None:
    drag(window, handle_of(window, "pol"), center_of(window, "alice"))
    assert window.document.undo_stack.count() == 0  # nothing yet: a menu asks
    choose_in_menu(window, qtbot, choice)
    assert Edge(kind, "pol", "alice") in edges(window)
    other = EdgeKind.ATTACHED if kind is EdgeKind.BOUNDARY else EdgeKind.BOUNDARY
    assert Edge(other, "pol", "alice") not in edges(window)


def test_both_policy_edges_between_the_same_nodes_are_drawn_apart(window: MainWindow, qtbot: QtBot) -> None:
    for choice in ("attached", "permission boundary"):
        drag(window, handle_of(window, "pol"), center_of(window, "alice"))
        choose_in_menu(window, qtbot, choice)
    first = window.scene.edge_item(Edge(EdgeKind.ATTACHED, "pol", "alice").key)
    second = window.scene.edge_item(Edge(EdgeKind.BOUNDARY, "pol", "alice").key)
    assert first is not None and second is not None
    assert first.boundingRect() != second.boundingRect()


@pytest.mark.parametrize("source, target, words", [
    ("deploy", "devs", "Only users can be members of a group"),
    ("scp", "alice", "attach it to an account"),
    ("bucket", "deploy", "does not run as a role"),
    ("devs", "deploy", "A group cannot be a principal"),
])
def test_refused_edge_shows_reason_and_changes_nothing(window: MainWindow, source: str, target: str,
                                                        words: str) -> None:
    before = window.document.workspace.copy()
    drag(window, handle_of(window, source), center_of(window, target))
    assert words in window.statusBar().currentMessage()
    assert window.document.workspace.same_content(before)
    assert window.document.undo_stack.count() == 0


def test_connecting_twice_is_refused(window: MainWindow) -> None:
    drag(window, handle_of(window, "alice"), center_of(window, "devs"))
    drag(window, handle_of(window, "alice"), center_of(window, "devs"))
    assert "already connected" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 1


def test_release_on_empty_canvas_connects_nothing(window: MainWindow) -> None:
    drag(window, handle_of(window, "svc"), QPointF(1200, 800))
    assert window.document.undo_stack.count() == 0
    assert "another node" in window.statusBar().currentMessage()


def test_connect_tool_with_c_and_shift_drag(window: MainWindow) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C)
    assert window.actions_by_name["connect_tool"].isChecked()
    drag(window, center_of(window, "alice"), center_of(window, "devs"))  # from the body, not the handle
    assert Edge(EdgeKind.MEMBER_OF, "alice", "devs") in edges(window)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C)
    assert not window.actions_by_name["connect_tool"].isChecked()
    before = window.document.workspace.placements["admin"]
    drag(window, center_of(window, "admin"), center_of(window, "deploy"), Qt.KeyboardModifier.ShiftModifier)
    assert Edge(EdgeKind.TRUSTS, "admin", "deploy") in edges(window)
    assert window.document.workspace.placements["admin"] == before  # connecting moves nothing


def test_edges_follow_moved_nodes(window: MainWindow) -> None:
    drag(window, handle_of(window, "alice"), center_of(window, "devs"))
    edge = window.scene.edge_item(Edge(EdgeKind.MEMBER_OF, "alice", "devs").key)
    assert edge is not None
    before = edge.boundingRect()
    window.document.select(["alice"])
    start = center_of(window, "alice") - QPointF(40, 0)
    drag(window, start, start + QPointF(0, 200))
    assert edge.boundingRect() != before
    assert edge.zValue() < window.scene.entity_item("alice").zValue()


def test_delete_selected_edge_disconnects(window: MainWindow) -> None:
    drag(window, handle_of(window, "alice"), center_of(window, "devs"))
    key = Edge(EdgeKind.MEMBER_OF, "alice", "devs").key
    item = window.scene.edge_item(key)
    assert item is not None
    window.document.select([])
    midpoint = item.shape().boundingRect().center()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(midpoint))
    assert item.isSelected()
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert window.scene.edge_item(key) is None
    assert window.document.workspace.get("alice").groups == ()  # type: ignore[union-attr]
    window.document.undo_stack.undo()
    assert window.scene.edge_item(key) is not None
