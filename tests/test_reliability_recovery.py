"""Autosave recovery: a running app killed with SIGKILL leaves its unsaved edits, and the next start offers them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from iam_desktop.formats.model_file import load_model, save_model
from iam_desktop.gui.app import create_main_window
from iam_desktop.gui.autosave import RECOVERY_DIR_ENV, pending_recoveries
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Placement, Workspace


def forget_changes(window: MainWindow) -> None:
    """Mark the window's model saved before pytest-qt closes it: closing asks about unsaved changes and waits."""
    window.document.undo_stack.setClean()


PROJECT_DIR = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

# A real main window on the saved model, autosaving every 100 ms; it makes edits it never saves, writes what the
# model then is to the "expected" file, says "edited", and runs its event loop until it is killed.
EDITOR = textwrap.dedent("""
    import sys
    from dataclasses import replace
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from iam_desktop.formats.model_file import save_model
    from iam_desktop.gui.commands import AddEntitiesCommand, MoveEntitiesCommand
    from iam_desktop.gui.document import Document
    from iam_desktop.gui.main_window import MainWindow
    from iam_desktop.model import Placement, User

    app = QApplication([])
    window = MainWindow(Document(), autosave_interval_ms=100)
    assert window.files.open_path(Path(sys.argv[1]), ask=False)
    document = window.document
    bob = User("user-bob", "bob", "acct", tags={"note": "unsaved <edit> & more"})
    assert document.push(AddEntitiesCommand(document.workspace, [bob], {bob.id: Placement(40, 50)}))
    assert document.update_entity(replace(document.workspace.get("acct"), name="renamed"), "Rename")
    assert document.push(MoveEntitiesCommand(document.workspace, {"acct": Placement(-10, 5, 500, 300)},
                                             {"acct": document.workspace.placements.get("acct")}))
    save_model(document.workspace, sys.argv[2])
    print("edited", flush=True)
    app.exec()
""")


def _saved_model() -> Workspace:
    ws = Workspace("saved", "eu-west-1")
    ws.add(Account("acct", "prod", "111111111111"), Placement(0, 0, 400, 300))
    return ws


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _autosaved(folder: Path, expected: Path) -> bool:
    files = list(folder.glob("*.recovery.iamd.json")) if folder.is_dir() else []
    if not files or not list(folder.glob("*.recovery.json")):
        return False
    try:
        return load_model(files[0]).same_content(load_model(expected))
    except ValueError:
        return False


def test_a_killed_session_is_recovered_in_the_next_main_window(qtbot: Any, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    recovery = tmp_path / "recovery"
    settings = tmp_path / "settings.ini"
    monkeypatch.setenv(RECOVERY_DIR_ENV, str(recovery))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(settings))
    model, expected = tmp_path / "work.iamd.json", tmp_path / "expected.iamd.json"
    save_model(_saved_model(), model)
    saved_bytes = model.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), QT_QPA_PLATFORM="offscreen")
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(model), str(expected)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=str(PROJECT_DIR))
    try:
        assert editor.stdout is not None
        line = editor.stdout.readline().strip()
        assert line == "edited", editor.stderr.read() if editor.stderr else line
        _wait(lambda: _autosaved(recovery, expected), 60, "the autosave of the edits")
        running = pending_recoveries()
        for found in running:
            found.lock.unlock()
        assert running == [], "the recovery of a session that still runs was offered"
    finally:
        os.kill(editor.pid, signal.SIGKILL)
        editor.wait(timeout=30)
    assert model.read_bytes() == saved_bytes, "the autosave touched the person's own file"

    window = create_main_window(None)
    qtbot.addWidget(window, before_close_func=forget_changes)
    box = window.recovery_box
    assert isinstance(box, QMessageBox) and "unsaved changes" in box.text() and model.name in box.text()
    recover = next(button for button in box.buttons() if button.text() == "Recover")
    recover.click()
    qtbot.waitUntil(lambda: len(window.document.workspace) == 2, timeout=10_000)
    assert window.document.workspace.same_content(load_model(expected))
    assert window.document.is_modified(), "recovered edits must show as unsaved"
    assert window.document.path == model
    assert model.read_bytes() == saved_bytes
    leftovers = pending_recoveries()
    for found in leftovers:
        found.lock.unlock()
    assert leftovers == [], "the recovered session is still offered"
    window.autosaver.clear()
    window.autosaver.release()


def test_discarding_a_recovery_deletes_it(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recovery = tmp_path / "recovery"
    monkeypatch.setenv(RECOVERY_DIR_ENV, str(recovery))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    recovery.mkdir()
    save_model(_saved_model(), recovery / "dead.recovery.iamd.json")
    (recovery / "dead.recovery.json").write_text('{"path": null}', encoding="utf-8")
    window = create_main_window(None)
    qtbot.addWidget(window, before_close_func=forget_changes)
    discard = next(button for button in window.recovery_box.buttons() if button.text() == "Discard")
    discard.click()
    assert not (recovery / "dead.recovery.iamd.json").exists()
    assert pending_recoveries() == []


def test_an_unreadable_recovery_file_is_kept_and_explained(qtbot: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    recovery = tmp_path / "recovery"
    monkeypatch.setenv(RECOVERY_DIR_ENV, str(recovery))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    recovery.mkdir()
    (recovery / "dead.recovery.iamd.json").write_bytes(b'{"format": "iam-desktop", "vers')
    (recovery / "dead.recovery.json").write_text('{"path": null}', encoding="utf-8")
    window = create_main_window(None)
    qtbot.addWidget(window, before_close_func=forget_changes)
    before = window.document.workspace.copy()
    recover = next(button for button in window.recovery_box.buttons() if button.text() == "Recover")
    recover.click()
    assert window.document.workspace.same_content(before)
    assert (recovery / "dead.recovery.iamd.json").exists(), "an unreadable recovery file was deleted"
