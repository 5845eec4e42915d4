"""The window as a new user meets it: first-start size, readable nodes and docks, theme, recent files, asking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QFont, QFontMetricsF, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from iam_desktop.gui.app import create_main_window
from iam_desktop.gui.errors import ErrorDialog
from iam_desktop.gui.items.card_look import title_lines
from iam_desktop.gui.items.node import NodeItem
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.gui.panels.question import QuestionPanel
from iam_desktop.gui.settings import AppSettings, Theme, apply_theme, is_dark
from gui_support import discard_changes

pytestmark = pytest.mark.gui
PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    """The window of a first start (the welcome example), at the size of a 1600 x 1000 screen."""
    main = create_main_window(None)
    qtbot.addWidget(main, before_close_func=discard_changes)
    main.setWindowState(Qt.WindowState.WindowNoState)
    main.resize(1600, 1000)
    main.show()
    qtbot.waitExposed(main)
    return main


def entity_id(window: MainWindow, name: str) -> str:
    return next(e.id for e in window.document.workspace.entities.values() if e.name == name)


def node_point(window: MainWindow, name: str) -> QPoint:
    """Where the node named ``name`` is on the view's viewport (after bringing it into view)."""
    window.view.reveal(entity_id(window, name))
    QApplication.processEvents()
    return window.view.mapFromScene(window.scene.entity_rect(entity_id(window, name)).center())


def click_node(window: MainWindow, name: str, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, modifier, node_point(window, name))


def right_click_node(window: MainWindow, name: str) -> None:
    """A right-click as the platform delivers it: the press, then the context-menu event."""
    viewport = window.view.viewport()
    point = node_point(window, name)
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, point)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                        viewport.mapToGlobal(point)))
    QTest.mouseRelease(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, point)


def question(window: MainWindow) -> QuestionPanel:
    panel = window.question_panel()
    assert panel is not None
    return panel


# ----- first start -------------------------------------------------------------------------------------------
def test_first_start_opens_maximised_and_a_saved_geometry_is_kept(qtbot: QtBot) -> None:
    first = create_main_window(None)
    qtbot.addWidget(first, before_close_func=discard_changes)
    assert first.windowState() & Qt.WindowState.WindowMaximized
    first.setWindowState(Qt.WindowState.WindowNoState)
    first.resize(900, 700)
    first.show()
    qtbot.waitExposed(first)
    first.close()
    again = create_main_window(None)
    qtbot.addWidget(again, before_close_func=discard_changes)
    assert not again.windowState() & Qt.WindowState.WindowMaximized


def test_start_up_does_not_load_networkx() -> None:
    code = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
            "from iam_desktop.gui.app import create_main_window; w = create_main_window(None);"
            "print('networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


def test_access_matrix_computes_in_a_fresh_process_where_networkx_loads_late() -> None:
    code = ("import time; from PySide6.QtWidgets import QApplication; from PySide6.QtTest import QTest;"
            "app = QApplication([]); from iam_desktop.gui.app import create_main_window;"
            "from iam_desktop.gui.panels import MatrixPanel; w = create_main_window(None); w.show();"
            "m = w.findChild(MatrixPanel); QTest.mouseClick(m.run_button, __import__('PySide6.QtCore').QtCore.Qt"
            ".MouseButton.LeftButton); t = time.time()\n"
            "while m.cancel_button.isEnabled() and time.time() - t < 20: QTest.qWait(50)\n"
            "print(m.model.rowCount() > 0 and not m.cancel_button.isEnabled())")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr


def test_long_names_wrap_onto_two_lines_with_the_full_name_in_the_tooltip(window: MainWindow) -> None:
    font = QFont()
    font.setBold(True)
    metrics = QFontMetricsF(font)
    assert title_lines("alice", metrics, 128) == ["alice"]
    service = title_lines("lambda.amazonaws.com", metrics, 128)
    assert service[0].endswith(".") and "".join(service) == "lambda.amazonaws.com"
    assert title_lines("DeveloperBoundary", metrics, 100) == ["Developer", "Boundary"]
    item = window.scene.entity_item(entity_id(window, "DeveloperBoundary"))
    assert isinstance(item, NodeItem) and "DeveloperBoundary" in item.toolTip()


def test_legend_text_is_not_cut(window: MainWindow) -> None:
    legend = window.legend_dock.widget()
    assert legend.height() >= legend.minimumHeight() > 0
    for label in legend.findChildren(type(window.zoom_label)):
        assert legend.rect().contains(label.geometry()), label.text()


def test_question_dock_has_room_for_inputs_and_answer(window: MainWindow) -> None:
    panel = question(window)
    assert panel.principal_combo.width() >= 150
    assert panel.resource_combo.width() >= 150
    assert panel.answer_view.tree.height() >= 150
    assert panel.actions.suggestion_list.height() >= 100
    inputs = panel.splitter.widget(0)
    assert not inputs.verticalScrollBar().isVisible()  # type: ignore[attr-defined]


# ----- asking from the canvas --------------------------------------------------------------------------------
def test_right_click_on_a_resource_asks_for_the_selected_principal(window: MainWindow) -> None:
    click_node(window, "alice")
    right_click_node(window, "welcome-assets")
    assert window.document.selected_ids() == [entity_id(window, "alice"), entity_id(window, "welcome-assets")]
    menu = window.canvas_menu
    assert menu is not None and menu.isVisible()
    ask = next(a for a in menu.actions() if a.objectName() == "menu-ask-selected")
    assert ask.text() == "Ask: can alice access welcome-assets?"
    ask.trigger()
    menu.close()
    panel = question(window)
    action, decision, _why = panel.answer_view.row_texts()[0]
    assert action == "s3:GetObject" and decision == "✔ Allow"
    assert "✔ Allow" in window.statusBar().currentMessage()
    highlight = window.document.highlight
    assert highlight is not None
    assert entity_id(window, "DeveloperAccess") in highlight.node_ids
    assert any(label.startswith("grants s3:GetObject") for label in highlight.edge_labels.values())
    assert panel.answer_view.detail_label.isVisible()


def test_right_click_on_a_resource_alone_prepares_the_question(window: MainWindow) -> None:
    right_click_node(window, "welcome-assets")
    menu = window.canvas_menu
    assert menu is not None
    assert not [a for a in menu.actions() if a.objectName() == "menu-ask-selected"]
    next(a for a in menu.actions() if a.objectName() == "menu-ask-about").trigger()
    menu.close()
    assert question(window).resource_combo.current_id() == entity_id(window, "welcome-assets")
    assert "choose who asks" in window.statusBar().currentMessage()


def test_ask_about_selection_shortcut(window: MainWindow) -> None:
    click_node(window, "alice")
    click_node(window, "welcome-assets", Qt.KeyboardModifier.ControlModifier)
    window.view.setFocus()
    QTest.keySequence(window, "Ctrl+Shift+A")
    assert question(window).answer_view.row_texts()[0][1] == "✔ Allow"
    assert window.actions_by_name["ask_selection"].shortcut().toString() == "Ctrl+Shift+A"


def test_ask_shows_a_wait_cursor_while_it_works(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = question(window)
    panel.choose(entity_id(window, "alice"), entity_id(window, "welcome-assets"))
    seen: list[object] = []
    original = panel.graph.can

    def spying_can(*args: object, **kwargs: object) -> object:
        cursor = QApplication.overrideCursor()
        seen.append(cursor.shape() if cursor is not None else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(panel.graph, "can", spying_can)
    QTest.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    assert seen == [Qt.CursorShape.WaitCursor]
    assert QApplication.overrideCursor() is None


# ----- theme -------------------------------------------------------------------------------------------------
def test_theme_menu_switches_to_dark_and_back(window: MainWindow, qtbot: QtBot) -> None:
    try:
        window.actions_by_name["theme_dark"].trigger()
        assert AppSettings().theme() is Theme.DARK
        assert is_dark(QApplication.palette())
        qtbot.waitUntil(lambda: is_dark(window.view.palette()))
        assert window.actions_by_name["theme_dark"].isChecked()
        window.actions_by_name["theme_light"].trigger()
        assert AppSettings().theme() is Theme.LIGHT
        assert not is_dark(QApplication.palette())
        window.actions_by_name["theme_system"].trigger()
        assert AppSettings().theme() is Theme.SYSTEM
        assert not window.actions_by_name["theme_dark"].isChecked()
    finally:
        apply_theme(Theme.SYSTEM)
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    assert base.lightness() > 128


# ----- recent files ------------------------------------------------------------------------------------------
def test_recent_file_that_fails_to_open_is_dropped_and_clear_recent_empties(window: MainWindow,
                                                                           tmp_path: Path) -> None:
    good = tmp_path / "good.iamd.json"
    assert window.files.write_to(good)
    broken = tmp_path / "broken.iamd.json"
    broken.write_text("{ not json")
    AppSettings().add_recent_file(good)
    AppSettings().add_recent_file(broken)
    menu = window.findChild(type(window.menuBar().actions()[0].menu()), "menu-recent")
    menu.aboutToShow.emit()
    entries = [a for a in menu.actions() if a.toolTip() in (str(good.resolve()), str(broken.resolve()))]
    assert [a.toolTip() for a in entries] == [str(broken.resolve()), str(good.resolve())]
    entries[0].trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]
    assert dialogs
    for dialog in dialogs:
        dialog.close()
    assert AppSettings().recent_files() == [good.resolve()]
    assert "removed from the recent files" in window.statusBar().currentMessage()
    menu.aboutToShow.emit()
    next(a for a in menu.actions() if a.objectName() == "action-clear-recent").trigger()
    assert AppSettings().recent_files() == []
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == ["No recent files"]


# ----- view --------------------------------------------------------------------------------------------------
def test_model_stays_fitted_while_the_window_grows_until_the_user_zooms(window: MainWindow, qtbot: QtBot) -> None:
    window.view.fit_all()
    before = window.view.zoom_factor()
    window.resize(1200, 800)
    qtbot.waitUntil(lambda: window.view.zoom_factor() < before)
    window.view.zoom_in()
    zoomed = window.view.zoom_factor()
    window.resize(1600, 1000)
    qtbot.wait(50)
    assert window.view.zoom_factor() == pytest.approx(zoomed)


def test_toolbar_buttons_name_their_shortcuts(window: MainWindow) -> None:
    for name in ("new", "open", "save", "undo", "redo", "auto_layout", "fit"):
        action = window.actions_by_name[name]
        keys = action.shortcut().toString()
        assert keys and keys in action.toolTip(), (name, action.toolTip())
    for name in ("import_aws", "export_png", "export_svg"):
        assert not window.actions_by_name[name].shortcut().isEmpty()


def test_import_into_an_empty_model_is_laid_out_without_overlaps_and_undoes(window: MainWindow, qtbot: QtBot,
                                                                           shared_data: Path) -> None:
    window.document.undo_stack.setClean()
    assert window.files.new_model()
    window.files.import_path(shared_data / "aws-authorization-details" / "cloudsplaining-example.json")
    qtbot.waitUntil(lambda: window.files.import_thread is None, timeout=30000)
    count = len(window.document.workspace)
    assert count > 200
    nodes = [item for item in window.scene.entity_items().values() if isinstance(item, NodeItem)]
    rects = [item.mapRectToScene(item.body_rect()) for item in nodes]
    overlapping = [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if a.intersects(b)]
    assert not overlapping
    assert window.view.zoom_factor() >= 0.12
    window.actions_by_name["undo"].trigger()
    assert len(window.document.workspace) == 0
    window.actions_by_name["redo"].trigger()
    assert len(window.document.workspace) == count


def test_long_reasons_wrap_in_the_answer_tree_and_grants_share_one_label(window: MainWindow) -> None:
    panel = question(window)
    panel.choose(entity_id(window, "alice"), entity_id(window, "welcome-assets"),
                 ["s3:GetObject", "s3:ListBucket"])
    QTest.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    tree = panel.answer_view.tree
    line = tree.fontMetrics().height()
    tree.setColumnWidth(0, 150)
    tree.setColumnWidth(1, 100)
    panel.answer_view.resize(420, panel.answer_view.height())
    QApplication.processEvents()
    top = tree.topLevelItem(0)
    assert len(top.text(2)) > 60
    assert tree.visualItemRect(top).height() >= 2 * line
    assert tree.horizontalScrollBar().maximum() == 0 or not tree.horizontalScrollBar().isVisible()
    highlight = window.document.highlight
    assert highlight is not None
    assert "grants s3:GetObject, s3:ListBucket" in highlight.edge_labels.values()


def test_first_start_says_how_to_ask(window: MainWindow) -> None:
    assert "right-click welcome-assets" in window.statusBar().currentMessage()
    assert "right-click" in question(window).answer_view.summary_label.text()


def test_right_click_on_a_principal_shows_what_it_can_reach(qtbot, window: MainWindow) -> None:
    right_click_node(window, "alice")
    menu = window.canvas_menu
    assert menu is not None
    next(a for a in menu.actions() if a.objectName() == "menu-what-can").trigger()
    menu.close()
    qtbot.waitUntil(lambda: window.document.highlight is not None, timeout=5000)
    highlight = window.document.highlight
    assert highlight is not None
    assert highlight.node_colors.get(entity_id(window, "welcome-assets")) == "allow"


def test_far_zoom_still_names_the_nodes(window: MainWindow) -> None:
    window.view.set_zoom(0.2)
    QApplication.processEvents()
    image = window.view.viewport().grab().toImage()
    item = window.scene.entity_item(entity_id(window, "welcome-assets"))
    assert item is not None
    centre = window.view.mapFromScene(item.sceneBoundingRect().center())
    row = [image.pixelColor(x, centre.y()) for x in range(centre.x() - 15, centre.x() + 15)]
    assert any(c.lightness() > 200 for c in row) and any(c.lightness() < 150 for c in row)
