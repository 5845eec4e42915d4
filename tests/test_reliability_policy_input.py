"""Policy text the parser must refuse with PolicyParseError (never another exception), and AWS's size limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iam_desktop.policy import PolicyParseError, parse_policy, size_issues


def _refused(source: str | bytes, policy_type: str = "identity") -> PolicyParseError:
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(source, policy_type=policy_type)
    assert caught.value.issues and all(issue.message for issue in caught.value.issues)
    return caught.value


def test_syntax_errors_are_refused_at_their_line() -> None:
    error = _refused('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",,}\n  ]\n}')
    assert error.issues[0].line == 4


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "*",\n "Action": "s3:*", "Resource": "*"}}'
    error = _refused(text)
    assert any(issue.line in (2, 3) and "Action" in issue.message for issue in error.issues), error.issues


def test_invalid_utf8_is_refused() -> None:
    _refused(b'{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "\xff", "Resource": "*"}}')


def test_deeply_nested_policy_text_is_refused() -> None:
    error = _refused('{"Version": "2012-10-17", "Statement": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert error.issues[0].line == 1


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_in_policy_text_is_refused(constant: str) -> None:
    _refused('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",'
             ' "Condition": {"NumericLessThan": {"s3:max-keys": ' + constant + '}}}}')


def test_a_huge_integer_in_policy_text_is_refused() -> None:
    _refused('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",'
             ' "Condition": {"NumericLessThan": {"s3:max-keys": ' + "9" * 5000 + '}}}}')


STATEMENTS: dict[str, dict[str, Any]] = {
    "default": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::"},
    "trust": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole",
              "Sid": ""},
    "rcp": {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::"},
}
PADDED = {"default": "Resource", "trust": "Sid", "rcp": "Resource"}


def _policy_of_size(size: int, policy_type: str) -> dict[str, Any]:
    """A valid policy of this type with exactly ``size`` characters as IAM counts them (no white space)."""
    shape = policy_type if policy_type in STATEMENTS else "default"
    statement = dict(STATEMENTS[shape])
    document = {"Version": "2012-10-17", "Statement": [statement]}
    padding = size - len(json.dumps(document, separators=(",", ":")))
    statement[PADDED[shape]] += ("S" if shape == "trust" else "a") * padding
    assert len(json.dumps(document, separators=(",", ":"))) == size
    return document


@pytest.mark.parametrize(("policy_type", "attached_to", "limit"), [
    ("identity", "user", 2048), ("identity", "group", 5120), ("identity", "role", 10240),
    ("identity", "managed", 6144), ("boundary", None, 6144), ("scp", None, 5120), ("rcp", None, 5120),
    ("session", None, 2048), ("trust", None, 2048),
])
def test_policies_over_aws_size_limits_are_flagged(policy_type: str, attached_to: str | None, limit: int) -> None:
    at_limit = parse_policy(_policy_of_size(limit, policy_type), policy_type=policy_type)
    assert size_issues(at_limit, policy_type, attached_to) == ()
    over = parse_policy(_policy_of_size(limit + 1, policy_type), policy_type=policy_type)
    issues = size_issues(over, policy_type, attached_to)
    assert len(issues) == 1 and str(limit) in issues[0].message and str(limit + 1) in issues[0].message


def test_parse_policy_itself_flags_an_oversized_trust_policy() -> None:
    document = parse_policy(json.dumps(_policy_of_size(2049, "trust")), policy_type="trust")
    assert any("2048" in warning.message for warning in document.warnings), document.warnings
