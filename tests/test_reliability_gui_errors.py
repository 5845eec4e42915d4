"""An unexpected exception in a Qt slot of a running main window shows a short error dialog whose "Copy details"
puts the traceback on the clipboard; the model is unchanged and the app keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication

from iam_desktop.gui.commands import AddEntitiesCommand
from iam_desktop.gui.document import Document
from iam_desktop.gui.errors import ErrorDialog, install_excepthook
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Placement, User, Workspace


def forget_changes(window: MainWindow) -> None:
    """Mark the window's model saved before pytest-qt closes it: closing asks about unsaved changes and waits."""
    window.document.undo_stack.setClean()


pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]

SECRET = "internal detail 0xdeadbeef"


def _model() -> Workspace:
    ws = Workspace("errors")
    ws.add(Account("acct", "prod", "111111111111"), Placement(0, 0, 300, 200))
    return ws


def _dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


@pytest.fixture
def window(qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> MainWindow:
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    main = MainWindow(Document(_model()))
    qtbot.addWidget(main, before_close_func=forget_changes)
    main.show()
    qtbot.waitExposed(main)
    install_excepthook(lambda: main)
    for dialog in _dialogs():
        dialog.close()
    return main


def _failing_slot() -> None:
    raise RuntimeError(f"the deliberately failing action broke ({SECRET})")


@pytest.mark.parametrize("trigger", ["action", "timer"])
def test_an_exception_in_a_slot_shows_a_short_message_with_copyable_details(
        qtbot: Any, window: MainWindow, trigger: str) -> None:
    before = window.document.workspace.copy()
    undo_index = window.document.undo_stack.index()
    if trigger == "action":
        action = QAction("Break", window)
        action.triggered.connect(_failing_slot)
        window.addAction(action)
        action.trigger()
    else:
        QTimer.singleShot(0, _failing_slot)
    qtbot.waitUntil(lambda: bool(_dialogs()), timeout=5000)
    [dialog] = _dialogs()
    shown = dialog.message_label.text()
    assert "Traceback" not in shown and 'File "' not in shown and len(shown) < 400, shown
    assert dialog.copy_button.text() == "Copy details"
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "Traceback (most recent call last)" in copied and "RuntimeError" in copied and SECRET in copied
    assert "_failing_slot" in copied
    dialog.close()

    assert window.document.workspace.same_content(before), "the failure changed the model"
    assert window.document.undo_stack.index() == undo_index
    assert window.isVisible(), "the main window went away"
    user = User("user-after", "after", "acct")
    assert window.document.push(AddEntitiesCommand(window.document.workspace, [user], {user.id: Placement(5, 5)}))
    qtbot.waitUntil(lambda: "user-after" in window.document.workspace, timeout=2000)
    window.document.undo_stack.undo()
    assert window.document.workspace.same_content(before)


def test_a_second_failure_still_shows_a_dialog(qtbot: Any, window: MainWindow) -> None:
    for _ in range(2):
        QTimer.singleShot(0, _failing_slot)
        qtbot.waitUntil(lambda: bool(_dialogs()), timeout=5000)
        for dialog in _dialogs():
            dialog.close()
        qtbot.waitUntil(lambda: not _dialogs(), timeout=5000)


# A main window with the error hook; a worker QThread (as the AWS import uses) raises. The dialog must be made on
# the GUI thread: Qt widgets created in another thread are undefined behaviour (and crash on some platforms).
WORKER_FAILURE = textwrap.dedent("""
    from PySide6.QtCore import QThread, QTimer
    from PySide6.QtWidgets import QApplication
    from iam_desktop.gui.document import Document
    from iam_desktop.gui.errors import ErrorDialog, install_excepthook
    from iam_desktop.gui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(Document())
    window.show()
    install_excepthook(lambda: window)

    class Failing(QThread):
        def run(self):
            raise RuntimeError("the worker failed")

    worker = Failing()
    worker.start()

    def report():
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog)]
        print("dialogs", len(dialogs), flush=True)
        print("on the gui thread", all(d.thread() is app.thread() for d in dialogs), flush=True)
        app.quit()

    QTimer.singleShot(2000, report)
    app.exec()
    worker.wait()
""")


def test_an_exception_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent), QT_QPA_PLATFORM="offscreen",
               IAM_DESKTOP_RECOVERY_DIR=str(tmp_path / "recovery"),
               IAM_DESKTOP_SETTINGS=str(tmp_path / "settings.ini"))
    done = subprocess.run([sys.executable, "-c", WORKER_FAILURE], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "dialogs 1" in done.stdout, done.stdout + done.stderr
    assert "on the gui thread True" in done.stdout
    assert "different thread" not in done.stderr, done.stderr
