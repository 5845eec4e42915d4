"""Far zoomed out the canvas shows a picture of the scene: it must follow every edit, selection and highlight."""

from __future__ import annotations

import pytest
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iam_desktop.gui.commands import AddEntitiesCommand, MoveEntitiesCommand
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.icons import style_for
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.gui.items.node import FAR_ZOOM
from iam_desktop.gui.overview import OVERVIEW_ZOOM
from iam_desktop.model import Account, ManagedPolicy, Placement, Resource, Role, User, Workspace
from iam_desktop.model.edges import Edge, EdgeKind
from gui_support import color_at, shot, shown_window

pytestmark = pytest.mark.gui
EMPTY = {"Version": "2012-10-17", "Statement": []}
FAR = 0.08
EMPTY_SPOT = QPointF(1500, 2300)


def model() -> Workspace:
    workspace = Workspace("Overview")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 6000, 4000))
    workspace.add_many([
        ManagedPolicy("pol", "ReadOnly", EMPTY, account="acct"),
        User("alice", "alice", "acct", managed_policies=("pol",)),
        User("bob", "bob", "acct"),
        Role("deploy", "deploy", "acct"),
        Resource("bucket", "assets", "acct", "s3_bucket", "arn:aws:s3:::assets"),
    ], {"pol": Placement(400, 600), "alice": Placement(3000, 600), "bob": Placement(400, 3000),
        "deploy": Placement(3000, 3000), "bucket": Placement(5200, 1800)})
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), FAR)
    main.view.centerOn(QPointF(3000, 2000))
    return main


def card_center(window: MainWindow, entity_id: str) -> QPointF:
    return window.scene.entity_rect(entity_id).center()


def kind_color(key: str) -> QColor:
    return QColor(style_for(key).color)


def empty_color(window: MainWindow) -> QColor:
    """The colour of the account frame's inside where nothing is drawn."""
    return color_at(window, shot(window), EMPTY_SPOT)


class PaintCounter(QObject):
    """Counts the paint events of the widget it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def repaints(window: MainWindow, change: Callable[[], object]) -> bool:
    """True when ``change`` makes the canvas repaint on its own (as on screen: no grab)."""
    QApplication.processEvents()
    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    try:
        change()
        for _ in range(5):
            QApplication.processEvents()
        return counter.paints > 0
    finally:
        window.view.viewport().removeEventFilter(counter)


def test_far_zoomed_out_the_canvas_repaints_after_every_kind_of_change(window: MainWindow) -> None:
    document, view, viewport = window.document, window.view, window.view.viewport()
    attached = Edge(EdgeKind.ATTACHED, "pol", "alice").key
    workspace = document.workspace
    assert repaints(window, lambda: document.select(["deploy"]))
    assert repaints(window, lambda: document.select(["bob"]))
    assert repaints(window, lambda: document.set_highlight(Highlight(frozenset({"alice"}), frozenset({attached}))))
    assert repaints(window, lambda: document.set_highlight(None))
    assert repaints(window, lambda: document.push(MoveEntitiesCommand(
        workspace, {"deploy": Placement(1000, 1000)}, {"deploy": workspace.placements["deploy"]}, "Move")))
    assert repaints(window, document.undo_stack.undo)
    start = view.mapFromScene(card_center(window, "bob"))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)  # connect
    assert repaints(window, lambda: QTest.mouseMove(viewport, start + QPoint(30, 0)))
    assert window.scene.interaction.connect_line() is not None
    line, image, empty = window.scene.interaction.connect_line().line(), shot(window), empty_color(window)
    assert any(image.pixelColor(view.mapFromScene(line.pointAt(t / 20))) != empty for t in range(10, 19))
    assert repaints(window, lambda: QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton,
                                                       Qt.KeyboardModifier.ShiftModifier, start + QPoint(30, 0)))
    assert window.scene.interaction.connect_line() is None


def test_far_zoom_shows_the_picture_and_close_zoom_paints_items(window: MainWindow) -> None:
    view = window.view
    assert FAR <= OVERVIEW_ZOOM and view.shows_overview()
    image = shot(window)
    assert color_at(window, image, card_center(window, "alice")) == kind_color("user")
    assert color_at(window, image, card_center(window, "deploy")) == kind_color("role")
    view.set_zoom(1.0)
    assert not view.shows_overview()
    view.centerOn(card_center(window, "alice"))
    assert color_at(window, shot(window), card_center(window, "alice") + QPointF(40, 0)) != kind_color("user")


def test_the_picture_follows_a_node_dragged_far_zoomed_out(window: MainWindow) -> None:
    view, viewport = window.view, window.view.viewport()
    background = empty_color(window)
    old = card_center(window, "bob")
    assert color_at(window, shot(window), old) == kind_color("user")
    start = view.mapFromScene(old)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(viewport, start + QPoint(16, 8) * step)
    during = shot(window)  # mid-gesture: the items moved, the model not yet
    moved = card_center(window, "bob")
    assert moved.x() > old.x() + 800
    assert color_at(window, during, moved) != kind_color("user")  # the selected card is drawn as selected
    assert color_at(window, during, old) == background
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(80, 40))
    assert window.document.workspace.placements["bob"].x > 1200
    window.document.select([])
    after = shot(window)
    assert color_at(window, after, card_center(window, "bob")) == kind_color("user")
    assert color_at(window, after, old) == background


def test_the_picture_follows_model_edits_and_undo(window: MainWindow) -> None:
    document, background = window.document, empty_color(window)
    spot = QPointF(1600, 1900)
    assert color_at(window, shot(window), spot) == background
    document.push(AddEntitiesCommand(document.workspace, [Role("new", "newcomer", "acct")],
                                     {"new": Placement(spot.x() - 92, spot.y() - 25)}))
    assert color_at(window, shot(window), spot) == kind_color("role")
    document.undo_stack.undo()
    assert color_at(window, shot(window), spot) == background
    workspace = document.workspace
    document.push(MoveEntitiesCommand(workspace, {"deploy": Placement(spot.x() - 92, spot.y() - 25)},
                                      {"deploy": workspace.placements["deploy"]}, "Move"))
    assert color_at(window, shot(window), spot) == kind_color("role")


def test_selection_and_highlight_stay_visible_far_zoomed_out(window: MainWindow) -> None:
    palette = window.view.palette()
    before = shot(window)
    window.document.select(["deploy"])
    assert color_at(window, shot(window), card_center(window, "deploy")) == palette.color(QPalette.ColorRole.Highlight)
    window.document.select([])
    attached = Edge(EdgeKind.ATTACHED, "pol", "alice").key
    window.document.set_highlight(Highlight(frozenset({"alice", "pol"}), frozenset({attached}),
                                            node_colors={"alice": "allow"}))
    highlighted = shot(window)
    assert color_at(window, highlighted, card_center(window, "pol")) == kind_color("policy:iam")
    assert color_at(window, highlighted, card_center(window, "alice")) not in (
        kind_color("user"), color_at(window, highlighted, EMPTY_SPOT))  # tinted "allow"
    faded = color_at(window, highlighted, card_center(window, "bob"))
    assert faded != color_at(window, before, card_center(window, "bob"))  # the others are dimmed
    window.document.set_highlight(None)
    assert color_at(window, shot(window), card_center(window, "bob")) == kind_color("user")


def test_rubber_band_far_zoomed_out_is_drawn_and_selects(window: MainWindow) -> None:
    view, viewport = window.view, window.view.viewport()
    background = empty_color(window)
    start, end = view.mapFromScene(QPointF(2500, 2500)), view.mapFromScene(QPointF(4000, 3600))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(10, 10))
    QTest.mouseMove(viewport, end)
    inside = shot(window).pixelColor(start + QPoint(20, 20))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert inside != background
    assert window.document.selected_ids() == ["deploy"]


def test_fit_all_follows_moves_and_shows_the_picture(window: MainWindow) -> None:
    workspace = window.document.workspace
    window.document.push(MoveEntitiesCommand(workspace, {"bucket": Placement(40000, 30000)},
                                             {"bucket": workspace.placements["bucket"]}, "Move"))
    window.view.fit_all()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.entity_rect("bucket"))
    assert window.view.shows_overview()
    assert color_at(window, shot(window), card_center(window, "bucket")) == kind_color("resource:s3_bucket")


def test_edges_follow_moved_nodes_and_draw_across_the_view(window: MainWindow) -> None:
    view, scene, workspace = window.view, window.scene, window.document.workspace
    window.document.push(MoveEntitiesCommand(workspace, {"alice": Placement(3000, 3600)},
                                             {"alice": workspace.placements["alice"]}, "Move"))
    edge = scene.edge_item(Edge(EdgeKind.ATTACHED, "pol", "alice").key)
    assert scene.entity_rect("alice").adjusted(-1, -1, 1, 1).contains(edge.ends.p2())
    view.set_zoom(1.0)  # the middle of the long edge: neither end nor arrow head is in view
    middle = edge.ends.center()
    view.centerOn(middle)
    assert _orange_near(window, middle)
    line = edge.ends
    normal = line.normalVector().unitVector()
    beside = QPointF(normal.dx(), normal.dy()) * 2.5  # off the line, inside the filled arrow head
    inside_head = line.pointAt(1 - 8 / line.length()) + beside
    view.centerOn(inside_head)
    assert _orange_near(window, inside_head, reach=0)


def _orange_near(window: MainWindow, scene_point: QPointF, reach: int = 2) -> bool:
    """True when the "attached" edge colour is drawn at ``scene_point`` (or within ``reach`` pixels)."""
    image, center = shot(window), window.view.mapFromScene(scene_point)
    drawn = [image.pixelColor(center + QPoint(dx, dy)) for dx in range(-reach, reach + 1)
             for dy in range(-reach, reach + 1)]
    return any(c.red() > 200 and 90 < c.green() < 150 and c.blue() < 90 for c in drawn)


def test_below_far_zoom_the_picture_looks_like_the_cards_painting_themselves(window: MainWindow,
                                                                              qtbot: QtBot) -> None:
    view = window.view
    view.set_zoom(0.12)  # plain tiles with their names, every card in view
    view.centerOn(QPointF(2800, 1900))
    assert OVERVIEW_ZOOM == FAR_ZOOM and view.shows_overview()

    def names_drawn() -> None:  # names follow the cards in idle steps after the first paint at a new place
        image = shot(window)
        for entity_id in ("alice", "bob", "deploy", "bucket"):
            spot = view.mapFromScene(card_center(window, entity_id))
            assert any(image.pixelColor(spot.x() + dx, spot.y() + dy).lightness() > 200
                       for dx in range(-8, 9) for dy in (-1, 0, 1)), entity_id

    qtbot.waitUntil(names_drawn)
    picture = shot(window)
    painted = QImage(picture.size(), QImage.Format.Format_ARGB32_Premultiplied)
    painted.fill(window.view.palette().color(QPalette.ColorRole.Base))
    painter = QPainter(painted)
    window.scene.render(painter, QRectF(painted.rect()), view.mapToScene(view.viewport().rect()).boundingRect())
    painter.end()
    differing = sum(1 for x in range(0, picture.width(), 2) for y in range(0, picture.height(), 2)
                    if _far_apart(picture.pixelColor(x, y), painted.pixelColor(x, y)))
    assert differing < picture.width() * picture.height() / 4 * 0.01  # under 1 % of the pixels


def _far_apart(first: QColor, second: QColor) -> bool:
    return max(abs(first.red() - second.red()), abs(first.green() - second.green()),
               abs(first.blue() - second.blue())) > 80
