"""The far-zoom picture in tiles: panning draws only new tiles, names follow in idle steps, memory stays bounded."""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

import pytest
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QTransform
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from iam_desktop.gui import overview
from iam_desktop.gui.commands import AddEntitiesCommand, MoveEntitiesCommand, UpdateEntityCommand
from iam_desktop.gui.document import Document
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.icons import style_for
from iam_desktop.gui.items.node import OVERLAY_COLORS
from iam_desktop.gui.overview import CanvasPicture
from iam_desktop.gui.items.edge import FAR_PENS
from iam_desktop.gui.items.edge_layer import CELL
from iam_desktop.gui.picture_tiles import MEMORY_LIMIT, TILE, tiles_under
from iam_desktop.gui.scene import CanvasScene
from iam_desktop.model import Account, ManagedPolicy, Placement, Role, User, Workspace
from iam_desktop.model.edges import Edge, EdgeKind
from gui_support import shown_window

pytestmark = pytest.mark.gui
EMPTY = {"Version": "2012-10-17", "Statement": []}
SCALE = 0.2
SIZE = (600, 400)
TILE_BYTES = TILE * TILE * 4


def model(columns: int = 12, rows: int = 14, edges: bool = True) -> Workspace:
    """A grid of users (each attached to a policy of the first row when ``edges``) in one account."""
    workspace = Workspace("Tiles")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(-100, -100, columns * 250 + 200, rows * 160 + 200))
    policies = [ManagedPolicy(f"pol{column}", f"policy-number-{column}", EMPTY, account="acct")
                for column in range(columns)]
    users = [User(f"u{column}-{row}", f"user-with-a-long-name-{column}-{row}", "acct",
                  managed_policies=(f"pol{(column + row) % columns}",) if edges else ())
             for row in range(1, rows) for column in range(columns)]
    placements = {f"pol{column}": Placement(column * 250.0, 0.0) for column in range(columns)}
    placements.update({f"u{column}-{row}": Placement(column * 250.0 + row * 7.0, row * 160.0)
                       for row in range(1, rows) for column in range(columns)})
    workspace.add_many([*policies, *users], placements)
    return workspace


class Harness:
    """A scene, a widget standing for the view's viewport, and the picture drawn for it at a scale and place."""

    def __init__(self, qtbot: QtBot, workspace: Workspace, memory_limit: int = MEMORY_LIMIT,
                 size: tuple[int, int] = SIZE) -> None:
        self.document = Document(workspace)
        self.scene = CanvasScene(self.document)
        self.viewport = QWidget()
        qtbot.addWidget(self.viewport)
        self.viewport.resize(*size)
        self.picture = CanvasPicture(self.scene, memory_limit)
        self.scale, self.dx, self.dy = SCALE, 0, 0

    def paint(self, exposed: QRect | None = None) -> QImage:
        """What a paint of ``exposed`` (the whole viewport by default) shows."""
        image = QImage(self.viewport.size(), QImage.Format.Format_RGB32)
        image.fill(self.viewport.palette().color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        self.picture.draw(painter, self.viewport, QTransform(self.scale, 0, 0, self.scale, self.dx, self.dy),
                          exposed if exposed is not None else self.viewport.rect())
        painter.end()
        return image

    def finished(self) -> QImage:
        """A paint after every pending tile and name is drawn."""
        self.paint()
        self.picture.finish()
        return self.paint()

    def visible_tiles(self) -> int:
        columns, rows = tiles_under(self.viewport.rect().translated(-self.dx, -self.dy))
        return len(columns) * len(rows)

    def center_of(self, entity_id: str) -> QPointF:
        return self.scene.entity_rect(entity_id).center()

    def shows(self, image: QImage, entity_id: str, color: QColor) -> bool:
        """True when the card of ``entity_id`` is drawn in ``color`` (somewhere beside its name's letters)."""
        return _shows(image, self.scene.entity_rect(entity_id), color, self.scale, QPointF(self.dx, self.dy))


@pytest.fixture
def harness(qtbot: QtBot) -> Iterator[Harness]:
    made = Harness(qtbot, model())
    yield made
    made.picture.stop()


def user_color() -> QColor:
    return QColor(style_for("user").color)


def _shows(image: QImage, card: QRectF, color: QColor, scale: float, offset: QPointF) -> bool:
    pixels = QRectF(card.x() * scale + offset.x(), card.y() * scale + offset.y(), card.width() * scale,
                    card.height() * scale).toAlignedRect().intersected(image.rect())
    return any(image.pixelColor(x, y) == color for x in range(pixels.left(), pixels.right() + 1)
               for y in range(pixels.top(), pixels.bottom() + 1))


def test_panning_draws_only_the_tiles_it_uncovers(harness: Harness) -> None:
    harness.finished()
    drawn = harness.picture.rendered_tiles
    assert drawn >= harness.visible_tiles()
    harness.paint()
    assert harness.picture.rendered_tiles == drawn  # nothing new: every tile is kept
    harness.dx -= TILE + 5  # a pan uncovering one more column of tiles (and the strip the scroll exposes)
    strip = QRect(SIZE[0] - TILE - 5, 0, TILE + 5, SIZE[1])
    harness.paint(strip)
    columns, rows = tiles_under(strip.translated(-harness.dx, -harness.dy))
    new_columns = [column for column in columns if column * TILE >= SIZE[0]]
    assert harness.picture.rendered_tiles - drawn == len(new_columns) * len(rows)
    harness.dx += TILE + 5  # back: all kept
    harness.paint()
    assert harness.picture.rendered_tiles - drawn == len(new_columns) * len(rows)


def test_names_come_in_idle_steps_after_the_cheap_parts(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    harness = Harness(qtbot, model(), size=(TILE, TILE))  # one tile: the one a paint draws whatever its budget
    harness.viewport.show()  # idle steps work for a shown view only
    monkeypatch.setattr(overview, "PAINT_BUDGET_S", 0.0)  # a paint draws that tile and nothing more
    first = harness.paint()
    assert harness.picture.has_pending_work()
    assert harness.shows(first, "u1-1", user_color())  # the card...
    assert not _has_white_on(first, harness, "u1-1")  # ...without its name yet
    qtbot.waitUntil(lambda: not harness.picture.has_pending_work(), timeout=5000)
    assert _has_white_on(harness.paint(), harness, "u1-1")  # the name, white on the card
    harness.picture.stop()


def _has_white_on(image: QImage, harness: Harness, entity_id: str) -> bool:
    card = harness.scene.entity_rect(entity_id)
    pixels = QRectF(card.x() * harness.scale + harness.dx, card.y() * harness.scale + harness.dy,
                    card.width() * harness.scale, card.height() * harness.scale).toAlignedRect().adjusted(1, 1, -1, -1)
    return any(image.pixelColor(x, y).lightness() > 230 for x in range(pixels.left(), pixels.right() + 1)
               for y in range(pixels.top(), pixels.bottom() + 1))


def test_a_selection_or_a_highlight_draws_no_tile(harness: Harness) -> None:
    harness.finished()
    drawn = harness.picture.rendered_tiles
    harness.document.select(["u1-2"])
    selected = harness.paint()
    selection = harness.viewport.palette().color(QPalette.ColorRole.Highlight)
    assert harness.shows(selected, "u1-2", selection) and not harness.shows(selected, "u1-2", user_color())
    harness.document.set_highlight(Highlight(frozenset({"u3-3"}), node_colors={"u3-3": "allow"}, dim_others=False))
    highlighted = harness.paint()
    assert harness.shows(highlighted, "u3-3", OVERLAY_COLORS["allow"])
    harness.document.select([])
    harness.document.set_highlight(None)
    plain = harness.paint()
    assert harness.shows(plain, "u1-2", user_color()) and harness.shows(plain, "u3-3", user_color())
    assert harness.picture.rendered_tiles == drawn


def test_the_cache_keeps_within_its_memory_limit(qtbot: QtBot) -> None:
    limit = 3 * 24 * TILE_BYTES  # three views of tiles
    harness = Harness(qtbot, model(), memory_limit=limit)
    for scale in (0.2, 0.15, 0.1):
        harness.scale = scale
        for step in range(12):
            harness.dx, harness.dy = -step * 70, -step * 45
            harness.finished()
            assert harness.picture.cached_bytes <= limit
    assert harness.picture.rendered_tiles > limit // TILE_BYTES  # the cache had to let tiles go
    harness.picture.stop()


def test_tiles_are_dropped_when_what_they_show_changes(harness: Harness) -> None:
    document, workspace = harness.document, harness.document.workspace
    visible = harness.visible_tiles()

    def drawn_anew(change: Callable[[], object]) -> int:
        harness.finished()
        before = harness.picture.rendered_tiles
        change()
        harness.finished()
        return harness.picture.rendered_tiles - before

    assert drawn_anew(lambda: None) == 0
    moved = Placement(300.0, 500.0)
    assert drawn_anew(lambda: document.push(MoveEntitiesCommand(workspace, {"u1-2": moved},
                                                                 {"u1-2": workspace.placements["u1-2"]}))) >= visible
    assert harness.shows(harness.paint(), "u1-2", user_color())
    old = workspace.get("u2-2")
    renamed = dataclasses.replace(old, name="renamed")
    assert drawn_anew(lambda: document.push(UpdateEntityCommand(workspace, old, renamed))) >= visible
    light = harness.paint()
    palette = QPalette(harness.viewport.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    assert drawn_anew(lambda: harness.viewport.setPalette(palette)) >= visible
    dark = harness.paint()
    assert sum(dark.pixelColor(x, 300).lightness() for x in range(0, 600, 5)) < sum(
        light.pixelColor(x, 300).lightness() for x in range(0, 600, 5))  # drawn on the new base colour
    assert drawn_anew(lambda: document.set_highlight(Highlight(frozenset({"u3-3"}), dim_others=True))) >= visible


def test_a_jump_then_an_edit_shows_the_edit(harness: Harness, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.viewport.show()
    harness.finished()
    monkeypatch.setattr(overview, "PAINT_BUDGET_S", 0.0)
    harness.dx, harness.dy = -300, -250  # a jump: most tiles of the new place are still to be drawn
    harness.paint()
    assert harness.picture.has_pending_work()
    workspace = harness.document.workspace
    harness.document.push(AddEntitiesCommand(workspace, [Role("new", "newcomer", "acct")],
                                             {"new": Placement(1900.0, 1900.0)}))
    harness.paint()
    qtbot.waitUntil(lambda: not harness.picture.has_pending_work(), timeout=5000)
    assert harness.shows(harness.paint(), "new", QColor(style_for("role").color))
    harness.picture.stop()


def test_names_and_cards_crossing_tile_borders_show_no_seam(qtbot: QtBot) -> None:
    """The same canvas drawn with the tile borders 64 pixels elsewhere looks the same (edges left out: Qt steps a
    hairline a pixel differently where it cuts it at an image's border)."""
    harness = Harness(qtbot, model(edges=False))
    harness.scale, harness.dx, harness.dy = 0.25, -37, -21
    before = harness.finished()
    workspace = harness.document.workspace
    shifted = {entity_id: dataclasses.replace(placement, x=placement.x + 256, y=placement.y + 256)
               for entity_id, placement in workspace.placements.items()}  # 64 pixels at this scale
    harness.document.push(MoveEntitiesCommand(workspace, shifted, dict(workspace.placements)))
    harness.dx, harness.dy = harness.dx - 64, harness.dy - 64
    after = harness.finished()
    worst = max(_channel_difference(before.pixel(x, y), after.pixel(x, y))
                for x in range(SIZE[0]) for y in range(SIZE[1]))
    assert worst <= 2  # antialiasing rounding at most: no glyph, card edge or frame moved at a border
    harness.picture.stop()


def _channel_difference(first: int, second: int) -> int:
    return max(abs(((first >> shift) & 255) - ((second >> shift) & 255)) for shift in (0, 8, 16))


def test_far_zoomed_out_a_jump_then_an_edit_shows_the_edit(qtbot: QtBot) -> None:
    window = shown_window(qtbot, model(), 0.2)
    view = window.view
    view.centerOn(QPointF(2800, 2000))  # a jump, then at once an edit where the view now is
    workspace = window.document.workspace
    window.document.push(AddEntitiesCommand(workspace, [Role("new", "newcomer", "acct")],
                                            {"new": Placement(2600.0, 1900.0)}))

    def shows_the_new_card() -> None:
        image = view.viewport().grab().toImage()
        corner = view.mapFromScene(QPointF(0, 0))
        assert _shows(image, window.scene.entity_rect("new"), QColor(style_for("role").color), view.zoom_factor(),
                      QPointF(corner))

    qtbot.waitUntil(shows_the_new_card, timeout=5000)
    qtbot.wait(100)  # idle steps go on: nothing drawn before the edit comes back
    shows_the_new_card()


def test_every_edge_is_drawn_selected_or_along_a_cell_border(qtbot: QtBot) -> None:
    """An edge selected while the tiles are drawn (the edge layer leaves it to itself) and a vertical edge right on
    a border of the edge layer's cells (which the layer files only near its start) are on every tile they cross."""
    workspace = Workspace("Border")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 8000, 9000))
    workspace.add_many([ManagedPolicy("pol", "ReadOnly", EMPTY, account="acct"),
                        User("alice", "alice", "acct", managed_policies=("pol",)),
                        ManagedPolicy("pol2", "Admin", EMPTY, account="acct"),
                        User("bob", "bob", "acct", managed_policies=("pol2",))],
                       {"pol": Placement(CELL - 92, 100), "alice": Placement(CELL - 92, 8500),
                        "pol2": Placement(CELL + 500, 100), "bob": Placement(CELL + 500, 8500)})
    harness = Harness(qtbot, workspace)
    selected = harness.scene.edge_item(Edge(EdgeKind.ATTACHED, "pol2", "bob").key)
    selected.setSelected(True)
    harness.dy = -round(4000 * harness.scale)  # far from either end of the edges
    harness.finished()  # the tiles are drawn while the edge is selected...
    selected.setSelected(False)
    image = harness.paint()  # ...and kept: a selection draws no tile
    attached = FAR_PENS[EdgeKind.ATTACHED].color()
    for x in (CELL, CELL + 592):
        column = round(x * harness.scale + harness.dx)
        assert all(any(image.pixelColor(column + dx, y) == attached for dx in (-1, 0, 1)) for y in range(0, SIZE[1], 7))
    harness.picture.stop()
