"""The access matrix decides every cell exactly as ``AccessGraph.can`` does, on generated and example models."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from iam_desktop.formats.model_file import load_model
from iam_desktop.graph import AccessGraph
from iam_desktop.graph.access import resource_arn_for
from iam_desktop.model.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from workload import build_workload  # noqa: E402

EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.iamd.json"))
_SMALL_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "kms:Decrypt", "sqs:SendMessage",
                  "dynamodb:GetItem", "sts:AssumeRole", "lambda:InvokeFunction", "iam:PassRole")


def _check(workspace: Workspace, principals: list[str], actions: tuple[str, ...] | None) -> int:
    graph = AccessGraph(workspace)
    resources = [r.id for r in workspace.resources()]
    matrix = graph.matrix(principals, resources, actions)
    checked = 0
    for (principal_id, resource_id, action), decision in matrix.cells.items():
        arn = resource_arn_for(workspace.get(resource_id), action)  # type: ignore[arg-type]
        answer = graph.can(principal_id, action, arn)
        assert decision is answer.decision, (principal_id, resource_id, action)
        assert (decision.value == "allow") == answer.allowed
        assert matrix.answer(principal_id, resource_id, action).decision is decision
        checked += 1
    assert matrix.complete
    return checked


@pytest.fixture(scope="module")
def small() -> Workspace:
    return build_workload("small")


def test_small_workload_default_actions(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()[::3]
    assert _check(small, principals, None) > 1000


def test_small_workload_chosen_actions(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()[1::4]
    assert _check(small, principals, _SMALL_ACTIONS) == len(principals) * len(small.resources()) * len(_SMALL_ACTIONS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_models(path: Path) -> None:
    workspace = load_model(path)
    graph = AccessGraph(workspace)
    if not workspace.resources():
        pytest.skip("no resources")
    _check(workspace, graph.principal_ids(), None)
    _check(workspace, graph.principal_ids(), ("s3:GetObject", "sts:AssumeRole", "ec2:RunInstances", "iam:PassRole"))


def test_compact_cells_behave_as_a_mapping() -> None:
    from iam_desktop.graph import AccessMatrix
    from iam_desktop.policy import Decision

    cells = {("u1", "r1", "a2"): Decision.ALLOW, ("u2", "r1", "a1"): Decision.EXPLICIT_DENY,
             ("u1", "r2", "a1"): Decision.IMPLICIT_DENY}
    matrix = AccessMatrix(("u1", "u2"), ("r1", "r2"), ("a1", "a2"), cells, complete=False)
    assert dict(matrix.cells) == cells and len(matrix.cells) == 3
    assert list(matrix.cells) == [("u2", "r1", "a1"), ("u1", "r1", "a2"), ("u1", "r2", "a1")]  # resource, action, principal
    assert matrix.cells.get(("u2", "r2", "a2")) is None and ("u1", "r1", "a1") not in matrix.cells
    assert ("nobody", "r1", "a1") not in matrix.cells and ("u1", "r9", "a1") not in matrix.cells
    with pytest.raises(KeyError):
        matrix.cells[("u1", "r1", "a1")]
    matrix.set("u2", "r2", "a2", Decision.ALLOW)
    assert matrix.decision("u2", "r2", "a2") is Decision.ALLOW and len(matrix.cells) == 4
    assert not matrix.complete


def test_computed_columns_and_decision_counts() -> None:
    from iam_desktop.graph import AccessMatrix
    from iam_desktop.policy import Decision

    cells = {("u1", "r1", "a2"): Decision.ALLOW, ("u2", "r1", "a2"): Decision.EXPLICIT_DENY,
             ("u2", "r2", "a1"): Decision.IMPLICIT_DENY}
    matrix = AccessMatrix(("u1", "u2"), ("r1", "r2"), ("a1", "a2"), cells, complete=False)
    assert matrix.computed_columns() == [("r1", "a2"), ("r2", "a1")]
    assert matrix.decision_counts() == {Decision.ALLOW: 1, Decision.EXPLICIT_DENY: 1, Decision.IMPLICIT_DENY: 1}
    assert AccessMatrix(("u1",), ("r1",), ("a1",)).computed_columns() == []


def test_row_columns_subset_keeps_each_columns_resource_policy(small: Workspace) -> None:
    graph = AccessGraph(small)
    with_policy = [r for r in small.resources() if r.policy is not None]
    without = [r for r in small.resources() if r.policy is None]
    arns = [resource_arn_for(r, "s3:GetObject") for r in (without[0], with_policy[0], without[1], with_policy[1])]
    columns = graph.context.row_columns("s3:GetObject", arns)
    subset = columns.subset([3, 0])
    assert subset.size == 2
    placed = sorted((position, arn, dict(group.own_policies).get(at) is not None)
                    for group in subset.groups for at, (position, arn) in enumerate(zip(group.positions, group.arns)))
    assert placed == [(0, arns[3], True), (1, arns[0], False)]
    for principal in graph.principal_ids()[:20]:
        caller = graph.context.resolve(principal)
        row = graph.context.decide_row(caller, columns)
        assert graph.context.decide_row(caller, subset) == [row[3], row[0]]
        assert row == [graph.context.decide(principal, "s3:GetObject", arn) for arn in arns]


def test_who_can_and_what_can_are_the_allowed_answers_of_can(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()
    for resource in small.resources()[::7]:
        for action in ("s3:GetObject", "kms:Decrypt", "sqs:SendMessage"):
            arn = resource_arn_for(resource, action)
            expected = [p for p in principals if graph.can(p, action, arn).allowed]
            assert [a.principal_id for a in graph.who_can(action, arn)] == expected, (resource.id, action)
    unmodelled = "arn:aws:s3:::not-in-the-model/key"
    assert [a.principal_id for a in graph.who_can("s3:GetObject", unmodelled)] == [
        p for p in principals if graph.can(p, "s3:GetObject", unmodelled).allowed]
    for principal in principals[::9]:
        expected_cells = {(resource_arn_for(r, a), a) for r in small.resources()
                          for a in graph.empty_matrix([principal], [r.id], None).actions
                          if graph.can(principal, a, resource_arn_for(r, a)).allowed}
        answers = graph.what_can(principal)
        assert all(answer.allowed for answer in answers)
        assert {(a.resource, a.action) for a in answers} == expected_cells, principal
