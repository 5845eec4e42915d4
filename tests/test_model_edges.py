"""Edges of the model: derived from entity fields and policies, made by connect and broken by disconnect."""

from __future__ import annotations

import pytest

from iam_desktop.model import (
    Account, Group, InvalidEdgeError, ManagedPolicy, OrgUnit, PolicyType, Resource, Role, ServicePrincipal, User,
    Workspace,
)
from iam_desktop.model.edges import Edge, EdgeKind, allowed_edge_kinds, connect, derive_edges, disconnect

EMPTY = {"Version": "2012-10-17", "Statement": []}


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace()
    workspace.add_many([
        OrgUnit("root", "Root"),
        Account("acct", "Main", "111122223333", "root"),
        ManagedPolicy("pol", "ReadAll", EMPTY, "acct"),
        ManagedPolicy("scp", "DenyAll", EMPTY, policy_type=PolicyType.SCP),
        Group("devs", "developers", "acct"),
        User("alice", "alice", "acct"),
        Role("runner", "runner", "acct"),
        ServicePrincipal("lambda", "lambda.amazonaws.com"),
        Resource("fn", "fn", "acct", "lambda_function", "arn:aws:lambda:us-east-1:111122223333:function:fn"),
        Resource("bucket", "bucket", "acct", "s3_bucket", "arn:aws:s3:::bucket"),
        Resource("vm", "vm", "acct", "ec2_instance", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"),
    ])
    return workspace


@pytest.mark.parametrize("kind, source, target", [
    (EdgeKind.MEMBER_OF, "alice", "devs"),
    (EdgeKind.ATTACHED, "pol", "alice"),
    (EdgeKind.ATTACHED, "pol", "devs"),
    (EdgeKind.ATTACHED, "scp", "acct"),
    (EdgeKind.ATTACHED, "scp", "root"),
    (EdgeKind.BOUNDARY, "pol", "runner"),
    (EdgeKind.TRUSTS, "alice", "runner"),
    (EdgeKind.TRUSTS, "lambda", "runner"),
    (EdgeKind.TRUSTS, "acct", "runner"),
    (EdgeKind.RUNS_AS, "fn", "runner"),
    (EdgeKind.RESOURCE_ACCESS, "alice", "bucket"),
    (EdgeKind.RESOURCE_ACCESS, "runner", "fn"),
])
def test_connect_then_disconnect(ws: Workspace, kind: EdgeKind, source: str, target: str) -> None:
    before = ws.copy()
    ws.update(connect(ws, kind, source, target))
    assert Edge(kind, source, target) in derive_edges(ws)
    with pytest.raises(InvalidEdgeError, match="already connected"):
        connect(ws, kind, source, target)
    ws.update(disconnect(ws, Edge(kind, source, target)))
    assert Edge(kind, source, target) not in derive_edges(ws)
    if kind not in (EdgeKind.TRUSTS, EdgeKind.RESOURCE_ACCESS):  # policies keep their Version after disconnect
        assert ws.same_content(before)


@pytest.mark.parametrize("source, target, reason", [
    ("runner", "devs", "Only users can be members of a group"),
    ("scp", "alice", "attach it to an account or organization unit"),
    ("pol", "acct", "An IAM policy attaches to users, groups and roles"),
    ("bucket", "runner", "does not run as a role"),
    ("devs", "runner", "A group cannot be a principal"),
    ("alice", "vm", "has no resource policy"),
])
def test_nonsense_edges_are_refused_with_a_reason(ws: Workspace, source: str, target: str, reason: str) -> None:
    assert allowed_edge_kinds(ws.get(source), ws.get(target)) == []
    kind = EdgeKind.MEMBER_OF if target == "devs" else EdgeKind.ATTACHED
    with pytest.raises(InvalidEdgeError, match=reason):
        connect(ws, kind, source, target)


def test_trust_edge_writes_an_aws_trust_statement(ws: Workspace) -> None:
    role = connect(ws, EdgeKind.TRUSTS, "lambda", "runner")
    assert isinstance(role, Role)
    assert role.trust_policy["Statement"][-1] == {
        "Sid": "TrustLambdaAmazonawsCom", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}


def test_bucket_grant_covers_bucket_and_objects(ws: Workspace) -> None:
    bucket = connect(ws, EdgeKind.RESOURCE_ACCESS, "alice", "bucket")
    assert isinstance(bucket, Resource) and bucket.policy is not None
    statement = bucket.policy["Statement"][-1]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:user/alice"}
    assert statement["Resource"] == ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]


def test_two_grants_get_distinct_sids(ws: Workspace) -> None:
    ws.update(connect(ws, EdgeKind.TRUSTS, "alice", "runner"))
    other = User("alice2", "alice_", "acct", path="/team/")  # the same Sid base "TrustAlice"
    ws.add(other)
    role = connect(ws, EdgeKind.TRUSTS, "alice2", "runner")
    sids = [s["Sid"] for s in role.trust_policy["Statement"]]  # type: ignore[union-attr]
    assert len(sids) == len(set(sids)) == 2


def test_disconnect_keeps_other_principals_of_a_statement(ws: Workspace) -> None:
    ws.update(Role("runner", "runner", "acct", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root"]}}]}))
    assert {e.source for e in derive_edges(ws) if e.kind is EdgeKind.TRUSTS} == {"alice", "acct"}
    ws.update(disconnect(ws, Edge(EdgeKind.TRUSTS, "alice", "runner")))
    trust = ws.get("runner").trust_policy  # type: ignore[union-attr]
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}


def test_account_number_principal_means_the_account(ws: Workspace) -> None:
    ws.update(Role("runner", "runner", "acct", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "111122223333"}}]}))
    assert Edge(EdgeKind.TRUSTS, "acct", "runner") in derive_edges(ws)


def test_deny_and_non_assume_statements_draw_no_trust_edge(ws: Workspace) -> None:
    ws.update(Role("runner", "runner", "acct", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    assert [e for e in derive_edges(ws) if e.kind is EdgeKind.TRUSTS] == []


def test_edge_keys_are_stable() -> None:
    assert Edge(EdgeKind.MEMBER_OF, "a", "b").key == "member_of:a->b"


def test_sids_made_from_unicode_names_stay_ascii(ws: Workspace) -> None:
    ws.add(Account("other", "Ünïcode Äccount ✓", "444455556666"))
    role = connect(ws, EdgeKind.TRUSTS, "other", "runner")
    sid = role.trust_policy["Statement"][-1]["Sid"]  # type: ignore[union-attr]
    assert sid.startswith("Trust") and sid.isascii() and sid.isalnum()
