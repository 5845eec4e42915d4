"""Evaluation order and the explained decision, one AWS rule per test (the docstring names the page)."""

from __future__ import annotations

from iam_desktop.policy import (
    CompiledPolicySet,
    Decision,
    Evaluation,
    MatchOutcome,
    NamedPolicy,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    ResourcePolicyRule,
    Stage,
    StageOutcome,
    compile_policies,
    decide,
    evaluate,
    parse_policy,
)

A = "111122223333"
B = "444455556666"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", PrincipalKind.USER, account=A)
ROLE_ARN = f"arn:aws:iam::{A}:role/Dev"
SESSION = Principal(f"arn:aws:sts::{A}:assumed-role/Dev/s1", PrincipalKind.ROLE_SESSION, account=A, role_arn=ROLE_ARN)
BOB_B = Principal(f"arn:aws:iam::{B}:user/bob", PrincipalKind.USER, account=B)
BUCKET_OBJECT = "arn:aws:s3:::shared/k"


def policy(name: str, *statements: dict, policy_type: str = "identity") -> NamedPolicy:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, policy_type=policy_type)
    return NamedPolicy(name, document, source=f"{policy_type} policy {name}", ref=f"ref-{name}")


def allow(action: str = "s3:GetObject", resource: str = "*", sid: str | None = None, **extra: object) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return {**statement, "Sid": sid} if sid else statement


def deny(action: str = "s3:GetObject", resource: str = "*", sid: str | None = None, **extra: object) -> dict:
    return {**allow(action, resource, sid, **extra), "Effect": "Deny"}


def bucket_policy(principal: object, effect: str = "Allow", sid: str = "Grant", action: str = "s3:GetObject") -> NamedPolicy:
    statement = {"Sid": sid, "Effect": effect, "Principal": principal, "Action": action, "Resource": "arn:aws:s3:::shared/*"}
    return policy("Bucket", statement, policy_type="resource")


def run(principal: Principal, policies: PolicySet, *, action: str = "s3:GetObject", resource: str = BUCKET_OBJECT,
        resource_account: str | None = A, context: dict | None = None) -> Evaluation:
    request = Request(principal, action, resource, context=context or {}, resource_account=resource_account)
    evaluation = evaluate(request, policies)
    assert decide(request, policies) is evaluation.decision
    compiled = compile_policies(policies)
    assert decide(request, compiled) is evaluation.decision
    return evaluation


def deciding(evaluation: Evaluation) -> list[str]:
    return sorted(f"{s.policy_name}#{s.sid or s.index}" for s in evaluation.deciding_statements)


# --- the basic order (reference_policies_evaluation-logic.md) ------------------------------------


def test_nothing_allows_is_an_implicit_deny() -> None:
    """evaluation-logic: 'By default, all requests are implicitly denied'."""
    evaluation = run(ALICE, PolicySet())
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.IDENTITY
    assert evaluation.deciding_statements == () and evaluation.reason


def test_identity_allow() -> None:
    """evaluation-logic: 'An explicit allow in an identity-based or resource-based policy overrides this default'."""
    evaluation = run(ALICE, PolicySet(identity=(policy("P", allow(sid="Read")),)))
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.IDENTITY
    assert deciding(evaluation) == ["P#Read"]
    (result,) = evaluation.deciding_statements
    assert (result.policy_source, result.policy_ref) == ("identity policy P", "ref-P")


def test_explicit_deny_in_any_policy_wins() -> None:
    """evaluation-logic: 'An explicit deny in any policy overrides any allows'."""
    policies = PolicySet(
        identity=(policy("P", allow()), policy("Q", deny(sid="No"))),
        resource_policy=bucket_policy({"AWS": ALICE.arn}),
    )
    evaluation = run(ALICE, policies)
    assert evaluation.decision is Decision.EXPLICIT_DENY and evaluation.deciding_stage is Stage.EXPLICIT_DENY
    assert deciding(evaluation) == ["Q#No"]


def test_deny_in_resource_policy_wins_over_identity_allow() -> None:
    """evaluation-logic, deny evaluation: denies are looked for in every policy type, resource-based included."""
    policies = PolicySet(identity=(policy("P", allow()),), resource_policy=bucket_policy("*", effect="Deny", sid="Block"))
    evaluation = run(ALICE, policies)
    assert evaluation.decision is Decision.EXPLICIT_DENY and deciding(evaluation) == ["Bucket#Block"]


def test_every_statement_is_reported_with_element_outcomes() -> None:
    """The explanation lists every statement considered, with each element's outcome."""
    policies = PolicySet(identity=(policy("P", allow(action="s3:PutObject", sid="Put"), allow(resource="arn:aws:s3:::other/*", sid="Other")),))
    evaluation = run(ALICE, policies)
    identity = next(stage for stage in evaluation.stages if stage.stage is Stage.IDENTITY)
    put, other = identity.statements
    assert (put.action, put.resource, put.principal) == (MatchOutcome.NO_MATCH, MatchOutcome.MATCH, MatchOutcome.NOT_APPLICABLE)
    assert (other.action, other.resource) == (MatchOutcome.MATCH, MatchOutcome.NO_MATCH)
    assert identity.outcome is StageOutcome.NO_MATCH
    assert [stage.stage for stage in evaluation.stages] == [
        Stage.SCP, Stage.RCP, Stage.RESOURCE_POLICY, Stage.IDENTITY, Stage.PERMISSION_BOUNDARY, Stage.SESSION,
    ]


def test_root_user_has_full_access_in_its_account() -> None:
    """evaluation-logic: all requests are denied 'with the exception of the AWS account root user'."""
    root = Principal(f"arn:aws:iam::{A}:root", PrincipalKind.ACCOUNT_ROOT, account=A)
    evaluation = run(root, PolicySet())
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.DEFAULT


# --- same account: resource-based policies and implicit denies -----------------------------------


def test_same_account_resource_policy_alone_allows() -> None:
    """evaluation-logic: 'If either the identity-based policy or the resource-based policy within the same account allows'."""
    evaluation = run(ALICE, PolicySet(resource_policy=bucket_policy({"AWS": ALICE.arn})))
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.RESOURCE_POLICY
    assert deciding(evaluation) == ["Bucket#Grant"]


def test_resource_policy_naming_user_is_not_limited_by_boundary() -> None:
    """evaluation-logic / access_policies_boundaries: grants to an IAM user ARN are not limited by an implicit deny in a boundary."""
    policies = PolicySet(resource_policy=bucket_policy({"AWS": ALICE.arn}), permission_boundary=policy("B", allow(action="ec2:*"), policy_type="boundary"))
    assert run(ALICE, policies).decision is Decision.ALLOW


def test_resource_policy_naming_role_arn_is_limited_by_boundary_and_session_policy() -> None:
    """evaluation-logic: 'Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy'."""
    grant = bucket_policy({"AWS": ROLE_ARN})
    assert run(SESSION, PolicySet(resource_policy=grant)).decision is Decision.ALLOW
    limited = run(SESSION, PolicySet(resource_policy=grant, permission_boundary=policy("B", allow(action="ec2:*"), policy_type="boundary")))
    assert limited.decision is Decision.IMPLICIT_DENY and limited.deciding_stage is Stage.PERMISSION_BOUNDARY
    session_limited = run(SESSION, PolicySet(resource_policy=grant, session_policies=(policy("S", allow(action="ec2:*"), policy_type="session"),)))
    assert session_limited.decision is Decision.IMPLICIT_DENY and session_limited.deciding_stage is Stage.SESSION


def test_resource_policy_naming_session_arn_is_not_limited() -> None:
    """evaluation-logic: grants to a role session ARN are 'not limited by an implicit deny in an identity-based policy, a permissions boundary, or session policy'."""
    policies = PolicySet(
        resource_policy=bucket_policy({"AWS": SESSION.arn}),
        permission_boundary=policy("B", allow(action="ec2:*"), policy_type="boundary"),
        session_policies=(policy("S", allow(action="ec2:*"), policy_type="session"),),
    )
    evaluation = run(SESSION, policies)
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.RESOURCE_POLICY


def test_resource_policy_naming_the_account_delegates_to_iam() -> None:
    """reference_policies_elements_principal.md: naming an account 'delegates authority to the account'."""
    grant = bucket_policy({"AWS": A})
    assert run(ALICE, PolicySet(resource_policy=grant)).decision is Decision.IMPLICIT_DENY
    both = run(ALICE, PolicySet(resource_policy=grant, identity=(policy("P", allow(sid="Read")),)))
    assert both.decision is Decision.ALLOW and deciding(both) == ["P#Read"]


def test_boundary_limits_identity_permissions() -> None:
    """access_policies_boundaries: the entity 'can perform only the actions that are allowed by both'."""
    identity = (policy("P", allow(action="s3:*")),)
    boundary = policy("B", allow(action="ec2:*"), policy_type="boundary")
    evaluation = run(ALICE, PolicySet(identity=identity, permission_boundary=boundary))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.PERMISSION_BOUNDARY
    assert run(ALICE, PolicySet(identity=identity, permission_boundary=policy("B2", allow(action="s3:Get*"), policy_type="boundary"))).decision is Decision.ALLOW


def test_boundary_alone_grants_nothing() -> None:
    """access_policies_boundaries: a boundary 'does not provide permissions on its own'."""
    evaluation = run(ALICE, PolicySet(permission_boundary=policy("B", allow(action="*"), policy_type="boundary")))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.IDENTITY


def test_session_policy_limits_role_session() -> None:
    """evaluation-logic, session policies: 'If a session policy is present and does not allow the requested action, then the request is implicitly denied'."""
    identity = (policy("RolePolicy", allow(action="s3:*")),)
    denied = run(SESSION, PolicySet(identity=identity, session_policies=(policy("S", allow(action="sqs:*"), policy_type="session"),)))
    assert denied.decision is Decision.IMPLICIT_DENY and denied.deciding_stage is Stage.SESSION
    assert run(SESSION, PolicySet(identity=identity)).decision is Decision.ALLOW  # no session policy: role session passes


def test_federated_user_session_without_session_policy_is_denied() -> None:
    """evaluation-logic: 'If there is no session policy, ... If the principal is a role session, then the request is Allowed. Otherwise, ... Deny'."""
    federated = Principal(f"arn:aws:sts::{A}:federated-user/fed", PrincipalKind.FEDERATED, account=A)
    identity = (policy("FederatingUser", allow()),)
    evaluation = run(federated, PolicySet(identity=identity))
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.SESSION
    assert run(federated, PolicySet(identity=identity, session_policies=(policy("S", allow(), policy_type="session"),))).decision is Decision.ALLOW


# --- cross-account (reference_policies_evaluation-logic-cross-account.md) -------------------------


def test_cross_account_needs_both_sides() -> None:
    """cross-account page: the identity policy in the trusted account AND the resource policy in the trusting account must allow."""
    identity = (policy("BobS3", allow(sid="Read")),)
    grant = bucket_policy({"AWS": BOB_B.arn})
    only_identity = run(BOB_B, PolicySet(identity=identity), resource_account=A)
    assert only_identity.decision is Decision.IMPLICIT_DENY and only_identity.deciding_stage is Stage.RESOURCE_POLICY
    only_resource = run(BOB_B, PolicySet(resource_policy=grant), resource_account=A)
    assert only_resource.decision is Decision.IMPLICIT_DENY and only_resource.deciding_stage is Stage.IDENTITY
    both = run(BOB_B, PolicySet(identity=identity, resource_policy=grant), resource_account=A)
    assert both.decision is Decision.ALLOW and deciding(both) == ["BobS3#Read", "Bucket#Grant"]


def test_cross_account_grant_to_the_account_is_enough_on_the_resource_side() -> None:
    """cross-account page: the resource owner can trust the whole account; the account's admin delegates."""
    policies = PolicySet(identity=(policy("BobS3", allow()),), resource_policy=bucket_policy({"AWS": f"arn:aws:iam::{B}:root"}))
    assert run(BOB_B, policies, resource_account=A).decision is Decision.ALLOW


def test_cross_account_boundary_still_limits() -> None:
    """cross-account page: the caller's account evaluates its own policies, boundaries included."""
    policies = PolicySet(
        identity=(policy("BobS3", allow()),),
        resource_policy=bucket_policy({"AWS": BOB_B.arn}),
        permission_boundary=policy("B", allow(action="ec2:*"), policy_type="boundary"),
    )
    evaluation = run(BOB_B, policies, resource_account=A)
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.PERMISSION_BOUNDARY


# --- SCPs and RCPs ------------------------------------------------------------------------------


def _full(name: str, policy_type: str) -> NamedPolicy:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if policy_type == "rcp":
        statement["Principal"] = "*"
    return policy(name, statement, policy_type=policy_type)


def test_scp_every_level_must_allow() -> None:
    """evaluation-logic, Organizations SCPs: without an applicable Allow the request is denied; orgs SCP evaluation: every level from the root to the account."""
    identity = (policy("P", allow()),)
    ou_without_s3 = policy("OuEc2", allow(action="ec2:*"), policy_type="scp")
    denied = run(ALICE, PolicySet(identity=identity, scp_levels=((_full("Root", "scp"),), (ou_without_s3,))))
    assert denied.decision is Decision.IMPLICIT_DENY and denied.deciding_stage is Stage.SCP
    scp = next(stage for stage in denied.stages if stage.stage is Stage.SCP)
    assert "1" in scp.note
    allowed = run(ALICE, PolicySet(identity=identity, scp_levels=((_full("Root", "scp"),), (_full("Ou", "scp"),))))
    assert allowed.decision is Decision.ALLOW


def test_scp_limits_resource_policy_grants_too() -> None:
    """evaluation-logic: SCPs are evaluated before resource-based policies for principals of the account."""
    policies = PolicySet(resource_policy=bucket_policy({"AWS": ALICE.arn}), scp_levels=((policy("Ec2", allow(action="ec2:*"), policy_type="scp"),),))
    assert run(ALICE, policies).decision is Decision.IMPLICIT_DENY


def test_scp_deny_is_explicit() -> None:
    policies = PolicySet(identity=(policy("P", allow()),), scp_levels=((_full("Root", "scp"), policy("NoS3", deny(action="s3:*", sid="NoS3"), policy_type="scp")),))
    evaluation = run(ALICE, policies)
    assert evaluation.decision is Decision.EXPLICIT_DENY and deciding(evaluation) == ["NoS3#NoS3"]


def test_scps_do_not_apply_to_service_principals() -> None:
    """orgs SCPs: they restrict IAM users and roles of member accounts, not AWS service principals."""
    service = Principal("cloudtrail.amazonaws.com", PrincipalKind.SERVICE)
    policies = PolicySet(resource_policy=bucket_policy({"Service": "cloudtrail.amazonaws.com"}), scp_levels=((policy("None", allow(action="ec2:*"), policy_type="scp"),),))
    assert run(service, policies).decision is Decision.ALLOW


def test_rcp_limits_and_does_not_grant() -> None:
    """orgs RCPs: 'No permissions are granted by an RCP'; every level must allow."""
    grant = bucket_policy({"AWS": BOB_B.arn})
    identity = (policy("BobS3", allow()),)
    blocking = policy("RcpDeny", {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": A}}}, policy_type="rcp")
    evaluation = run(BOB_B, PolicySet(identity=identity, resource_policy=grant, rcp_levels=((_full("RCPFull", "rcp"), blocking),)), resource_account=A)
    assert evaluation.decision is Decision.EXPLICIT_DENY
    no_grant = run(ALICE, PolicySet(rcp_levels=((_full("RCPFull", "rcp"),),)))
    assert no_grant.decision is Decision.IMPLICIT_DENY
    missing_level = run(ALICE, PolicySet(identity=(policy("P", allow()),), rcp_levels=((policy("Sqs", {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}, policy_type="rcp"),),)))
    assert missing_level.decision is Decision.IMPLICIT_DENY and missing_level.deciding_stage is Stage.RCP


def test_rcps_apply_only_to_supported_services() -> None:
    """orgs RCPs: 'RCPs apply to resources of the following AWS services' (EC2 is not one of them)."""
    rcp = policy("OnlyS3", {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}, policy_type="rcp")
    policies = PolicySet(identity=(policy("P", allow(action="ec2:DescribeInstances")),), rcp_levels=((rcp,),))
    assert run(ALICE, policies, action="ec2:DescribeInstances", resource="*").decision is Decision.ALLOW


# --- trust policies, KMS key policies (ResourcePolicyRule.REQUIRED) -----------------------------


def _trust(principal: object, sid: str = "Trust", condition: dict | None = None) -> NamedPolicy:
    statement: dict = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return policy("Trust", statement, policy_type="trust")


def test_trust_policy_must_allow_even_with_identity_allow() -> None:
    """evaluation-logic: 'IAM role trust policies and KMS key policies are exceptions ... they must explicitly allow access for principals'."""
    identity = (policy("AssumeAny", allow(action="sts:AssumeRole")),)
    other_trust = _trust({"AWS": f"arn:aws:iam::{A}:user/someone-else"})
    evaluation = run(ALICE, PolicySet(identity=identity, resource_policy=other_trust, resource_policy_rule=ResourcePolicyRule.REQUIRED),
                     action="sts:AssumeRole", resource=ROLE_ARN)
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.RESOURCE_POLICY
    missing = run(ALICE, PolicySet(identity=identity, resource_policy_rule=ResourcePolicyRule.REQUIRED), action="sts:AssumeRole", resource=ROLE_ARN)
    assert missing.decision is Decision.IMPLICIT_DENY


def test_trust_naming_the_account_needs_identity_allow() -> None:
    """id_roles_compare-resource-policies: trusting an account lets its administrators delegate via identity policies."""
    trust = _trust({"AWS": f"arn:aws:iam::{A}:root"})
    required = ResourcePolicyRule.REQUIRED
    assert run(ALICE, PolicySet(resource_policy=trust, resource_policy_rule=required), action="sts:AssumeRole", resource=ROLE_ARN).decision is Decision.IMPLICIT_DENY
    evaluation = run(ALICE, PolicySet(identity=(policy("Assume", allow(action="sts:AssumeRole", sid="Assume")),), resource_policy=trust, resource_policy_rule=required),
                     action="sts:AssumeRole", resource=ROLE_ARN)
    assert evaluation.decision is Decision.ALLOW and deciding(evaluation) == ["Assume#Assume", "Trust#Trust"]


def test_trust_condition_external_id() -> None:
    """id_roles_create_for-user_externalid: the trust policy's sts:ExternalId condition must hold."""
    trust = _trust({"AWS": BOB_B.arn}, condition={"StringEquals": {"sts:ExternalId": "secret"}})
    policies = PolicySet(identity=(policy("Assume", allow(action="sts:AssumeRole")),), resource_policy=trust, resource_policy_rule=ResourcePolicyRule.REQUIRED)
    ok = run(BOB_B, policies, action="sts:AssumeRole", resource=ROLE_ARN, context={"sts:ExternalId": ("secret",)})
    assert ok.decision is Decision.ALLOW
    wrong = run(BOB_B, policies, action="sts:AssumeRole", resource=ROLE_ARN, context={"sts:ExternalId": ("guess",)})
    assert wrong.decision is Decision.IMPLICIT_DENY and wrong.deciding_stage is Stage.RESOURCE_POLICY


def test_kms_key_policy_naming_user_allows_without_iam_policy() -> None:
    """evaluation-logic: KMS key policies 'must explicitly allow access'; a key policy naming the user grants it directly."""
    key_policy = policy("Key", {"Sid": "UseKey", "Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "kms:Decrypt", "Resource": "*"}, policy_type="resource")
    key = f"arn:aws:kms:us-east-1:{A}:key/1234"
    evaluation = run(ALICE, PolicySet(resource_policy=key_policy, resource_policy_rule=ResourcePolicyRule.REQUIRED), action="kms:Decrypt", resource=key)
    assert evaluation.decision is Decision.ALLOW and deciding(evaluation) == ["Key#UseKey"]


# --- service, anonymous and NotPrincipal --------------------------------------------------------


def test_service_principal_is_authorized_by_resource_policy_only() -> None:
    """reference_policies_elements_principal.md, service principals: granted through resource-based policies."""
    service = Principal("cloudtrail.amazonaws.com", PrincipalKind.SERVICE)
    evaluation = run(service, PolicySet(resource_policy=bucket_policy({"Service": "cloudtrail.amazonaws.com"}, action="s3:PutObject")), action="s3:PutObject")
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.RESOURCE_POLICY
    other = run(service, PolicySet(identity=(policy("P", allow(action="s3:*")),)), action="s3:PutObject")
    assert other.decision is Decision.IMPLICIT_DENY
    identity_stage = next(stage for stage in other.stages if stage.stage is Stage.IDENTITY)
    assert identity_stage.outcome is StageOutcome.NOT_PRESENT and "resource-based" in identity_stage.note


def test_anonymous_caller_needs_a_wildcard_principal() -> None:
    """reference_policies_elements_principal.md: '*' 'grants access to all users, including anonymous users'."""
    anonymous = Principal("*", PrincipalKind.ANONYMOUS)
    assert run(anonymous, PolicySet(resource_policy=bucket_policy("*")), resource_account=A).decision is Decision.ALLOW
    assert run(anonymous, PolicySet(resource_policy=bucket_policy({"AWS": "*"})), resource_account=A).decision is Decision.ALLOW
    assert run(anonymous, PolicySet(resource_policy=bucket_policy({"AWS": A})), resource_account=A).decision is Decision.IMPLICIT_DENY


def test_not_principal_deny_needs_the_whole_chain() -> None:
    """reference_policies_elements_notprincipal.md: list the session, the role and the account, else the deny may hit the account."""
    bucket = policy("Bucket",
                    {"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"},
                    {"Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {"AWS": [SESSION.arn, ROLE_ARN, f"arn:aws:iam::{A}:root"]},
                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}, policy_type="resource")
    assert run(SESSION, PolicySet(resource_policy=bucket)).decision is Decision.ALLOW
    assert run(ALICE, PolicySet(resource_policy=bucket)).decision is Decision.EXPLICIT_DENY
    only_session = policy("Bucket2",
                          {"Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {"AWS": SESSION.arn}, "Action": "s3:GetObject", "Resource": "*"},
                          policy_type="resource")
    assert run(SESSION, PolicySet(identity=(policy("P", allow()),), resource_policy=only_session)).decision is Decision.EXPLICIT_DENY


def test_compiled_set_is_reused_and_gives_the_same_answers() -> None:
    policies = PolicySet(identity=(policy("P", allow(resource="arn:aws:s3:::shared/*")),))
    compiled = compile_policies(policies)
    assert isinstance(compiled, CompiledPolicySet)
    for resource, expected in ((BUCKET_OBJECT, Decision.ALLOW), ("arn:aws:s3:::other/k", Decision.IMPLICIT_DENY)) * 2:
        request = Request(ALICE, "s3:GetObject", resource)
        assert decide(request, compiled) is expected
        assert evaluate(request, compiled).decision is expected
    assert compile_policies(policies).identity[0].compiled is compiled.identity[0].compiled


# --- what temporary credentials can never do (id_credentials_temp_request.md) -------------------


def test_get_caller_identity_needs_no_permission() -> None:
    """id_credentials_temp_request, note 4: GetCallerIdentity works 'even if ... a policy ... explicitly denies'."""
    policies = PolicySet(identity=(policy("NoSts", deny(action="sts:*")),))
    evaluation = run(ALICE, policies, action="sts:GetCallerIdentity", resource="*")
    assert evaluation.decision is Decision.ALLOW and evaluation.deciding_stage is Stage.DEFAULT


def test_role_session_cannot_get_federation_or_session_tokens() -> None:
    """id_credentials_temp_request, AssumeRole: 'Cannot call GetFederationToken or GetSessionToken'."""
    everything = PolicySet(identity=(policy("All", allow(action="*")),))
    for action in ("sts:GetFederationToken", "sts:GetSessionToken"):
        evaluation = run(SESSION, everything, action=action, resource="*")
        assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.SESSION
    assert run(SESSION, everything, action="sts:AssumeRole", resource="*").decision is Decision.ALLOW


def test_federated_user_cannot_call_iam_or_sts_and_root_cannot_assume_roles() -> None:
    """id_credentials_temp_request: GetFederationToken sessions 'Cannot call IAM operations' nor STS; AssumeRole callers are IAM users or roles."""
    federated = Principal(f"arn:aws:sts::{A}:federated-user/fed", PrincipalKind.FEDERATED, account=A)
    everything = PolicySet(identity=(policy("All", allow(action="*")),), session_policies=(policy("S", allow(action="*"), policy_type="session"),))
    assert run(federated, everything, action="iam:ListUsers", resource="*").decision is Decision.IMPLICIT_DENY
    assert run(federated, everything, action="sts:AssumeRole", resource=ROLE_ARN).decision is Decision.IMPLICIT_DENY
    assert run(federated, everything, action="s3:GetObject").decision is Decision.ALLOW
    root = Principal(f"arn:aws:iam::{A}:root", PrincipalKind.ACCOUNT_ROOT, account=A)
    trust = PolicySet(resource_policy=_trust({"AWS": A}), resource_policy_rule=ResourcePolicyRule.REQUIRED)
    evaluation = run(root, trust, action="sts:AssumeRole", resource=ROLE_ARN)
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.IDENTITY


def test_resource_policies_do_not_grant_across_partitions() -> None:
    """id_roles_compare-resource-policies: 'resource-based policies delegate access across accounts only within a single partition'."""
    china_bucket = policy("Cn", {"Effect": "Allow", "Principal": {"AWS": BOB_B.arn}, "Action": "s3:GetObject", "Resource": "*"}, policy_type="resource")
    policies = PolicySet(identity=(policy("BobS3", allow()),), resource_policy=china_bucket)
    evaluation = run(BOB_B, policies, resource="arn:aws-cn:s3:::bucket/k", resource_account=A)
    assert evaluation.decision is Decision.IMPLICIT_DENY and evaluation.deciding_stage is Stage.RESOURCE_POLICY
    assert "partition" in evaluation.reason
    assert run(BOB_B, policies, resource="arn:aws:s3:::bucket/k", resource_account=A).decision is Decision.ALLOW
