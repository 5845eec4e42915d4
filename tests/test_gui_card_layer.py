"""The card layer draws every plain card; a card that stands out (selected, hovered, marked) draws itself."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsItem
from pytestqt.qtbot import QtBot

from iam_desktop.gui import close_up
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.icons import style_for
from iam_desktop.gui.items.node import NODE_HEIGHT, NODE_WIDTH, NodeItem
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Placement, Role, User, Workspace
from gui_support import color_at, shot, shown_window

pytestmark = pytest.mark.gui
EMPTY_SPOT = QPointF(700, 500)


def model() -> Workspace:
    workspace = Workspace("Cards")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(-2000, -2000, 100, 100))
    workspace.add_many([User("alice", "alice", "acct"), User("bob", "bob", "acct"), Role("deploy", "deploy", "acct")],
                       {"alice": Placement(100, 100), "bob": Placement(100, 300), "deploy": Placement(450, 100)})
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), 1.0)
    main.view.centerOn(QPointF(400, 300))
    return main


def card(window: MainWindow, entity_id: str) -> NodeItem:
    item = window.scene.entity_item(entity_id)
    assert isinstance(item, NodeItem)
    return item


def tile_point(window: MainWindow, entity_id: str) -> QPointF:
    """A point on the card's kind tile (its icon's coloured corner)."""
    return card(window, entity_id).pos() + QPointF(11, 12)


def handle_point(window: MainWindow, entity_id: str) -> QPointF:
    return card(window, entity_id).pos() + card(window, entity_id).handle_center()


def kind_color(key: str) -> QColor:
    return QColor(style_for(key).color)


def close(color: QColor, expected: QColor, tolerance: int = 30) -> bool:
    return max(abs(color.red() - expected.red()), abs(color.green() - expected.green()),
               abs(color.blue() - expected.blue())) <= tolerance


def dark_pixels(window: MainWindow, image: QImage, rect: QRectF) -> int:
    """How many pixels of ``rect`` (scene coordinates) are dark: the text drawn there."""
    area = window.view.mapFromScene(rect).boundingRect()
    return sum(1 for x in range(area.left(), area.right()) for y in range(area.top(), area.bottom())
               if image.pixelColor(x, y).lightness() < 100)


def test_plain_cards_have_no_contents_and_the_layer_draws_them(window: MainWindow) -> None:
    image = shot(window)
    for entity_id, key in (("alice", "user"), ("bob", "user"), ("deploy", "role")):
        item = card(window, entity_id)
        assert item.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
        assert close(color_at(window, image, tile_point(window, entity_id)), kind_color(key))
        title = QRectF(item.pos() + QPointF(48, 4), item.pos() + QPointF(NODE_WIDTH - 8, 28))
        assert dark_pixels(window, image, title) > 20  # the name is drawn
    layer = window.scene.card_layer
    assert [c.entity_id for c in layer.cards_in([QRectF(0, 0, 1000, 1000)])] == ["alice", "bob", "deploy"]
    assert layer.cards_in([QRectF(EMPTY_SPOT, EMPTY_SPOT + QPointF(50, 50))]) == []


def test_the_layer_finds_a_card_by_the_parts_that_stick_out(window: MainWindow) -> None:
    layer, alice = window.scene.card_layer, card(window, "alice")
    badge_spot = alice.pos() + QPointF(NODE_WIDTH - 2, -10)  # above the body: where a badge shows
    handle_spot = alice.pos() + QPointF(NODE_WIDTH + 8, NODE_HEIGHT / 2)  # right of the body: the handle's edge
    for spot in (badge_spot, handle_spot):
        assert layer.cards_in([QRectF(spot, spot + QPointF(1, 1))]) == [alice]
    beyond = alice.pos() + QPointF(NODE_WIDTH + 30, NODE_HEIGHT / 2)
    assert layer.cards_in([QRectF(beyond, beyond + QPointF(1, 1))]) == []


def test_a_selected_card_draws_itself_with_its_handle_and_looks_the_same_once_deselected(window: MainWindow) -> None:
    before = shot(window)
    view = window.view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(card(window, "alice").pos() + QPointF(90, 40)))
    alice = card(window, "alice")
    assert alice.isSelected()
    assert not alice.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    assert alice not in window.scene.card_layer.cards_in([alice.sceneBoundingRect()])
    selected = shot(window)
    assert close(color_at(window, selected, handle_point(window, "alice")), kind_color("user"))
    assert not close(color_at(window, before, handle_point(window, "alice")), kind_color("user"))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(EMPTY_SPOT))
    assert not alice.isSelected() and alice.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    assert shot(window) == before


def test_hovering_a_card_shows_its_handle_and_leaving_hides_it(window: MainWindow, qtbot: QtBot) -> None:
    view = window.view
    QTest.mouseMove(view.viewport(), view.mapFromScene(card(window, "deploy").pos() + QPointF(90, 25)))
    qtbot.waitUntil(lambda: close(color_at(window, shot(window), handle_point(window, "deploy")),
                                  kind_color("role")))
    QTest.mouseMove(view.viewport(), view.mapFromScene(EMPTY_SPOT))
    qtbot.waitUntil(lambda: not close(color_at(window, shot(window), handle_point(window, "deploy")),
                                      kind_color("role")))
    assert card(window, "deploy").flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def test_dragging_a_card_moves_its_drawing_and_undo_moves_it_back(window: MainWindow) -> None:
    view, viewport = window.view, window.view.viewport()
    background = color_at(window, shot(window), EMPTY_SPOT)
    old_tile = tile_point(window, "bob")
    start = view.mapFromScene(card(window, "bob").pos() + QPointF(90, 40))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(viewport, start + QPoint(60, 20) * step)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(300, 100))
    window.document.select([])
    assert window.document.workspace.placements["bob"].x >= 350
    moved = shot(window)
    assert close(color_at(window, moved, tile_point(window, "bob")), kind_color("user"))
    assert color_at(window, moved, old_tile) == background
    window.document.undo_stack.undo()
    back = shot(window)
    assert tile_point(window, "bob") == old_tile
    assert close(color_at(window, back, old_tile), kind_color("user"))
    window.document.undo_stack.redo()
    assert color_at(window, shot(window), old_tile) == background


def test_renaming_a_card_redraws_its_name(window: MainWindow) -> None:
    item = card(window, "alice")
    title = QRectF(item.pos() + QPointF(48, 4), item.pos() + QPointF(NODE_WIDTH - 8, 28))
    before = dark_pixels(window, shot(window), title)
    workspace = window.document.workspace
    window.document.update_entity(User("alice", "alice-with-a-much-longer-name", "acct"), "Rename")
    assert workspace.get("alice").name == "alice-with-a-much-longer-name"
    assert dark_pixels(window, shot(window), title) > before * 2
    window.document.undo_stack.undo()
    assert dark_pixels(window, shot(window), title) == before


def test_deleting_a_card_erases_it_and_undo_draws_it_again(window: MainWindow) -> None:
    background = color_at(window, shot(window), EMPTY_SPOT)
    spot = tile_point(window, "deploy")
    window.document.select(["deploy"])
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert "deploy" not in window.document.workspace.entities
    assert color_at(window, shot(window), spot) == background
    window.document.undo_stack.undo()
    window.document.select([])
    assert close(color_at(window, shot(window), tile_point(window, "deploy")), kind_color("role"))


def test_a_highlight_fades_the_cards_it_does_not_cover_and_badges_stand_out(window: MainWindow) -> None:
    window.document.set_highlight(Highlight(frozenset({"alice"}), node_badges={"deploy": "NO ALLOW"}))
    image = shot(window)
    assert close(color_at(window, image, tile_point(window, "alice")), kind_color("user"))
    faded = color_at(window, image, tile_point(window, "bob"))
    assert faded.lightness() > kind_color("user").lightness() + 60  # dimmed by the layer
    deploy = card(window, "deploy")
    assert not deploy.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # badged: it draws itself
    window.document.set_highlight(None)
    assert deploy.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    assert close(color_at(window, shot(window), tile_point(window, "bob")), kind_color("user"))


def test_an_svg_export_keeps_the_card_names_as_text(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "canvas.svg"
    assert window.files.export_svg(path)
    text = path.read_text(encoding="utf-8")
    assert ">alice<" in text and ">deploy<" in text and "IAM user" in text


def test_a_big_canvas_is_spared_the_collector_until_another_model_replaces_it(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(close_up, "SPARED_FROM_ENTITIES", 3)
    main = shown_window(qtbot, model(), 1.0)
    qtbot.waitUntil(lambda: not main.scene.close_up.is_busy(), timeout=5000)
    assert gc.get_freeze_count() > 0  # once every card's text is laid out
    assert main.files.new_model()
    assert gc.get_freeze_count() == 0


def test_the_preparation_waits_while_the_view_moves(window: MainWindow, qtbot: QtBot) -> None:
    preparation = window.scene.close_up
    qtbot.waitUntil(lambda: not preparation.is_busy(), timeout=5000)
    preparation.prepare_now()  # as after a rebuild: three cards' texts to lay out
    bar = window.view.horizontalScrollBar()
    bar.setValue(bar.value() + 40)  # the view moves before a slice ran
    qtbot.wait(close_up.STILL_FOR_MS // 2)
    assert preparation.cards_left() == 3 and preparation.is_busy()
    qtbot.waitUntil(lambda: not preparation.is_busy(), timeout=5000)
    assert preparation.cards_left() == 0


def test_card_faces_kept_for_many_scales_stay_within_their_memory_bound(qapp: QApplication) -> None:
    from iam_desktop.gui.items import card_look

    base = QColor("white")
    for step in range(60):  # zooming through many levels up to 400 % on a high-DPI screen
        card_look.card_face("user", 0.3 + step * 0.13, base)
    assert 0 < card_look.kept_face_bytes() <= card_look.MOST_FACE_BYTES
