"""The one place where AWS's evaluation order turns per-stage facts into a decision.

Both the fast path (:func:`decide`) and the explained path (:func:`evaluate`) collect the same
:class:`StageFacts` and call :func:`combine`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from iam_desktop.policy.context import is_federated_user_session
from iam_desktop.policy.explanation import Decision, Stage
from iam_desktop.policy.principals import PrincipalMatch
from iam_desktop.policy.request import Principal, PrincipalKind, Request, ResourcePolicyRule


class Grant(str, Enum):
    """Which policies granted an allowed request (their allowing statements are the deciding ones)."""

    NONE = "none"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOTH = "both"


@dataclass(frozen=True)
class StageFacts:
    """What each stage's policies say about one request (``*_applies`` False: the stage takes no part)."""

    deny: bool
    scp_applies: bool
    scp_allows: bool
    rcp_applies: bool
    rcp_allows: bool
    resource_match: PrincipalMatch
    identity_present: bool
    identity_allows: bool
    boundary_present: bool
    boundary_allows: bool
    session_present: bool
    session_allows: bool


@dataclass(frozen=True)
class Verdict:
    """The decision, the stage that made it, which grant counted, and the reason in one sentence."""

    decision: Decision
    stage: Stage
    grant: Grant
    reason: str


def acts_through_identity(principal: Principal) -> bool:
    """IAM users, roles, role sessions, federated user sessions and the root user have identity policies.

    Service principals, web-identity / SAML providers and anonymous callers are authorized by
    resource-based policies only (reference_policies_elements_principal.md).
    """
    kind = principal.kind
    if kind is PrincipalKind.FEDERATED:
        return is_federated_user_session(principal)
    return kind not in (PrincipalKind.SERVICE, PrincipalKind.ANONYMOUS)


def is_cross_account(request: Request) -> bool:
    """Whether the resource belongs to another account than the caller (reference_policies_evaluation-logic-cross-account.md)."""
    caller_account = request.principal.account
    return caller_account is not None and request.resource_account not in (None, caller_account)


def partition_of(arn: str) -> str | None:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``) of an ARN, or ``None`` for anything else."""
    return arn.split(":", 2)[1] if arn.startswith("arn:") and arn.count(":") >= 2 else None


_SERVICE_LINKED_PATH = ":role/aws-service-role/"


def is_service_linked_role(principal: Principal) -> bool:
    """Whether the caller is a service-linked role or one of its sessions (role path ``/aws-service-role/``).

    SCPs do not restrict service-linked roles (orgs_manage_policies_scps, "Tasks and entities not
    restricted by SCPs"), nor do RCPs (orgs_manage_policies_rcps, "...not restricted by RCPs").
    """
    kind = principal.kind
    if kind is PrincipalKind.ROLE_SESSION:
        return principal.role_arn is not None and _SERVICE_LINKED_PATH in principal.role_arn
    return kind is PrincipalKind.ROLE and _SERVICE_LINKED_PATH in principal.arn


def scps_govern(principal: Principal) -> bool:
    """Whether given SCP levels limit this caller: principals with identity policies, service-linked roles excepted."""
    return acts_through_identity(principal) and not is_service_linked_role(principal)


def crosses_partition(request: Request) -> bool:
    """Roles and resource-based policies delegate access only within one partition (id_roles_compare-resource-policies)."""
    caller = partition_of(request.principal.arn)
    resource = partition_of(request.resource)
    return caller is not None and resource is not None and caller != resource


_ROLE_SESSION_CANNOT = frozenset({"sts:getfederationtoken", "sts:getsessiontoken"})


def credential_restriction(principal: Principal, action: str) -> tuple[Stage, str] | None:
    """What the caller's kind of credentials can never do (id_credentials_temp_request.md, comparison table).

    Role sessions cannot call GetFederationToken or GetSessionToken; federated user sessions cannot
    call IAM operations nor STS operations other than GetCallerIdentity; only IAM users and roles can
    call AssumeRole, so the root user cannot. ``action`` is lower-cased.
    """
    kind = principal.kind
    if kind in (PrincipalKind.ROLE_SESSION, PrincipalKind.ROLE) and action in _ROLE_SESSION_CANNOT:
        return Stage.SESSION, "Credentials from AssumeRole cannot call GetFederationToken or GetSessionToken."
    if is_federated_user_session(principal) and (action.startswith("iam:") or action.startswith("sts:")):
        return Stage.SESSION, "Federated user sessions (GetFederationToken) cannot call IAM operations or STS operations other than GetCallerIdentity."
    if kind is PrincipalKind.ACCOUNT_ROOT and action == "sts:assumerole":
        return Stage.IDENTITY, "The root user cannot assume roles: only IAM users and roles can call AssumeRole."
    return None


def _is_assume_role(request: Request) -> bool:
    return request.action.lower().startswith("sts:assumerole")


def _implicit(stage: Stage, reason: str) -> Verdict:
    return Verdict(Decision.IMPLICIT_DENY, stage, Grant.NONE, reason)


def combine(facts: StageFacts, request: Request, rule: ResourcePolicyRule) -> Verdict:
    """Apply AWS's evaluation order to the stage facts.

    The order (reference_policies_evaluation-logic.md unless noted):

    0. ``sts:GetCallerIdentity`` needs no permission, even against an explicit deny
       (id_credentials_temp_request.md, note 4).
    1. An explicit Deny that applies in any policy (SCP, RCP, resource-based, identity, boundary,
       session) gives EXPLICIT_DENY.
    2. SCPs (principals of member accounts, whatever policy grants them, service-linked roles excepted;
       orgs_manage_policies_scps): every level from the root to the account needs an applying Allow,
       else IMPLICIT_DENY at SCP.
    3. RCPs (resources of member accounts, supported services, every caller but service-linked roles;
       orgs_manage_policies_rcps): likewise, IMPLICIT_DENY at RCP.
    3b. What the credentials can never do (id_credentials_temp_request.md): role sessions cannot call
       GetFederationToken / GetSessionToken, federated user sessions cannot call IAM or STS (but
       GetCallerIdentity), the root user cannot AssumeRole. Nothing grants access to a resource in
       another partition than the caller's (id_roles_compare-resource-policies.md).
    4. Callers without identity policies (services, web-identity / SAML providers, anonymous) are
       allowed only by the resource-based policy naming them (anonymous: only ``"*"``).
    5. ResourcePolicyRule.REQUIRED (KMS key policies, role trust policies): the resource policy must
       allow, else IMPLICIT_DENY at RESOURCE_POLICY.
    6. Cross-account (reference_policies_evaluation-logic-cross-account.md): the resource policy must
       allow (naming the account is enough) AND the caller's identity policy, permissions boundary and
       session policy must allow.
    7. Same account (resource-based policies section of the evaluation-logic page and
       access_policies_boundaries.md): a resource policy naming the user, the role session, the
       federated user session or ``"*"`` allows on its own; one naming the role ARN allows when the
       boundary and session policies (if any) allow; one naming the account delegates to IAM.
       Otherwise the identity policies must allow, then the permissions boundary (if any), then the
       session policies (role sessions without session policies pass; federated user sessions need one).
       The root user has full access in its own account. A trust policy naming a user or session
       directly allows sts:AssumeRole without an identity-based policy but is still limited by the
       caller's boundary and session policy (id_roles_update-role-trust-policy.md, Notes).

    Deciding stage: cross-account allows and REQUIRED-rule allows are reported at RESOURCE_POLICY
    with the resource and identity statements; an allow through identity policies at IDENTITY; the
    root user's implicit full access at DEFAULT; an implicit deny at the first stage that lacked an
    Allow in the order above (IDENTITY when nothing grants the request).
    """
    principal = request.principal
    action = request.action.lower()
    if action == "sts:getcalleridentity" and acts_through_identity(principal):
        return Verdict(Decision.ALLOW, Stage.DEFAULT, Grant.NONE, "GetCallerIdentity needs no permission: AWS answers it even when a policy denies it.")
    if facts.deny:
        return Verdict(Decision.EXPLICIT_DENY, Stage.EXPLICIT_DENY, Grant.NONE, "An explicit Deny statement applies, and an explicit deny in any policy overrides every allow.")
    if facts.scp_applies and not facts.scp_allows:
        return _implicit(Stage.SCP, "A service control policy level has no Allow for this request, so the organization's SCPs deny it implicitly.")
    if facts.rcp_applies and not facts.rcp_allows:
        return _implicit(Stage.RCP, "A resource control policy level has no Allow for this request, so the organization's RCPs deny it implicitly.")
    restriction = credential_restriction(principal, action)
    if restriction is not None:
        return _implicit(*restriction)
    matched = facts.resource_match
    if crosses_partition(request):
        # id_roles_compare-resource-policies: roles and resource-based policies delegate access only within
        # one partition; identity-based policies cannot reach another partition either (its accounts are separate).
        stage = Stage.RESOURCE_POLICY if matched else Stage.IDENTITY
        return _implicit(stage, "The resource is in another partition than the caller, and no policy grants access across partitions.")
    if not acts_through_identity(principal):
        if matched >= PrincipalMatch.DIRECT:
            return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.RESOURCE, "The resource-based policy allows this caller, which has no identity policies.")
        return _implicit(Stage.RESOURCE_POLICY, f"A {principal.kind.value} caller can only be allowed by a resource-based policy that names it, and none does.")
    if rule is ResourcePolicyRule.REQUIRED and not matched:
        return _implicit(Stage.RESOURCE_POLICY, "This resource's policy (such as a KMS key policy or a role trust policy) must itself allow the caller, and it does not.")
    is_root = principal.kind is PrincipalKind.ACCOUNT_ROOT
    identity_allows = facts.identity_allows or is_root
    boundary_ok = not facts.boundary_present or facts.boundary_allows or is_root
    if not facts.session_present:
        session_ok = not is_federated_user_session(principal)
    else:
        session_ok = facts.session_allows
    if is_cross_account(request):
        if not matched:
            return _implicit(Stage.RESOURCE_POLICY, "Cross-account access needs the resource-based policy in the resource's account to allow the caller, and it does not.")
        if not identity_allows:
            return _implicit(Stage.IDENTITY, "Cross-account access needs an identity-based policy in the caller's account to allow the request too, and none does.")
        if not boundary_ok:
            return _implicit(Stage.PERMISSION_BOUNDARY, "The permissions boundary does not allow the request.")
        if not session_ok:
            return _implicit(Stage.SESSION, "The session policy does not allow the request.")
        return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.BOTH, "Both the resource-based policy and the caller's identity-based policy allow this cross-account request.")
    if matched is PrincipalMatch.DIRECT and rule is ResourcePolicyRule.REQUIRED and _is_assume_role(request):
        # id_roles_update-role-trust-policy (Notes): a user named in a trust policy still needs its permissions
        # boundary (and session policy) to allow sts:AssumeRole, unlike other resource-based grants; within the
        # account no identity-based policy is needed.
        if boundary_ok and session_ok:
            return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.RESOURCE, "The role's trust policy names the caller directly, which allows sts:AssumeRole within the account without an identity-based policy; the caller's permissions boundary and session policy (if any) allow it too.")
        if not boundary_ok:
            return _implicit(Stage.PERMISSION_BOUNDARY, "The role's trust policy names the caller directly, but a permissions boundary still limits sts:AssumeRole, and the caller's boundary does not allow it.")
        return _implicit(Stage.SESSION, "The role's trust policy names the caller directly, but the caller's session policy still limits sts:AssumeRole, and it does not allow it.")
    if matched is PrincipalMatch.DIRECT:
        return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.RESOURCE, "The resource-based policy names this caller directly, which allows the request within the account whatever identity policies, boundaries and session policies leave out.")
    if matched is PrincipalMatch.ROLE and boundary_ok and session_ok:
        return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.RESOURCE, "The resource-based policy names the caller's role, and the role's permissions boundary and session policies do not limit it.")
    if not identity_allows and matched is not PrincipalMatch.ROLE:
        return _implicit(Stage.IDENTITY, "No identity-based policy allows the request, and no resource-based policy grants it to this caller.")
    if not boundary_ok:
        return _implicit(Stage.PERMISSION_BOUNDARY, "The permissions boundary does not allow the request.")
    if not session_ok:
        if not facts.session_present:
            return _implicit(Stage.SESSION, "A federated user session without a session policy has no permissions of its own.")
        return _implicit(Stage.SESSION, "The session policy does not allow the request.")
    if rule is ResourcePolicyRule.REQUIRED:
        return Verdict(Decision.ALLOW, Stage.RESOURCE_POLICY, Grant.BOTH, "The resource's policy names the caller's account, delegating to IAM, and an identity-based policy allows the request.")
    if is_root and not facts.identity_allows:
        return Verdict(Decision.ALLOW, Stage.DEFAULT, Grant.NONE, "The account root user has full access to its own account's resources.")
    return Verdict(Decision.ALLOW, Stage.IDENTITY, Grant.IDENTITY, "An identity-based policy allows the request, and no boundary or session policy limits it.")
