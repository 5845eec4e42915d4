"""Regression guard for PySide6-Essentials 6.12.0, which drops a reference to None on every void Qt call."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import version

CALLS = 10_000

_PROBE = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem

    app = QApplication([])
    item = QGraphicsRectItem(0, 0, 10, 10)
    item.setPos(0.0, 0.0)
    before = sys.getrefcount(None)
    for index in range({CALLS}):
        item.setPos(float(index), 1.0)
    after = sys.getrefcount(None)
    print(before, after)
    """
)


def test_void_qt_calls_keep_the_reference_count_of_none() -> None:
    # A subprocess: the buggy build aborts with "Fatal Python error: none_dealloc" (Python 3.11), which must
    # show up as this test failing, not as the whole test run dying.
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"the probe crashed ({result.returncode}): {result.stderr[-2000:]}"
    before, after = (int(word) for word in result.stdout.split())
    assert after >= before - CALLS // 100, f"None lost {before - after} references over {CALLS} void Qt calls"


def test_installed_pyside6_is_not_the_broken_release() -> None:
    assert version("PySide6-Essentials") != "6.12.0"
    import PySide6

    assert PySide6.__version__ != "6.12.0"
