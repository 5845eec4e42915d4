"""Error reporting: a short message with a "Copy details" button, logged, and a hook so no raw traceback shows."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget,
)

log = logging.getLogger("iam_desktop")


class ErrorDialog(QDialog):
    """A short message for people and the technical details behind a "Copy details" button."""

    def __init__(self, title: str, message: str, details: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details = details or message
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setMinimumWidth(360)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.message_label, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> ErrorDialog:
    """Log the error and show it in a window-modal dialog (not blocking the caller); returns the dialog."""
    log.error("%s: %s%s", title, message, f"\n{details}" if details and details != message else "")
    dialog = ErrorDialog(title, message, details, parent)
    dialog.open()
    return dialog


def install_excepthook(parent_of: Callable[[], QWidget | None], only_if_default: bool = False) -> bool:
    """Turn uncaught exceptions into an error dialog (the document stays open) instead of a raw traceback.

    Parameters
    ----------
    parent_of
        Gives the window to show the dialog over (the active main window).
    only_if_default
        Leave a hook someone else installed (a test harness) in place.

    Returns
    -------
    bool
        True when the hook was installed.
    """
    if only_if_default and sys.excepthook is not sys.__excepthook__:
        return False

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(kind, error, trace))
        message = (f"Something went wrong: {error}\n\nYour model is still open; save it under a new name "
                   "if in doubt, and report the details.")
        if QApplication.instance() is None:
            sys.__excepthook__(kind, error, trace)
            return
        show_error(parent_of(), "Unexpected error", message, details)

    sys.excepthook = hook
    return True
