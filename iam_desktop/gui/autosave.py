"""Autosave to a recovery file while the document has unsaved changes, and recovery after a crash."""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from iam_desktop.formats.model_file import ModelFileError, load_model, save_model
from iam_desktop.gui.document import Document
from iam_desktop.model import Workspace

log = logging.getLogger(__name__)

RECOVERY_DIR_ENV = "IAM_DESKTOP_RECOVERY_DIR"
AUTOSAVE_INTERVAL_MS = 30_000
_MODEL_SUFFIX = ".recovery.iamd.json"
_META_SUFFIX = ".recovery.json"


def recovery_dir() -> Path:
    """Where recovery files go: ``$IAM_DESKTOP_RECOVERY_DIR``, else the app data folder's ``recovery``."""
    override = os.environ.get(RECOVERY_DIR_ENV)
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".iam-desktop") / "recovery"


@dataclass
class Recovery:
    """A recovery file left by a session that did not end cleanly."""

    session: str
    model_file: Path
    original_path: Path | None
    lock: QLockFile

    def load(self) -> Workspace:
        """The autosaved model; raises ModelFileError when it cannot be read."""
        return load_model(self.model_file)

    def discard(self) -> None:
        """Delete the recovery files and release the session."""
        directory = self.model_file.parent
        for path in (self.model_file, directory / f"{self.session}{_META_SUFFIX}"):
            path.unlink(missing_ok=True)
        self.lock.unlock()


def pending_recoveries() -> list[Recovery]:
    """Recovery files whose session is no longer running (its lock is free), newest first."""
    directory = recovery_dir()
    if not directory.is_dir():
        return []
    found: list[tuple[float, Recovery]] = []
    for meta_path in directory.glob(f"*{_META_SUFFIX}"):
        session = meta_path.name[: -len(_META_SUFFIX)]
        model_file = directory / f"{session}{_MODEL_SUFFIX}"
        lock = QLockFile(str(directory / f"{session}.lock"))
        lock.setStaleLockTime(0)
        if not model_file.is_file() or not lock.tryLock(0):
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            original = Path(meta["path"]) if meta.get("path") else None
        except (OSError, ValueError, KeyError, TypeError):
            original = None
        found.append((model_file.stat().st_mtime, Recovery(session, model_file, original, lock)))
    return [r for _, r in sorted(found, key=lambda pair: pair[0], reverse=True)]


class Autosaver(QObject):
    """Writes the document to this session's recovery file every ``interval_ms`` while it is modified.

    The session holds a lock file while it lives, so that another start does not offer to recover a
    session that is still running. ``clear`` removes the recovery file (after a save, or a clean close).
    """

    def __init__(self, document: Document, interval_ms: int = AUTOSAVE_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.session = uuid.uuid4().hex
        self._directory = recovery_dir()
        self._lock: QLockFile | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.start()
        document.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._watching = True

    @property
    def model_file(self) -> Path:
        """This session's recovery model file."""
        return self._directory / f"{self.session}{_MODEL_SUFFIX}"

    def save_now(self) -> bool:
        """Write the recovery file now when the document is modified; True when written."""
        if not self.document.is_modified():
            return False
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                self._lock = QLockFile(str(self._directory / f"{self.session}.lock"))
                self._lock.tryLock(0)
            save_model(self.document.workspace, self.model_file)
            meta = {"path": str(self.document.path) if self.document.path else None}
            (self._directory / f"{self.session}{_META_SUFFIX}").write_text(json.dumps(meta), encoding="utf-8")
        except (OSError, ModelFileError) as exc:
            log.warning("autosave failed: %s", exc)
            return False
        return True

    def clear(self) -> None:
        """Remove this session's recovery files (the document is saved or closed on purpose)."""
        for path in (self.model_file, self._directory / f"{self.session}{_META_SUFFIX}"):
            path.unlink(missing_ok=True)

    def release(self) -> None:
        """Stop autosaving and give up the session lock, leaving any recovery file (what a crash leaves)."""
        self._timer.stop()
        if self._watching:
            self.document.undo_stack.cleanChanged.disconnect(self._on_clean_changed)
            self._watching = False
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _on_timeout(self) -> None:
        self.save_now()

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.clear()
