"""Test set-up shared by every test: headless Qt, private settings and recovery folders, the shared sample data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The folder of real AWS exports beside the project (skips the test when it is not there)."""
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"shared sample data not found at {SHARED_DATA_DIR}")
    return SHARED_DATA_DIR


@pytest.fixture(autouse=True)
def isolated_user_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets its own settings file and recovery folder, never the person's real ones."""
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
