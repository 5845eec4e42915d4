"""The bundled example models give the decisions a reader of each example would expect."""

from __future__ import annotations

from dataclasses import replace

import pytest

from iam_desktop.formats.model_file import load_model
from iam_desktop.graph import AccessGraph
from iam_desktop.model import Workspace
from iam_desktop.paths import examples_dir
from iam_desktop.policy import Decision

ACCOUNT = "111122223333"


def example(name: str) -> Workspace:
    return load_model(examples_dir() / f"{name}.iamd.json")


def test_every_example_loads_and_answers() -> None:
    for path in sorted(examples_dir().glob("*.iamd.json")):
        graph = AccessGraph(load_model(path))
        for principal_id in graph.principal_ids():
            graph.what_can(principal_id)
        graph.escalations()


def test_lambda_reads_its_table_but_not_another() -> None:
    graph = AccessGraph(example("lambda-dynamodb"))
    orders = graph.can("resource-orders-processor", "dynamodb:GetItem",
                       f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders")
    assert orders.allowed and orders.evaluation.deciding_statements[0].sid == "ReadOrders"
    customers = graph.can("resource-orders-processor", "dynamodb:GetItem",
                          f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Customers")
    assert not customers.allowed and customers.decision is Decision.IMPLICIT_DENY
    writes = graph.can("resource-orders-processor", "dynamodb:PutItem",
                       f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders")
    assert not writes.allowed
    (hop,) = graph.assumable_roles("resource-orders-processor")
    assert hop.kind == "runs_as" and hop.target_id == "role-orders-processor"
    assert {a.principal_id for a in graph.who_can("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders")
            } == {"resource-orders-processor", "role-orders-processor", "service-lambda"}


def test_ec2_developer_starts_but_does_not_terminate() -> None:
    graph = AccessGraph(example("ec2-developer"))
    instance = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"
    assert graph.can("user-dana", "ec2:StartInstances", instance).allowed
    assert not graph.can("user-dana", "ec2:TerminateInstances", instance).allowed
    assert [a.action for a in graph.what_can("user-dana")] == ["ec2:StartInstances", "ec2:StopInstances"]


def test_administrator_can_do_everything_through_the_group() -> None:
    graph = AccessGraph(example("administrator"))
    answer = graph.can("user-alex", "secretsmanager:GetSecretValue",
                       f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:payments-key")
    assert answer.allowed and "group Administrators" in answer.evaluation.deciding_statements[0].policy_source
    assert any(f.pattern == "create_policy_version" or f.pattern == "user_policy_self"
               for f in graph.escalations(["user-alex"]))


TRUSTED_TIME = {"aws:CurrentTime": ("2026-06-01T00:00:00Z",), "aws:MultiFactorAuthPresent": ("true",)}
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0fedcba9876543210"


def test_temporary_ec2_access_through_the_role_with_mfa_until_the_date() -> None:
    ws = example("temporary-ec2-access")
    graph = AccessGraph(ws)
    answer = graph.can("user-sam", "ec2:StopInstances", INSTANCE, TRUSTED_TIME)
    assert answer.evaluation.decision is Decision.IMPLICIT_DENY and answer.allowed
    assert [h.target_id for h in answer.paths[0].hops] == ["role-ec2-operator"]
    assert graph.can("user-sam", "s3:PutObject", "arn:aws:s3:::team-artifacts/x", TRUSTED_TIME).evaluation.decision \
        is Decision.ALLOW
    after = dict(TRUSTED_TIME, **{"aws:CurrentTime": ("2027-01-02T00:00:00Z",)})
    assert not graph.can("user-sam", "ec2:StopInstances", INSTANCE, after).allowed
    without_mfa = dict(TRUSTED_TIME, **{"aws:MultiFactorAuthPresent": ("false",)})
    assert not graph.can("user-sam", "ec2:StopInstances", INSTANCE, without_mfa).allowed
    assert not graph.can("user-sam", "ec2:StopInstances", INSTANCE).allowed  # no time, no MFA given


def test_removing_the_trust_ends_the_temporary_ec2_access() -> None:
    ws = example("temporary-ec2-access")
    graph = AccessGraph(ws)
    assert graph.can("user-sam", "ec2:StopInstances", INSTANCE, TRUSTED_TIME).allowed
    role = ws.get("role-ec2-operator")
    ws.update(replace(role, trust_policy={"Version": "2012-10-17", "Statement": []}))
    assert not graph.can("user-sam", "ec2:StopInstances", INSTANCE, TRUSTED_TIME).allowed


def test_cross_account_bucket_needs_both_policies() -> None:
    ws = example("cross-account-s3")
    graph = AccessGraph(ws)
    report = "arn:aws:s3:::shared-reports/q3.csv"
    answer = graph.can("user-analyst", "s3:GetObject", report)
    assert answer.allowed and answer.paths[0].role_id == "role-report-reader"
    assert {s.policy_name for s in answer.paths[0].final.deciding_statements} >= {"ReadSharedReports"}
    assert graph.can("role-report-reader", "s3:ListBucket", "arn:aws:s3:::shared-reports").allowed
    bucket = ws.get("resource-shared-reports")
    ws.update(replace(bucket, policy=None))
    assert not graph.can("user-analyst", "s3:GetObject", report).allowed
    ws.update(replace(bucket))
    ws.update(replace(ws.get("role-report-reader"), managed_policies=()))
    assert not graph.can("user-analyst", "s3:GetObject", report).allowed


def test_scp_denies_outside_the_region() -> None:
    graph = AccessGraph(example("scp-region-deny"))
    eu = graph.can("user-ops", "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders-eu")
    assert eu.allowed
    us = graph.can("user-ops", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-us")
    assert us.decision is Decision.EXPLICIT_DENY
    assert us.evaluation.deciding_statements[0].sid == "DenyAllOutsideEuWest1"
    assert graph.can("user-ops", "iam:ListUsers", "*", {"aws:RequestedRegion": ("us-east-1",)}).allowed


def test_welcome_model() -> None:
    graph = AccessGraph(example("welcome"))
    assert graph.can("user-alice", "s3:GetObject", "arn:aws:s3:::welcome-assets/logo.png").allowed
    own_user = graph.can("user-alice", "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert own_user.decision is Decision.IMPLICIT_DENY
    assert own_user.evaluation.deciding_stage.value == "permission_boundary"
    assert graph.can("resource-hello-world", "s3:GetObject", "arn:aws:s3:::welcome-assets/logo.png").allowed
    assert not graph.can("resource-hello-world", "s3:PutObject", "arn:aws:s3:::welcome-assets/logo.png").allowed
    findings = {(f.pattern, f.target_id) for f in graph.escalations(["user-alice"])}
    assert ("update_function_code", "resource-hello-world") in findings


@pytest.mark.parametrize("name", ["lambda-dynamodb", "welcome", "cross-account-s3"])
def test_matrix_of_each_example_is_complete(name: str) -> None:
    graph = AccessGraph(example(name))
    resources = [r.id for r in graph.workspace.resources()]
    matrix = graph.matrix(graph.principal_ids(), resources, None)
    assert matrix.complete and matrix.cells
    for (principal_id, resource_id, action), decision in matrix.cells.items():
        assert matrix.answer(principal_id, resource_id, action).decision is decision  # fast path == explained
