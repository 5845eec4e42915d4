"""Helpers shared by the GUI tests."""

from __future__ import annotations

from iam_desktop.gui.main_window import MainWindow


def discard_changes(main: MainWindow) -> None:
    """Closing a test window must not ask about unsaved changes."""
    main.document.undo_stack.setClean()
