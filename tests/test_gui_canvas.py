"""Creating nodes by dragging palette entries onto the canvas; moving, resizing and selecting them."""

from __future__ import annotations


import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iam_desktop.gui.creation import DEFAULT_ACCOUNT_ID, PALETTE
from iam_desktop.gui.document import Document
from iam_desktop.gui.items.frame import FrameItem
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, ManagedPolicy, OrgUnit, PolicyType, Resource, ServicePrincipal, User
from iam_desktop.model.resource_types import RESOURCE_TYPES, propose_arn
from gui_support import discard_changes

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = MainWindow(Document())
    qtbot.addWidget(main, before_close_func=discard_changes)
    main.resize(1300, 850)
    main.show()
    qtbot.waitExposed(main)
    main.view.set_zoom(1.0)
    main.view.centerOn(QPointF(300, 200))
    return main


def palette_drag(window: MainWindow, key: str, scene_point: QPointF) -> None:
    """Drag the palette's row for ``key`` onto the canvas and drop it at ``scene_point``."""
    palette = window.palette_widget
    row = palette.entry_item(key)
    assert row is not None, key
    data: QMimeData = palette.mimeData([row])
    viewport = window.view.viewport()
    pos = window.view.mapFromScene(scene_point)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos, actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(pos, actions, data, Qt.MouseButton.LeftButton,
                                                    Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(pos), actions, data, Qt.MouseButton.LeftButton,
                                                Qt.KeyboardModifier.NoModifier))


def drag(window: MainWindow, start: QPointF, end: QPointF,
         modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press at scene point ``start``, move in steps, release at ``end`` (on the view's viewport)."""
    viewport = window.view.viewport()
    a, b = window.view.mapFromScene(start), window.view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, a)
    for step in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * step / 5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, b)


def only_new(window: MainWindow, before: set[str]) -> str:
    new = set(window.document.workspace.entities) - before
    assert len(new) == 1, new
    return new.pop()


def test_palette_offers_every_kind(window: MainWindow) -> None:
    keys = {entry.key for entry in PALETTE}
    for resource in RESOURCE_TYPES:
        assert f"resource:{resource}" in keys
    assert {"account", "org_unit", "user", "group", "role", "policy:iam", "policy:scp", "policy:rcp"} <= keys
    assert any(k.startswith("service:") for k in keys)
    for key in keys:
        assert window.palette_widget.entry_item(key) is not None
        assert not window.palette_widget.entry_item(key).icon(0).isNull()


def test_first_drop_creates_default_account(window: MainWindow) -> None:
    palette_drag(window, "user", QPointF(200, 200))
    workspace = window.document.workspace
    accounts = [e for e in workspace.entities.values() if isinstance(e, Account)]
    users = [e for e in workspace.entities.values() if isinstance(e, User)]
    assert len(accounts) == 1 and accounts[0].account_id == DEFAULT_ACCOUNT_ID
    assert len(users) == 1 and users[0].account == accounts[0].id and users[0].name == "user-1"
    item = window.scene.entity_item(users[0].id)
    assert isinstance(item, NodeItem) and item.title == "user-1"
    assert item.mapRectToScene(item.body_rect()).contains(QPointF(200, 200))
    assert window.document.selected_ids() == [users[0].id]
    assert window.document.undo_stack.count() == 1  # the account and the user: one step
    window.document.undo_stack.undo()
    assert len(workspace) == 0 and not window.scene.entity_items()


@pytest.mark.parametrize("entry", PALETTE, ids=lambda e: e.key)
def test_drag_each_kind_from_palette(window: MainWindow, entry: object) -> None:
    palette_drag(window, "account", QPointF(300, 200))
    workspace = window.document.workspace
    account = next(e for e in workspace.entities.values() if isinstance(e, Account))
    inside = QPointF(window.scene.entity_rect(account.id).center())
    before = set(workspace.entities)
    palette_drag(window, entry.key, inside)  # type: ignore[attr-defined]
    new_id = only_new(window, before)
    entity = workspace.get(new_id)
    item = window.scene.entity_item(new_id)
    assert item is not None and item.title == entity.name
    key: str = entry.key  # type: ignore[attr-defined]
    if key == "account":
        assert isinstance(entity, Account) and isinstance(item, FrameItem)
        assert entity.account_id != account.account_id
    elif key == "org_unit":
        assert isinstance(entity, OrgUnit) and isinstance(item, FrameItem)
    elif key.startswith("service:"):
        assert isinstance(entity, ServicePrincipal) and entity.name == key.split(":", 1)[1]
    elif key.startswith("policy:"):
        assert isinstance(entity, ManagedPolicy) and entity.policy_type is PolicyType(key.split(":")[1])
        assert entity.account == (account.id if entity.policy_type is PolicyType.IAM else None)
    elif key.startswith("resource:"):
        assert isinstance(entity, Resource) and entity.resource_type == key.split(":")[1]
        assert entity.account == account.id
        assert entity.arn == propose_arn(entity.resource_type, entity.name, account.account_id)
    else:
        assert entity.kind.value == key and entity.account == account.id  # type: ignore[union-attr]


def test_drop_into_the_account_under_the_pointer(window: MainWindow) -> None:
    palette_drag(window, "account", QPointF(0, 0))
    palette_drag(window, "account", QPointF(700, 0))
    workspace = window.document.workspace
    first, second = [e for e in workspace.entities.values() if isinstance(e, Account)]
    palette_drag(window, "role", window.scene.entity_rect(second.id).center())
    palette_drag(window, "role", window.scene.entity_rect(first.id).center())
    roles = [e for e in workspace.entities.values() if e.kind.value == "role"]
    assert [r.account for r in roles] == [second.id, first.id]  # type: ignore[union-attr]
    assert [r.name for r in roles] == ["role-1", "role-1"]  # names are unique per account


def test_default_names_do_not_clash(window: MainWindow) -> None:
    for x in (0, 250, 500):
        palette_drag(window, "resource:s3_bucket", QPointF(x, 100))
    names = sorted(e.name for e in window.document.workspace.resources())
    assert names == ["bucket-1", "bucket-2", "bucket-3"]


def test_service_principal_exists_once(window: MainWindow) -> None:
    palette_drag(window, "service:lambda.amazonaws.com", QPointF(0, 0))
    palette_drag(window, "service:lambda.amazonaws.com", QPointF(300, 0))
    services = [e for e in window.document.workspace.entities.values() if isinstance(e, ServicePrincipal)]
    assert len(services) == 1
    assert "already" in window.statusBar().currentMessage()


def test_move_selection_is_one_undo_step(window: MainWindow) -> None:
    palette_drag(window, "user", QPointF(100, 100))
    palette_drag(window, "group", QPointF(100, 250))
    workspace = window.document.workspace
    user = workspace.users()[0]
    group = next(e for e in workspace.entities.values() if e.kind.value == "group")
    window.document.select([user.id, group.id])
    steps = window.document.undo_stack.count()
    start = window.scene.entity_rect(user.id).center()
    before = {i: workspace.placements[i] for i in (user.id, group.id)}
    drag(window, QPointF(start.x() - 30, start.y()), QPointF(start.x() + 70, start.y() + 40))
    assert window.document.undo_stack.count() == steps + 1
    for entity_id in (user.id, group.id):
        moved = workspace.placements[entity_id]
        assert (moved.x - before[entity_id].x, moved.y - before[entity_id].y) == (100, 40)
        assert window.scene.entity_item(entity_id).pos() == QPointF(moved.x, moved.y)
    window.document.undo_stack.undo()
    assert {i: workspace.placements[i] for i in before} == before
    assert window.scene.entity_item(user.id).pos() == QPointF(before[user.id].x, before[user.id].y)


def test_moving_an_account_frame_moves_its_nodes(window: MainWindow) -> None:
    palette_drag(window, "account", QPointF(300, 200))
    workspace = window.document.workspace
    account = next(e for e in workspace.entities.values() if isinstance(e, Account))
    palette_drag(window, "user", window.scene.entity_rect(account.id).center())
    user = workspace.users()[0]
    user_before = workspace.placements[user.id]
    title = window.scene.entity_rect(account.id).topLeft() + QPointF(150, 12)
    drag(window, title, title + QPointF(50, 60))
    assert workspace.placements[user.id].x == user_before.x + 50
    assert workspace.placements[user.id].y == user_before.y + 60


def test_resize_frame_with_grip(window: MainWindow) -> None:
    palette_drag(window, "account", QPointF(300, 200))
    workspace = window.document.workspace
    account = next(e for e in workspace.entities.values() if isinstance(e, Account))
    before = workspace.placements[account.id]
    corner = window.scene.entity_rect(account.id).bottomRight() - QPointF(5, 5)
    drag(window, corner, corner + QPointF(100, 50))
    after = workspace.placements[account.id]
    assert (after.width, after.height) == (before.width + 100, before.height + 50)
    assert (after.x, after.y) == (before.x, before.y)


def test_rubber_band_selects(window: MainWindow) -> None:
    for x in (0, 250):
        palette_drag(window, "role", QPointF(x, 300))
    palette_drag(window, "role", QPointF(0, 700))
    workspace = window.document.workspace
    drag(window, QPointF(-200, 200), QPointF(400, 380))
    selected = set(window.document.selected_ids())
    roles = [e.id for e in workspace.roles()]
    assert set(roles[:2]) <= selected and roles[2] not in selected


def test_arrow_keys_nudge_and_merge(window: MainWindow) -> None:
    palette_drag(window, "user", QPointF(100, 100))
    user = window.document.workspace.users()[0]
    before = window.document.workspace.placements[user.id]
    steps = window.document.undo_stack.count()
    window.view.setFocus()
    for _ in range(3):
        QTest.keyClick(window.view.viewport(), Qt.Key.Key_Right)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Down)
    after = window.document.workspace.placements[user.id]
    assert (after.x - before.x, after.y - before.y) == (30, 10)
    assert window.document.undo_stack.count() == steps + 1


def test_window_title_shows_modified_marker(window: MainWindow) -> None:
    assert window.windowTitle().endswith("[*] — IAM Desktop")
    assert not window.isWindowModified()
    palette_drag(window, "user", QPointF(0, 0))
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_double_click_palette_entry_adds_in_view(window: MainWindow) -> None:
    row = window.palette_widget.entry_item("group")
    window.palette_widget.itemActivated.emit(row, 0)
    assert [e.name for e in window.document.workspace.entities.values() if e.kind.value == "group"] == ["group-1"]


def test_click_selects_and_click_on_empty_canvas_clears(window: MainWindow) -> None:
    palette_drag(window, "user", QPointF(100, 100))
    user = window.document.workspace.users()[0]
    window.document.select([])
    center = window.scene.entity_rect(user.id).center()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(center))
    assert window.document.selected_ids() == [user.id]
    assert window.scene.entity_item(user.id).isSelected()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(center + QPointF(0, 400)) + QPoint(0, 0))
    assert window.document.selected_ids() == []


def test_account_dropped_into_an_organization_unit_belongs_to_it(window: MainWindow) -> None:
    palette_drag(window, "org_unit", QPointF(300, 100))
    workspace = window.document.workspace
    unit = next(e for e in workspace.entities.values() if isinstance(e, OrgUnit))
    assert unit.parent is None
    inside = window.scene.entity_rect(unit.id).center()
    palette_drag(window, "org_unit", inside)
    palette_drag(window, "account", inside + QPointF(0, 100))
    child = next(e for e in workspace.entities.values() if isinstance(e, OrgUnit) and e.id != unit.id)
    account = next(e for e in workspace.entities.values() if isinstance(e, Account))
    assert child.parent == unit.id
    assert account.parent in (unit.id, child.id)
    assert window.scene.entity_item(child.id).zValue() > window.scene.entity_item(unit.id).zValue()
    assert window.scene.entity_item(account.id).zValue() > window.scene.entity_item(child.id).zValue()


def test_snap_to_grid_can_be_turned_off(window: MainWindow) -> None:
    window.actions_by_name["snap"].setChecked(False)
    palette_drag(window, "user", QPointF(101, 103))
    user = window.document.workspace.users()[0]
    placed = window.document.workspace.placements[user.id]
    assert (placed.x, placed.y) == (101 - 92, 103 - 25)
