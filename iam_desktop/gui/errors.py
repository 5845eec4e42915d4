"""Error reporting: a short message with a "Copy details" button, logged, and a hook so no raw traceback shows."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
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
    _log_error(title, message, details)
    return _open_dialog(parent, title, message, details)


def _log_error(title: str, message: str, details: str) -> None:
    log.error("%s: %s%s", title, message, f"\n{details}" if details and details != message else "")


def _open_dialog(parent: QWidget | None, title: str, message: str, details: str) -> ErrorDialog:
    dialog = ErrorDialog(title, message, details, parent)
    dialog.open()
    return dialog


class _GuiThreadReporter(QObject):
    """Lives on the GUI thread; a report emitted from any thread is queued to it and shown as a dialog there."""

    report = Signal(str, str, str)

    def __init__(self, parent_of: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._parent_of = parent_of
        self.report.connect(self._on_report, Qt.ConnectionType.QueuedConnection)

    @Slot(str, str, str)
    def _on_report(self, title: str, message: str, details: str) -> None:
        _open_dialog(self._parent_of(), title, message, details)


def install_excepthook(parent_of: Callable[[], QWidget | None], only_if_default: bool = False) -> bool:
    """Turn uncaught exceptions into an error dialog (the document stays open) instead of a raw traceback.

    An exception raised off the GUI thread (in a worker ``QThread``) is logged there and its dialog is shown
    on the GUI thread, through a queued signal: Qt widgets must not be made in another thread.

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
    reporters: list[_GuiThreadReporter] = []  # made here when on the GUI thread, else by the first worker error

    def reporter(app: QCoreApplication) -> _GuiThreadReporter:
        if not reporters:
            made = _GuiThreadReporter(parent_of)
            made.moveToThread(app.thread())
            reporters.append(made)
        return reporters[0]

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(kind, error, trace))
        message = (f"Something went wrong: {error}\n\nYour model is still open; save it under a new name "
                   "if in doubt, and report the details.")
        app = QApplication.instance()
        if app is None:
            sys.__excepthook__(kind, error, trace)
            return
        if QThread.currentThread() is app.thread():
            show_error(parent_of(), "Unexpected error", message, details)
            return
        _log_error("Unexpected error in a worker thread", message, details)
        reporter(app).report.emit("Unexpected error", message, details)

    app = QApplication.instance()
    if app is not None and QThread.currentThread() is app.thread():
        reporter(app)
    sys.excepthook = hook
    return True
