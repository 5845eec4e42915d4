"""The entities of an access model: accounts, organization units, IAM principals, policies and resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Union


class EntityKind(str, Enum):
    """The kinds of node a model holds (and the canvas palette offers)."""

    ORG_UNIT = "org_unit"
    ACCOUNT = "account"
    USER = "user"
    GROUP = "group"
    ROLE = "role"
    MANAGED_POLICY = "managed_policy"
    SERVICE = "service"
    RESOURCE = "resource"


class PolicyType(str, Enum):
    """What a managed policy is used as."""

    IAM = "iam"  # identity policy or permission boundary
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True)
class InlinePolicy:
    """A policy embedded in one user, group or role; ``document`` is the AWS policy JSON as written."""

    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class OrgUnit:
    """The organization root (``parent`` None) or an organizational unit; SCPs/RCPs attach via ``policies``."""

    id: str
    name: str
    parent: str | None = None
    policies: tuple[str, ...] = ()
    kind: EntityKind = field(default=EntityKind.ORG_UNIT, init=False)


@dataclass(frozen=True)
class Account:
    """An AWS account (12-digit ``account_id``), optionally inside an organization unit."""

    id: str
    name: str
    account_id: str
    parent: str | None = None
    policies: tuple[str, ...] = ()
    kind: EntityKind = field(default=EntityKind.ACCOUNT, init=False)


@dataclass(frozen=True)
class User:
    """An IAM user: a person (or program) with long-term credentials."""

    id: str
    name: str
    account: str
    path: str = "/"
    tags: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    managed_policies: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    permission_boundary: str | None = None
    user_id: str | None = None
    kind: EntityKind = field(default=EntityKind.USER, init=False)


@dataclass(frozen=True)
class Group:
    """An IAM group: carries policies for its member users."""

    id: str
    name: str
    account: str
    path: str = "/"
    managed_policies: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    kind: EntityKind = field(default=EntityKind.GROUP, init=False)


@dataclass(frozen=True)
class Role:
    """An IAM role: assumed by principals its trust policy names, for temporary credentials."""

    id: str
    name: str
    account: str
    trust_policy: Mapping[str, Any] = field(default_factory=lambda: {"Version": "2012-10-17", "Statement": []})
    path: str = "/"
    tags: Mapping[str, str] = field(default_factory=dict)
    managed_policies: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    permission_boundary: str | None = None
    max_session_duration: int = 3600
    description: str = ""
    role_id: str | None = None
    kind: EntityKind = field(default=EntityKind.ROLE, init=False)


@dataclass(frozen=True)
class ManagedPolicy:
    """A standalone policy attachable to many principals (or to organization levels, for SCPs/RCPs).

    ``account`` is None for AWS-managed policies (ARN ``arn:aws:iam::aws:policy/...``) and for SCPs/RCPs.
    ``arn`` is kept as given (AWS-managed and organization policies have fixed ARNs); ``None`` derives it.
    """

    id: str
    name: str
    document: Mapping[str, Any]
    account: str | None = None
    path: str = "/"
    policy_type: PolicyType = PolicyType.IAM
    description: str = ""
    arn: str | None = None
    kind: EntityKind = field(default=EntityKind.MANAGED_POLICY, init=False)


@dataclass(frozen=True)
class ServicePrincipal:
    """An AWS service acting as a principal, named like ``lambda.amazonaws.com``."""

    id: str
    name: str
    kind: EntityKind = field(default=EntityKind.SERVICE, init=False)


@dataclass(frozen=True)
class Resource:
    """An AWS resource: its type (``s3_bucket``, ``kms_key``, ...), ARN, optional resource policy and run-as role.

    ``runs_as`` is the id of the role compute resources (Lambda function, EC2 instance, ECS task) run as.
    """

    id: str
    name: str
    account: str
    resource_type: str
    arn: str
    policy: Mapping[str, Any] | None = None
    runs_as: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    kind: EntityKind = field(default=EntityKind.RESOURCE, init=False)


Entity = Union[OrgUnit, Account, User, Group, Role, ManagedPolicy, ServicePrincipal, Resource]
Principal = Union[User, Role, ServicePrincipal, Account]


@dataclass(frozen=True)
class Placement:
    """Where an entity sits on the canvas; width/height for frames (accounts, organization units)."""

    x: float
    y: float
    width: float | None = None
    height: float | None = None
