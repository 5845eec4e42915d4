"""Reports: matrices as CSV / JSON, explanations and answers as Markdown / HTML, every user string escaped."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from iam_desktop.formats.model_file import load_model
from iam_desktop.formats.reports import (
    answer_to_html, answer_to_markdown, evaluation_to_html, evaluation_to_markdown, matrix_to_csv, matrix_to_json,
    md,
)
from iam_desktop.graph.access import AccessGraph
from iam_desktop.graph.answers import AccessAnswer, AccessMatrix, AccessPath, Hop
from iam_desktop.model import Account, User, Workspace
from iam_desktop.paths import examples_dir
from iam_desktop.policy.explanation import (
    ConditionOutcome, ConditionResult, Decision, Evaluation, MatchOutcome, Stage, StageOutcome, StageResult,
    StatementResult,
)

EVIL = '<script>alert("x")</script>'


def statement(sid: str | None = "Allow<b>S3</b>", applies: bool = True, error: str | None = None) -> StatementResult:
    condition = ConditionResult("StringEquals", "aws:PrincipalTag/team", (EVIL, "web"), ("a&b",),
                                ConditionOutcome.TRUE, True)
    missing = ConditionResult("Bool", "aws:MultiFactorAuthPresent", ("true",), None, ConditionOutcome.MISSING_KEY,
                              False, "the request has no aws:MultiFactorAuthPresent")
    return StatementResult(f"policy {EVIL}", "inline policy on user <alice>", "pol", 0, sid, "Allow",
                           MatchOutcome.MATCH, MatchOutcome.MATCH, MatchOutcome.NOT_APPLICABLE,
                           (condition, missing), applies, error)


def evaluation(decision: Decision = Decision.ALLOW) -> Evaluation:
    allowing = statement()
    stages = (StageResult(Stage.SCP, StageOutcome.NOT_PRESENT, (), "no organization"),
              StageResult(Stage.IDENTITY, StageOutcome.ALLOW, (allowing, statement("Other", False, f"bad {EVIL}")),
                          f"note {EVIL}"))
    return Evaluation(decision, Stage.IDENTITY, (allowing,), stages, f"because {EVIL}", (f"error {EVIL}",))


def test_html_escapes_every_user_string() -> None:
    page = evaluation_to_html(evaluation(), title=f"Title {EVIL}")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Allow&lt;b&gt;S3&lt;/b&gt;" in page and "&lt;alice&gt;" in page and "a&amp;b" in page
    assert page.startswith("<!DOCTYPE html>") and page.count("<table>") == 2


def test_html_explains_the_decision_and_missing_keys() -> None:
    page = evaluation_to_html(evaluation(Decision.EXPLICIT_DENY))
    assert "Denied (explicit deny)" in page and 'class="explicit_deny"' in page
    assert "(not in the request)" in page and "missing_key" in page
    assert "could not be evaluated" in page


def test_markdown_escapes_and_structures() -> None:
    text = evaluation_to_markdown(evaluation(), title="Decision for *alice*")
    assert text.startswith("# Decision for \\*alice\\*\n")
    assert "<script>" not in text and "\\<script\\>" in text
    assert "## Deciding statements" in text and "### Identity\\-based policies: allow" in text
    assert "## Errors" in text


def test_md_flattens_newlines_and_escapes_tables() -> None:
    assert md("a|b\nc") == "a\\|b c"


def matrix() -> AccessMatrix:
    cells = {("u1", "r1", "s3:GetObject"): Decision.ALLOW, ("u1", "r1", "s3:PutObject"): Decision.EXPLICIT_DENY,
             ("u2", "r1", "s3:GetObject"): Decision.IMPLICIT_DENY}
    return AccessMatrix(("u1", "u2"), ("r1",), ("s3:GetObject", "s3:PutObject"), cells, complete=False)


def test_matrix_csv_rows_and_names() -> None:
    ws = Workspace()
    ws.add(Account("acct", "Main", "111122223333"))
    ws.add(User("u1", "=1+2", "acct"))  # a valid IAM name a spreadsheet would compute
    rows = list(csv.reader(io.StringIO(matrix_to_csv(matrix(), ws))))
    assert rows[0] == ["principal_id", "principal", "resource_id", "resource", "action", "decision"]
    assert rows[1] == ["u1", "'=1+2", "r1", "r1", "s3:GetObject", "allow"]
    assert [r[5] for r in rows[1:]] == ["allow", "explicit_deny", "implicit_deny"]


def test_matrix_json() -> None:
    data = json.loads(matrix_to_json(matrix()))
    assert data["complete"] is False and data["actions"] == ["s3:GetObject", "s3:PutObject"]
    assert data["cells"][1] == {"principal_id": "u1", "principal": "u1", "resource_id": "r1", "resource": "r1",
                                "action": "s3:PutObject", "decision": "explicit_deny"}


def test_answer_with_a_path_by_hand() -> None:
    hop = Hop("u1", "role<1>", "assume_role", evaluation(), "", f"trust {EVIL}")
    answer = AccessAnswer("u1", "s3:GetObject", "arn:aws:s3:::b/<k>", evaluation(Decision.IMPLICIT_DENY),
                          (AccessPath((hop,), evaluation()),))
    page = answer_to_html(answer)
    assert "<script>" not in page and "role&lt;1&gt;" in page and "Path 1:" in page
    assert "Answer: Allowed" in page
    text = answer_to_markdown(answer)
    assert "## Path 1: u1 \\-\\> role\\<1\\>" in text and "<script>" not in text


@pytest.fixture
def cross_account() -> tuple[Workspace, AccessAnswer]:
    ws = load_model(examples_dir() / "cross-account-s3.iamd.json")
    answer = AccessGraph(ws).can("user-analyst", "s3:GetObject", "arn:aws:s3:::shared-reports/q1.csv")
    return ws, answer


def test_real_answer_reports_name_the_chain(cross_account: tuple[Workspace, AccessAnswer]) -> None:
    ws, answer = cross_account
    text = answer_to_markdown(answer, ws)
    assert text.startswith("# Can analyst do s3:GetObject on arn:aws:s3:::shared\\-reports/q1\\.csv?")
    assert re.search(r"## Path 1: analyst \\-\\> ReportReader", text)
    page = answer_to_html(answer, ws)
    assert "analyst → ReportReader" in page and "Answer: Allowed" in page
