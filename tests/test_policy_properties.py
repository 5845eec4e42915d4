"""Properties of the engine on random policies: deny-monotonic, allow-monotonic, total, fast == explained."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_desktop.policy import (
    Decision,
    NamedPolicy,
    PolicyDocument,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    ResourcePolicyRule,
    compile_policies,
    decide,
    evaluate,
    parse_policy,
)
from iam_desktop.policy.compiled import compile_named
from iam_desktop.policy.rows import RowDecider

A = "111122223333"
B = "444455556666"
ROLE = f"arn:aws:iam::{A}:role/Dev"
CALLERS = [
    Principal(f"arn:aws:iam::{A}:user/alice", PrincipalKind.USER, account=A, tags={"team": "red"}),
    Principal(f"arn:aws:sts::{A}:assumed-role/Dev/s", PrincipalKind.ROLE_SESSION, account=A, role_arn=ROLE),
    Principal(f"arn:aws:iam::{B}:user/bob", PrincipalKind.USER, account=B),
    Principal(f"arn:aws:iam::{A}:root", PrincipalKind.ACCOUNT_ROOT, account=A),
    Principal("lambda.amazonaws.com", PrincipalKind.SERVICE),
    Principal("*", PrincipalKind.ANONYMOUS),
    Principal(f"arn:aws:sts::{A}:federated-user/fed", PrincipalKind.FEDERATED, account=A),
]
ACTIONS = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sts:AssumeRole", "kms:Decrypt"]
ACTION_PATTERNS = ["s3:GetObject", "s3:*", "s3:Get*", "*", "sqs:SendMessage", "s3:?utObject", "sts:AssumeRole", "kms:*"]
RESOURCES = ["arn:aws:s3:::b/k", "arn:aws:s3:::alice/x", "arn:aws:sqs:us-east-1:111122223333:q", ROLE, "*"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::${aws:username}/*", "arn:aws:sqs:*:*:q", "arn:aws:s3:::*", ROLE]
PRINCIPALS = ["*", {"AWS": A}, {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": CALLERS[0].arn}, {"AWS": ROLE},
              {"AWS": CALLERS[1].arn}, {"Service": "lambda.amazonaws.com"}, {"AWS": [CALLERS[2].arn, CALLERS[6].arn]}]
CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["env*"]}},
    {"Null": {"aws:MultiFactorAuthAge": "false"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
]
CONTEXT_VALUES = {
    "aws:RequestedRegion": ["us-east-1", "eu-west-1"],
    "aws:SecureTransport": ["true", "false"],
    "aws:SourceIp": ["10.1.1.1", "192.0.2.1"],
    "aws:TagKeys": ["env", "owner"],
    "aws:MultiFactorAuthAge": ["10", "99999"],
}


@st.composite
def statements(draw: st.DrawFn, *, with_principal: bool, effect: str | None = None) -> dict:
    statement: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    statement["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = actions
    resources = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    statement["NotResource" if draw(st.integers(0, 9)) == 0 else "Resource"] = resources
    if with_principal:
        principal = draw(st.sampled_from(PRINCIPALS))
        use_not = statement["Effect"] == "Deny" and principal != "*" and draw(st.integers(0, 4)) == 0
        statement["NotPrincipal" if use_not else "Principal"] = principal
    if draw(st.booleans()):
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    return statement


def documents(policy_type: str) -> st.SearchStrategy[PolicyDocument]:
    with_principal = policy_type in ("resource", "rcp")
    if policy_type == "rcp":  # RCP statements name every principal
        statement_strategy = statements(with_principal=False).map(lambda s: {**s, "Principal": "*"})
    else:
        statement_strategy = statements(with_principal=with_principal)
    return st.lists(statement_strategy, min_size=1, max_size=3).map(
        lambda items: parse_policy({"Version": "2012-10-17", "Statement": items}, policy_type=policy_type)
    )


def named(policy_type: str, name: str) -> st.SearchStrategy[NamedPolicy]:
    return documents(policy_type).map(lambda document: NamedPolicy(name, document))


policy_sets = st.builds(
    PolicySet,
    identity=st.lists(named("identity", "identity"), max_size=2).map(tuple),
    resource_policy=st.none() | named("resource", "resource"),
    resource_policy_rule=st.sampled_from(list(ResourcePolicyRule)),
    permission_boundary=st.none() | named("boundary", "boundary"),
    session_policies=st.none() | st.lists(named("session", "session"), min_size=1, max_size=1).map(tuple),
    scp_levels=st.lists(st.lists(named("scp", "scp"), min_size=1, max_size=2).map(tuple), max_size=2).map(tuple),
    rcp_levels=st.lists(st.lists(named("rcp", "rcp"), min_size=1, max_size=1).map(tuple), max_size=1).map(tuple),
)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    context = {key: (draw(st.sampled_from(values)),) for key, values in CONTEXT_VALUES.items() if draw(st.booleans())}
    return Request(
        principal=draw(st.sampled_from(CALLERS)),
        action=draw(st.sampled_from(ACTIONS)),
        resource=draw(st.sampled_from(RESOURCES)),
        context=context,
        resource_account=draw(st.sampled_from([A, A, B, None])),
    )


def _with_statement(policy: NamedPolicy, statement: dict, policy_type: str) -> NamedPolicy:
    extra = parse_policy({"Version": "2012-10-17", "Statement": [statement]}, policy_type=policy_type).statements[0]
    document = policy.document
    added = replace(extra, index=len(document.statements))
    return replace(policy, document=replace(document, statements=document.statements + (added,)))


def _without_statement(policy: NamedPolicy, position: int) -> NamedPolicy:
    document = policy.document
    kept = document.statements[:position] + document.statements[position + 1 :]
    return replace(policy, document=replace(document, statements=kept))


PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(policy_sets, requests())
def test_decide_equals_evaluate_and_evaluate_never_raises(policies: PolicySet, request: Request) -> None:
    evaluation = evaluate(request, policies)
    compiled = compile_policies(policies)
    assert decide(request, policies) is evaluation.decision
    assert decide(request, compiled) is evaluation.decision
    assert evaluate(request, compiled) == evaluation
    if evaluation.decision is Decision.EXPLICIT_DENY:
        assert evaluation.deciding_statements and all(s.effect == "Deny" and s.applies for s in evaluation.deciding_statements)
    assert evaluation.reason


@PROPERTY_SETTINGS
@given(policy_sets, requests(), statements(with_principal=False, effect="Deny"), st.data())
def test_adding_a_deny_never_yields_allow(policies: PolicySet, request: Request, deny: dict, data: st.DataObject) -> None:
    before = decide(request, policies)
    where = data.draw(st.sampled_from(["identity", "resource", "boundary", "scp"]))
    if where == "identity":
        changed = replace(policies, identity=policies.identity + (NamedPolicy("added", parse_policy({"Statement": [deny]})),))
    elif where == "resource" and policies.resource_policy is not None:
        changed = replace(policies, resource_policy=_with_statement(policies.resource_policy, {**deny, "Principal": "*"}, "resource"))
    elif where == "boundary" and policies.permission_boundary is not None:
        changed = replace(policies, permission_boundary=_with_statement(policies.permission_boundary, deny, "boundary"))
    elif where == "scp" and policies.scp_levels:
        first, *rest = policies.scp_levels
        changed = replace(policies, scp_levels=((_with_statement(first[0], deny, "scp"),) + first[1:], *rest))
    else:
        changed = policies
    after = decide(request, changed)
    assert after is not Decision.ALLOW or before is Decision.ALLOW
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


@PROPERTY_SETTINGS
@given(policy_sets, requests(), st.data())
def test_removing_a_statement_never_turns_implicit_deny_into_allow(policies: PolicySet, request: Request, data: st.DataObject) -> None:
    before = decide(request, policies)
    slots = [("identity", i) for i in range(len(policies.identity))]
    slots += [("resource", 0)] if policies.resource_policy else []
    slots += [("boundary", 0)] if policies.permission_boundary else []
    if not slots:
        return
    kind, index = data.draw(st.sampled_from(slots))
    target = {"identity": lambda: policies.identity[index], "resource": lambda: policies.resource_policy,
              "boundary": lambda: policies.permission_boundary}[kind]()
    assert target is not None
    position = data.draw(st.integers(0, len(target.document.statements) - 1))
    smaller = _without_statement(target, position)
    if kind == "identity":
        changed = replace(policies, identity=policies.identity[:index] + (smaller,) + policies.identity[index + 1 :])
    elif kind == "resource":
        changed = replace(policies, resource_policy=smaller)
    else:
        changed = replace(policies, permission_boundary=smaller)
    after = decide(request, changed)
    if before is Decision.IMPLICIT_DENY:
        assert after is not Decision.ALLOW


@PROPERTY_SETTINGS
@given(policy_sets, requests(), st.lists(st.tuples(st.sampled_from(RESOURCES[:-1]), st.none() | named("resource", "own")),
                                         min_size=1, max_size=6))
def test_row_decisions_equal_decide(policies: PolicySet, request: Request, columns: list) -> None:
    """A group of requests differing by resource (some with their own resource policy) decides as ``decide``."""
    shared = replace(policies, resource_policy=None)
    resources = [resource for resource, _ in columns]
    own = [(index, compile_named(policy)) for index, (_, policy) in enumerate(columns) if policy is not None]
    row = RowDecider().decide_group(replace(request, resource=resources[0]), compile_policies(shared), resources, own)
    expected = [decide(replace(request, resource=resource), compile_policies(replace(shared, resource_policy=policy)))
                for resource, policy in columns]
    assert row == expected


def test_row_decider_refuses_two_resource_policies() -> None:
    document = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}, policy_type="resource")
    policy = NamedPolicy("bucket policy", document)
    compiled = compile_policies(PolicySet(resource_policy=policy))
    request = Request(CALLERS[0], "s3:GetObject", "arn:aws:s3:::b/k")
    with pytest.raises(ValueError, match="must have none"):
        RowDecider().decide_group(request, compiled, ["arn:aws:s3:::b/k"], [(0, compile_named(policy))])
