"""Viewing and editing on the canvas: zoom, pan, search, delete, copy/paste, auto layout, highlight, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.layout import compute_layout
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Group, ManagedPolicy, Placement, Resource, Role, User, Workspace
from iam_desktop.model.edges import Edge, EdgeKind
from gui_support import shown_window

pytestmark = pytest.mark.gui
EMPTY = {"Version": "2012-10-17", "Statement": []}


def model() -> Workspace:
    workspace = Workspace("View")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 900, 400))
    workspace.add(Account("other", "Dev", "210987654321"), Placement(3000, 2000, 500, 300))
    workspace.add_many([
        ManagedPolicy("pol", "ReadOnly", EMPTY, account="acct"),
        Group("devs", "developers", "acct"),
        User("alice", "alice", "acct", groups=("devs",), managed_policies=("pol",)),
        Role("deploy", "deploy", "acct"),
        Resource("bucket", "assets", "acct", "s3_bucket", "arn:aws:s3:::assets"),
        Role("far", "far-away-role", "other"),
    ], {"pol": Placement(40, 60), "devs": Placement(300, 60), "alice": Placement(40, 200),
        "deploy": Placement(300, 200), "bucket": Placement(560, 200), "far": Placement(3100, 2100)})
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), 1.0)
    main.view.centerOn(QPointF(400, 200))
    return main


def key(window: MainWindow, sequence: str) -> None:
    """Press a shortcut as a person would, with the canvas focused."""
    window.view.setFocus()
    QTest.keySequence(window, sequence)


def wheel(window: MainWindow, steps: int, modifiers: Qt.KeyboardModifier) -> None:
    viewport = window.view.viewport()
    pos = QPointF(viewport.rect().center())
    event = QWheelEvent(pos, QPointF(viewport.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def visible_scene_rect(window: MainWindow) -> QRectF:
    return window.view.mapToScene(window.view.viewport().rect()).boundingRect()


def test_ctrl_wheel_and_shortcuts_zoom(window: MainWindow) -> None:
    wheel(window, 2, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom_factor() == pytest.approx(1.44)
    wheel(window, -1, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom_factor() == pytest.approx(1.2)
    key(window, "Ctrl+-")
    assert window.view.zoom_factor() == pytest.approx(1.0)
    key(window, "Ctrl++")
    assert window.view.zoom_factor() == pytest.approx(1.2)
    key(window, "Ctrl+1")
    assert window.view.zoom_factor() == pytest.approx(1.0)
    assert "100 %" in window.zoom_label.text()


def test_plain_wheel_scrolls_without_zooming(window: MainWindow) -> None:
    before = window.view.verticalScrollBar().value()
    wheel(window, -3, Qt.KeyboardModifier.NoModifier)
    assert window.view.zoom_factor() == pytest.approx(1.0)
    assert window.view.verticalScrollBar().value() > before
    sideways = window.view.horizontalScrollBar().value()
    wheel(window, -3, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.horizontalScrollBar().value() > sideways


def test_fit_and_zoom_to_selection(window: MainWindow) -> None:
    key(window, "Ctrl+0")
    visible = visible_scene_rect(window)
    for entity_id in ("acct", "other", "far"):
        assert visible.contains(window.scene.entity_rect(entity_id))
    window.document.select(["far"])
    key(window, "Ctrl+2")
    assert visible_scene_rect(window).contains(window.scene.entity_rect("far"))
    assert not visible_scene_rect(window).contains(window.scene.entity_rect("alice"))


def test_middle_drag_pans(window: MainWindow) -> None:
    viewport = window.view.viewport()
    before = visible_scene_rect(window).center()
    start = viewport.rect().center()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(-100, -60))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, start + QPoint(-100, -60))
    after = visible_scene_rect(window).center()
    assert after.x() == pytest.approx(before.x() + 100, abs=2)
    assert after.y() == pytest.approx(before.y() + 60, abs=2)
    assert window.document.undo_stack.count() == 0


def test_space_drag_pans_without_selecting(window: MainWindow) -> None:
    viewport = window.view.viewport()
    window.view.setFocus()
    before = visible_scene_rect(window).center()
    start = window.view.mapFromScene(window.scene.entity_rect("alice").center())
    QTest.keyPress(window.view, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(80, 40))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(80, 40))
    QTest.keyRelease(window.view, Qt.Key.Key_Space)
    after = visible_scene_rect(window).center()
    assert after.x() == pytest.approx(before.x() - 80, abs=2)
    assert window.document.undo_stack.count() == 0  # alice was not moved
    assert window.document.selected_ids() == []


def test_search_jumps_to_node(window: MainWindow, qtbot: QtBot) -> None:
    key(window, "Ctrl+F")
    assert window.search_field.hasFocus()
    qtbot.keyClicks(window.search_field, "far-away")
    QTest.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.document.selected_ids() == ["far"]
    assert visible_scene_rect(window).contains(window.scene.entity_rect("far"))
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "arn:aws:s3:::assets")
    QTest.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.document.selected_ids() == ["bucket"]
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "nobody-has-this-name")
    QTest.keyClick(window.search_field, Qt.Key.Key_Return)
    assert "No node matches" in window.statusBar().currentMessage()
    assert window.document.selected_ids() == ["bucket"]


def test_delete_key_removes_selection_and_undo_restores(window: MainWindow) -> None:
    window.document.select(["devs"])
    key(window, "Del")
    assert "devs" not in window.document.workspace and window.scene.entity_item("devs") is None
    assert window.document.workspace.get("alice").groups == ()  # type: ignore[union-attr]
    assert window.scene.edge_item(Edge(EdgeKind.MEMBER_OF, "alice", "devs").key) is None
    key(window, "Ctrl+Z")
    assert window.scene.entity_item("devs") is not None
    assert window.scene.edge_item(Edge(EdgeKind.MEMBER_OF, "alice", "devs").key) is not None
    key(window, "Ctrl+Shift+Z")
    assert "devs" not in window.document.workspace


def test_deleting_an_account_deletes_its_contents(window: MainWindow) -> None:
    window.document.select(["other"])
    key(window, "Del")
    assert "far" not in window.document.workspace and window.scene.entity_item("far") is None
    key(window, "Ctrl+Z")
    assert window.scene.entity_item("far") is not None


def test_copy_paste_gives_new_ids_and_offset(window: MainWindow) -> None:
    window.document.select(["alice", "devs"])
    key(window, "Ctrl+C")
    key(window, "Ctrl+V")
    workspace = window.document.workspace
    pasted = window.document.selected_ids()
    assert len(pasted) == 2 and not set(pasted) & {"alice", "devs"}
    copies = {workspace.get(i).name: workspace.get(i) for i in pasted}
    assert set(copies) == {"alice-copy", "developers-copy"}
    alice_copy = copies["alice-copy"]
    assert alice_copy.groups == (copies["developers-copy"].id,)  # type: ignore[union-attr]
    assert alice_copy.managed_policies == ("pol",)  # type: ignore[union-attr]
    placed = workspace.placements[alice_copy.id]
    assert (placed.x, placed.y) == (40 + 30, 200 + 30)
    assert window.document.undo_stack.count() == 1
    key(window, "Ctrl+V")
    names = [e.name for e in workspace.entities.values()]
    assert "alice-copy2" in names
    key(window, "Ctrl+Z")
    key(window, "Ctrl+Z")
    assert len(workspace) == len(model())


def test_clipboard_holds_json_text(window: MainWindow) -> None:
    window.document.select(["bucket"])
    key(window, "Ctrl+C")
    text = QApplication.clipboard().text()
    assert '"iam-desktop-clipboard"' in text and "arn:aws:s3:::assets" in text


def test_duplicate(window: MainWindow) -> None:
    window.document.select(["bucket"])
    key(window, "Ctrl+D")
    workspace = window.document.workspace
    [copy_id] = window.document.selected_ids()
    copy = workspace.get(copy_id)
    assert copy.name == "assets-copy" and copy.arn == "arn:aws:s3:::assets-copy"  # type: ignore[union-attr]
    assert window.scene.entity_item(copy_id) is not None


def test_paste_of_foreign_text_changes_nothing(window: MainWindow) -> None:
    QApplication.clipboard().setText("just words")
    key(window, "Ctrl+V")
    assert window.document.undo_stack.count() == 0
    assert "no IAM Desktop nodes" in window.statusBar().currentMessage()


def test_auto_layout_is_one_step_without_overlaps(window: MainWindow) -> None:
    workspace = window.document.workspace
    for entity_id in ("alice", "devs", "deploy"):
        workspace.place(entity_id, Placement(10, 10))  # a messy model: nodes on top of each other
    before = dict(workspace.placements)
    key(window, "Ctrl+L")
    assert window.document.undo_stack.count() == 1
    cards = [window.scene.entity_rect(i) for i in ("pol", "devs", "alice", "deploy", "bucket")]
    for index, rect in enumerate(cards):
        assert window.scene.entity_rect("acct").contains(rect)
        for other in cards[index + 1:]:
            assert not rect.intersects(other)
    assert window.scene.entity_rect("other").contains(window.scene.entity_rect("far"))
    assert not window.scene.entity_rect("acct").intersects(window.scene.entity_rect("other"))
    key(window, "Ctrl+Z")
    assert dict(workspace.placements) == before


def test_layout_copes_with_thousands_of_nodes() -> None:
    workspace = Workspace()
    workspace.add(Account("a", "big", "123456789012"))
    workspace.add_many([User(f"u{i}", f"user{i}", "a") for i in range(3000)])
    placements = compute_layout(workspace)
    assert len(placements) == 3001
    frame = placements["a"]
    assert all(frame.x <= p.x and p.y <= frame.y + (frame.height or 0) for i, p in placements.items() if i != "a")


def test_highlight_dims_others_and_escape_clears(window: MainWindow) -> None:
    edge_key = Edge(EdgeKind.MEMBER_OF, "alice", "devs").key
    window.document.set_highlight(Highlight(frozenset({"alice", "devs"}), frozenset({edge_key}),
                                            edge_labels={edge_key: "1. member of"}, node_badges={"alice": "ALLOW"},
                                            node_colors={"alice": "allow"}))
    alice, bucket = window.scene.entity_item("alice"), window.scene.entity_item("bucket")
    edge = window.scene.edge_item(edge_key)
    assert not alice.highlight.dimmed and bucket.highlight.dimmed
    assert alice.highlight.badge == "ALLOW" and alice.highlight.tint == "allow"
    assert edge.highlight.emphasised and edge.highlight.label == "1. member of"
    assert edge.boundingRect().width() > 0
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    assert window.document.highlight is None
    assert not bucket.highlight.dimmed and not alice.highlight.badge



def test_a_highlight_change_repaints_only_the_items_whose_state_changes(window: MainWindow,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    scene = window.scene
    member = Edge(EdgeKind.MEMBER_OF, "alice", "devs").key
    window.document.set_highlight(Highlight(frozenset({"alice", "devs"}), frozenset({member})))
    repainted: list[str] = []
    for entity_id, item in scene.entity_items().items():  # a card repaints itself or its place in the card layer
        monkeypatch.setattr(item, "show_state" if isinstance(item, NodeItem) else "update",
                            lambda *_args, name=entity_id: repainted.append(name))
    for edge_key, edge in scene.edge_items().items():
        monkeypatch.setattr(edge, "update", lambda *_args, name=edge_key: repainted.append(name))

    window.document.set_highlight(Highlight(frozenset({"alice", "bucket"}), node_badges={"bucket": "NO ALLOW"}))
    assert sorted(repainted) == sorted(["devs", "bucket", member])  # alice stays emphasised; the rest stay dim
    assert scene.entity_item("devs").highlight.dimmed and not scene.entity_item("bucket").highlight.dimmed
    assert scene.edge_item(member).highlight.dimmed and scene.entity_item("far").highlight.dimmed

    repainted.clear()
    window.document.set_highlight(None)  # fading stops: every item that was dim is repainted, alice too
    assert set(repainted) == set(scene.entity_items()) | set(scene.edge_items())
    assert not any(i.highlight.dimmed for i in [*scene.entity_items().values(), *scene.edge_items().values()])


def test_dimmed_items_paint_faded_and_the_others_do_not(window: MainWindow) -> None:
    """The view does not restore painter state between items: a faded card must not fade the next ones."""
    scene, view = window.scene, window.view

    def card_pixels() -> dict[str, str]:
        image = view.viewport().grab().toImage()
        return {entity_id: image.pixelColor(view.mapFromScene(scene.entity_item(entity_id).mapToScene(
            QPointF(3, 25)))).name() for entity_id in ("devs", "alice", "deploy")}

    for zoom in (1.0, 0.2):
        view.set_zoom(zoom)
        view.centerOn(QPointF(300, 200))
        window.document.set_highlight(None)
        plain = card_pixels()
        window.document.set_highlight(Highlight(frozenset({"alice"})))
        assert scene.entity_item("acct").highlight.dimmed and scene.edge_items()
        shown = card_pixels()
        assert shown["alice"] == plain["alice"], zoom
        assert shown["devs"] != plain["devs"] and shown["deploy"] != plain["deploy"], zoom


def test_export_png_and_svg(window: MainWindow, tmp_path: Path) -> None:
    png, svg = tmp_path / "canvas.png", tmp_path / "canvas.svg"
    assert window.files.export_png(png)
    assert window.files.export_svg(svg)
    assert png.stat().st_size > 1000
    text = svg.read_text(encoding="utf-8")
    for name in ("alice", "developers", "assets", "far-away-role", "Prod"):
        assert name in text, name
    assert "<text" in text


def test_undo_history_lists_steps(window: MainWindow) -> None:
    window.document.select(["bucket"])
    key(window, "Del")
    model_rows = window.history_view.model().rowCount()
    assert model_rows == 2  # the opened model + one step
    assert "Delete" in window.document.undo_stack.text(0)


def test_subtitles_too_small_to_read_are_left_out(qtbot: QtBot) -> None:
    workspace = Workspace("Cards")
    workspace.add(Account("acct", "Prod", "123456789012"))
    workspace.add(User("alice", "alice", "acct"), Placement(0, 0))
    main = shown_window(qtbot, workspace, 1.0)

    def ink(zoom: float, top: float, bottom: float) -> int:
        """Pixels of text between ``top`` and ``bottom`` (card units) where the card's text starts."""
        main.view.set_zoom(zoom)
        card = main.scene.entity_item("alice")
        assert card is not None
        main.view.centerOn(card.sceneBoundingRect().center())
        image = main.view.viewport().grab().toImage()
        base = image.pixelColor(main.view.mapFromScene(card.mapToScene(QPointF(170, 38))))  # right of the text
        top_left = main.view.mapFromScene(card.mapToScene(QPointF(50, top)))
        bottom_right = main.view.mapFromScene(card.mapToScene(QPointF(100, bottom)))
        return sum(image.pixelColor(x, y) != base for x in range(top_left.x(), bottom_right.x() + 1)
                   for y in range(top_left.y(), bottom_right.y() + 1))

    assert ink(1.0, 31, 40) > 10  # "IAM user" in the card's second line
    assert ink(0.45, 31, 40) == 0
    assert ink(0.45, 4, 13) == 0 and ink(0.45, 18, 30) > 0  # the title alone moves to the middle
