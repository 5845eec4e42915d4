"""Matching of actions, resource ARNs and policy variables, as the AWS element pages describe it."""

from __future__ import annotations

import pytest

from iam_desktop.policy import (
    Decision,
    NamedPolicy,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    action_matches,
    arn_matches,
    decide,
    parse_policy,
)

ACCOUNT = "111122223333"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),  # reference_policies_elements_action.md: case-insensitive
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:*Object", "s3:GetObject", True),
        ("s3:*Object", "s3:GetObjectAcl", False),
        ("iam:*AccessKey*", "iam:CreateAccessKey", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:etObject", False),
        ("*", "anything:AtAll", True),
        ("s3:*", "s3express:CreateSession", False),
        ("s3*", "s3express:CreateSession", True),
        ("ec2:Describe*", "ec2:describeinstances", True),
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", "arn:aws:s3:::bucket", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", True),  # resource part spans '/'
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-logs/key", True),
        ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k", False),  # case-sensitive
        ("arn:aws:iam::*:role/Admin", "arn:aws:iam::111122223333:role/Admin", True),
        ("arn:aws:iam::1111*:role/Admin", "arn:aws:iam::111122223333:role/Admin", True),
        ("arn:aws:dynamodb:*:*:table/T", "arn:aws:dynamodb:us-east-1:111122223333:table/T", True),
        ("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:444455556666:instance/i-1", False),
        # a wildcard in region does not swallow the ':' that ends it
        ("arn:aws:sqs:*", "arn:aws:sqs:us-east-1:111122223333:queue", False),
        ("arn:aws:sqs:*:*:*", "arn:aws:sqs:us-east-1:111122223333:queue", True),
        # the resource part may hold ':' and the wildcard spans it
        ("arn:aws:logs:us-east-1:111122223333:log-group:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", True),
        ("arn:aws:lambda:us-east-1:111122223333:function:f?", "arn:aws:lambda:us-east-1:111122223333:function:f1", True),
        ("arn:aws:lambda:us-east-1:111122223333:function:f?", "arn:aws:lambda:us-east-1:111122223333:function:f", False),
        ("arn:aws-cn:s3:::b", "arn:aws:s3:::b", False),
        ("arn:aws:s3:::b", "arn:aws:s3:::b", True),
    ],
)
def test_arn_matching(pattern: str, arn: str, expected: bool) -> None:
    """reference_policies_elements_resource.md and reference_identifiers.md (ARN format)."""
    assert arn_matches(pattern, arn) is expected


# --- policy variables (reference_policies_variables.md) ------------------------------------------


def _allows(resource_pattern: str, resource: str, *, principal: Principal | None = None, version: str = "2012-10-17",
            context: dict | None = None) -> bool:
    document = {"Version": version, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource_pattern}]}
    if version is None:
        del document["Version"]
    policies = PolicySet(identity=(NamedPolicy("p", parse_policy(document)),))
    caller = principal or Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalKind.USER, account=ACCOUNT,
                                    tags={"team": "red"}, user_id="AIDAEXAMPLE")
    return decide(Request(caller, "s3:GetObject", resource, context=context or {}), policies) is Decision.ALLOW


def test_username_variable_is_replaced() -> None:
    assert _allows("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/notes")
    assert not _allows("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/notes")


def test_variable_keys_are_case_insensitive_and_cover_tags_userid_account() -> None:
    assert _allows("arn:aws:s3:::t-${aws:PrincipalTag/team}/*", "arn:aws:s3:::t-red/k")
    assert _allows("arn:aws:s3:::u/${AWS:UserID}/*", "arn:aws:s3:::u/AIDAEXAMPLE/k")
    assert _allows("arn:aws:s3:::a/${aws:PrincipalAccount}", f"arn:aws:s3:::a/{ACCOUNT}")


def test_any_request_context_key_can_be_a_variable() -> None:
    assert _allows("arn:aws:s3:::b/${s3:prefix}", "arn:aws:s3:::b/reports", context={"s3:prefix": ("reports",)})


def test_missing_variable_key_makes_the_entry_not_match() -> None:
    """'If there is no value for the variable... the statement does not match' (variables page)."""
    role_session = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s", PrincipalKind.ROLE_SESSION, account=ACCOUNT,
                             role_arn=f"arn:aws:iam::{ACCOUNT}:role/R")
    assert not _allows("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home//x", principal=role_session)
    assert not _allows("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/x", principal=role_session)


def test_default_value_is_used_when_the_key_is_missing() -> None:
    assert _allows("arn:aws:s3:::b/${aws:PrincipalTag/dept, 'shared'}/*", "arn:aws:s3:::b/shared/k")
    assert _allows("arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::b/red/k")


def test_multivalued_key_in_a_variable_does_not_match() -> None:
    assert not _allows("arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/a", context={"aws:TagKeys": ("a", "b")})


def test_special_characters_are_literal() -> None:
    """${*}, ${?}, ${$} stand for the literal characters, not wildcards."""
    assert _allows("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*")
    assert not _allows("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/anything")
    assert _allows("arn:aws:s3:::b/${?}${$}", "arn:aws:s3:::b/?$")


def test_substituted_values_are_literal_not_wildcards() -> None:
    tagged = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalKind.USER, account=ACCOUNT, tags={"team": "*"})
    assert not _allows("arn:aws:s3:::t-${aws:PrincipalTag/team}", "arn:aws:s3:::t-anything", principal=tagged)
    assert _allows("arn:aws:s3:::t-${aws:PrincipalTag/team}", "arn:aws:s3:::t-*", principal=tagged)


def test_variables_are_literal_text_in_version_2008() -> None:
    assert not _allows("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/alice", version="2008-10-17")
    assert _allows("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/${aws:username}", version="2008-10-17")


def test_variables_are_not_replaced_in_action() -> None:
    """reference_policies_variables.md: variables are used in Resource and Condition values, not Action."""
    document = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get${suffix}", "Resource": "*"}]})
    policies = PolicySet(identity=(NamedPolicy("p", document),))
    caller = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalKind.USER, account=ACCOUNT)
    request = Request(caller, "s3:GetObject", "arn:aws:s3:::b", context={"suffix": ("Object",)})
    assert decide(request, policies) is Decision.IMPLICIT_DENY
