"""Condition operators, ...IfExists, set operators and missing keys, checked through evaluate().

Sources: reference_policies_elements_condition_operators.md, reference_policies_multi-value-conditions.md,
reference_policies_single-vs-multi-valued-condition-keys.md, reference_policies_elements_condition.md.
"""

from __future__ import annotations

import pytest

from iam_desktop.policy import (
    ConditionClause,
    ConditionOutcome,
    Decision,
    NamedPolicy,
    PolicyDocument,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Statement,
    decide,
    evaluate,
    parse_policy,
)

ACCOUNT = "111122223333"
ALICE = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalKind.USER, account=ACCOUNT, tags={"team": "red"})


def _condition_holds(condition: dict, context: dict[str, tuple[str, ...]]) -> bool:
    """Evaluate an Allow statement with ``condition``; also check decide() agrees."""
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]}
    )
    policies = PolicySet(identity=(NamedPolicy("p", document),))
    request = Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", context=context)
    evaluation = evaluate(request, policies)
    assert decide(request, policies) is evaluation.decision
    return evaluation.decision is Decision.ALLOW


@pytest.mark.parametrize(
    ("operator", "policy_values", "request_values", "expected"),
    [
        ("StringEquals", ["red"], ("red",), True),
        ("StringEquals", ["Red"], ("red",), False),  # values are case-sensitive
        ("StringEquals", ["blue", "red"], ("red",), True),  # several values: OR
        ("StringNotEquals", ["blue", "green"], ("red",), True),
        ("StringNotEquals", ["blue", "red"], ("red",), False),  # negated: none may match
        ("StringEqualsIgnoreCase", ["RED"], ("red",), True),
        ("StringNotEqualsIgnoreCase", ["RED"], ("red",), False),
        ("StringLike", ["r*"], ("red",), True),
        ("StringLike", ["r?d"], ("red",), True),
        ("StringLike", ["r?"], ("red",), False),
        ("StringNotLike", ["b*"], ("red",), True),
        ("StringLike", ["home/*"], ("home/a/b",), True),
    ],
)
def test_string_operators(operator: str, policy_values: list, request_values: tuple, expected: bool) -> None:
    assert _condition_holds({operator: {"test:Key": policy_values}}, {"test:Key": request_values}) is expected


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("NumericEquals", "10", "10", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericNotEquals", "10", "11", True),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericGreaterThan", "10", "10.5", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2020-06-01T12:00:00Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2020-06-01T12:00:00Z", False),
        ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),  # epoch seconds
        ("DateNotEquals", "2020-01-01", "2020-01-01T00:00:00Z", False),
        ("DateLessThanEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThanEquals", "2020-06", "2020-06-01T00:00:00Z", True),
        ("Bool", "true", "true", True),
        ("Bool", "true", "TRUE", True),
        ("Bool", "true", "false", False),
        ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
        ("BinaryEquals", "QmluYXJ5VmFsdWU=", "BinaryValue", True),
        ("BinaryEquals", "QmluYXJ5VmFsdWU=", "Other", False),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
        ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("ArnEquals", "arn:aws:sns:*:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", True),
        ("ArnLike", "arn:aws:iam::*:role/dev-*", "arn:aws:iam::111122223333:role/dev-a", True),
        ("ArnLike", "arn:aws:iam::*:role/dev-*", "not-an-arn", False),
        ("ArnNotLike", "arn:aws:iam::*:role/dev-*", "arn:aws:iam::111122223333:role/prod", True),
        ("ArnNotEquals", "arn:aws:iam::*:role/dev-*", "arn:aws:iam::111122223333:role/dev-a", False),
    ],
)
def test_numeric_date_bool_binary_ip_arn_operators(operator: str, policy_value: str, request_value: str, expected: bool) -> None:
    assert _condition_holds({operator: {"test:Key": policy_value}}, {"test:Key": (request_value,)}) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),  # negated operators hold for a missing key (condition operators page)
        ("StringLike", False),
        ("StringNotLike", True),
        ("ArnNotLike", True),
        ("NumericLessThan", False),
        ("StringEqualsIfExists", True),
        ("NumericLessThanIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAnyValue:StringEquals", False),
        ("Bool", False),
        ("IpAddress", False),
        ("NotIpAddress", True),
    ],
)
def test_missing_key(operator: str, expected: bool) -> None:
    value = "1" if "Numeric" in operator else ("10.0.0.0/8" if "Ip" in operator else "x")
    assert _condition_holds({operator: {"test:Missing": value}}, {}) is expected


def test_if_exists_still_tests_a_present_key() -> None:
    assert not _condition_holds({"StringEqualsIfExists": {"test:Key": "a"}}, {"test:Key": ("b",)})
    assert _condition_holds({"StringEqualsIfExists": {"test:Key": "a"}}, {"test:Key": ("a",)})


def test_null_operator() -> None:
    assert _condition_holds({"Null": {"test:Key": "true"}}, {})
    assert not _condition_holds({"Null": {"test:Key": "true"}}, {"test:Key": ("v",)})
    assert _condition_holds({"Null": {"test:Key": "false"}}, {"test:Key": ("v",)})
    assert _condition_holds({"Null": {"test:Key": False}}, {"test:Key": ("v",)})


@pytest.mark.parametrize(
    ("operator", "request_values", "expected"),
    [
        ("ForAllValues:StringEquals", ("a", "b"), True),
        ("ForAllValues:StringEquals", ("a", "z"), False),
        ("ForAllValues:StringEquals", ("",), True),  # a null data set (empty string) holds
        ("ForAnyValue:StringEquals", ("z", "b"), True),
        ("ForAnyValue:StringEquals", ("y", "z"), False),
        ("ForAllValues:StringNotEquals", ("y", "z"), True),
        ("ForAllValues:StringNotEquals", ("a", "z"), False),
        ("ForAnyValue:StringNotEquals", ("a", "z"), True),
        ("ForAnyValue:StringNotEquals", ("a", "b"), False),
        ("ForAnyValue:StringLike", ("x", "bee"), True),
        ("StringEquals", ("z", "a"), True),  # no set operator on a multi-valued key: any pair
        ("StringNotEquals", ("z", "a"), False),
    ],
)
def test_set_operators(operator: str, request_values: tuple, expected: bool) -> None:
    """reference_policies_multi-value-conditions.md."""
    values = ["a", "b*"] if "Like" in operator else ["a", "b", "c"]
    assert _condition_holds({operator: {"test:Tags": values}}, {"test:Tags": request_values}) is expected


def test_several_keys_and_operators_are_anded() -> None:
    condition = {"StringEquals": {"test:A": "1", "test:B": "2"}, "Bool": {"test:C": "true"}}
    assert _condition_holds(condition, {"test:A": ("1",), "test:B": ("2",), "test:C": ("true",)})
    assert not _condition_holds(condition, {"test:A": ("1",), "test:B": ("3",), "test:C": ("true",)})
    assert not _condition_holds(condition, {"test:A": ("1",), "test:B": ("2",), "test:C": ("false",)})


def test_key_names_are_case_insensitive() -> None:
    assert _condition_holds({"StringEquals": {"AWS:PrincipalTag/Team": "red"}}, {})
    assert _condition_holds({"StringEquals": {"test:key": "v"}}, {"TEST:KEY": ("v",)})


def test_derived_principal_keys() -> None:
    """aws:username, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType from the caller."""
    assert _condition_holds({"StringEquals": {"aws:username": "alice", "aws:PrincipalType": "User"}}, {})
    assert _condition_holds({"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/alice"}}, {})
    assert _condition_holds({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, {})
    assert not _condition_holds({"StringEquals": {"aws:username": "alice"}}, {"aws:username": ("mallory",)})


def test_condition_values_may_use_variables() -> None:
    assert _condition_holds({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": ("home/alice/x",)})
    assert not _condition_holds({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": ("home/bob/x",)})


def _explained(clauses: tuple[ConditionClause, ...], context: dict) -> tuple:
    """Evaluate a document built directly (bypassing the parser) so malformed conditions reach the engine."""
    document = PolicyDocument(
        version="2012-10-17",
        statements=(Statement(index=0, sid="S", effect="Allow", actions=("s3:GetObject",), resources=("*",), conditions=clauses),),
        raw={},
    )
    policies = PolicySet(identity=(NamedPolicy("p", document),))
    request = Request(ALICE, "s3:GetObject", "arn:aws:s3:::b", context=context)
    evaluation = evaluate(request, policies)
    assert decide(request, policies) is evaluation.decision
    identity = next(stage for stage in evaluation.stages if stage.stage.value == "identity")
    return evaluation, identity.statements[0]


@pytest.mark.parametrize(
    ("clause", "context"),
    [
        (ConditionClause("StringEqualz", "test:Key", ("v",)), {"test:Key": ("v",)}),
        (ConditionClause("NumericLessThan", "test:Key", ("ten",)), {"test:Key": ("1",)}),
        (ConditionClause("NumericLessThan", "test:Key", ("10",)), {"test:Key": ("one",)}),
        (ConditionClause("DateLessThan", "test:Key", ("yesterday",)), {"test:Key": ("2020-01-01",)}),
        (ConditionClause("IpAddress", "test:Key", ("10.0.0.0/33",)), {"test:Key": ("10.0.0.1",)}),
        (ConditionClause("BinaryEquals", "test:Key", ("***",)), {"test:Key": ("x",)}),
        (ConditionClause("Null", "test:Key", ("perhaps",)), {}),
    ],
)
def test_unknown_operator_or_malformed_value_reports_an_error_and_does_not_apply(clause: ConditionClause, context: dict) -> None:
    evaluation, result = _explained((clause,), context)
    assert evaluation.decision is Decision.IMPLICIT_DENY
    assert not result.applies and result.error
    assert result.conditions[0].outcome is ConditionOutcome.ERROR
    assert evaluation.errors and "p statement 0 (S)" in evaluation.errors[0]


def test_condition_results_show_values_and_missing_keys() -> None:
    clauses = (ConditionClause("StringEquals", "aws:PrincipalTag/team", ("red",)), ConditionClause("StringEquals", "test:Absent", ("x",)))
    _, result = _explained(clauses, {})
    present, missing = result.conditions
    assert present.request_values == ("red",) and present.policy_values == ("red",) and present.holds
    assert present.outcome is ConditionOutcome.TRUE
    assert missing.outcome is ConditionOutcome.MISSING_KEY and not missing.holds
    assert missing.request_values is None and "test:Absent" in missing.message
