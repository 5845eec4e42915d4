"""Atomic saving: a failed or interrupted save leaves the old file intact and no temporary file behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iam_desktop.formats import model_file
from iam_desktop.formats.model_file import ModelFileError, dumps_model, load_model, save_model
from iam_desktop.model import Account, Placement, User, Workspace

PROJECT_DIR = Path(__file__).resolve().parent.parent


def model(name: str = "first") -> Workspace:
    ws = Workspace(name)
    ws.add(Account("acct", "Main", "111122223333"))
    ws.add(User("alice", "alice", "acct"))
    return ws


def test_save_then_load(tmp_path: Path) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model(), path)
    assert load_model(path).same_content(model())
    assert path.read_text(encoding="utf-8") == dumps_model(model())
    assert os.listdir(tmp_path) == ["m.iamd.json"]


def test_failing_replace_leaves_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model("old"), path)
    before = path.read_bytes()

    def broken_replace(source: str, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_file.os, "replace", broken_replace)
    with pytest.raises(ModelFileError, match="No space left on device"):
        save_model(model("new"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.iamd.json"]


def test_failing_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model("old"), path)
    before = path.read_bytes()

    def broken_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(model_file.os, "fsync", broken_fsync)
    with pytest.raises(ModelFileError, match="Input/output error"):
        save_model(model("new"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.iamd.json"]


def test_unwritable_model_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model("old"), path)
    before = path.read_bytes()
    broken = model("new")
    broken.place("alice", Placement(float("nan"), 0))
    with pytest.raises(ModelFileError, match="cannot be written as JSON"):
        save_model(broken, path)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions_of_the_old_file_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model(), path)
    os.chmod(path, 0o640)
    save_model(model("again"), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symbolic_link_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.iamd.json"
    link = tmp_path / "link.iamd.json"
    save_model(model(), real)
    link.symlink_to(real)
    save_model(model("through the link"), link)
    assert link.is_symlink()
    assert load_model(real).name == "through the link"


def test_missing_folder_is_a_model_file_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot save"):
        save_model(model(), tmp_path / "no" / "such" / "m.iamd.json")


WRITER = """
import sys, time
from iam_desktop.formats import model_file
from iam_desktop.model import Account, Placement, User, Workspace

real_fsync = model_file.os.fsync
def slow_fsync(descriptor):
    print("writing", flush=True)
    time.sleep(60)
    real_fsync(descriptor)
model_file.os.fsync = slow_fsync
ws = Workspace("new")
ws.add(Account("acct", "Main", "111122223333"))
for n in range(2000):
    ws.add(User(f"u{n}", f"user{n}", "acct"))
model_file.save_model(ws, sys.argv[1])
"""


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_writer_killed_mid_write_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model("old"), path)
    before = path.read_bytes()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
        if writer.stdout is not None:
            writer.stdout.close()
    time.sleep(0.05)
    assert path.read_bytes() == before
    assert load_model(path).name == "old"
    leftovers = [name for name in os.listdir(tmp_path) if name != "m.iamd.json"]
    assert all(name.startswith(".m.iamd.json.") and name.endswith(".tmp") for name in leftovers)


def test_a_model_too_big_to_reopen_is_refused_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.iamd.json"
    save_model(model("old"), path)
    before = path.read_bytes()
    monkeypatch.setattr(model_file, "MAX_BYTES", 100)
    with pytest.raises(ModelFileError, match="cannot be opened again"):
        save_model(model("new"), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.iamd.json"]


def test_indented_writer_writes_what_json_dumps_writes() -> None:
    import json
    import math

    from iam_desktop.formats.json_indent import dumps_indented

    samples = [{"a": [1, 2.5, None, True, False, "é\n\"\\", {}, [], {"x": (1, 2)}], 1: "int key", "t": (), "n": -0.0,
                "big": 10**20, "nested": {"k": {"k": [1e300, 1e-300, "✓"]}}},
               [], {}, "s", 1.0, [[[]]], {True: 1, None: 2, 2.5: 3}, ("tuple", {"in": "side"})]
    for sample in samples:
        assert dumps_indented(sample) == json.dumps(sample, indent=2, ensure_ascii=False, allow_nan=False)
    for bad in (math.nan, {"a": [math.inf]}, {"a": object()}, {(1,): 2}):
        with pytest.raises((TypeError, ValueError)):
            dumps_indented(bad)
