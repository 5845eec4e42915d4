"""AppSettings: recent files, window geometry, theme, and tolerance of broken settings files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray

from iam_desktop.gui.settings import MAX_RECENT_FILES, SETTINGS_FILE_ENV, AppSettings, Theme

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _model_files(folder: Path, count: int) -> list[Path]:
    files = []
    for index in range(count):
        path = folder / f"model-{index}.iamd.json"
        path.write_text("{}", encoding="utf-8")
        files.append(path)
    return files


def test_recent_files_newest_first_capped_and_deduplicated(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    files = _model_files(tmp_path, MAX_RECENT_FILES + 2)
    for path in files:
        settings.add_recent_file(path)
    settings.add_recent_file(files[5])
    recent = settings.recent_files()
    assert len(recent) == MAX_RECENT_FILES
    assert recent[0] == files[5]
    assert recent[1:4] == [files[11], files[10], files[9]]
    assert len(set(recent)) == len(recent)
    assert files[0] not in recent and files[1] not in recent


def test_recent_files_persist_and_drop_missing_files(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    first, second = _model_files(tmp_path, 2)
    settings = AppSettings(ini)
    settings.add_recent_file(first)
    settings.add_recent_file(second)
    settings.sync()
    second.unlink()
    assert AppSettings(ini).recent_files() == [first]


def test_recent_file_is_stored_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (model,) = _model_files(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    settings = AppSettings(tmp_path / "settings.ini")
    settings.add_recent_file(Path(model.name))
    assert settings.recent_files() == [model.resolve()]


def test_remove_and_clear_recent_files(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    first, second = _model_files(tmp_path, 2)
    settings.add_recent_file(first)
    settings.add_recent_file(second)
    settings.remove_recent_file(second)
    assert settings.recent_files() == [first]
    settings.clear_recent_files()
    assert settings.recent_files() == []


def test_window_geometry_and_state_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    assert settings.window_geometry() is None and settings.window_state() is None
    settings.set_window_geometry(QByteArray(b"\x01\xd9\xd0\xcb geometry"))
    settings.set_window_state(QByteArray(b"\x00\xff state"))
    settings.sync()
    reread = AppSettings(ini)
    geometry, state = reread.window_geometry(), reread.window_state()
    assert geometry is not None and bytes(geometry.data()) == b"\x01\xd9\xd0\xcb geometry"
    assert state is not None and bytes(state.data()) == b"\x00\xff state"


@pytest.mark.parametrize("theme", list(Theme))
def test_theme_round_trip(tmp_path: Path, theme: Theme) -> None:
    ini = tmp_path / "settings.ini"
    AppSettings(ini).set_theme(theme)
    assert AppSettings(ini).theme() is theme


def test_default_theme_is_system(tmp_path: Path) -> None:
    assert AppSettings(tmp_path / "settings.ini").theme() is Theme.SYSTEM


def test_wrongly_typed_values_read_as_defaults(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    ini.write_text(
        "[files]\nrecent=42\n[appearance]\ntheme=purple\n[window]\ngeometry=zzz\nstate=@Invalid()\n", encoding="utf-8"
    )
    settings = AppSettings(ini)
    assert settings.recent_files() == []
    assert settings.theme() is Theme.SYSTEM
    assert settings.window_geometry() is None
    assert settings.window_state() is None


def test_recent_entries_that_are_relative_or_not_files_are_ignored(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    (model,) = _model_files(tmp_path, 1)
    ini.write_text(f'[files]\nrecent=relative.iamd.json, {tmp_path}, "{model}"\n', encoding="utf-8")
    assert AppSettings(ini).recent_files() == [model]


def test_binary_garbage_settings_file_gives_defaults(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    ini.write_bytes(bytes(range(256)) * 16)
    settings = AppSettings(ini)
    assert settings.recent_files() == []
    assert settings.theme() is Theme.SYSTEM
    assert settings.window_geometry() is None
    settings.set_theme(Theme.DARK)
    assert settings.theme() is Theme.DARK


def test_malformed_settings_file_is_reported(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    ini.write_bytes(b"[files\nrecent=\x01\x02\n[[[\n")
    settings = AppSettings(ini)
    assert settings.recent_files() == []
    problem = settings.problem()
    assert problem is not None and "malformed" in problem


def test_unusable_settings_location_is_reported(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path)  # a folder, not a file
    settings.set_theme(Theme.DARK)
    settings.sync()
    problem = settings.problem()
    assert problem is not None and str(tmp_path) in problem


def test_environment_variable_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = tmp_path / "chosen.ini"
    monkeypatch.setenv(SETTINGS_FILE_ENV, str(ini))
    settings = AppSettings()
    assert Path(settings.file_name()) == ini
    settings.set_theme(Theme.LIGHT)
    settings.sync()
    assert "light" in ini.read_text(encoding="utf-8")


def test_app_starts_with_a_garbage_settings_file(tmp_path: Path) -> None:
    ini = tmp_path / "garbage.ini"
    ini.write_bytes(b"\x00\xff[files\nrecent=\x01\x02\n[[[\n" + bytes(range(256)) * 8)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        IAM_DESKTOP_SETTINGS=str(ini),
        IAM_DESKTOP_RECOVERY_DIR=str(tmp_path / "recovery"),
        IAM_DESKTOP_INSTANCE_NAME=str(tmp_path / "instance.sock"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "iam_desktop", "--smoke"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke ok:" in result.stdout
