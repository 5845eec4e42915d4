"""Interrupted saves: a writer killed (SIGKILL) at every step of save_model, and a full disk, never damage the
previous file; a failed save leaves no temporary file behind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from iam_desktop.formats.model_file import ModelFileError, dumps_model, load_model, save_model
from iam_desktop.model import Account, InlinePolicy, Resource, User, Workspace

PROJECT_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fsync semantics are POSIX")

# The writer builds a big model (about 10 MB of JSON), says "ready", then saves it over the target. With a stage
# name it stops (prints the stage and sleeps) at that point of save_model, so the parent kills it exactly there.
WRITER = textwrap.dedent("""
    import os, sys, tempfile, time
    from iam_desktop.formats import model_file
    from iam_desktop.model import Account, InlinePolicy, User, Workspace

    target, stage, users = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def stop(name):
        print(name, flush=True)
        time.sleep(120)

    def wrap(module, attribute, before=True):
        real = getattr(module, attribute)
        def replacement(*args, **kwargs):
            if before:
                stop(stage)
            result = real(*args, **kwargs)
            if not before:
                stop(stage)
            return result
        setattr(module, attribute, replacement)

    class HalfWriter:
        def __init__(self, stream):
            self.stream = stream
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.stream.__exit__(*exc)
        def write(self, data):
            self.stream.write(data[: len(data) // 2])
            self.stream.flush()
            stop(stage)
        def __getattr__(self, name):
            return getattr(self.stream, name)

    if stage == "temp-created":
        wrap(tempfile, "mkstemp", before=False)
    elif stage == "half-written":
        real_fdopen = os.fdopen
        os.fdopen = lambda *a, **k: HalfWriter(real_fdopen(*a, **k))
    elif stage == "before-fsync":
        wrap(os, "fsync")
    elif stage == "before-replace":
        wrap(os, "replace")
    elif stage == "after-replace":
        wrap(os, "replace", before=False)

    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "S%d" % i, "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b%d/*" % i}
        for i in range(40)]}
    ws = Workspace("new version")
    ws.add(Account("a", "a", "111111111111"))
    ws.add_many([User("u%d" % i, "user%d" % i, "a", inline_policies=(InlinePolicy("p", doc),))
                 for i in range(users)])
    print("ready", flush=True)
    model_file.save_model(ws, target)
    print("saved", flush=True)
""")

STAGES = ["temp-created", "half-written", "before-fsync", "before-replace", "after-replace"]
TIMED_KILLS = [0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.7]


def _previous_model() -> Workspace:
    ws = Workspace("previous version")
    ws.add(Account("acct", "prod", "222222222222"))
    ws.add(Resource("bucket", "logs", "acct", "s3_bucket", "arn:aws:s3:::logs"))
    return ws


def _start_writer(target: Path, stage: str, users: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    return subprocess.Popen([sys.executable, "-c", WRITER, str(target), stage, str(users)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=str(PROJECT_DIR))


def _wait_for(process: subprocess.Popen[str], line: str, timeout: float = 60) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = process.stdout.readline().strip()
        if got == line:
            return
        if not got and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the writer never reached {line!r}: {process.stderr.read() if process.stderr else ''}")


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL or process.returncode == 0


def _check_target(target: Path, previous_bytes: bytes, allow_new: bool) -> str:
    """The target is the previous file byte for byte, or (when allowed) the complete new model; returns which."""
    data = target.read_bytes()
    if data == previous_bytes:
        assert load_model(target).same_content(_previous_model())
        return "previous"
    assert allow_new, "the target changed although the writer was killed before replacing it"
    reloaded = load_model(target)
    assert reloaded.name == "new version"
    return "new"


@pytest.mark.parametrize("stage", STAGES)
def test_writer_killed_at_each_step_of_a_save(tmp_path: Path, stage: str) -> None:
    target = tmp_path / "model.iamd.json"
    save_model(_previous_model(), target)
    previous = target.read_bytes()
    writer = _start_writer(target, stage, users=300)
    _wait_for(writer, stage)
    _kill(writer)
    outcome = _check_target(target, previous, allow_new=(stage == "after-replace"))
    assert outcome == ("new" if stage == "after-replace" else "previous")


def test_writer_killed_after_various_delays(tmp_path: Path) -> None:
    outcomes: list[str] = []
    for number, delay in enumerate(TIMED_KILLS):
        target = tmp_path / f"model{number}.iamd.json"
        save_model(_previous_model(), target)
        previous = target.read_bytes()
        writer = _start_writer(target, "timed", users=1000)
        _wait_for(writer, "ready")
        time.sleep(delay)
        _kill(writer)
        outcomes.append(_check_target(target, previous, allow_new=True))
    print("timed kills:", list(zip(TIMED_KILLS, outcomes)))
    assert "previous" in outcomes, outcomes


def _fail_with_enospc(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullDiskStream:
    """A file object that accepts a first chunk, then fails as a full disk does."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __enter__(self) -> "_FullDiskStream":
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._stream.__exit__(*exc)

    def write(self, data: bytes) -> int:
        self._stream.write(data[:100])
        self._stream.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _patch_fdopen(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FullDiskStream(real(*a, **k)))


FAILURES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "write": _patch_fdopen,
    "fsync": lambda mp: mp.setattr(os, "fsync", _fail_with_enospc),
    "mkstemp": lambda mp: mp.setattr("tempfile.mkstemp", _fail_with_enospc),
    "chmod": lambda mp: mp.setattr(os, "chmod", _fail_with_enospc),
    "replace": lambda mp: mp.setattr(os, "replace", _fail_with_enospc),
}


@pytest.mark.parametrize("failing", sorted(FAILURES))
def test_a_full_disk_keeps_the_previous_file_and_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    target = tmp_path / "model.iamd.json"
    save_model(_previous_model(), target)
    previous = target.read_bytes()
    changed = _previous_model()
    changed.name = "unsaved edits"
    with monkeypatch.context() as patch:
        FAILURES[failing](patch)
        with pytest.raises(ModelFileError) as caught:
            save_model(changed, target)
    assert "No space left on device" in str(caught.value) and str(target) in str(caught.value)
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.iamd.json"], "a temporary file was left behind"
    save_model(changed, target)  # the disk has room again: the same save now works
    assert load_model(target).name == "unsaved edits"


def test_a_full_disk_on_a_first_save_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_fdopen(monkeypatch)
    with pytest.raises(ModelFileError):
        save_model(_previous_model(), tmp_path / "new.iamd.json")
    assert list(tmp_path.iterdir()) == []


def test_a_save_into_a_missing_or_read_only_folder_is_refused_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError) as caught:
        save_model(_previous_model(), tmp_path / "missing" / "model.iamd.json")
    assert "missing" in str(caught.value)
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "model.iamd.json"
    save_model(_previous_model(), target)
    previous = target.read_bytes()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who may write anywhere (root)")
        with pytest.raises(ModelFileError):
            save_model(Workspace("other"), target)
        assert target.read_bytes() == previous
    finally:
        folder.chmod(0o700)


def test_a_model_too_big_to_reopen_is_not_saved(tmp_path: Path) -> None:
    target = tmp_path / "model.iamd.json"
    save_model(_previous_model(), target)
    big = Workspace("big")
    big.add(Account("a", "a", "111111111111"))
    big.add(User("u", "u", "a", inline_policies=(InlinePolicy("p", {"Statement": [], "Notes": "x" * (51 * 2**20)}),)))
    with pytest.raises(ModelFileError) as caught:
        save_model(big, target)
    assert "50 MB" in str(caught.value) and str(target) in str(caught.value)
    assert load_model(target).same_content(_previous_model())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.iamd.json"]


def test_dumps_is_what_save_writes(tmp_path: Path) -> None:
    target = tmp_path / "model.iamd.json"
    save_model(_previous_model(), target)
    assert target.read_text(encoding="utf-8") == dumps_model(_previous_model())
