"""No network access at all: every way Python opens a connection or resolves a name is replaced by a trap while
a model is opened, a sample imported, requests evaluated, the matrix built and reports written."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from iam_desktop import cli
from iam_desktop.formats.aws_import import import_authorization_details
from iam_desktop.formats.model_file import load_model, save_model
from iam_desktop.formats.reports import answer_to_html, answer_to_markdown, matrix_to_csv, matrix_to_json
from iam_desktop.graph import AccessGraph
from iam_desktop.gui.app import create_main_window
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, Resource, User, Workspace
from iam_desktop.policy import NamedPolicy, PolicySet, Principal, PrincipalKind, Request, evaluate, parse_policy


def forget_changes(window: MainWindow) -> None:
    """Mark the window's model saved before pytest-qt closes it: closing asks about unsaved changes and waits."""
    window.document.undo_stack.setClean()


class NetworkTrap:
    """Records every attempt to reach the network (the code under test may swallow an exception; this does not)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def trap(self, name: str) -> Any:
        def refuse(*args: Any, **_kwargs: Any) -> Any:
            self.attempts.append(f"{name}{args[1:] if name.startswith('socket.connect') else args}")
            raise OSError(f"network access is forbidden in this test ({name})")
        return refuse


@pytest.fixture
def trap(monkeypatch: pytest.MonkeyPatch) -> NetworkTrap:
    found = NetworkTrap()
    monkeypatch.setattr(socket.socket, "connect", found.trap("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", found.trap("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", found.trap("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", found.trap("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", found.trap("socket.getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", found.trap("socket.gethostbyname"))
    return found


def test_the_trap_catches_a_connection(trap: NetworkTrap) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 80), timeout=1)
    with socket.socket() as raw, pytest.raises(OSError):
        raw.connect(("127.0.0.1", 9))
    assert len(trap.attempts) == 2


def test_the_whole_core_works_offline(trap: NetworkTrap, shared_data: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sample = shared_data / "aws-authorization-details" / "cloudsplaining-example-authz-details.json"
    imported = import_authorization_details(sample.read_bytes()).workspace
    model_path = tmp_path / "imported.iamd.json"
    save_model(imported, model_path)
    workspace = load_model(model_path)
    account = next(e for e in workspace.entities.values() if isinstance(e, Account))
    workspace.add(Resource("bucket", "data", account.id, "s3_bucket", "arn:aws:s3:::data"))

    policy = parse_policy('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", '
                          '"Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}}')
    request = Request(Principal("arn:aws:iam::111111111111:user/a", PrincipalKind.USER, "111111111111"),
                      "s3:GetObject", "arn:aws:s3:::data/x", {"aws:SourceIp": ("203.0.113.9",)})
    assert evaluate(request, PolicySet(identity=(NamedPolicy("p", policy),))).decision.value == "allow"

    graph = AccessGraph(workspace)
    users = [e.id for e in workspace.entities.values() if isinstance(e, User)]
    answer = graph.can(users[0], "s3:GetObject", "arn:aws:s3:::data/x")
    answer_to_html(answer, workspace)
    answer_to_markdown(answer, workspace)
    matrix = graph.matrix(graph.principal_ids()[:10], ["bucket"], None)
    matrix_to_csv(matrix, workspace)
    matrix_to_json(matrix, workspace)
    graph.escalations()

    assert cli.main(["escalations", str(model_path), "--json"]) == 0
    assert cli.main(["who-can", str(sample), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data"]) == 0
    assert cli.main(["import", str(sample), "-o", str(tmp_path / "cli.iamd.json")]) == 0
    capsys.readouterr()
    assert trap.attempts == [], f"network access attempted: {trap.attempts}"


@pytest.mark.gui
def test_the_main_window_works_offline(trap: NetworkTrap, qtbot: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    ws = Workspace("offline")
    ws.add(Account("acct", "prod", "111111111111"))
    path = tmp_path / "m.iamd.json"
    save_model(ws, path)
    window = create_main_window(path)
    qtbot.addWidget(window, before_close_func=forget_changes)
    window.show()
    qtbot.waitExposed(window)
    assert window.files.export_svg(tmp_path / "canvas.svg")
    assert window.files.export_png(tmp_path / "canvas.png")
    assert trap.attempts == [], f"network access attempted: {trap.attempts}"
