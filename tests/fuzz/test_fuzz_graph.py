"""Questions about generated models: can / who-can / what-can / matrix / escalations answer or refuse with
AuthorizationError, and the matrix agrees with the explained answer of each cell."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz_budget import fuzz_settings, tried
from fuzz_mutations import HOSTILE_TEXT
from iam_desktop.graph import AccessGraph
from iam_desktop.model import Resource, Workspace
from iam_desktop.model.callers import AuthorizationError
from strategies import workspaces

ACTIONS = st.sampled_from(["s3:GetObject", "sts:AssumeRole", "iam:PassRole", "kms:Decrypt", "lambda:InvokeFunction",
                           "*", "s3:*", "", "bad action", "S3:GETOBJECT"]) | st.text(max_size=15)
CONTEXTS = st.none() | st.dictionaries(
    st.sampled_from(["aws:SourceIp", "aws:PrincipalTag/team", "aws:CurrentTime", "sts:ExternalId"])
    | st.text(max_size=10),
    st.lists(st.sampled_from(["203.0.113.1", "x", "", "2020-01-01T00:00:00Z", *HOSTILE_TEXT]), max_size=2).map(tuple),
    max_size=2)


@st.composite
def questions(draw: st.DrawFn) -> tuple[Workspace, str, str, str, Any]:
    """A generated model and a question: a caller (a model id or any text), an action, a resource ARN, a context."""
    ws = draw(workspaces())
    ids = list(ws.entities)
    caller = draw(st.sampled_from(ids) if ids and draw(st.booleans()) else
                  st.sampled_from(["*", "lambda.amazonaws.com", "arn:aws:iam::111122223333:user/x",
                                   "arn:aws:sts::111122223333:assumed-role/r/s", "nobody", ""]) | st.text(max_size=10))
    arns = [r.arn for r in ws.resources()] + ["*", "arn:aws:s3:::other/key", "not-an-arn", ""]
    return ws, caller, draw(ACTIONS), draw(st.sampled_from(arns)), draw(CONTEXTS)


@fuzz_settings(60)
@given(questions(), st.integers(0, 4))
def test_questions_answer_or_refuse(question: tuple[Workspace, str, str, str, Any], depth: int) -> None:
    ws, caller, action, resource, context = question
    tried("graph.questions")
    graph = AccessGraph(ws)
    try:
        answer = graph.can(caller, action, resource, context, depth)
    except AuthorizationError as error:
        assert str(error).strip()
        tried("graph.questions (refused)")
        return
    tried("graph.questions (answered)")
    assert answer.evaluation.reason
    graph.who_can(action, resource, context, depth)
    graph.what_can(caller, None, context, depth)


@fuzz_settings(40)
@given(workspaces(), st.lists(ACTIONS, max_size=2, unique=True) | st.none())
def test_matrix_cells_agree_with_their_explanations(ws: Workspace, actions: list[str] | None) -> None:
    tried("graph.matrix")
    graph = AccessGraph(ws)
    resources = [r.id for r in ws.resources()]
    matrix = graph.matrix(graph.principal_ids(), resources, actions)
    for (principal, resource, action), decision in list(matrix.cells.items())[:20]:
        answer = matrix.answer(principal, resource, action)
        assert answer.decision == decision, f"{principal} {action} {resource}: cell {decision}, answer {answer.decision}"
        assert isinstance(ws.get(resource), Resource)
    graph.escalations()
