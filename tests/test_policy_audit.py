"""Audit of the engine against AWS's published evaluation logic: one test per finding, each citing its page.

Pages are the IAM User Guide pages in /work/shared/aws-docs (mid-2023) unless a URL is given for a newer
AWS page. The last part is a property test: the fast path ``decide`` must always equal
``evaluate(...).decision`` on richly generated policy sets (conditions, Not* elements, policy variables,
boundaries, session policies, SCP / RCP levels, cross-account and trust-policy requests).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_desktop.policy import (
    Decision,
    Evaluation,
    NamedPolicy,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    ResourcePolicyRule,
    Stage,
    compile_policies,
    decide,
    evaluate,
    parse_policy,
)

A = "111122223333"
B = "444455556666"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", PrincipalKind.USER, account=A)
ROOT_A = Principal(f"arn:aws:iam::{A}:root", PrincipalKind.ACCOUNT_ROOT, account=A)
DEV_ROLE = f"arn:aws:iam::{A}:role/Dev"
DEV_SESSION = Principal(f"arn:aws:sts::{A}:assumed-role/Dev/s1", PrincipalKind.ROLE_SESSION, account=A, role_arn=DEV_ROLE)
BOB_B = Principal(f"arn:aws:iam::{B}:user/bob", PrincipalKind.USER, account=B)
SLR_ARN = f"arn:aws:iam::{A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
SLR_SESSION = Principal(
    f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForElasticLoadBalancing/ElasticLoadBalancing",
    PrincipalKind.ROLE_SESSION,
    account=A,
    role_arn=SLR_ARN,
)
TARGET_ROLE = f"arn:aws:iam::{A}:role/Target"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET_OBJECT = "arn:aws:s3:::shared/k"


def policy(name: str, *statements: dict, policy_type: str = "identity", version: str | None = "2012-10-17") -> NamedPolicy:
    raw: dict = {"Statement": list(statements)}
    if version is not None:
        raw["Version"] = version
    return NamedPolicy(name, parse_policy(raw, policy_type=policy_type), source=f"{policy_type} policy {name}")


def allow(action: str = "s3:GetObject", resource: str = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = "s3:GetObject", resource: str = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: object, action: str = "sts:AssumeRole") -> NamedPolicy:
    return policy("Trust", {"Effect": "Allow", "Principal": principal, "Action": action}, policy_type="trust")


def run(principal: Principal, policies: PolicySet, *, action: str = "s3:GetObject", resource: str = BUCKET_OBJECT,
        resource_account: str | None = A, context: dict | None = None) -> Evaluation:
    """Evaluate, and check that both fast paths agree with the explained decision."""
    request = Request(principal, action, resource, context=context or {}, resource_account=resource_account)
    evaluation = evaluate(request, policies)
    assert decide(request, policies) is evaluation.decision
    assert decide(request, compile_policies(policies)) is evaluation.decision
    return evaluation


def assume(principal: Principal, policies: PolicySet, resource_account: str | None = A) -> Evaluation:
    required = PolicySet(**{**policies.__dict__, "resource_policy_rule": ResourcePolicyRule.REQUIRED})
    return run(principal, required, action="sts:AssumeRole", resource=TARGET_ROLE, resource_account=resource_account)


# --- 1. role trust policies (ResourcePolicyRule.REQUIRED) ------------------------------------------


def test_trust_policy_naming_user_allows_without_identity_policy_and_says_so() -> None:
    """evaluation-logic ('resource-based policies that grant permissions to an IAM user ARN ... are not limited
    by an implicit deny in an identity-based policy'): in the same account a trust policy naming the user is
    enough. Finding: the reason said "names the caller's role" for a user named directly."""
    evaluation = assume(ALICE, PolicySet(resource_policy=trust({"AWS": ALICE.arn})))
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.RESOURCE_POLICY
    assert "role's trust policy names the caller directly" in evaluation.reason
    assert "names the caller's role" not in evaluation.reason


def test_trust_policy_naming_user_is_still_limited_by_the_users_boundary() -> None:
    """id_roles_update-role-trust-policy, Notes (https://docs.aws.amazon.com/IAM/latest/UserGuide/
    id_roles_update-role-trust-policy.html): 'If a user is listed as the principal in a role's trust policy but
    cannot assume the role, check the user's permissions boundary ... it must allow the sts:AssumeRole action.'"""
    boundary = policy("Boundary", allow("s3:*"), policy_type="boundary")
    evaluation = assume(ALICE, PolicySet(resource_policy=trust({"AWS": ALICE.arn}), permission_boundary=boundary))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.PERMISSION_BOUNDARY
    assert "trust policy names the caller directly" in evaluation.reason and "boundary" in evaluation.reason
    wide = policy("Boundary", allow("sts:AssumeRole"), policy_type="boundary")
    assert assume(ALICE, PolicySet(resource_policy=trust({"AWS": ALICE.arn}), permission_boundary=wide)).decision is Decision.ALLOW


def test_trust_policy_naming_session_directly_is_limited_by_its_session_policy() -> None:
    """Same note, applied to a role session named by its session ARN: its session policy still limits AssumeRole."""
    session = (policy("Session", allow("s3:*"), policy_type="session"),)
    evaluation = assume(DEV_SESSION, PolicySet(resource_policy=trust({"AWS": DEV_SESSION.arn}), session_policies=session))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.SESSION
    assert "session policy" in evaluation.reason


def test_trust_policy_naming_the_account_needs_an_identity_policy() -> None:
    """id_roles_update-role-trust-policy: naming an account is 'only half' of the trust; the account's
    administrator 'must grant users the permission to assume the role' (identity policy)."""
    root_trust = PolicySet(resource_policy=trust({"AWS": f"arn:aws:iam::{A}:root"}))
    evaluation = assume(ALICE, root_trust)
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.IDENTITY
    with_identity = PolicySet(identity=(policy("P", allow("sts:AssumeRole", TARGET_ROLE)),), resource_policy=root_trust.resource_policy)
    assert assume(ALICE, with_identity).decision is Decision.ALLOW


def test_cross_account_trust_policy_naming_user_still_needs_identity_policy() -> None:
    """evaluation-logic-cross-account: 'the principal ... must be allowed by both' identity and resource policy."""
    named = PolicySet(resource_policy=trust({"AWS": BOB_B.arn}))
    assert assume(BOB_B, named).decision is Decision.IMPLICIT_DENY
    both = PolicySet(identity=(policy("P", allow("sts:AssumeRole")),), resource_policy=named.resource_policy)
    assert assume(BOB_B, both).decision is Decision.ALLOW


# --- 2. KMS key policies (REQUIRED) --------------------------------------------------------------


def test_kms_key_policy_naming_the_account_root_needs_an_identity_policy_too() -> None:
    """KMS key policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html): the
    default statement naming the account 'allows IAM policies' to grant access; it gives nobody access alone."""
    key_policy = policy("Key", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"},
                        policy_type="resource")
    base = PolicySet(resource_policy=key_policy, resource_policy_rule=ResourcePolicyRule.REQUIRED)
    assert run(ALICE, base, action="kms:Decrypt", resource=KEY).decision is Decision.IMPLICIT_DENY
    granted = PolicySet(identity=(policy("P", allow("kms:Decrypt")),), resource_policy=key_policy,
                        resource_policy_rule=ResourcePolicyRule.REQUIRED)
    assert run(ALICE, granted, action="kms:Decrypt", resource=KEY).decision is Decision.ALLOW
    without = PolicySet(identity=granted.identity, resource_policy_rule=ResourcePolicyRule.REQUIRED)
    assert run(ALICE, without, action="kms:Decrypt", resource=KEY).deciding_stage is Stage.RESOURCE_POLICY


# --- 3. special cases from id_credentials_temp_request.md ----------------------------------------


def test_get_caller_identity_is_allowed_against_an_explicit_deny_and_says_why() -> None:
    """id_credentials_temp_request note 4: 'If an administrator adds a policy ... that explicitly denies access to
    the sts:GetCallerIdentity action, you can still perform this operation.'"""
    policies = PolicySet(identity=(policy("Deny", deny("sts:*")),))
    evaluation = run(ALICE, policies, action="sts:GetCallerIdentity", resource="*")
    assert evaluation.decision is Decision.ALLOW and "GetCallerIdentity" in evaluation.reason


def test_root_user_cannot_assume_a_role_and_says_why() -> None:
    """id_credentials_temp_request, comparison table: AssumeRole is called by an 'IAM user or IAM role'."""
    evaluation = assume(ROOT_A, PolicySet(resource_policy=trust({"AWS": f"arn:aws:iam::{A}:root"})))
    assert evaluation.decision is Decision.IMPLICIT_DENY and "root user cannot assume" in evaluation.reason
    deciding = next(stage for stage in evaluation.stages if stage.stage is evaluation.deciding_stage)
    assert "root user cannot assume" in deciding.note  # the stage tree says why, not only "no identity policies"


def test_identity_policy_cannot_reach_another_partition() -> None:
    """id_roles_compare-resource-policies: 'IAM roles and resource-based policies delegate access across accounts
    only within a single partition'. Finding: with no resource-based policy the engine let an identity policy in
    the aws partition allow a request on an aws-cn resource."""
    policies = PolicySet(identity=(policy("P", allow("s3:*")),))
    evaluation = run(ALICE, policies, resource="arn:aws-cn:s3:::cn-bucket/k")
    assert evaluation.decision is Decision.IMPLICIT_DENY and "partition" in evaluation.reason
    assert run(ALICE, policies).decision is Decision.ALLOW


def test_federated_session_reached_by_a_grant_to_the_user_who_federated() -> None:
    """evaluation-logic: 'if a resource-based policy grants permission to the ARN of the IAM user who federated,
    then requests made by the federated user during the session are limited by an implicit deny in a permission
    boundary or session policy.' Finding: the request could not name that user; ``role_arn`` now can."""
    federated = Principal(f"arn:aws:sts::{A}:federated-user/bob", PrincipalKind.FEDERATED, account=A, role_arn=f"arn:aws:iam::{A}:user/bob")
    queue = f"arn:aws:sqs:us-east-1:{A}:jobs"
    grant = policy("Queue", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/bob"}, "Action": "sqs:SendMessage",
                             "Resource": queue}, policy_type="resource")
    narrow = (policy("Session", allow("s3:GetObject"), policy_type="session"),)
    limited = run(federated, PolicySet(resource_policy=grant, session_policies=narrow), action="sqs:SendMessage", resource=queue)
    assert limited.decision is Decision.IMPLICIT_DENY and limited.deciding_stage is Stage.SESSION
    wide = (policy("Session", allow("sqs:*"), policy_type="session"),)
    allowed = run(federated, PolicySet(resource_policy=grant, session_policies=wide), action="sqs:SendMessage", resource=queue)
    assert allowed.decision is Decision.ALLOW and allowed.deciding_stage is Stage.RESOURCE_POLICY


# --- 4. SCPs and RCPs ----------------------------------------------------------------------------


def _levels(*statements: dict, policy_type: str = "scp") -> tuple[tuple[NamedPolicy, ...], ...]:
    return ((policy("Org", *statements, policy_type=policy_type),),)


def test_scps_do_not_restrict_service_linked_roles() -> None:
    """orgs_manage_policies_scps, 'Tasks and entities not restricted by SCPs' (https://docs.aws.amazon.com/
    organizations/latest/userguide/orgs_manage_policies_scps.html): 'Any action performed by service-linked roles'.
    Finding: the engine applied given SCP levels to a service-linked role session."""
    scps = _levels(deny("s3:*"), allow("*"))
    identity = (policy("SLRPolicy", allow("s3:GetObject")),)
    evaluation = run(SLR_SESSION, PolicySet(identity=identity, scp_levels=scps))
    assert evaluation.decision is Decision.ALLOW
    assert run(DEV_SESSION, PolicySet(identity=identity, scp_levels=scps)).decision is Decision.EXPLICIT_DENY


def test_rcps_do_not_restrict_service_linked_roles() -> None:
    """orgs_manage_policies_rcps, 'Tasks and entities not restricted by RCPs' (https://docs.aws.amazon.com/
    organizations/latest/userguide/orgs_manage_policies_rcps.html): actions by service-linked roles."""
    rcps = _levels({**deny("s3:*"), "Principal": "*"}, {**allow("*"), "Principal": "*"}, policy_type="rcp")
    identity = (policy("SLRPolicy", allow("s3:GetObject")),)
    assert run(SLR_SESSION, PolicySet(identity=identity, rcp_levels=rcps)).decision is Decision.ALLOW
    assert run(DEV_SESSION, PolicySet(identity=identity, rcp_levels=rcps)).decision is Decision.EXPLICIT_DENY


def test_scps_limit_a_resource_policy_grant_to_a_member_account_principal() -> None:
    """evaluation-logic: 'If an SCP is present, identity-based and resource-based policies grant permissions to
    principals in member accounts only if those policies and the SCP allow the action.'"""
    bucket = policy("Bucket", {"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "s3:GetObject", "Resource": "*"},
                    policy_type="resource")
    evaluation = run(ALICE, PolicySet(resource_policy=bucket, scp_levels=_levels(allow("ec2:*"))))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.SCP


def test_rcps_apply_to_service_principals() -> None:
    """orgs_manage_policies_rcps examples restrict service principals with aws:PrincipalIsAWSService, so RCPs
    govern service principals (unlike SCPs)."""
    service = Principal("cloudtrail.amazonaws.com", PrincipalKind.SERVICE)
    bucket = policy("Bucket", {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                               "Resource": "*"}, policy_type="resource")
    rcps = _levels({**deny("s3:*"), "Principal": "*", "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}},
                   {**allow("*"), "Principal": "*"}, policy_type="rcp")
    assert run(service, PolicySet(resource_policy=bucket), action="s3:PutObject").decision is Decision.ALLOW
    denied = run(service, PolicySet(resource_policy=bucket, rcp_levels=rcps), action="s3:PutObject")
    assert denied.decision is Decision.EXPLICIT_DENY
    scps = _levels(deny("s3:*"))
    assert run(service, PolicySet(resource_policy=bucket, scp_levels=scps), action="s3:PutObject").decision is Decision.ALLOW


# --- 5. NotPrincipal for role sessions -----------------------------------------------------------


def _not_principal_bucket(effect: str, listed: list[str]) -> NamedPolicy:
    statement = {"Effect": effect, "NotPrincipal": {"AWS": listed}, "Action": "s3:GetObject", "Resource": "*"}
    return policy("Bucket", statement, policy_type="resource")


def test_not_principal_deny_spares_a_session_only_when_session_role_and_account_are_listed() -> None:
    """reference_policies_elements_notprincipal: for an assumed-role user, list 'the ARN of the assumed-role user
    ..., the role ..., and the AWS account'; with one missing 'the effect of the policy might be to explicitly
    deny access'."""
    identity = (policy("P", allow()),)
    everything = [DEV_SESSION.arn, DEV_ROLE, f"arn:aws:iam::{A}:root"]
    assert run(DEV_SESSION, PolicySet(identity=identity, resource_policy=_not_principal_bucket("Deny", everything))).decision is Decision.ALLOW
    for missing in everything:
        listed = [arn for arn in everything if arn != missing]
        evaluation = run(DEV_SESSION, PolicySet(identity=identity, resource_policy=_not_principal_bucket("Deny", listed)))
        assert evaluation.decision is Decision.EXPLICIT_DENY, missing


def test_not_principal_deny_always_denies_a_principal_with_a_permissions_boundary() -> None:
    """reference_policies_elements_notprincipal, current page (https://docs.aws.amazon.com/IAM/latest/UserGuide/
    reference_policies_elements_notprincipal.html, Key points) and access_policies_boundaries (current): 'The
    NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary
    policy attached, regardless of the values specified in the NotPrincipal element.' Finding: the engine spared
    a listed user or session even when it had a boundary (a wrong Allow)."""
    boundary = policy("Boundary", allow("s3:*"), policy_type="boundary")
    identity = (policy("P", allow()),)
    listed = _not_principal_bucket("Deny", [ALICE.arn, f"arn:aws:iam::{A}:root"])
    assert run(ALICE, PolicySet(identity=identity, resource_policy=listed)).decision is Decision.ALLOW
    evaluation = run(ALICE, PolicySet(identity=identity, resource_policy=listed, permission_boundary=boundary))
    assert evaluation.decision is Decision.EXPLICIT_DENY
    resource_stage = next(stage for stage in evaluation.stages if stage.stage is Stage.RESOURCE_POLICY)
    assert "permissions boundary" in resource_stage.note
    everything = _not_principal_bucket("Deny", [DEV_SESSION.arn, DEV_ROLE, f"arn:aws:iam::{A}:root"])
    session = run(DEV_SESSION, PolicySet(identity=identity, resource_policy=everything, permission_boundary=boundary))
    assert session.decision is Decision.EXPLICIT_DENY
    # a NotPrincipal *Allow* is not affected, nor is a Principal element
    granted = policy("Bucket", {"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "s3:GetObject", "Resource": "*"},
                     policy_type="resource")
    assert run(ALICE, PolicySet(resource_policy=granted, permission_boundary=boundary)).decision is Decision.ALLOW


def test_not_principal_allow_never_reaches_a_listed_identity() -> None:
    """reference_policies_elements_notprincipal: with Allow, 'all principals except the one named' are allowed."""
    assert run(DEV_SESSION, PolicySet(resource_policy=_not_principal_bucket("Allow", [DEV_ROLE]))).decision is Decision.IMPLICIT_DENY
    assert run(ALICE, PolicySet(resource_policy=_not_principal_bucket("Allow", [DEV_ROLE]))).decision is Decision.ALLOW


# --- 6. condition operators ----------------------------------------------------------------------


def _with_condition(condition: dict, context: dict, version: str | None = "2012-10-17") -> Decision:
    policies = PolicySet(identity=(policy("P", allow(Condition=condition), version=version),))
    return run(ALICE, policies, context=context).decision


def test_negated_operator_on_missing_key_holds_and_if_exists_holds() -> None:
    """reference_policies_elements_condition_operators / multi-value page: negated operators match a missing key;
    '...IfExists' holds when the key is missing."""
    assert _with_condition({"StringNotEquals": {"aws:RequestTag/env": "prod"}}, {}) is Decision.ALLOW
    assert _with_condition({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {}) is Decision.ALLOW
    assert _with_condition({"StringEquals": {"aws:RequestTag/env": "prod"}}, {}) is Decision.IMPLICIT_DENY


def test_set_operators_on_missing_or_empty_keys() -> None:
    """reference_policies_multi-value-conditions: ForAllValues 'returns true if there are no keys in the request,
    or if the key values resolve to a null data set, such as an empty string'; ForAnyValue returns false."""
    assert _with_condition({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {}) is Decision.ALLOW
    assert _with_condition({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ("",)}) is Decision.ALLOW
    assert _with_condition({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {}) is Decision.IMPLICIT_DENY


def test_variable_without_value_in_condition() -> None:
    """reference_policies_variables, 'Policy variables with no value': StringEquals does not match, inverted
    operators like StringNotEquals do match."""
    assert _with_condition({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"s3:prefix": ("x",)}) is Decision.IMPLICIT_DENY
    assert _with_condition({"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"s3:prefix": ("x",)}) is Decision.ALLOW


def test_variables_are_literal_text_in_2008_documents() -> None:
    """reference_policies_variables: variables need 'Version': '2012-10-17'; an older document keeps the text."""
    condition = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    assert _with_condition(condition, {"s3:prefix": ("alice",)}, version="2008-10-17") is Decision.IMPLICIT_DENY
    assert _with_condition(condition, {"s3:prefix": ("alice",)}, version=None) is Decision.IMPLICIT_DENY
    assert _with_condition(condition, {"s3:prefix": ("alice",)}) is Decision.ALLOW


def test_ipv6_and_condition_key_case() -> None:
    """condition operators page: IpAddress takes IPv6 ranges; condition key names are case-insensitive."""
    assert _with_condition({"IpAddress": {"AWS:SourceIP": "2001:db8::/32"}}, {"aws:sourceip": ("2001:db8::1",)}) is Decision.ALLOW
    assert _with_condition({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": ("203.0.113.9",)}) is Decision.IMPLICIT_DENY


# --- 9. decide() == evaluate().decision on rich random policy sets --------------------------------

CALLERS = [
    ALICE,
    Principal(f"arn:aws:iam::{A}:user/carol", PrincipalKind.USER, account=A, tags={"team": "blue"}),
    DEV_SESSION,
    Principal(f"arn:aws:sts::{A}:assumed-role/Dev/s2", PrincipalKind.ROLE_SESSION, account=A, role_arn=DEV_ROLE, tags={"team": "red"}),
    Principal(DEV_ROLE, PrincipalKind.ROLE, account=A),
    BOB_B,
    Principal(f"arn:aws:sts::{B}:assumed-role/X/s", PrincipalKind.ROLE_SESSION, account=B, role_arn=f"arn:aws:iam::{B}:role/X"),
    ROOT_A,
    Principal(f"arn:aws:iam::{B}:root", PrincipalKind.ACCOUNT_ROOT, account=B),
    SLR_SESSION,
    Principal("lambda.amazonaws.com", PrincipalKind.SERVICE),
    Principal("*", PrincipalKind.ANONYMOUS),
    Principal(f"arn:aws:sts::{A}:federated-user/fed", PrincipalKind.FEDERATED, account=A),
    Principal(f"arn:aws:sts::{A}:federated-user/fed2", PrincipalKind.FEDERATED, account=A, role_arn=f"arn:aws:iam::{A}:user/alice"),
    Principal(f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com", PrincipalKind.FEDERATED),
]
ACTIONS = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sts:AssumeRole", "sts:GetCallerIdentity",
           "sts:GetSessionToken", "kms:Decrypt", "iam:GetUser", "ec2:RunInstances"]
ACTION_PATTERNS = ["s3:GetObject", "s3:*", "S3:get*", "*", "sqs:SendMessage", "s3:?utObject", "sts:AssumeRole", "sts:*",
                   "kms:*", "iam:Get*", "ec2:*Instances", "*:GetObject"]
RESOURCES = ["arn:aws:s3:::b/k", "arn:aws:s3:::alice/x", "arn:aws:s3:::b/a:b/c", f"arn:aws:sqs:us-east-1:{A}:q", TARGET_ROLE,
             KEY, "*", "arn:aws-cn:s3:::b/k", f"arn:aws:ec2:us-east-1:{A}:instance/i-1"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::${aws:username}/*", "arn:aws:sqs:*:*:q", "arn:aws:s3:::*",
                     TARGET_ROLE, "arn:aws:s3:::${aws:PrincipalTag/team, 'b'}/*", "arn:aws:s3:::b/${*}", "arn:aws:s3:*:*:*",
                     f"arn:aws:kms:*:{A}:key/*", "arn:aws:s3:::b/a:*", "arn:aws:iam::*:role/T?rget"]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": A}, {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": ALICE.arn}, {"AWS": DEV_ROLE},
              {"AWS": DEV_SESSION.arn}, {"Service": "lambda.amazonaws.com"}, {"AWS": [BOB_B.arn, f"arn:aws:iam::{B}:role/X"]},
              {"AWS": [DEV_SESSION.arn, DEV_ROLE, f"arn:aws:iam::{A}:root"]}, {"AWS": SLR_ARN},
              {"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"}]
CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringEquals": {"s3:prefix": "${aws:username}"}},
    {"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}},
    {"StringNotEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"s3:prefix": ["home/*", "${aws:username}/*"]}},
    {"StringEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["env*"]}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "owner"]}},
    {"ForAllValues:StringNotLike": {"aws:TagKeys": ["secret*"]}},
    {"Null": {"aws:MultiFactorAuthAge": "false"}},
    {"Null": {"aws:MultiFactorAuthAge": "true"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"NumericNotEquals": {"aws:MultiFactorAuthAge": "10"}},
    {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
    {"DateGreaterThanIfExists": {"aws:EpochTime": "1700000000"}},
    {"ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::{A}:role/*", f"arn:aws:iam::{A}:user/a*"]}},
    {"ArnNotEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}, "Bool": {"aws:PrincipalIsAWSService": "false"}},
    {"BinaryEquals": {"aws:x": "QmluYXJ5"}},
]
CONTEXT_VALUES: dict[str, list[tuple[str, ...]]] = {
    "aws:RequestedRegion": [("us-east-1",), ("eu-west-1",)],
    "aws:SecureTransport": [("true",), ("false",), ("yes",)],
    "aws:MultiFactorAuthPresent": [("true",), ("false",)],
    "aws:SourceIp": [("10.1.1.1",), ("192.0.2.1",), ("2001:db8::5",), ("not-an-ip",)],
    "aws:TagKeys": [("env",), ("owner", "env"), ("secret-x",), ("",), ()],
    "aws:MultiFactorAuthAge": [("10",), ("99999",), ("abc",)],
    "aws:CurrentTime": [("2026-12-03T08:00:00Z",), ("2028-01-01T00:00:00Z",), ("garbage",)],
    "aws:EpochTime": [("1800000000",), ("1600000000",)],
    "aws:SourceArn": [(f"arn:aws:sns:us-east-1:{A}:t",), ("notanarn",)],
    "aws:PrincipalOrgID": [("o-abc",), ("o-zzz",)],
    "s3:prefix": [("alice",), ("home/x",), ("red",), ("alice/y",)],
    "aws:x": [("QmluYXJ5",), ("Binary",)],
}


@st.composite
def rich_statements(draw: st.DrawFn, *, principal: bool, effect: str | None = None) -> dict:
    statement: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    statement["NotAction" if draw(st.integers(0, 7)) == 0 else "Action"] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    if not principal or draw(st.integers(0, 9)) > 0:  # resource-based statements may leave Resource out
        statement["NotResource" if draw(st.integers(0, 7)) == 0 else "Resource"] = draw(
            st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    if principal:
        named = draw(st.sampled_from(PRINCIPALS))
        statement["NotPrincipal" if named != "*" and draw(st.integers(0, 5)) == 0 else "Principal"] = named
    if draw(st.integers(0, 2)) > 0:
        condition: dict = {}
        for clause in draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
            for operator, tests in clause.items():
                condition.setdefault(operator, {}).update(tests)
        statement["Condition"] = condition
    return statement


def rich_named(policy_type: str, name: str) -> st.SearchStrategy[NamedPolicy]:
    with_principal = policy_type == "resource"
    statement_strategy = rich_statements(principal=with_principal)
    if policy_type == "rcp":
        statement_strategy = statement_strategy.map(lambda s: {**s, "Principal": "*"})
    version = st.sampled_from(["2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17"])

    def build(items: list[dict], written: str) -> NamedPolicy:
        return NamedPolicy(name, parse_policy({"Version": written, "Statement": items}, policy_type=policy_type))

    return st.builds(build, st.lists(statement_strategy, min_size=1, max_size=4), version)


rich_policy_sets = st.builds(
    PolicySet,
    identity=st.lists(rich_named("identity", "identity"), max_size=3).map(tuple),
    resource_policy=st.none() | rich_named("resource", "resource"),
    resource_policy_rule=st.sampled_from(list(ResourcePolicyRule)),
    permission_boundary=st.none() | rich_named("boundary", "boundary"),
    session_policies=st.none() | st.lists(rich_named("session", "session"), min_size=1, max_size=2).map(tuple),
    scp_levels=st.lists(st.lists(rich_named("scp", "scp"), min_size=1, max_size=2).map(tuple), max_size=3).map(tuple),
    rcp_levels=st.lists(st.lists(rich_named("rcp", "rcp"), min_size=1, max_size=2).map(tuple), max_size=2).map(tuple),
)


@st.composite
def rich_requests(draw: st.DrawFn) -> Request:
    context = {key: draw(st.sampled_from(values)) for key, values in CONTEXT_VALUES.items() if draw(st.integers(0, 2)) > 0}
    return Request(
        principal=draw(st.sampled_from(CALLERS)),
        action=draw(st.sampled_from(ACTIONS)),
        resource=draw(st.sampled_from(RESOURCES)),
        context=context,
        resource_account=draw(st.sampled_from([A, A, B, None])),
    )


AGREEMENT_EXAMPLES = int(os.environ.get("IAM_DESKTOP_AUDIT_EXAMPLES", "300"))


@settings(max_examples=AGREEMENT_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_policy_sets, st.lists(rich_requests(), min_size=1, max_size=4))
def test_decide_always_equals_evaluate_on_rich_policies(policies: PolicySet, requests: list[Request]) -> None:
    """DESIGN.md: the fast path and the explained path apply the same rules, so they can never disagree.

    Several requests share one compiled set so the plan and explanation caches are exercised across
    requests of the same and of different shapes.
    """
    compiled = compile_policies(policies)
    for request in requests:
        evaluation = evaluate(request, compiled)
        assert decide(request, compiled) is evaluation.decision, request
        assert decide(request, policies) is evaluation.decision, request
        assert evaluate(request, policies).decision is evaluation.decision
        assert evaluation.reason
        if evaluation.decision is Decision.EXPLICIT_DENY:
            assert evaluation.deciding_statements and all(s.effect == "Deny" and s.applies for s in evaluation.deciding_statements)
