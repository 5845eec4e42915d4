"""The edge layer draws plain edges in batches: they must look as before, follow pans, moves and every state."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iam_desktop.gui.commands import MoveEntitiesCommand
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.items.edge import DIMMED_EDGE_OPACITY, EDGE_STYLES, EdgeItem
from iam_desktop.gui.items.edge_layer import CELL, EdgeLayer, _cells_along
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Group, ManagedPolicy, Placement, Role, User, Workspace
from iam_desktop.model.edges import Edge, EdgeKind
from gui_support import shot, shown_window

pytestmark = pytest.mark.gui
EMPTY = {"Version": "2012-10-17", "Statement": []}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/deploy"}, "Action": "sts:AssumeRole"}]}
MEMBER = Edge(EdgeKind.MEMBER_OF, "alice", "devs").key
ATTACHED = Edge(EdgeKind.ATTACHED, "pol", "bob").key
TRUSTS = Edge(EdgeKind.TRUSTS, "deploy", "admin").key


def model() -> Workspace:
    """Cards far apart, so that the edges between them are long and cross views that hold neither end."""
    workspace = Workspace("Edges")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(-200, -200, 5600, 3600))
    workspace.add_many([
        Group("devs", "developers", "acct"),
        User("alice", "alice", "acct", groups=("devs",)),
        ManagedPolicy("pol", "ReadOnly", EMPTY, account="acct"),
        User("bob", "bob", "acct", managed_policies=("pol",)),
        Role("deploy", "deploy", "acct"),
        Role("admin", "admin", "acct", trust_policy=TRUST),
    ], {"alice": Placement(0, 0), "devs": Placement(4000, 2400), "pol": Placement(0, 2400),
        "bob": Placement(4000, 0), "deploy": Placement(2000, 0), "admin": Placement(2100, 3000)})
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), 1.0)
    return main


def edge(window: MainWindow, key: str) -> EdgeItem:
    item = window.scene.edge_item(key)
    assert item is not None
    return item


def on_screen(window: MainWindow) -> QImage:
    """What the viewport shows now, without repainting it (the window's backing store)."""
    viewport = window.view.viewport()
    corner = viewport.mapTo(window, QPoint(0, 0))
    return window.screen().grabWindow(window.winId(), corner.x(), corner.y(), viewport.width(),
                                      viewport.height()).toImage()


def close(color: QColor, expected: QColor, tolerance: int = 40) -> bool:
    return max(abs(color.red() - expected.red()), abs(color.green() - expected.green()),
               abs(color.blue() - expected.blue())) <= tolerance


def distance(color: QColor, other: QColor) -> int:
    return max(abs(color.red() - other.red()), abs(color.green() - other.green()), abs(color.blue() - other.blue()))


def toward(color: QColor, expected: QColor, background: QColor) -> bool:
    """True when ``color`` is much nearer ``expected`` than ``background`` is (thin antialiased lines)."""
    return distance(color, expected) < 0.6 * distance(background, expected)


def blend(color: QColor, base: QColor, opacity: float) -> QColor:
    return QColor(*(round(opacity * c + (1 - opacity) * b) for c, b in
                    zip(color.getRgb()[:3], base.getRgb()[:3])))


def unmatched(image: QImage, other: QImage) -> int:
    """How many drawn pixels of ``image`` (not the colour of their row's first pixel: background and frame fill)
    have no drawn pixel of ``other`` at or next to them."""

    def drawn(picture: QImage, x: int, y: int) -> bool:
        return distance(picture.pixelColor(x, y), picture.pixelColor(0, y)) > 40

    return sum(drawn(image, x, y) and not any(drawn(other, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
               for y in range(1, image.height() - 1) for x in range(1, image.width() - 1))


def colors_along(window: MainWindow, image: QImage, line: QLineF, samples: int = 200) -> list[QColor]:
    """The pixels under the parts of ``line`` in view."""
    view, colors = window.view, []
    for step in range(1, samples):
        point = view.mapFromScene(line.pointAt(step / samples))
        if image.rect().adjusted(2, 2, -2, -2).contains(point):
            colors.append(image.pixelColor(point))
    return colors


def show_middle(window: MainWindow, key: str, zoom: float) -> QLineF:
    """Zoom and centre on the middle of an edge, so that neither of its ends is in view; its line."""
    window.view.set_zoom(zoom)
    line = edge(window, key).ends
    window.view.centerOn(line.center())
    QApplication.processEvents()
    return line


def base_color(window: MainWindow) -> QColor:
    return window.view.palette().color(QPalette.ColorRole.Base)


def kind_color(kind: EdgeKind) -> QColor:
    return QColor(EDGE_STYLES[kind].color)


@pytest.mark.parametrize("zoom", [1.0, 0.5, 0.25])
def test_a_long_plain_edge_is_drawn_by_the_layer_in_its_colour(window: MainWindow, zoom: float) -> None:
    item = edge(window, MEMBER)
    assert item.flags() & item.GraphicsItemFlag.ItemHasNoContents  # plain: its own paint is never called
    line = show_middle(window, MEMBER, zoom)
    colors = colors_along(window, shot(window), line)
    assert colors
    color, background = kind_color(EdgeKind.MEMBER_OF), base_color(window)
    assert sum(toward(c, color, background) for c in colors) >= len(colors) // 2, zoom


@pytest.mark.parametrize("zoom", [1.0, 0.5, 0.25])
def test_after_panning_the_screen_shows_what_a_full_repaint_draws(window: MainWindow, zoom: float) -> None:
    """Scrolling repaints only the uncovered strips: lines, dashes and heads must continue across them."""
    show_middle(window, TRUSTS, zoom)
    viewport = window.view.viewport()
    at = viewport.rect().center()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, at)
    for step in range(16):
        at = at + QPoint(3 if step % 2 else -2, 5)  # the dashed line crosses the strips a scroll uncovers
        QTest.mouseMove(viewport, at)
        QApplication.processEvents()
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, at)
    QApplication.processEvents()
    shown, repainted = on_screen(window), shot(window)
    assert shown.size() == repainted.size()
    # Qt's scrolled pixels and a full repaint may differ in the shading of thin lines (it does so with items that
    # paint themselves too): every line pixel of one must have a line pixel within a pixel in the other
    assert unmatched(shown, repainted) <= 3 and unmatched(repainted, shown) <= 3
    if zoom < 1.0:
        return  # thinner lines shade differently after a scroll; far out (0.25) lines are plain hairlines
    dashed, background = kind_color(EdgeKind.TRUSTS), base_color(window)
    along = [(toward(s, dashed, background), toward(r, dashed, background))
             for s, r in zip(colors_along(window, shown, edge(window, TRUSTS).ends, 4000),
                             colors_along(window, repainted, edge(window, TRUSTS).ends, 4000))]
    assert any(drawn for drawn, _ in along)
    assert sum(drawn != again for drawn, again in along) <= len(along) // 20  # the dashes continue across strips


def test_clicking_a_plain_edge_selects_it_and_it_is_drawn_selected(window: MainWindow) -> None:
    line = show_middle(window, MEMBER, 1.0)
    item = edge(window, MEMBER)
    highlight = window.view.palette().color(QPalette.ColorRole.Highlight)
    window.document.select([])
    point = window.view.mapFromScene(line.pointAt(0.47))  # not where the policy's edge crosses it
    assert window.scene.edge_layer not in window.scene.items(line.pointAt(0.47))
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert item.isSelected()
    assert not item.flags() & item.GraphicsItemFlag.ItemHasNoContents
    assert close(shot(window).pixelColor(point), highlight, 10)
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     point + QPoint(0, 60))
    assert not item.isSelected()
    assert item.flags() & item.GraphicsItemFlag.ItemHasNoContents
    assert close(shot(window).pixelColor(point), kind_color(EdgeKind.MEMBER_OF))


def test_a_highlight_emphasises_its_edges_labels_them_and_fades_the_others(window: MainWindow) -> None:
    window.view.set_zoom(1.0)
    window.view.centerOn(QPointF(2092, 1225))  # where the two lines cross
    member, attached = edge(window, MEMBER).ends, edge(window, ATTACHED).ends
    before = shot(window)
    window.document.set_highlight(Highlight(frozenset({"alice", "devs"}), frozenset({MEMBER}),
                                            edge_labels={MEMBER: "1. member of"}))
    image = shot(window)
    plain = [c for c in colors_along(window, before, attached) if close(c, kind_color(EdgeKind.ATTACHED))]
    assert plain
    faded = blend(kind_color(EdgeKind.ATTACHED), base_color(window), DIMMED_EDGE_OPACITY)
    assert any(close(c, faded, 12) for c in colors_along(window, image, attached))
    assert not any(close(c, kind_color(EdgeKind.ATTACHED)) for c in colors_along(window, image, attached))
    strong = [c for c in colors_along(window, image, member) if close(c, kind_color(EdgeKind.MEMBER_OF))]
    assert len(strong) >= len(colors_along(window, image, member)) // 2  # thicker, not faded
    label = window.view.mapFromScene(member.center())
    assert image.pixelColor(label) != before.pixelColor(label)  # the label box covers the middle
    window.document.set_highlight(None)
    again = shot(window)
    assert any(close(c, kind_color(EdgeKind.ATTACHED)) for c in colors_along(window, again, attached))


def test_the_drawing_follows_a_moved_card(window: MainWindow) -> None:
    line = show_middle(window, ATTACHED, 0.25)
    color, background = kind_color(EdgeKind.ATTACHED), base_color(window)
    assert any(toward(c, color, background) for c in colors_along(window, shot(window), line))
    workspace = window.document.workspace
    window.document.push(MoveEntitiesCommand(workspace, {"bob": Placement(0, 200)},
                                             {"bob": workspace.placements["bob"]}, "Move"))
    QApplication.processEvents()
    assert not any(toward(c, color, background) for c in colors_along(window, shot(window), line))
    window.document.undo_stack.undo()
    QApplication.processEvents()
    assert any(toward(c, color, background) for c in colors_along(window, shot(window), line))


def test_the_layer_is_never_hit_and_bounds_only_the_edges(window: MainWindow) -> None:
    layer = window.scene.edge_layer
    assert isinstance(layer, EdgeLayer) and not layer.isSelected()
    edges = QRectF()
    for item in window.scene.edge_items().values():
        edges = edges.united(item.boundingRect())
    window.scene.content_rect()
    assert layer.boundingRect() == edges
    assert window.scene.items(QRectF(-500, -500, 6000, 4000), Qt.ItemSelectionMode.IntersectsItemShape).count(
        layer) == 0


def test_every_cell_a_line_passes_through_is_found() -> None:
    """``_cells_along`` against points sampled along random lines (and the reach of their heads)."""

    class Line:
        def __init__(self, x1: float, y1: float, x2: float, y2: float) -> None:
            self.segment = (x1, y1, x2, y2)
            self.reach = 20.0
            self.extent = (min(x1, x2) - 20, min(y1, y2) - 20, max(x1, x2) + 20, max(y1, y2) + 20)

    rng = random.Random(4)
    lines = [Line(*(rng.uniform(-3 * CELL, 3 * CELL) for _ in range(4))) for _ in range(300)]
    for _ in range(100):  # level and upright lines whose reach crosses a cell border
        at = rng.choice((-1, 1, 2)) * CELL + rng.uniform(-15, 15)
        start, end = sorted(rng.uniform(-3, 3) * CELL for _ in range(2))
        lines += [Line(start, at, end, at), Line(at, start, at, end)]
    for line in lines:
        cells = set(_cells_along(line))  # type: ignore[arg-type]
        x1, y1, x2, y2 = line.segment
        for step in range(501):
            x, y = x1 + (x2 - x1) * step / 500, y1 + (y2 - y1) * step / 500
            for dx, dy in ((0, 0), (19, 0), (-19, 0), (0, 19), (0, -19)):
                assert (int((x + dx) // CELL), int((y + dy) // CELL)) in cells


def test_clicking_an_edge_over_a_frames_title_bar_selects_the_edge(qtbot: QtBot) -> None:
    workspace = Workspace("Title bar")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 200, 800, 600))
    workspace.add_many([Group("devs", "developers", "acct"), User("alice", "alice", "acct", groups=("devs",))],
                       {"alice": Placement(300, 0), "devs": Placement(300, 500)})
    main = shown_window(qtbot, workspace, 1.0)
    main.view.centerOn(QPointF(400, 300))
    member = edge(main, MEMBER)
    frame = main.scene.entity_item("acct")
    crossing = QPointF(member.live_ends.x1(), 210.0)  # on the line, in the frame's title bar
    assert frame.title_rect().translated(frame.pos()).contains(crossing)
    QTest.mouseClick(main.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     main.view.mapFromScene(crossing))
    assert member.isSelected() and not frame.isSelected()
    title = QPointF(60.0, 210.0)  # the title bar away from the edge still selects the frame
    QTest.mouseClick(main.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     main.view.mapFromScene(title))
    assert frame.isSelected() and not member.isSelected()
