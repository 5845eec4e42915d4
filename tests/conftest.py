"""Test set-up shared by every test: headless Qt and the path to the shared sample data."""

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
