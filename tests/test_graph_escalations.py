"""Privilege-escalation patterns: each found with the engine on the model's targets, one test per pattern."""

from __future__ import annotations

from dataclasses import replace

import pytest

from iam_desktop.graph import PATTERNS, AccessGraph
from iam_desktop.model import Account, Group, InlinePolicy, ManagedPolicy, Resource, Role, User, Workspace
from iam_desktop.policy import Decision

ACCOUNT = "111122223333"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
NOTHING = {"Version": "2012-10-17", "Statement": []}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def grants(*pairs: tuple[str, str]) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource} for action, resource in pairs]}


def service_role(role_id: str, service: str) -> Role:
    return Role(role_id, role_id, "acct", inline_policies=(InlinePolicy("admin", ADMIN),), trust_policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                "Action": "sts:AssumeRole"}]})


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace()
    workspace.add(Account("acct", "prod", ACCOUNT))
    for role_id, service in (("lambda-admin", "lambda.amazonaws.com"), ("ec2-admin", "ec2.amazonaws.com"),
                             ("cfn-admin", "cloudformation.amazonaws.com"), ("glue-admin", "glue.amazonaws.com")):
        workspace.add(service_role(role_id, service))
    workspace.add(Role("target-role", "target-role", "acct", trust_policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]}))
    workspace.add(ManagedPolicy("mp", "mallory-policy", NOTHING, account="acct"))
    workspace.add(Group("staff", "staff", "acct"))
    workspace.add(Group("admins", "admins", "acct", inline_policies=(InlinePolicy("admin", ADMIN),)))
    workspace.add(User("victim", "victim", "acct", inline_policies=(InlinePolicy("admin", ADMIN),)))
    workspace.add(User("mallory", "mallory", "acct", groups=("staff",), managed_policies=("mp",)))
    workspace.add(Resource("fn", "fn", "acct", "lambda_function",
                           f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn", runs_as="lambda-admin"))
    return workspace


def findings_for(ws: Workspace, document: dict) -> set[tuple[str, str]]:
    ws.update(replace(ws.get("mallory"), inline_policies=(InlinePolicy("grants", document),)))
    found = AccessGraph(ws).escalations(["mallory"])
    for finding in found:
        assert finding.description.startswith("mallory ") and finding.edge_reason
        assert all(e.decision is Decision.ALLOW for e in finding.evaluations)
    return {(f.pattern, f.target_id) for f in found}


CASES = [
    ("passrole_lambda", "lambda-admin", [("iam:PassRole", arn("role", "lambda-admin")), ("lambda:CreateFunction", "*"),
                                         ("lambda:InvokeFunction", "*")]),
    ("passrole_ec2", "ec2-admin", [("iam:PassRole", arn("role", "ec2-admin")), ("ec2:RunInstances", "*")]),
    ("passrole_cloudformation", "cfn-admin", [("iam:PassRole", "*"), ("cloudformation:CreateStack", "*")]),
    ("passrole_glue", "glue-admin", [("iam:PassRole", arn("role", "glue-admin")), ("glue:CreateDevEndpoint", "*")]),
    ("create_access_key", "victim", [("iam:CreateAccessKey", arn("user", "victim"))]),
    ("login_profile", "victim", [("iam:UpdateLoginProfile", arn("user", "*"))]),
    ("user_policy_self", "mallory", [("iam:PutUserPolicy", arn("user", "mallory"))]),
    ("group_policy_own_group", "staff", [("iam:AttachGroupPolicy", arn("group", "staff"))]),
    ("role_policy_assumable", "target-role", [("sts:AssumeRole", arn("role", "target-role")),
                                              ("iam:PutRolePolicy", arn("role", "target-role"))]),
    ("create_policy_version", "mp", [("iam:CreatePolicyVersion", arn("policy", "mallory-policy"))]),
    ("set_default_policy_version", "mp", [("iam:SetDefaultPolicyVersion", arn("policy", "*"))]),
    ("update_assume_role_policy", "lambda-admin", [("iam:UpdateAssumeRolePolicy", arn("role", "lambda-admin"))]),
    ("add_user_to_group", "admins", [("iam:AddUserToGroup", arn("group", "admins"))]),
    ("update_function_code", "fn", [("lambda:UpdateFunctionCode", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn")]),
]


def test_every_pattern_has_a_case() -> None:
    assert {p.key for p in PATTERNS} == {key for key, _target, _grants in CASES}
    assert len(PATTERNS) >= 12 and all(p.description for p in PATTERNS)


@pytest.mark.parametrize("pattern,target,pairs", CASES, ids=[c[0] for c in CASES])
def test_pattern_found_with_its_permissions_and_not_without(ws: Workspace, pattern: str, target: str,
                                                            pairs: list[tuple[str, str]]) -> None:
    assert (pattern, target) in findings_for(ws, grants(*pairs))
    assert not any(found == pattern for found, _ in findings_for(ws, grants(*pairs[:-1]) if len(pairs) > 1
                                                                  else NOTHING))


def test_passrole_needs_a_role_that_trusts_the_service(ws: Workspace) -> None:
    found = findings_for(ws, grants(("iam:PassRole", arn("role", "target-role")), ("ec2:RunInstances", "*")))
    assert not any(pattern == "passrole_ec2" for pattern, _ in found)


def test_passrole_condition_on_passed_service_is_checked(ws: Workspace) -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Effect": "Allow", "Action": ["ec2:RunInstances", "glue:CreateDevEndpoint"], "Resource": "*"}]}
    found = findings_for(ws, document)
    assert ("passrole_ec2", "ec2-admin") in found
    assert not any(pattern == "passrole_glue" for pattern, _ in found)


def test_explicit_deny_stops_a_finding(ws: Workspace) -> None:
    document = grants(("iam:CreateAccessKey", "*"))
    document["Statement"].append({"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": arn("user", "victim")})
    assert ("create_access_key", "victim") not in findings_for(ws, document)


def test_escalations_of_the_whole_model(ws: Workspace) -> None:
    ws.update(replace(ws.get("mallory"), inline_policies=(InlinePolicy("g", grants(("iam:CreateAccessKey", "*"))),)))
    findings = AccessGraph(ws).escalations()
    principals = {f.principal_id for f in findings}
    assert "mallory" in principals and "victim" in principals  # the administrator can do everything
