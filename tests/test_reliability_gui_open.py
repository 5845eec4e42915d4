"""Damaged files opened or imported, and saves onto a full disk, in a running main window: an error dialog says
which file and why, the model shown stays exactly as it was, and unsaved work stays marked unsaved."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from PySide6.QtWidgets import QApplication

from iam_desktop.formats.model_file import dumps_model, save_model
from iam_desktop.gui.commands import AddEntitiesCommand
from iam_desktop.gui.document import Document
from iam_desktop.gui.errors import ErrorDialog
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Placement, User, Workspace


def forget_changes(window: MainWindow) -> None:
    """Mark the window's model saved before pytest-qt closes it: closing asks about unsaved changes and waits."""
    window.document.undo_stack.setClean()


pytestmark = pytest.mark.gui


def _model(name: str = "shown") -> Workspace:
    ws = Workspace(name)
    ws.add(Account("acct", "prod", "111111111111"), Placement(0, 0, 300, 200))
    ws.add(User("user-alice", "alice", "acct"), Placement(20, 20))
    return ws


def _text() -> str:
    return dumps_model(_model("on disk"))


def _sparse_over_limit(path: Path) -> None:
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024 + 1)


DAMAGED_MODELS: dict[str, Callable[[Path], None]] = {
    "truncated": lambda p: p.write_text(_text()[:200], encoding="utf-8"),
    "not utf-8": lambda p: p.write_bytes(_text().encode("utf-8").replace(b"alice", b"al\xffce")),
    "duplicate key": lambda p: p.write_text(_text().replace('"name": "alice",', '"name": "alice",\n"name": "b",'),
                                            encoding="utf-8"),
    "deep": lambda p: p.write_text(_text().replace('"layout": {', '"layout": {"x": ' + "[" * 200 + "]" * 200 + ",",
                                                    1), encoding="utf-8"),
    "newer version": lambda p: p.write_text(_text().replace('"version": 1', '"version": 99'), encoding="utf-8"),
    "dangling": lambda p: p.write_text(_text().replace('"account": "acct"', '"account": "gone"'), encoding="utf-8"),
    "over 50 MB": _sparse_over_limit,
    "binary": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "empty": lambda p: p.write_bytes(b""),
    "directory": lambda p: p.mkdir(),
}


def _dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    shown = tmp_path / "shown.iamd.json"
    save_model(_model(), shown)
    main = MainWindow(Document())
    qtbot.addWidget(main, before_close_func=forget_changes)
    assert main.files.open_path(shown, ask=False)
    for dialog in _dialogs():
        dialog.close()
    return main


@pytest.mark.parametrize("damage", sorted(DAMAGED_MODELS))
def test_opening_a_damaged_model_keeps_the_shown_one(window: MainWindow, tmp_path: Path, damage: str) -> None:
    path = tmp_path / f"{damage.replace(' ', '-')}.iamd.json"
    DAMAGED_MODELS[damage](path)
    before, before_path = window.document.workspace.copy(), window.document.path
    assert window.files.open_path(path, ask=False) is False
    [dialog] = _dialogs()
    shown = dialog.message_label.text()
    assert path.name in shown and "Traceback" not in shown, shown
    assert len(shown.splitlines()) <= 4, shown
    assert window.document.workspace.same_content(before) and window.document.path == before_path
    assert not window.document.is_modified()
    dialog.close()


def test_a_damaged_aws_import_keeps_the_model_and_a_good_one_is_one_undo_step(
        window: MainWindow, qtbot: Any, tmp_path: Path, shared_data: Path) -> None:
    before = window.document.workspace.copy()
    bad = tmp_path / "bad-authz.json"
    bad.write_text(json.dumps({"UserDetailList": 5}), encoding="utf-8")
    window.files.import_path(bad)
    qtbot.waitUntil(lambda: window.files.import_thread is None, timeout=30_000)
    [dialog] = _dialogs()
    assert bad.name in dialog.message_label.text()
    dialog.close()
    assert window.document.workspace.same_content(before) and not window.document.is_modified()

    window.files.import_path(shared_data / "aws-authorization-details" / "iamspy-role-boundary-allow.json")
    qtbot.waitUntil(lambda: window.files.import_thread is None, timeout=30_000)
    assert not _dialogs()
    assert len(window.document.workspace) > len(before) and window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert window.document.workspace.same_content(before)


def _full_disk(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _save_onto_a_full_disk(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes, bool]:
    """Edit the shown model, then save it while fsync fails: (its file, the bytes before, what write_to said)."""
    path = window.document.path
    assert path is not None
    previous = path.read_bytes()
    user = User("user-bob", "bob", "acct")
    assert window.document.push(AddEntitiesCommand(window.document.workspace, [user], {user.id: Placement(1, 1)}))
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", _full_disk)
        saved = window.files.write_to(path)
    return path, previous, saved


def test_a_save_onto_a_full_disk_keeps_the_file_and_the_unsaved_mark(window: MainWindow,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path, previous, saved = _save_onto_a_full_disk(window, monkeypatch)
    assert saved is False
    [dialog] = _dialogs()
    assert path.name in dialog.message_label.text()
    assert "No space left on device" in dialog.details
    dialog.close()
    assert path.read_bytes() == previous
    assert sorted(p.name for p in path.parent.glob(f".{path.name}*")) == [], "a temporary file was left"
    assert window.document.is_modified(), "the failed save marked the work as saved"
    assert window.files.write_to(path) and not window.document.is_modified()


def test_a_failed_save_tells_why_in_the_message(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    _save_onto_a_full_disk(window, monkeypatch)
    [dialog] = _dialogs()
    assert "No space left on device" in dialog.message_label.text()
