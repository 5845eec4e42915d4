"""The side panels of the main window: inspector, policy editor, question and answer, access matrix."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.inspector import InspectorPanel
from iam_desktop.gui.panels.matrix import MatrixPanel
from iam_desktop.gui.panels.policy_editor_panel import PolicyEditorPanel
from iam_desktop.gui.panels.question import QuestionPanel

__all__ = ["InspectorPanel", "MatrixPanel", "PolicyEditorPanel", "QuestionPanel", "create_panels", "raise_dock"]


def raise_dock(widget: QWidget) -> None:
    """Show and raise the dock widget holding ``widget`` (nothing when it is not docked)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    if parent is not None:
        parent.show()
        parent.raise_()


def create_panels(document: Document, parent: QWidget | None = None) -> list[tuple[str, QWidget, Qt.DockWidgetArea]]:
    """Create the panels for ``document``, wired to each other, as (title, widget, dock area) triples.

    A double-clicked matrix cell shows its explanation in the question panel; a request to edit a policy
    raises the policy editor's dock.

    Parameters
    ----------
    document
        The open document every panel follows and edits through.
    parent
        The parent of the panel widgets (the main window).
    """
    inspector = InspectorPanel(document, parent)
    inspector.setObjectName("InspectorPanel")
    editor = PolicyEditorPanel(document, parent)
    editor.setObjectName("PolicyEditorPanel")
    question = QuestionPanel(document, parent)
    question.setObjectName("QuestionPanel")
    matrix = MatrixPanel(document, parent)
    matrix.setObjectName("MatrixPanel")

    def on_matrix_answer(answer: object) -> None:
        question.show_answer(answer)  # type: ignore[arg-type]
        raise_dock(question)

    matrix.answer_requested.connect(on_matrix_answer)
    document.edit_policy_requested.connect(lambda *_args: raise_dock(editor))
    return [
        ("Inspector", inspector, Qt.DockWidgetArea.RightDockWidgetArea),
        ("Policy editor", editor, Qt.DockWidgetArea.RightDockWidgetArea),
        ("Question", question, Qt.DockWidgetArea.BottomDockWidgetArea),
        ("Access matrix", matrix, Qt.DockWidgetArea.BottomDockWidgetArea),
    ]
