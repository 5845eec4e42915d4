"""Starting the GUI: the QApplication, the error hook, and main windows opened on a file, the example or a recovery."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from iam_desktop.formats.model_file import ModelFileError
from iam_desktop.gui.autosave import Recovery, pending_recoveries
from iam_desktop.gui.document import Document
from iam_desktop.gui.errors import install_excepthook, show_error
from iam_desktop.gui.main_window import MainWindow


WELCOME_TIP = ("Welcome! Click alice, then right-click welcome-assets and choose “Ask: can alice access "
               "welcome-assets?” — or drag entries from the palette to draw your own model.")


def _welcome_path() -> Path | None:
    try:
        from iam_desktop.paths import default_example
        path = default_example()
    except (ImportError, FileNotFoundError):
        return None
    return path if path.is_file() else None


def create_main_window(path: Path | None = None) -> MainWindow:
    """A main window showing ``path``; without one, the bundled welcome example, unless a recovery is pending.

    When a previous run left a recovery file, the window opens empty (or on ``path``) and a dialog offers to
    recover it (``window.recovery_box``); recovering shows the autosaved model as unsaved changes.
    """
    install_excepthook(_active_window, only_if_default=True)
    window = MainWindow(Document())
    window.restore_geometry()
    recoveries = pending_recoveries()
    if path is not None:
        window.files.open_path(Path(path), ask=False)
    elif not recoveries:
        welcome = _welcome_path()
        if welcome is not None and window.files.open_path(welcome, ask=False, as_untitled=True):
            window.statusBar().showMessage(WELCOME_TIP, 30000)
    if recoveries:
        offer_recovery(window, recoveries[0])
    return window


def offer_recovery(window: MainWindow, recovery: Recovery) -> QMessageBox:
    """Ask (without blocking) whether to restore the autosaved model; the answer is handled when given."""
    box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved changes",
                      "IAM Desktop did not close properly last time and kept your unsaved changes"
                      + (f" to {recovery.original_path.name}." if recovery.original_path else "."),
                      parent=window)
    box.setInformativeText("Recover them now? Discarding deletes them.")
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(recover)

    def answered(button: object) -> None:
        if button is recover:
            _recover(window, recovery)
        else:
            recovery.discard()
            welcome = _welcome_path()
            if welcome is not None and window.document.path is None and not len(window.document.workspace):
                window.files.open_path(welcome, ask=False, as_untitled=True)

    box.buttonClicked.connect(answered)
    window.recovery_box = box
    QTimer.singleShot(0, box, box.open)  # once the window is shown, so that the box is above it even without a WM
    return box


def _recover(window: MainWindow, recovery: Recovery) -> None:
    try:
        workspace = recovery.load()
    except ModelFileError as exc:
        show_error(window, "Cannot recover", "The recovery file could not be read; it is kept.", str(exc))
        recovery.lock.unlock()
        return
    window.document.replace(workspace, recovery.original_path)
    window.document.undo_stack.resetClean()
    window.autosaver.save_now()
    recovery.discard()
    window.view.fit_all()
    window.statusBar().showMessage("Recovered the unsaved changes; save them to keep them.", 10000)


def _active_window() -> QWidget | None:
    return QApplication.activeWindow()


def run_app(argv: list[str]) -> int:
    """Run the GUI on ``argv`` (program name first; further arguments are model files); returns the exit code."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName("IAM Desktop")
    app.setOrganizationName("IAM Desktop")
    install_excepthook(_active_window)
    files = [Path(a) for a in app.arguments()[1:] if not a.startswith("-")]
    windows = [create_main_window(p) for p in files] or [create_main_window(None)]
    for window in windows:
        window.show()
    code = app.exec()
    del windows
    return code


if __name__ == "__main__":
    sys.exit(run_app(sys.argv))
