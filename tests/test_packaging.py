"""Desktop integration files, the per-user install scripts, the app icon and (on request) the PyInstaller build."""

from __future__ import annotations

import configparser
import fnmatch
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import QApplication

from iam_desktop.formats.model_file import MODEL_SUFFIX, dumps_model, save_model
from iam_desktop.graph.parallel import PARALLEL_MIN_CELLS
from iam_desktop.model import Workspace

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from workload import build_workload  # noqa: E402

RESOURCES = PROJECT_DIR / "resources"
DESKTOP_FILE = RESOURCES / "iam-desktop.desktop"
MIME_FILE = RESOURCES / "iam-desktop-mime.xml"
ICON_DIR = RESOURCES / "icons" / "app"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_TYPE = "application/x-iam-desktop-model"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
BUILD_ENV = "IAM_DESKTOP_BUILD_TEST"


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _mime_type_element() -> ElementTree.Element:
    root = ElementTree.parse(MIME_FILE).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (element,) = root.findall(f"{MIME_NS}mime-type")
    return element


# ----- the .desktop file and the file type ----------------------------------------------------------------
def test_desktop_entry_launches_with_files_and_claims_the_model_type() -> None:
    entry = _desktop_entry(DESKTOP_FILE)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "IAM Desktop"
    assert entry["Exec"].split()[-1] == "%F"
    assert MIME_TYPE in entry["MimeType"].split(";")
    assert entry["Icon"] == "iam-desktop"
    assert entry["Terminal"] == "false"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-validate is not installed")
def test_desktop_file_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr


def test_mime_glob_matches_the_model_suffix_only() -> None:
    patterns = [glob.get("pattern", "") for glob in _mime_type_element().findall(f"{MIME_NS}glob")]
    assert patterns == [f"*{MODEL_SUFFIX}"]
    assert fnmatch.fnmatch(f"prod-account{MODEL_SUFFIX}", patterns[0])
    assert not fnmatch.fnmatch("policy.json", patterns[0])


def test_mime_type_is_declared_as_json() -> None:
    element = _mime_type_element()
    assert element.get("type") == MIME_TYPE
    assert [parent.get("type") for parent in element.findall(f"{MIME_NS}sub-class-of")] == ["application/json"]


def test_mime_magic_matches_a_saved_model() -> None:
    head = dumps_model(Workspace()).encode("utf-8")
    matches = _mime_type_element().findall(f"{MIME_NS}magic/{MIME_NS}match")
    assert matches
    found = False
    for match in matches:
        start, _, end = match.get("offset", "0").partition(":")
        value = match.get("value", "").encode("utf-8")
        found = found or value in head[int(start) : int(end or start) + len(value)]
    assert found, f"no magic rule matches the start of a saved model: {head[:80]!r}"


# ----- the icon --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_has_its_size(size: int) -> None:
    assert _png_size(ICON_DIR / f"iam-desktop-{size}.png") == (size, size)


@pytest.mark.parametrize(
    ("name", "sizes"),
    [("iam-desktop.ico", [16, 24, 32, 48, 64, 128, 256]), ("iam-desktop.icns", [16, 32, 64, 128, 256, 512])],
)
def test_windows_and_macos_icons_hold_every_size(qapp: QApplication, name: str, sizes: list[int]) -> None:
    reader = QImageReader(str(ICON_DIR / name))
    found = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        assert image.width() == image.height()
        found.append(image.width())
    assert sorted(found) == sizes


def test_icon_renderer_writes_every_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "packaging" / "render_icons.py"), "--out", str(tmp_path)],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for size in ICON_SIZES:
        assert _png_size(tmp_path / f"iam-desktop-{size}.png") == (size, size)
    assert (tmp_path / "iam-desktop.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (tmp_path / "iam-desktop.icns").read_bytes()[:4] == b"icns"


# ----- per-user install into a temporary XDG_DATA_HOME ---------------------------------------------------
def _run_script(name: str, data_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    return subprocess.run(
        ["bash", str(PROJECT_DIR / "scripts" / name), *args], env=env, capture_output=True, text=True, timeout=120
    )


def _installed_files(data_home: Path) -> list[Path]:
    files = [data_home / "applications" / "iam-desktop.desktop", data_home / "mime" / "packages" / "iam-desktop.xml"]
    files.append(data_home / "icons" / "hicolor" / "scalable" / "apps" / "iam-desktop.svg")
    files += [data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "iam-desktop.png" for size in ICON_SIZES]
    return files


def test_install_and_uninstall_for_the_current_user(tmp_path: Path) -> None:
    data_home = tmp_path / "My Data"  # a space, as in many home folders
    program = Path(sys.executable)
    result = _run_script("install-desktop.sh", data_home, "--exec", str(program))
    assert result.returncode == 0, result.stderr
    for path in _installed_files(data_home):
        assert path.is_file(), f"{path} was not installed"
    for size in ICON_SIZES:
        installed = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "iam-desktop.png"
        assert _png_size(installed) == (size, size)
    entry = _desktop_entry(data_home / "applications" / "iam-desktop.desktop")
    assert entry["Exec"] == f'"{program}" %F'
    assert entry["TryExec"] == str(program)
    assert MIME_TYPE in entry["MimeType"]
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(data_home / "applications" / "iam-desktop.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout
    result = _run_script("uninstall-desktop.sh", data_home)
    assert result.returncode == 0, result.stderr
    for path in _installed_files(data_home):
        assert not path.exists(), f"{path} was left behind"


def test_default_install_runs_the_project_venv(tmp_path: Path) -> None:
    venv_python = PROJECT_DIR / ".venv" / "bin" / "python"
    if not venv_python.exists():
        pytest.skip("the project has no .venv (the default install needs it)")
    result = _run_script("install-desktop.sh", tmp_path)
    assert result.returncode == 0, result.stderr
    entry = _desktop_entry(tmp_path / "applications" / "iam-desktop.desktop")
    assert entry["Exec"] == f'"{venv_python}" -m iam_desktop %F'
    assert entry["Path"] == str(PROJECT_DIR)


def test_install_refuses_a_relative_program(tmp_path: Path) -> None:
    result = _run_script("install-desktop.sh", tmp_path, "--exec", "iam-desktop")
    assert result.returncode == 2
    assert not (tmp_path / "applications" / "iam-desktop.desktop").exists()


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="update-mime-database is not installed")
def test_installed_file_type_is_recognised_by_qt(tmp_path: Path) -> None:
    result = _run_script("install-desktop.sh", tmp_path, "--exec", sys.executable)
    assert result.returncode == 0, result.stderr
    model = tmp_path / f"account{MODEL_SUFFIX}"
    model.write_text(dumps_model(Workspace()), encoding="utf-8")
    unnamed = tmp_path / "exported-model"
    unnamed.write_text(dumps_model(Workspace()), encoding="utf-8")
    probe = (
        "import sys\nfrom PySide6.QtCore import QMimeDatabase\n"
        "database = QMimeDatabase()\n"
        "print(database.mimeTypeForFile(sys.argv[1]).name(), database.mimeTypeForFile(sys.argv[2]).name())\n"
    )
    query = subprocess.run(
        [sys.executable, "-c", probe, str(model), str(unnamed)],
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.split() == [MIME_TYPE, MIME_TYPE]


# ----- the PyInstaller build (minutes: in CI, or with IAM_DESKTOP_BUILD_TEST=1) --------------------------
def test_spec_file_is_python() -> None:
    compile((PROJECT_DIR / "packaging" / "iam-desktop.spec").read_text(encoding="utf-8"), "iam-desktop.spec", "exec")


@pytest.mark.skipif(
    os.environ.get(BUILD_ENV) != "1" and os.environ.get("CI") != "true",
    reason=f"builds the app with PyInstaller for minutes; runs in CI (CI=true) or with {BUILD_ENV}=1",
)
@pytest.mark.timeout(1800)
def test_built_bundle_starts_and_answers(tmp_path: Path) -> None:
    build = subprocess.run(
        ["bash", str(PROJECT_DIR / "scripts" / "build-app.sh"), "--log-level", "WARN"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    program = PROJECT_DIR / "dist" / "iam-desktop" / "iam-desktop"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        IAM_DESKTOP_SETTINGS=str(tmp_path / "settings.ini"),
        IAM_DESKTOP_RECOVERY_DIR=str(tmp_path / "recovery"),
        IAM_DESKTOP_INSTANCE_NAME=str(tmp_path / "instance.sock"),
    )
    smoke = subprocess.run(
        [str(program), "--smoke"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert smoke.returncode == 0, smoke.stderr
    match = re.search(r"smoke ok: (\d+) entities", smoke.stdout)
    assert match is not None and int(match.group(1)) > 0, smoke.stdout
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
        encoding="utf-8",
    )
    cli = subprocess.run(
        [str(program), "validate", str(policy)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert cli.returncode == 0, cli.stderr
    # a matrix big enough to be shared with a worker process: the frozen program must start it as one
    model = tmp_path / "medium.iamd.json"
    save_model(build_workload("medium"), model)
    matrix = subprocess.run([str(program), "matrix", str(model), "--counts", "--json", "--jobs", "2"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert matrix.returncode == 0, matrix.stderr
    assert sum(json.loads(matrix.stdout).values()) > PARALLEL_MIN_CELLS
