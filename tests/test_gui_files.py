"""Files from the window: save and reopen, the unsaved-changes prompt, broken files, AWS import, crash recovery."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import pytest
from PySide6.QtCore import QDeadlineTimer, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from iam_desktop.formats.model_file import load_model
from iam_desktop.gui.app import create_main_window
from iam_desktop.gui.autosave import pending_recoveries, recovery_dir
from iam_desktop.gui.commands import AddEntitiesCommand
from iam_desktop.gui.document import Document
from iam_desktop.gui.errors import ErrorDialog, install_excepthook
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Group, Placement, User, Workspace

pytestmark = pytest.mark.gui


def sample() -> Workspace:
    workspace = Workspace("Sample")
    workspace.add(Account("acct", "Prod", "123456789012"), Placement(0, 0, 600, 400))
    workspace.add_many([User("alice", "alice", "acct", groups=("devs",)), Group("devs", "devs", "acct")],
                       {"alice": Placement(40, 60), "devs": Placement(300, 60)})
    return workspace


def discard_changes(main: QWidget) -> None:
    if isinstance(main, MainWindow):
        main.document.undo_stack.setClean()


def show(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window, before_close_func=discard_changes)
    window.show()
    qtbot.waitExposed(window)
    return window


def add_user(window: MainWindow, name: str) -> None:
    window.document.push(AddEntitiesCommand(window.document.workspace, [User(name, name, "acct")],
                                            {name: Placement(40, 200)}))


def answer_next_dialog(button: QMessageBox.StandardButton, timeout_ms: int = 10_000) -> list[str]:
    """Click ``button`` in the next modal dialog as soon as it shows; returns the texts the dialog showed.

    A modal dialog this cannot answer (another kind, or without ``button``) is rejected, never left open: its
    event loop would hang the test run. Polling stops after ``timeout_ms``.
    """
    seen: list[str] = []
    deadline = QDeadlineTimer(timeout_ms)

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            if not deadline.hasExpired():
                QTimer.singleShot(20, poll)
            return
        seen.append(dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle())
        target = dialog.button(button) if isinstance(dialog, QMessageBox) else None
        if target is None:
            dialog.reject()
        else:
            target.click()

    QTimer.singleShot(0, poll)
    return seen


def test_save_close_open_gives_the_same_model(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    assert window.isWindowModified()
    path = tmp_path / "model.iamd.json"
    assert window.files.write_to(path)
    assert not window.document.is_modified() and not window.isWindowModified()
    assert window.windowTitle() == "model[*] — IAM Desktop"
    saved = window.document.workspace.copy()
    window.close()
    assert not window.isVisible()
    reopened = show(qtbot, create_main_window(path))
    assert reopened.document.workspace.same_content(saved)
    assert reopened.document.path == path and not reopened.document.is_modified()
    assert set(reopened.scene.entity_items()) == set(saved.entities)
    assert len(reopened.scene.edge_items()) == 1


def test_save_adds_the_suffix(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    assert window.files.write_to(tmp_path / "plain")
    assert (tmp_path / "plain.iamd.json").is_file()
    assert load_model(tmp_path / "plain.iamd.json").same_content(window.document.workspace)


def test_close_with_unsaved_changes_cancel_keeps_the_window(qtbot: QtBot) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    seen = answer_next_dialog(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert seen and "not saved" in seen[0]
    assert window.isVisible() and "bob" in window.document.workspace


def test_close_with_unsaved_changes_discard_closes(qtbot: QtBot) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    answer_next_dialog(QMessageBox.StandardButton.Discard)
    assert window.close()
    assert not window.isVisible()


def test_close_with_unsaved_changes_save_writes_the_file(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "kept.iamd.json"
    window = show(qtbot, MainWindow(Document(sample())))
    assert window.files.write_to(path)
    add_user(window, "bob")
    answer_next_dialog(QMessageBox.StandardButton.Save)
    assert window.close()
    assert "bob" in load_model(path)


def test_new_model_asks_first(qtbot: QtBot) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    answer_next_dialog(QMessageBox.StandardButton.Cancel)
    assert not window.files.new_model()
    assert "bob" in window.document.workspace
    answer_next_dialog(QMessageBox.StandardButton.Discard)
    assert window.files.new_model()
    assert len(window.document.workspace) == 0 and not window.scene.entity_items()


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": "iam-desktop", "version": 99}),
                                     json.dumps({"hello": "world"})])
def test_broken_file_shows_error_and_keeps_document(qtbot: QtBot, tmp_path: Path, content: str) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    before = window.document.workspace.copy()
    broken = tmp_path / "broken.iamd.json"
    broken.write_text(content)
    assert not window.files.open_path(broken, ask=False)
    dialog = window.findChild(ErrorDialog)
    assert dialog is not None and dialog.isVisible()
    assert "broken.iamd.json" in dialog.message_label.text()
    dialog.copy_button.click()
    assert "broken.iamd.json" in QApplication.clipboard().text()
    dialog.close()
    assert window.document.workspace.same_content(before) and window.document.is_modified()
    assert window.document.undo_stack.count() == 1


def test_missing_file_on_the_command_line_shows_error(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, create_main_window(tmp_path / "nowhere.iamd.json"))
    dialog = window.findChild(ErrorDialog)
    assert dialog is not None and "nowhere.iamd.json" in dialog.message_label.text()


def test_dropping_a_model_file_on_the_window_opens_it(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "dropped.iamd.json"
    source = show(qtbot, MainWindow(Document(sample())))
    source.files.write_to(path)
    window = show(qtbot, MainWindow(Document()))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    viewport = window.view.viewport()
    point = viewport.rect().center()
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), Qt.DropAction.CopyAction, data,
                                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert window.document.path == path
    assert "alice" in window.document.workspace


def test_import_aws_authorization_details(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    details = {
        "UserDetailList": [{"UserName": "carol", "UserId": "AIDAEXAMPLE", "Path": "/",
                            "Arn": "arn:aws:iam::123456789012:user/carol", "GroupList": [],
                            "AttachedManagedPolicies": [], "UserPolicyList": []}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    }
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    window.files.import_path(path)
    qtbot.waitUntil(lambda: window.files.import_thread is None, timeout=10000)
    names = {e.name for e in window.document.workspace.entities.values()}
    assert {"carol", "alice", "devs"} <= names
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert "carol" not in {e.name for e in window.document.workspace.entities.values()}


def test_import_of_a_broken_file_shows_error(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    path = tmp_path / "details.json"
    path.write_text("[1, 2")
    window.files.import_path(path)
    qtbot.waitUntil(lambda: window.files.import_thread is None, timeout=10000)
    qtbot.waitUntil(lambda: window.findChild(ErrorDialog) is not None)
    assert window.document.undo_stack.count() == 0


def wait_for(qtbot: QtBot, condition: Callable[[], bool]) -> None:
    qtbot.waitUntil(condition, timeout=5000)


def test_autosave_writes_recovery_file_and_save_removes_it(qtbot: QtBot, tmp_path: Path) -> None:
    window = show(qtbot, MainWindow(Document(sample()), autosave_interval_ms=50))
    qtbot.wait(150)
    assert not window.autosaver.model_file.exists()  # nothing to keep while unmodified
    add_user(window, "bob")
    wait_for(qtbot, window.autosaver.model_file.exists)
    assert "bob" in load_model(window.autosaver.model_file)
    assert window.files.write_to(tmp_path / "saved.iamd.json")
    assert not window.autosaver.model_file.exists()


def crash_with_unsaved_edit(qtbot: QtBot, tmp_path: Path) -> Path:
    """A window with an unsaved edit autosaves, then its session ends without closing (a crash)."""
    original = tmp_path / "original.iamd.json"
    crashed = MainWindow(Document(sample()))
    crashed.files.write_to(original)
    add_user(crashed, "bob")
    assert crashed.autosaver.save_now()
    crashed.autosaver.release()
    crashed.deleteLater()
    qtbot.wait(10)
    assert list(recovery_dir().glob("*.recovery.iamd.json"))
    return original


def test_recovery_after_a_crash_restores_the_edits(qtbot: QtBot, tmp_path: Path) -> None:
    original = crash_with_unsaved_edit(qtbot, tmp_path)
    window = show(qtbot, create_main_window(None))
    box = window.recovery_box
    wait_for(qtbot, box.isVisible)
    assert "did not close properly" in box.text()
    recover = next(b for b in box.buttons() if b.text() == "Recover")
    recover.click()
    assert "bob" in window.document.workspace and "alice" in window.document.workspace
    assert window.document.is_modified() and window.isWindowModified()
    assert window.document.path == original
    assert not pending_recoveries()
    assert window.scene.entity_item("bob") is not None


def test_recovery_discarded_opens_the_welcome_model(qtbot: QtBot, tmp_path: Path) -> None:
    crash_with_unsaved_edit(qtbot, tmp_path)
    window = show(qtbot, create_main_window(None))
    wait_for(qtbot, window.recovery_box.isVisible)
    next(b for b in window.recovery_box.buttons() if b.text() == "Discard").click()
    assert not list(recovery_dir().glob("*.recovery.iamd.json"))
    assert "bob" not in window.document.workspace
    assert window.document.path is None and not window.document.is_modified()


def test_a_running_session_is_not_offered_for_recovery(qtbot: QtBot) -> None:
    running = show(qtbot, MainWindow(Document(sample())))
    add_user(running, "bob")
    assert running.autosaver.save_now()
    assert not pending_recoveries()
    second = show(qtbot, create_main_window(None))
    assert not hasattr(second, "recovery_box")


def test_clean_close_removes_the_recovery_file(qtbot: QtBot) -> None:
    window = show(qtbot, MainWindow(Document(sample())))
    add_user(window, "bob")
    assert window.autosaver.save_now()
    answer_next_dialog(QMessageBox.StandardButton.Discard)
    assert window.close()
    assert not window.autosaver.model_file.exists()
    assert not pending_recoveries()


def test_welcome_example_opens_untitled(qtbot: QtBot) -> None:
    window = show(qtbot, create_main_window(None))
    assert len(window.document.workspace) > 0
    assert window.document.path is None and not window.document.is_modified()


def test_uncaught_error_shows_a_dialog_and_keeps_the_model(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    window = show(qtbot, MainWindow(Document(sample())))
    assert install_excepthook(lambda: window)
    assert not install_excepthook(lambda: window, only_if_default=True)  # an installed hook is left alone
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    dialog = window.findChild(ErrorDialog)
    assert dialog is not None and "boom in a slot" in dialog.message_label.text()
    assert "Traceback" in dialog.details and "Traceback" not in dialog.message_label.text()
    assert "alice" in window.document.workspace and window.isVisible()


def test_recent_files_menu_opens_a_saved_model(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "recent.iamd.json"
    first = show(qtbot, MainWindow(Document(sample())))
    assert first.files.write_to(path)
    window = show(qtbot, MainWindow(Document()))
    recent = next(a.menu() for a in window.menuBar().actions()[0].menu().actions() if a.text() == "Open &Recent")
    recent.aboutToShow.emit()
    entry = next(a for a in recent.actions() if a.text().endswith("  recent.iamd.json"))
    entry.trigger()
    assert window.document.path == path and "alice" in window.document.workspace
