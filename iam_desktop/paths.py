"""Where the application's bundled resources (example models, icons) are, from a checkout, a wheel or a freeze."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    found = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / "resources")
    found.append(_PACKAGE_DIR.parent / "resources")  # a source checkout: resources/ at the top of the repository
    found.append(_PACKAGE_DIR / "resources")  # an installed package carrying its resources inside
    return found


def resources_dir() -> Path:
    """The folder holding the bundled resources.

    Looks in ``sys._MEIPASS/resources`` when frozen by PyInstaller, then ``resources/`` at the top of a source
    checkout, then ``iam_desktop/resources`` in an installed package.

    Raises
    ------
    FileNotFoundError
        When none of these folders exists (a broken installation); the message lists where it looked.
    """
    candidates = _candidates()
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("IAM Desktop's resources folder is missing; looked in "
                            + ", ".join(str(c) for c in candidates))


def examples_dir() -> Path:
    """The folder of example models (``resources/examples``)."""
    return resources_dir() / "examples"


def default_example() -> Path:
    """The example model opened on first start (``welcome.iamd.json``)."""
    return examples_dir() / "welcome.iamd.json"
