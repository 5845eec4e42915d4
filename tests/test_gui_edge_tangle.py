"""Views crossed by hundreds of edges: drawn one pixel wide, and while the view moves, some of them until it stops."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from iam_desktop.gui.items import edge_layer
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Group, Placement, User, Workspace
from gui_support import shot, shown_window

pytestmark = pytest.mark.gui
USERS, GROUPS = 40, 12
MIDDLE = QPointF(1500, 1600)  # only lines here: the cards are 1,400 units to either side


def model() -> Workspace:
    """Every user (left column) a member of every group (right column): 480 lines crossing the middle."""
    workspace = Workspace("Tangle")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(-400, -400, 100, 100))
    groups = [Group(f"g{index}", f"group-{index}", "acct") for index in range(GROUPS)]
    users = [User(f"u{index}", f"user-{index}", "acct", groups=tuple(group.id for group in groups))
             for index in range(USERS)]
    placements = {user.id: Placement(0, index * 80) for index, user in enumerate(users)}
    placements.update({group.id: Placement(3000, index * 260) for index, group in enumerate(groups)})
    workspace.add_many([*groups, *users], placements)
    return workspace


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = shown_window(qtbot, model(), 1.0)
    main.view.centerOn(MIDDLE)
    return main


def line_pixels(image: QImage) -> int:
    """How many pixels show a membership line (blue: #4a8fd6), a measure of how many and how wide they are."""
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            color = image.pixelColor(x, y)
            if color.blue() - color.red() > 40:
                count += 1
    return count


def test_a_view_crossed_by_many_edges_draws_them_one_pixel_wide(window: MainWindow,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert USERS * GROUPS > edge_layer.DENSE_LINES
    thin = line_pixels(shot(window))
    monkeypatch.setattr(edge_layer, "DENSE_LINES", USERS * GROUPS + 1)  # as if fewer crossed: drawn as usual
    window.scene.edge_layer.update()
    usual = line_pixels(shot(window))
    assert 0 < thin < usual * 0.85


def test_while_the_view_moves_over_a_tangle_some_lines_are_drawn_then_all_once_it_stops(
        window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    before = line_pixels(shot(window))
    monkeypatch.setattr(edge_layer, "MOVING_BUDGET_S", 1e-4)  # a few lines fit in the time
    window.view.centerOn(MIDDLE + QPointF(0, 150))  # a jump: the view is drawn while it moves
    moving = line_pixels(shot(window))
    qtbot.wait(edge_layer.SETTLE_MS * 3)
    settled = line_pixels(shot(window))
    assert 0 < moving < settled * 0.6
    assert abs(settled - before) < before * 0.2  # all lines again, about as many as in the view before
