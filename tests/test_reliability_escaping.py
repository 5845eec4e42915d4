"""Reports and canvas exports escape every string a person typed: names, tags, descriptions, policy values.

A model full of markup is rendered to an HTML report, Markdown, CSV and an SVG export; the results are parsed with
html.parser / xml.etree: the hostile strings come back as text, and no script element or event handler exists."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.formats.reports import answer_to_html, answer_to_markdown, evaluation_to_html, matrix_to_csv
from iam_desktop.graph import AccessGraph
from iam_desktop.gui.document import Document
from iam_desktop.gui.main_window import MainWindow
from iam_desktop.model import Account, InlinePolicy, ManagedPolicy, Placement, Resource, Role, User, Workspace


def forget_changes(window: MainWindow) -> None:
    """Mark the window's model saved before pytest-qt closes it: closing asks about unsaved changes and waits."""
    window.document.undo_stack.setClean()


SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
AMP = 'Tom & "Jerry" <b>'
BUCKET_ARN = "arn:aws:s3:::b<script>alert(3)</script>"
FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


def hostile_model() -> Workspace:
    """Every free-text field filled with markup (IAM names follow AWS's rules, so they cannot hold any)."""
    ws = Workspace(f"Model {SCRIPT} {AMP}")
    ws.add(Account("acct", f"{FORMULA} {SCRIPT}", "111111111111"), Placement(0, 0, 900, 600))
    policy = ManagedPolicy("pol", "Reader", {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadIt", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": SCRIPT}}}]},
        account="acct", description=IMG)
    ws.add(policy, Placement(40, 400))
    ws.add(User("user-alice", "alice", "acct", tags={IMG: AMP, "team": SCRIPT}, managed_policies=("pol",),
                inline_policies=(InlinePolicy(f"inline {SCRIPT}", {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}),)), Placement(40, 40))
    ws.add(Role("role-r", "runner", "acct", description=f"{IMG} {AMP}", tags={"k": SCRIPT}), Placement(300, 40))
    ws.add(Resource("bucket", f"{IMG} bucket", "acct", "s3_bucket", BUCKET_ARN, tags={"owner": AMP},
                    policy={"Version": "2012-10-17", "Statement": [
                        {"Sid": "Grant", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                         "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}]}), Placement(300, 300))
    return ws


class _Collector(HTMLParser):
    """Every tag with its attributes, and all text, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(page: str, expected_texts: list[str]) -> None:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    names = [tag for tag, _ in parser.tags]
    assert "script" not in names and "img" not in names, names
    handlers = [(tag, name) for tag, attrs in parser.tags for name, _ in attrs if name.lower().startswith("on")]
    assert not handlers, handlers
    text = "".join(parser.text)
    for expected in expected_texts:
        assert expected in text, f"{expected!r} did not come back as text"


@pytest.fixture(scope="module")
def answer_and_model() -> tuple[Any, Workspace]:
    ws = hostile_model()
    graph = AccessGraph(ws)
    answer = graph.can("user-alice", "s3:GetObject", f"{BUCKET_ARN}/key",
                       {"aws:PrincipalTag/team": (SCRIPT,)})
    return answer, ws


def test_the_html_report_escapes_every_user_string(answer_and_model: tuple[Any, Workspace]) -> None:
    answer, ws = answer_and_model
    page = answer_to_html(answer, ws)
    check_html(page, [SCRIPT, BUCKET_ARN])
    check_html(evaluation_to_html(answer.evaluation, title=f"{SCRIPT} {AMP}"), [SCRIPT, AMP])


def test_the_markdown_report_carries_no_raw_markup(answer_and_model: tuple[Any, Workspace]) -> None:
    answer, ws = answer_and_model
    text = answer_to_markdown(answer, ws)
    assert "<script>" not in text and "<img" not in text, text


def test_the_csv_matrix_cannot_run_formulas(answer_and_model: tuple[Any, Workspace]) -> None:
    _answer, ws = answer_and_model
    graph = AccessGraph(ws)
    matrix = graph.matrix(["user-alice", "role-r", "acct"], ["bucket"], ["s3:GetObject"])
    rows = list(csv.reader(io.StringIO(matrix_to_csv(matrix, ws))))
    assert len(rows) == 4
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row
    assert any(FORMULA in cell for row in rows for cell in row), "the account name is not in the CSV"


@pytest.mark.gui
def test_the_svg_export_escapes_names_and_the_title(qtbot: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_DESKTOP_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("IAM_DESKTOP_SETTINGS", str(tmp_path / "settings.ini"))
    window = MainWindow(Document(hostile_model()))
    qtbot.addWidget(window, before_close_func=forget_changes)
    target = tmp_path / "canvas.svg"
    assert window.files.export_svg(target)
    root = ElementTree.parse(target).getroot()  # well-formed XML, or this raises
    elements = list(root.iter())
    local_names = [element.tag.rsplit("}", 1)[-1] for element in elements]
    assert "script" not in local_names and "foreignObject" not in local_names
    handlers = [name for element in elements for name in element.attrib if name.lower().startswith("on")]
    assert not handlers, handlers
    text = " ".join(t for element in elements for t in (element.text, element.tail) if t)
    assert SCRIPT in text, "the model name did not round-trip into the SVG title"
    assert "alice" in text and "bucket" in text, "node names are not text in the SVG"
