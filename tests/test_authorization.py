"""AuthorizationContext: building the engine's principal, request and policy set from a model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from iam_desktop.model import (
    Account, Group, InlinePolicy, ManagedPolicy, ModelError, OrgUnit, PolicyType, Resource, Role, ServicePrincipal,
    User,
    Workspace,
)
from iam_desktop.model.authorization import AuthorizationContext
from iam_desktop.model.callers import UnknownPrincipalError
from iam_desktop.policy import Decision, PrincipalKind, ResourcePolicyRule

ACCOUNT = "111122223333"
OTHER = "444455556666"


def allow(action: str, resource: str = "*", **extra: object) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource,
                                                    **extra}]}


def deny(action: str, resource: str = "*", **extra: object) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource,
                                                    **extra}]}


def trust(principal: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                    "Action": "sts:AssumeRole"}]}


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace()
    workspace.add(Account("acct", "prod", ACCOUNT))
    workspace.add(Account("other", "partner", OTHER))
    return workspace


def test_user_policy_set_has_own_managed_and_group_policies(ws: Workspace) -> None:
    ws.add(ManagedPolicy("mp", "ReadS3", allow("s3:GetObject"), account="acct"))
    ws.add(ManagedPolicy("gp", "GroupSQS", allow("sqs:SendMessage"), account="acct"))
    ws.add(Group("devs", "devs", "acct", managed_policies=("gp",),
                 inline_policies=(InlinePolicy("g-inline", allow("sns:Publish")),)))
    ws.add(User("alice", "alice", "acct", groups=("devs",), managed_policies=("mp",),
                inline_policies=(InlinePolicy("own", allow("dynamodb:GetItem")),)))
    context = AuthorizationContext(ws)
    policies = context.policy_set("alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert [p.name for p in policies.identity] == ["own", "ReadS3", "g-inline", "GroupSQS"]
    assert "group devs" in policies.identity[2].source and policies.identity[1].ref == "mp"
    assert policies.scp_levels == () and policies.permission_boundary is None
    for action in ("s3:GetObject", "sqs:SendMessage", "sns:Publish", "dynamodb:GetItem"):
        assert context.decide("alice", action, "arn:aws:s3:::b/k") is Decision.ALLOW
    assert context.decide("alice", "ec2:RunInstances", "*") is Decision.IMPLICIT_DENY


def test_permission_boundary_limits_a_role(ws: Workspace) -> None:
    ws.add(ManagedPolicy("bound", "OnlyS3", allow("s3:*"), account="acct"))
    ws.add(Role("r", "app", "acct", inline_policies=(InlinePolicy("p", allow("*")),), permission_boundary="bound"))
    context = AuthorizationContext(ws)
    assert context.policy_set("r", "s3:GetObject", "*").permission_boundary.name == "OnlyS3"
    assert context.decide("r", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW
    evaluation = context.evaluate("r", "ec2:RunInstances", "*")
    assert evaluation.decision is Decision.IMPLICIT_DENY
    assert evaluation.deciding_stage.value == "permission_boundary"


def _organization(ws: Workspace, root_id: str = "root") -> None:
    ws.add(ManagedPolicy("deny-ec2", "DenyEC2", deny("ec2:*"), policy_type=PolicyType.SCP))
    ws.add(ManagedPolicy("full", "FullAWSAccess", allow("*"), policy_type=PolicyType.SCP))
    ws.add(OrgUnit(root_id, "Root", policies=("full",)))
    ws.add(OrgUnit("ou", "Workloads", parent=root_id, policies=("deny-ec2", "full")))
    ws.update(replace(ws.get("acct"), parent="ou"))
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("all", allow("*")),)))


def test_scp_levels_run_from_root_to_account_with_default_full_access(ws: Workspace) -> None:
    _organization(ws)
    context = AuthorizationContext(ws)
    levels = context.policy_set("alice", "ec2:RunInstances", "*").scp_levels
    assert [[p.name for p in level] for level in levels] == [
        ["FullAWSAccess"], ["DenyEC2", "FullAWSAccess"], ["FullAWSAccess (default)"]]
    assert "by default" in levels[2][0].source
    evaluation = context.evaluate("alice", "ec2:RunInstances", "*")
    assert evaluation.decision is Decision.EXPLICIT_DENY
    assert evaluation.deciding_statements[0].policy_name == "DenyEC2"
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW


def test_scp_allow_list_level_denies_what_it_does_not_allow(ws: Workspace) -> None:
    _organization(ws)
    ws.add(ManagedPolicy("only-s3", "OnlyS3", allow("s3:*"), policy_type=PolicyType.SCP))
    ws.update(replace(ws.get("ou"), policies=("only-s3",)))
    context = AuthorizationContext(ws)
    evaluation = context.evaluate("alice", "sqs:SendMessage", "*")
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage.value == "scp"
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW


def test_level_whose_scps_allow_nothing_denies_everything(ws: Workspace) -> None:
    """FullAWSAccess detached and only a Deny SCP left: nothing is allowed at that level (AWS SCP evaluation)."""
    _organization(ws)
    ws.update(replace(ws.get("ou"), policies=("deny-ec2",)))
    context = AuthorizationContext(ws)
    levels = context.policy_set("alice", "s3:GetObject", "*").scp_levels
    assert [p.name for p in levels[1]] == ["DenyEC2"]
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.IMPLICIT_DENY
    assert context.decide("alice", "ec2:RunInstances", "*") is Decision.EXPLICIT_DENY


def test_no_scps_outside_an_organization_or_in_the_management_account(ws: Workspace) -> None:
    _organization(ws)
    ws.add(User("bob", "bob", "other", inline_policies=(InlinePolicy("all", allow("*")),)))
    assert AuthorizationContext(ws).policy_set("bob", "ec2:RunInstances", "*").scp_levels == ()
    managed = AuthorizationContext(ws, management_accounts=frozenset({ACCOUNT}))
    assert managed.policy_set("alice", "ec2:RunInstances", "*").scp_levels == ()
    assert managed.decide("alice", "ec2:RunInstances", "*") is Decision.ALLOW


def test_management_account_read_from_imported_organization_root(ws: Workspace) -> None:
    _organization(ws, root_id=f"arn:aws:organizations::{ACCOUNT}:root/o-abc/r-abcd")
    assert AuthorizationContext(ws).decide("alice", "ec2:RunInstances", "*") is Decision.ALLOW


def test_service_linked_roles_are_not_governed_by_scps(ws: Workspace) -> None:
    _organization(ws)
    ws.add(Role("slr", "AWSServiceRoleForX", "acct", path="/aws-service-role/x.amazonaws.com/",
                inline_policies=(InlinePolicy("p", allow("ec2:*")),)))
    context = AuthorizationContext(ws)
    assert context.policy_set("slr", "ec2:RunInstances", "*").scp_levels == ()
    assert context.decide("slr", "ec2:RunInstances", "*") is Decision.ALLOW


def test_rcp_levels_come_from_the_resource_account(ws: Workspace) -> None:
    ws.add(ManagedPolicy("rcp", "DenyExternal", deny("s3:*", Principal="*", Condition={
        "StringNotEquals": {"aws:PrincipalAccount": OTHER}}), policy_type=PolicyType.RCP))
    ws.add(OrgUnit("root", "Root", policies=("rcp",)))
    ws.update(replace(ws.get("other"), parent="root"))
    ws.add(Resource("bucket", "data", "other", "s3_bucket", "arn:aws:s3:::data",
                    policy={"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}))
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("all", allow("s3:*")),)))
    context = AuthorizationContext(ws)
    policies = context.policy_set("alice", "s3:GetObject", "arn:aws:s3:::data/file")
    assert [[p.name for p in level] for level in policies.rcp_levels] == [
        ["DenyExternal", "RCPFullAWSAccess (default)"], ["RCPFullAWSAccess (default)"]]
    assert policies.scp_levels == ()
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::data/file") is Decision.EXPLICIT_DENY


def test_trust_policy_is_the_required_resource_policy_of_assume_role(ws: Workspace) -> None:
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("assume", allow("sts:AssumeRole")),)))
    ws.add(Role("r", "admin", "acct", trust_policy=trust({"AWS": f"arn:aws:iam::{OTHER}:root"})))
    context = AuthorizationContext(ws)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/admin"
    policies = context.policy_set("alice", "sts:AssumeRole", role_arn)
    assert policies.resource_policy_rule is ResourcePolicyRule.REQUIRED
    assert policies.resource_policy.source == "trust policy of role admin"
    assert context.decide("alice", "sts:AssumeRole", role_arn) is Decision.IMPLICIT_DENY
    assert context.policy_set("alice", "iam:GetRole", role_arn).resource_policy is None
    ws.update(replace(ws.get("r"), trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    assert context.decide("alice", "sts:AssumeRole", role_arn) is Decision.ALLOW


def test_kms_key_policy_is_required(ws: Workspace) -> None:
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("kms", allow("kms:*")),)))
    ws.add(Resource("key", "k1", "acct", "kms_key", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1",
                    policy={"Version": "2012-10-17", "Statement": []}))
    context = AuthorizationContext(ws)
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
    assert context.policy_set("alice", "kms:Decrypt", key).resource_policy_rule is ResourcePolicyRule.REQUIRED
    assert context.decide("alice", "kms:Decrypt", key) is Decision.IMPLICIT_DENY


def test_role_sessions(ws: Workspace) -> None:
    ws.add(Role("r", "dev", "acct", path="/team/", inline_policies=(InlinePolicy("p", allow(
        "s3:GetObject", Condition={"StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/team/dev"}})),)))
    context = AuthorizationContext(ws)
    session = context.principal("r", session_name="alice")
    assert session.kind is PrincipalKind.ROLE_SESSION
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/alice"
    assert session.role_arn == f"arn:aws:iam::{ACCOUNT}:role/team/dev"
    assert context.principal("r").kind is PrincipalKind.ROLE
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/bob"
    assert context.caller(session_arn).policy_owner == "r"
    assert context.decide(session_arn, "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW
    ws.add(User("alice", "alice", "acct"))
    assert context.request("r", "s3:GetObject", "arn:aws:s3:::b/k", as_session_of="alice").principal.arn.endswith(
        "assumed-role/dev/alice")


def test_callers_outside_the_model(ws: Workspace) -> None:
    ws.add(Resource("q", "jobs", "acct", "sqs_queue", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                "Action": "sqs:SendMessage", "Resource": "*"}]}))
    context = AuthorizationContext(ws)
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    assert context.decide("sns.amazonaws.com", "sqs:SendMessage", queue) is Decision.ALLOW
    assert context.principal("sns.amazonaws.com").kind is PrincipalKind.SERVICE
    assert context.decide("*", "sqs:SendMessage", queue) is Decision.IMPLICIT_DENY
    stranger = "arn:aws:iam::999988887777:user/mallory"
    assert context.principal(stranger).account == "999988887777"
    assert context.decide(stranger, "sqs:SendMessage", queue) is Decision.IMPLICIT_DENY
    assert context.principal(OTHER).kind is PrincipalKind.ACCOUNT_ROOT
    for bad in ("arn:aws:iam::12:user/x", "arn:aws:s3:::bucket", "nobody"):
        with pytest.raises(UnknownPrincipalError):
            context.caller(bad)
    ws.add(Group("g", "devs", "acct"))
    with pytest.raises(UnknownPrincipalError, match="cannot make requests"):
        context.caller("g")


def test_compute_resource_calls_as_a_session_of_its_role(ws: Workspace) -> None:
    ws.add(Role("r", "fn-role", "acct", trust_policy=trust({"Service": "lambda.amazonaws.com"}),
                inline_policies=(InlinePolicy("p", allow("dynamodb:GetItem")),)))
    ws.add(Resource("fn", "worker", "acct", "lambda_function", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker",
                    runs_as="r"))
    context = AuthorizationContext(ws)
    assert context.principal("fn").arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-role/worker"
    assert context.decide("fn", "dynamodb:GetItem", "*") is Decision.ALLOW


def test_s3_object_requests_use_the_bucket_policy_and_owner(ws: Workspace) -> None:
    ws.add(Resource("b", "shared", "other", "s3_bucket", "arn:aws:s3:::shared", policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                                                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}))
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("s3", allow("s3:GetObject")),)))
    context = AuthorizationContext(ws)
    request = context.request("alice", "s3:GetObject", "arn:aws:s3:::shared/a.txt")
    assert request.resource_account == OTHER
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::shared/a.txt") is Decision.ALLOW
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::private/a.txt") is Decision.ALLOW  # same account
    ws.update(replace(ws.get("b"), policy={"Version": "2012-10-17", "Statement": []}))
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::shared/a.txt") is Decision.IMPLICIT_DENY


def test_context_keys_from_the_caller_and_default_region(ws: Workspace) -> None:
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("timed", allow(
        "s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})),)))
    context = AuthorizationContext(ws)
    early = {"aws:CurrentTime": ("2029-06-01T00:00:00Z",)}
    late = {"aws:CurrentTime": ("2031-06-01T00:00:00Z",)}
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k", early) is Decision.ALLOW
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k", late) is Decision.IMPLICIT_DENY
    missing = context.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert missing.decision is Decision.IMPLICIT_DENY
    assert missing.stages[3].statements[0].conditions[0].outcome.value == "missing_key"
    request = context.request("alice", "s3:GetObject", "arn:aws:dynamodb:eu-west-1:1:table/t")
    assert request.context["aws:RequestedRegion"] == ("eu-west-1",)


def test_cache_follows_model_changes(ws: Workspace) -> None:
    ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("p", allow("s3:GetObject")),)))
    context = AuthorizationContext(ws)
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW
    ws.update(replace(ws.get("alice"), inline_policies=(InlinePolicy("p", deny("s3:*")),)))
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.EXPLICIT_DENY
    context.close()
    ws.update(replace(ws.get("alice"), inline_policies=()))
    assert context.generation == 1


def test_broken_model_policy_is_refused_with_its_place(ws: Workspace) -> None:
    with pytest.raises(ModelError, match="inline_policies\\[0\\].document is not a valid identity policy"):
        ws.add(User("alice", "alice", "acct", inline_policies=(InlinePolicy("bad", {"Version": "2012-10-17",
                                                                                    "Statement": [{"Effect": "Allow"}]}),)))
    assert "alice" not in ws


def test_service_principal_entity(ws: Workspace) -> None:
    ws.add(ServicePrincipal("svc", "ec2.amazonaws.com"))
    assert AuthorizationContext(ws).principal("svc").kind is PrincipalKind.SERVICE


def test_managed_policy_and_trust_edits_are_seen(ws: Workspace) -> None:
    ws.add(ManagedPolicy("mp", "P", allow("s3:GetObject"), account="acct"))
    ws.add(User("alice", "alice", "acct", managed_policies=("mp",)))
    ws.add(Role("r", "target", "acct", trust_policy=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"})))
    context = AuthorizationContext(ws)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/target"
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.ALLOW
    assert context.decide("alice", "sts:AssumeRole", role_arn) is Decision.ALLOW
    ws.update(replace(ws.get("mp"), document=allow("sqs:*")))
    ws.update(replace(ws.get("r"), trust_policy=trust({"AWS": f"arn:aws:iam::{OTHER}:root"})))
    assert context.decide("alice", "s3:GetObject", "arn:aws:s3:::b/k") is Decision.IMPLICIT_DENY
    assert context.decide("alice", "sts:AssumeRole", role_arn) is Decision.IMPLICIT_DENY
