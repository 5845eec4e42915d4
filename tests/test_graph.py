"""AccessGraph: assume-role chains, depth limit, runs-as, who-can, what-can and the access matrix."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from iam_desktop.graph import AccessGraph
from iam_desktop.model import Account, InlinePolicy, Resource, Role, User, Workspace
from iam_desktop.model.edges import Edge, EdgeKind
from iam_desktop.policy import Decision

ACCOUNT = "111122223333"
OTHER = "444455556666"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"


def allow(*actions: str, resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}


def trust(principal: dict, action: str = "sts:AssumeRole") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]}


def role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


@pytest.fixture
def ws() -> Workspace:
    """alice -> RoleA -> RoleB -> RoleC; only RoleC reads the table; RoleB reads S3."""
    workspace = Workspace()
    workspace.add(Account("acct", "prod", ACCOUNT))
    workspace.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("assume", allow("sts:AssumeRole")),)))
    workspace.add(Role("a", "RoleA", "acct", trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}),
                       inline_policies=(InlinePolicy("p", allow("sts:AssumeRole")),)))
    workspace.add(Role("b", "RoleB", "acct", trust_policy=trust({"AWS": role_arn("RoleA")}),
                       inline_policies=(InlinePolicy("p", allow("sts:AssumeRole", "s3:GetObject")),)))
    workspace.add(Role("c", "RoleC", "acct", trust_policy=trust({"AWS": role_arn("RoleB")}),
                       inline_policies=(InlinePolicy("p", allow("dynamodb:GetItem", resource=TABLE)),)))
    workspace.add(Resource("t", "orders", "acct", "dynamodb_table", TABLE))
    return workspace


def test_chain_user_role_role(ws: Workspace) -> None:
    answer = AccessGraph(ws).can("alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert answer.evaluation.decision is Decision.IMPLICIT_DENY
    assert answer.decision is Decision.ALLOW and answer.allowed
    (path,) = answer.paths
    assert [(h.source_id, h.target_id, h.kind) for h in path.hops] == [("alice", "a", "assume_role"),
                                                                        ("a", "b", "assume_role")]
    assert path.hops[0].edge_key == Edge(EdgeKind.TRUSTS, "alice", "a").key
    assert path.hops[0].evaluation.decision is Decision.ALLOW and "RoleA" in path.hops[0].reason
    assert path.final.decision is Decision.ALLOW and path.role_id == "b"


def test_depth_limit(ws: Workspace) -> None:
    graph = AccessGraph(ws)
    assert not graph.can("alice", "dynamodb:GetItem", TABLE, max_depth=2).allowed
    deep = graph.can("alice", "dynamodb:GetItem", TABLE, max_depth=3)
    assert deep.allowed and [h.target_id for h in deep.paths[0].hops] == ["a", "b", "c"]
    assert deep.paths[0].final.reason


def test_chaining_through_an_account_trust_needs_the_caller_role_identity_policy(ws: Workspace) -> None:
    ws.update(replace(ws.get("b"), trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    ws.update(replace(ws.get("alice"), inline_policies=(
        InlinePolicy("assume", allow("sts:AssumeRole", resource=role_arn("RoleA"))),)))
    graph = AccessGraph(ws)
    assert graph.can("alice", "s3:GetObject", "arn:aws:s3:::b/k").allowed
    ws.update(replace(ws.get("a"), inline_policies=()))
    assert not graph.can("alice", "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_trust_naming_the_role_arn_needs_no_identity_policy_in_the_same_account(ws: Workspace) -> None:
    """reference_policies_evaluation-logic.md: a resource policy naming a role ARN is limited only by the
    boundary and session policies, not by the identity policies."""
    ws.update(replace(ws.get("a"), inline_policies=()))
    assert AccessGraph(ws).can("alice", "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_account_trust_needs_identity_policy(ws: Workspace) -> None:
    ws.add(User("bob", "bob", "acct"))
    ws.update(replace(ws.get("b"), trust_policy=trust({"AWS": ACCOUNT})))
    graph = AccessGraph(ws)
    assert not graph.can("bob", "s3:GetObject", "arn:aws:s3:::b/k").allowed
    hops = graph.assumable_roles("alice")
    assert sorted(h.target_id for h in hops) == ["a", "b"]
    assert next(h for h in hops if h.target_id == "b").edge_key == ""


def test_cross_account_assume(ws: Workspace) -> None:
    ws.add(Account("other", "partner", OTHER))
    ws.add(Role("x", "Partner", "other", trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}),
                inline_policies=(InlinePolicy("p", allow("sqs:SendMessage")),)))
    queue = f"arn:aws:sqs:us-east-1:{OTHER}:jobs"
    graph = AccessGraph(ws)
    assert graph.can("alice", "sqs:SendMessage", queue).allowed
    ws.update(replace(ws.get("alice"), inline_policies=()))
    assert not graph.can("alice", "sqs:SendMessage", queue).allowed  # cross-account: identity policy needed


def test_graph_follows_model_changes(ws: Workspace) -> None:
    graph = AccessGraph(ws)
    assert graph.can("alice", "s3:GetObject", "arn:aws:s3:::b/k").allowed
    ws.update(replace(ws.get("a"), trust_policy=trust({"AWS": role_arn("Nobody")})))
    assert not graph.can("alice", "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_every_networkx_edge_carries_its_reason(ws: Workspace) -> None:
    graph = AccessGraph(ws)
    edges = graph.assume_edges()
    assert {(h.source_id, h.target_id) for h in edges} == {("alice", "a"), ("a", "b"), ("b", "c")}
    for _source, _target, data in graph.assume_graph.graph.edges(data=True):
        assert data["reason"] and data["decision"] is Decision.ALLOW and data["kind"] == "assume_role"


def _function(ws: Workspace, trusted_service: str = "lambda.amazonaws.com") -> None:
    ws.add(Role("fr", "FnRole", "acct", trust_policy=trust({"Service": trusted_service}),
                inline_policies=(InlinePolicy("p", allow("sts:AssumeRole", "s3:PutObject")),)))
    ws.update(replace(ws.get("c"), trust_policy=trust({"AWS": role_arn("FnRole")})))
    ws.add(Resource("fn", "worker", "acct", "lambda_function", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker",
                    runs_as="fr"))


def test_compute_resource_runs_as_its_role(ws: Workspace) -> None:
    _function(ws)
    graph = AccessGraph(ws)
    own = graph.can("fn", "s3:PutObject", "arn:aws:s3:::b/k")
    assert own.evaluation.decision is Decision.ALLOW and own.paths == []
    chained = graph.can("fn", "dynamodb:GetItem", TABLE)
    assert chained.evaluation.decision is Decision.IMPLICIT_DENY and chained.allowed
    assert [(h.kind, h.target_id) for h in chained.paths[0].hops] == [("runs_as", "fr"), ("assume_role", "c")]
    assert chained.paths[0].hops[0].edge_key == Edge(EdgeKind.RUNS_AS, "fn", "fr").key
    (hop,) = graph.assumable_roles("fn")
    assert hop.kind == "runs_as" and "lambda.amazonaws.com" in hop.reason


def test_runs_as_needs_the_role_to_trust_the_service(ws: Workspace) -> None:
    _function(ws, trusted_service="ec2.amazonaws.com")
    graph = AccessGraph(ws)
    assert graph.assumable_roles("fn") == []
    assert not graph.can("fn", "dynamodb:GetItem", TABLE).allowed


def test_who_can(ws: Workspace) -> None:
    answers = AccessGraph(ws).who_can("dynamodb:GetItem", TABLE)
    assert {a.principal_id for a in answers} == {"alice", "a", "b", "c"}
    direct = next(a for a in answers if a.principal_id == "c")
    assert direct.evaluation.decision is Decision.ALLOW
    assert all(a.allowed for a in answers)


def test_what_can(ws: Workspace) -> None:
    answers = AccessGraph(ws).what_can("b")
    assert [(a.action, a.resource) for a in answers] == [("dynamodb:GetItem", TABLE)]
    assert answers[0].evaluation.decision is Decision.IMPLICIT_DENY
    assert AccessGraph(ws).what_can("b", ["dynamodb:PutItem"]) == []


def test_matrix_with_progress_and_cancel(ws: Workspace) -> None:
    ws.add(Resource("bucket", "logs", "acct", "s3_bucket", "arn:aws:s3:::logs"))
    graph = AccessGraph(ws)
    calls: list[tuple[int, int]] = []
    matrix = graph.matrix(["alice", "c"], ["t", "bucket"], ["dynamodb:GetItem", "s3:GetObject"],
                          progress=lambda done, total: calls.append((done, total)))
    assert matrix.complete and len(matrix.cells) == 8
    assert calls == [(2, 8), (4, 8), (6, 8), (8, 8)]  # after each principal's cells of one action
    assert matrix.cells[("alice", "t", "dynamodb:GetItem")] is Decision.ALLOW
    assert matrix.cells[("c", "bucket", "s3:GetObject")] is Decision.IMPLICIT_DENY
    assert matrix.cells[("alice", "bucket", "s3:GetObject")] is Decision.ALLOW
    answer = matrix.answer("alice", "bucket", "s3:GetObject")
    assert answer.resource == "arn:aws:s3:::logs/*" and answer.paths
    stopped = graph.matrix(["alice", "c"], ["t", "bucket"], ["dynamodb:GetItem"],
                           cancelled=lambda: len(calls) >= 5, progress=lambda d, t: calls.append((d, t)))
    assert not stopped.complete and len(stopped.cells) == 2


def test_matrix_default_actions_per_resource_type(ws: Workspace) -> None:
    matrix = AccessGraph(ws).matrix(["c"], ["t"], None)
    assert set(matrix.actions) == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PutItem"}
    assert matrix.cells[("c", "t", "dynamodb:Query")] is Decision.IMPLICIT_DENY


def test_external_principal_and_session_arn(ws: Workspace) -> None:
    graph = AccessGraph(ws)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/RoleA/alice"
    answer = graph.can(session, "s3:GetObject", "arn:aws:s3:::b/k")
    assert answer.allowed and answer.paths[0].hops[0].source_id == "a"
    stranger = graph.can("arn:aws:iam::999988887777:user/eve", "s3:GetObject", "arn:aws:s3:::b/k")
    assert not stranger.allowed and stranger.paths == []


def test_the_root_user_assumes_no_role(ws: Workspace) -> None:
    ws.update(replace(ws.get("a"), trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    graph = AccessGraph(ws)
    assert graph.assumable_roles("acct") == []
    assert graph.can("acct", "s3:GetObject", "arn:aws:s3:::b/k").evaluation.decision is Decision.ALLOW  # own account


def test_pure_layers_import_no_qt_and_networkx_stays_in_graph() -> None:
    code = ("import sys; import iam_desktop.model.authorization, iam_desktop.formats.model_file; "
            "assert 'networkx' not in sys.modules, 'networkx outside graph'; "
            "import iam_desktop.graph, iam_desktop.cli; assert 'PySide6' not in sys.modules, 'Qt imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_service_principal_outside_the_model_follows_trusts(ws: Workspace) -> None:
    _function(ws)
    answer = AccessGraph(ws).can("lambda.amazonaws.com", "dynamodb:GetItem", TABLE)
    assert answer.evaluation.decision is Decision.IMPLICIT_DENY
    assert [[h.target_id for h in p.hops] for p in answer.paths] == [["fr", "c"]]
