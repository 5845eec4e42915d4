"""The canvas context menu: ask about access to a node, overlays, and the frequent edit actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from iam_desktop.gui.main_window import MainWindow
    from iam_desktop.gui.panels.question import QuestionPanel


def show_canvas_menu(window: MainWindow, global_pos: QPoint, entity_id: str | None) -> QMenu:
    """Pop up (without blocking) the menu for a right-click on ``entity_id`` (None: empty canvas).

    A right-click keeps the selection, so "select a principal, right-click a resource" offers to ask at
    once whether that principal can access it. The menu is kept as ``window.canvas_menu``.
    """
    menu = QMenu(window.view)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    question = window.question_panel()
    workspace = window.document.workspace
    if entity_id is not None and entity_id in workspace and question is not None:
        _add_question_entries(window, menu, question, entity_id)
    actions = window.actions_by_name
    if entity_id is not None:
        if entity_id not in window.document.selected_ids():
            window.document.select([*window.document.selected_ids(), entity_id])
        menu.addActions([actions["copy"], actions["duplicate"], actions["delete"]])
        menu.addSeparator()
        menu.addAction(actions["zoom_selection"])
    else:
        menu.addActions([actions["paste"], actions["select_all"]])
        menu.addSeparator()
        menu.addActions([actions["fit"], actions["auto_layout"]])
    window.canvas_menu = menu
    menu.popup(global_pos)
    return menu


def _add_question_entries(window: MainWindow, menu: QMenu, question: QuestionPanel, entity_id: str) -> None:
    from iam_desktop.gui.panels.question import is_principal, is_target

    workspace = window.document.workspace
    entity = workspace.get(entity_id)
    principals = [i for i in window.document.selected_ids()
                  if i != entity_id and i in workspace and is_principal(workspace.get(i))]
    if is_target(entity):
        for principal_id in principals[:3]:
            action = menu.addAction(f"Ask: can {workspace.get(principal_id).name} access {entity.name}?")
            action.setObjectName("menu-ask-selected")
            action.triggered.connect(lambda _c=False, p=principal_id: _ask(window, question, p, entity_id))
        menu.addAction(f"Ask about access to {entity.name}…",
                       lambda: _prepare(window, question, None, entity_id)).setObjectName("menu-ask-about")
    if is_principal(entity):
        menu.addAction(f"Ask what {entity.name} can do…",
                       lambda: _prepare(window, question, entity_id, None)).setObjectName("menu-ask-as")
        menu.addAction(f"Show what {entity.name} can reach",
                       lambda: _overlay(window, question, entity_id, "what")).setObjectName("menu-what-can")
    if entity_id in {r.id for r in workspace.resources()}:
        menu.addAction(f"Show who can reach {entity.name}",
                       lambda: _overlay(window, question, entity_id, "who")).setObjectName("menu-who-can")
    if not menu.isEmpty():
        menu.addSeparator()


def _raise(question: QuestionPanel) -> None:
    from iam_desktop.gui.panels import raise_dock
    raise_dock(question)


def _ask(window: MainWindow, question: QuestionPanel, principal_id: str, target_id: str) -> None:
    _raise(question)
    if question.choose(principal_id, target_id):
        question.ask()


def _prepare(window: MainWindow, question: QuestionPanel, principal_id: str | None, target_id: str | None) -> None:
    """Fill in one side of the question and put the cursor on the other."""
    _raise(question)
    if principal_id is not None:
        question.principal_combo.choose(principal_id)
        question.resource_combo.setFocus()
        window.statusBar().showMessage("Now choose the resource (or right-click it on the canvas), then Ask.", 8000)
    if target_id is not None:
        question.resource_combo.choose(target_id)
        question.principal_combo.setFocus()
        window.statusBar().showMessage("Now choose who asks (or select a principal and right-click this resource), "
                                       "then Ask.", 8000)


def _overlay(window: MainWindow, question: QuestionPanel, entity_id: str, mode: str) -> None:
    window.document.select([entity_id])
    (question.show_what_can if mode == "what" else question.show_who_can)()
