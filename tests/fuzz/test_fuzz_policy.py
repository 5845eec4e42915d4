"""Random and damaged policy documents through parse_policy; those that parse go through evaluate and decide,
which never raise and always agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz_budget import fuzz_settings, tried
from fuzz_mutations import HOSTILE_TEXT, json_values, mutated_bytes, mutated_json, mutated_leaves
from iam_desktop.policy import (
    POLICY_TYPES, Decision, Evaluation, NamedPolicy, PolicyDocument, PolicyParseError, PolicySet, Principal,
    PrincipalKind, Request, decide, evaluate, parse_policy,
)

MANAGED_POLICIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-managed-policies" \
    / "aws-managed-policies-top40.json"

HAND_MADE: list[tuple[str, dict[str, Any]]] = [
    ("identity", {"Version": "2012-10-17", "Statement": [
        {"Sid": "Tagged", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]},
                       "NumericLessThanEquals": {"s3:max-keys": "10"}, "Bool": {"aws:SecureTransport": "true"},
                       "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                       "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:iam::*:role/x"],
         "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": "secret*"}, "Null": {"aws:MultiFactorAuthAge": "true"}}}]}),
    ("resource", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:role/r"]},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}},
        {"Effect": "Deny", "NotPrincipal": {"Service": "lambda.amazonaws.com"}, "Action": "*", "Resource": "*"}]}),
    ("trust", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:x"}}},
        {"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRole", "sts:TagSession"],
         "Condition": {"StringEqualsIfExists": {"sts:ExternalId": "x"}}}]}),
    ("scp", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}),
    ("rcp", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}),
    ("boundary", {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
    ("session", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
]


def _seeds() -> list[tuple[str, dict[str, Any]]]:
    seeds = list(HAND_MADE)
    if MANAGED_POLICIES.is_file():
        managed = json.loads(MANAGED_POLICIES.read_text(encoding="utf-8"))
        seeds += [("identity", entry["document"]) for entry in managed.values()]
    return seeds


SEEDS = _seeds()
POLICY_TYPE_NAMES = sorted(POLICY_TYPES)

PRINCIPALS = [
    Principal("arn:aws:iam::111111111111:user/alice", PrincipalKind.USER, "111111111111", tags={"team": "a"},
              user_id="AIDAEXAMPLE"),
    Principal("arn:aws:sts::222222222222:assumed-role/r/s", PrincipalKind.ROLE_SESSION, "222222222222",
              role_arn="arn:aws:iam::222222222222:role/r", user_id="AROAEXAMPLE:s"),
    Principal("lambda.amazonaws.com", PrincipalKind.SERVICE),
    Principal("*", PrincipalKind.ANONYMOUS),
]
requests = st.builds(
    Request,
    principal=st.sampled_from(PRINCIPALS),
    action=st.sampled_from(["s3:GetObject", "sts:AssumeRole", "iam:PassRole", "kms:Decrypt", "S3:getobject", "*",
                            "", "bad action", "ec2:RunInstances"]) | st.text(max_size=30),
    resource=st.sampled_from(["arn:aws:s3:::b/alice/x", "*", "arn:aws:iam::222222222222:role/r", "", "not an arn",
                              "arn:aws:kms:us-east-1:111111111111:key/k"]) | st.text(max_size=40),
    context=st.dictionaries(
        st.sampled_from(["aws:SourceIp", "aws:CurrentTime", "aws:SecureTransport", "s3:max-keys", "aws:TagKeys",
                         "aws:RequestedRegion", "sts:ExternalId", "aws:MultiFactorAuthAge", "aws:PrincipalTag/team"])
        | st.text(max_size=20),
        st.lists(st.sampled_from(["203.0.113.5", "::1", "300.1.1.1", "2020-06-01T00:00:00Z", "1577836800", "true",
                                  "false", "10", "-1", "1e400", "NaN", "eu-west-1", *HOSTILE_TEXT]) | st.text(max_size=20),
                 max_size=3).map(tuple),
        max_size=4),
    resource_account=st.none() | st.sampled_from(["111111111111", "222222222222"]),
)


def policy_set(policy_type: str, document: PolicyDocument) -> PolicySet:
    """The document put where a policy of its type takes part in an evaluation, beside an allow-all identity policy."""
    named = NamedPolicy("fuzzed", document, "fuzz input")
    allow_all = NamedPolicy("allow-all", parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    if policy_type == "identity":
        return PolicySet(identity=(named,))
    if policy_type in ("resource", "trust"):
        return PolicySet(identity=(allow_all,), resource_policy=named)
    if policy_type == "boundary":
        return PolicySet(identity=(allow_all,), permission_boundary=named)
    if policy_type == "session":
        return PolicySet(identity=(allow_all,), session_policies=(named,))
    if policy_type == "scp":
        return PolicySet(identity=(allow_all,), scp_levels=((named,),))
    return PolicySet(identity=(allow_all,), rcp_levels=((named,),))


def parse_or_refuse(source: Any, policy_type: str, target: str) -> PolicyDocument | None:
    """parse_policy: a document, or a PolicyParseError whose every issue is an error with a message."""
    tried(target)
    try:
        document = parse_policy(source, policy_type=policy_type)
    except PolicyParseError as error:
        assert error.issues, "PolicyParseError without issues"
        for issue in error.issues:
            assert issue.severity == "error" and issue.message.strip(), f"empty issue: {issue!r}"
            if not isinstance(source, (str, bytes)):
                assert issue.line is None
            elif issue.path:
                assert issue.line is not None, f"an issue in text names no line: {issue}"
        tried(f"{target} (refused)")
        return None
    assert isinstance(document, PolicyDocument)
    for warning in document.warnings:
        assert warning.severity == "warning" and warning.message.strip()
    tried(f"{target} (parsed)")
    return document


def evaluate_agrees(policy_type: str, document: PolicyDocument, request: Request, target: str) -> None:
    """evaluate never raises, returns an Evaluation, and decide gives the same decision."""
    tried(target)
    policies = policy_set(policy_type, document)
    evaluation = evaluate(request, policies)
    assert isinstance(evaluation, Evaluation) and isinstance(evaluation.decision, Decision)
    assert evaluation.reason
    assert decide(request, policies) is evaluation.decision, "decide and evaluate disagree"


@fuzz_settings(150)
@given(st.sampled_from(POLICY_TYPE_NAMES), json_values, requests)
def test_random_json_values(policy_type: str, value: Any, request: Request) -> None:
    document = parse_or_refuse(value, policy_type, "policy.any_json")
    if document is not None:
        evaluate_agrees(policy_type, document, request, "policy.evaluate")


@fuzz_settings(300)
@given(st.sampled_from(range(len(SEEDS))).flatmap(
    lambda i: st.tuples(st.just(SEEDS[i][0]), mutated_json(SEEDS[i][1]))), requests, st.booleans())
def test_damaged_policies(typed: tuple[str, Any], request: Request, as_text: bool) -> None:
    policy_type, value = typed
    source = json.dumps(value, indent=1) if as_text else value
    document = parse_or_refuse(source, policy_type, "policy.damaged")
    if document is not None:
        evaluate_agrees(policy_type, document, request, "policy.evaluate")


@fuzz_settings(200)
@given(st.sampled_from(range(len(SEEDS))).flatmap(
    lambda i: st.tuples(st.just(SEEDS[i][0]), mutated_bytes(json.dumps(SEEDS[i][1], indent=2)))), requests)
def test_damaged_policy_texts(typed: tuple[str, bytes], request: Request) -> None:
    policy_type, data = typed
    document = parse_or_refuse(data, policy_type, "policy.damaged_text")
    if document is not None:
        evaluate_agrees(policy_type, document, request, "policy.evaluate")


MATCHED_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")


@fuzz_settings(300)
@given(st.sampled_from(range(len(SEEDS))).flatmap(
    lambda i: st.tuples(st.just(SEEDS[i][0]), mutated_leaves(SEEDS[i][1], MATCHED_ELEMENTS))), requests)
def test_policies_with_odd_strings(typed: tuple[str, Any], request: Request) -> None:
    policy_type, value = typed
    document = parse_or_refuse(value, policy_type, "policy.odd_strings")
    if document is not None:
        evaluate_agrees(policy_type, document, request, "policy.evaluate")


@fuzz_settings(150)
@given(st.sampled_from(SEEDS), requests)
def test_valid_policies_with_random_requests(seed: tuple[str, dict[str, Any]], request: Request) -> None:
    policy_type, value = seed
    document = parse_or_refuse(value, policy_type, "policy.valid")
    assert document is not None, f"a valid {policy_type} policy was refused"
    evaluate_agrees(policy_type, document, request, "policy.evaluate")
