"""The inputs of one authorization question: who asks, for what, on which resource, with which policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

from iam_desktop.policy.document import PolicyDocument


class PrincipalKind(str, Enum):
    """What kind of caller makes the request."""

    USER = "user"
    ROLE = "role"
    ROLE_SESSION = "role_session"
    ACCOUNT_ROOT = "account_root"
    SERVICE = "service"
    FEDERATED = "federated"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """The caller of a request.

    Parameters
    ----------
    arn
        The caller's ARN as AWS sees it: ``arn:aws:iam::111122223333:user/alice``,
        ``arn:aws:sts::111122223333:assumed-role/Dev/session``, ``arn:aws:iam::111122223333:root``;
        the service name for a service principal (``lambda.amazonaws.com``); ``"*"`` for anonymous.
    kind
        The kind of caller.
    account
        The caller's 12-digit account id (``None`` for services and anonymous callers).
    role_arn
        For a role session, the ARN of the role it assumed (``arn:aws:iam::111122223333:role/Dev``); for a
        federated user session (``GetFederationToken``), optionally the ARN of the IAM user who called it
        (a resource-based policy naming that user reaches the session, limited by its session policy).
    tags
        Principal tags (``aws:PrincipalTag/...``), keys as written.
    user_id
        The unique id (``AIDA...``, or ``AROA...:session`` for a role session) used by ``aws:userid``.
    """

    arn: str
    kind: PrincipalKind
    account: str | None = None
    role_arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    user_id: str | None = None


@dataclass(frozen=True)
class Request:
    """One request: a principal performs an action on a resource, with context values.

    ``context`` maps condition keys (case-insensitive; any case accepted) to their values, always as a
    tuple of strings, even for single-valued keys. Keys the engine derives from the principal
    (``aws:username``, ``aws:userid``, ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalTag/*``,
    ``aws:PrincipalType``) are filled in by the engine unless given here.
    ``resource_account`` is the account owning the resource (``None``: the principal's own account).
    """

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    resource_account: str | None = None


class PolicyRole(str, Enum):
    """Where a policy takes part in an evaluation."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    PERMISSION_BOUNDARY = "permission_boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True)
class NamedPolicy:
    """A parsed policy document with the name and origin shown in explanations.

    ``source`` tells the person where the policy comes from, e.g. ``"inline policy on user alice"``,
    ``"managed policy ReadOnly attached to group devs"``, ``"bucket policy of arn:aws:s3:::b"``.
    ``ref`` is the model id (or ARN) that a GUI can open when the person clicks the policy.
    """

    name: str
    document: PolicyDocument
    source: str = ""
    ref: str | None = None


class ResourcePolicyRule(str, Enum):
    """How the resource-based policy combines with identity policies for this resource type.

    ``EITHER``: the usual rule (same account: identity or resource policy may allow).
    ``REQUIRED``: the resource policy must itself allow, whatever identity policies say (KMS key
    policies, role trust policies for ``sts:AssumeRole*``).
    """

    EITHER = "either"
    REQUIRED = "required"


@dataclass(frozen=True)
class PolicySet:
    """Every policy that takes part in one evaluation, grouped by role.

    ``scp_levels`` / ``rcp_levels``: one tuple of policies per organization level, from the root through
    each OU to the account; every level must allow. An empty tuple means the account is not governed
    by that policy type (no organization, or the management account, or a service-linked role).
    ``session_policies``: ``None`` when the caller is not a session with session policies.
    ``permission_boundary``: ``None`` when the principal has none.
    ``resource_policy``: ``None`` when the resource has no resource-based policy.
    """

    identity: tuple[NamedPolicy, ...] = ()
    resource_policy: NamedPolicy | None = None
    resource_policy_rule: ResourcePolicyRule = ResourcePolicyRule.EITHER
    permission_boundary: NamedPolicy | None = None
    session_policies: tuple[NamedPolicy, ...] | None = None
    scp_levels: tuple[tuple[NamedPolicy, ...], ...] = ()
    rcp_levels: tuple[tuple[NamedPolicy, ...], ...] = ()
