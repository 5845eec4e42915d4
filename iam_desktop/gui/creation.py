"""New entities from palette entries: default names that do not clash, the owning account, proposed ARNs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from iam_desktop.model import (
    Account, Entity, EntityKind, Group, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role,
    ServicePrincipal, User,
    Workspace,
)
from iam_desktop.model.resource_types import RESOURCE_TYPES, propose_arn

MIME_TYPE = "application/x-iam-desktop-palette-entry"
DEFAULT_ACCOUNT_ID = "111111111111"
NODE_SIZE = (184.0, 50.0)
ACCOUNT_SIZE = (480.0, 320.0)
ORG_UNIT_SIZE = (600.0, 420.0)
EMPTY_POLICY = {"Version": "2012-10-17", "Statement": []}


@dataclass(frozen=True)
class PaletteEntry:
    """One thing the palette offers: its key (dragged as MIME data), label, icon style and section."""

    key: str
    label: str
    style_key: str
    section: str


_RESOURCE_BASES = {"s3_bucket": "bucket", "dynamodb_table": "table", "lambda_function": "function",
                   "ec2_instance": "instance", "ecs_task": "task", "sqs_queue": "queue", "sns_topic": "topic",
                   "kms_key": "key", "secret": "secret", "generic": "resource"}
SERVICES = {"lambda.amazonaws.com": "Lambda service", "ec2.amazonaws.com": "EC2 service",
            "ecs-tasks.amazonaws.com": "ECS tasks service"}

PALETTE: tuple[PaletteEntry, ...] = (
    PaletteEntry("org_unit", "Organization unit", "org_unit", "Organization"),
    PaletteEntry("account", "Account", "account", "Organization"),
    PaletteEntry("policy:scp", "SCP", "policy:scp", "Organization"),
    PaletteEntry("policy:rcp", "RCP", "policy:rcp", "Organization"),
    PaletteEntry("user", "User", "user", "Identities"),
    PaletteEntry("group", "Group", "group", "Identities"),
    PaletteEntry("role", "Role", "role", "Identities"),
    PaletteEntry("policy:iam", "IAM policy", "policy:iam", "Identities"),
    *(PaletteEntry(f"service:{name}", label, "service", "Service principals") for name, label in SERVICES.items()),
    *(PaletteEntry(f"resource:{key}", t.label, f"resource:{key}", "Resources") for key, t in RESOURCE_TYPES.items()),
)


@dataclass
class Creation:
    """What a drop creates: entities (maybe with a default account first), their placements, what to select."""

    entities: list[Entity] = field(default_factory=list)
    placements: dict[str, Placement] = field(default_factory=dict)
    selected: str = ""
    refusal: str = ""


def unique_name(base: str, taken: set[str]) -> str:
    """``base-1``, ``base-2``, ... : the first not in ``taken`` (compared case-insensitively)."""
    lowered = {t.lower() for t in taken}
    n = 1
    while f"{base}-{n}".lower() in lowered:
        n += 1
    return f"{base}-{n}"


def account_ids(workspace: Workspace) -> set[str]:
    """The 12-digit ids of the modelled accounts."""
    return {e.account_id for e in workspace.entities.values() if isinstance(e, Account)}


def unique_account_id(taken: set[str]) -> str:
    """A 12-digit account id not in ``taken``: 111111111111, 222222222222, ... then counting up."""
    for digit in "123456789":
        if digit * 12 not in taken:
            return digit * 12
    n = 100000000000
    while str(n) in taken:
        n += 1
    return str(n)


def create_from_palette(workspace: Workspace, key: str, x: float, y: float,
                        account_at: Callable[[float, float], str | None],
                        org_unit_at: Callable[[float, float], str | None]) -> Creation:
    """The entities a palette entry dropped at scene point (x, y) creates.

    Parameters
    ----------
    workspace
        The model (read only).
    key
        A ``PaletteEntry.key``.
    x, y
        The drop point in scene coordinates (the new node is centred on it).
    account_at, org_unit_at
        The innermost account / organization unit frame under a scene point (None: none).
    """
    creation = Creation()
    if key in ("account", "org_unit"):
        _frame(workspace, key, x, y, org_unit_at(x, y), creation)
        return creation
    if key.startswith("service:"):
        name = key.split(":", 1)[1]
        if any(isinstance(e, ServicePrincipal) and e.name == name for e in workspace.entities.values()):
            creation.refusal = f"{name} is already on the canvas."
            return creation
        entity: Entity = ServicePrincipal(Workspace.new_id(EntityKind.SERVICE), name)
    else:
        needs_account = key not in ("policy:scp", "policy:rcp")
        account_id, number = _owning_account(workspace, x, y, account_at, creation) if needs_account else (None, "")
        entity = _in_account(workspace, key, account_id, number)
    creation.entities.append(entity)
    creation.placements[entity.id] = Placement(x - NODE_SIZE[0] / 2, y - NODE_SIZE[1] / 2)
    creation.selected = entity.id
    return creation


def _frame(workspace: Workspace, key: str, x: float, y: float, parent: str | None, creation: Creation) -> None:
    if key == "account":
        names = {e.name for e in workspace.entities.values() if isinstance(e, Account)}
        entity: Entity = Account(Workspace.new_id(EntityKind.ACCOUNT), unique_name("account", names),
                                 unique_account_id(account_ids(workspace)), parent=parent)
        width, height = ACCOUNT_SIZE
    else:
        names = {e.name for e in workspace.entities.values() if isinstance(e, OrgUnit)}
        entity = OrgUnit(Workspace.new_id(EntityKind.ORG_UNIT), unique_name("ou", names), parent=parent)
        width, height = ORG_UNIT_SIZE
    creation.entities.append(entity)
    creation.placements[entity.id] = Placement(x - width / 2, y - 15, width, height)
    creation.selected = entity.id


def _owning_account(workspace: Workspace, x: float, y: float, account_at: Callable[[float, float], str | None],
                    creation: Creation) -> tuple[str, str]:
    """The account a new node belongs to (and its 12-digit number): under the drop, the first, or a new one."""
    under = account_at(x, y)
    if under is not None:
        return under, workspace.account_id_of(under) or DEFAULT_ACCOUNT_ID
    existing = next((e for e in workspace.entities.values() if isinstance(e, Account)), None)
    if existing is not None:
        return existing.id, existing.account_id
    account = Account(Workspace.new_id(EntityKind.ACCOUNT), "default", DEFAULT_ACCOUNT_ID)
    width, height = ACCOUNT_SIZE
    creation.entities.append(account)
    creation.placements[account.id] = Placement(x - width / 2, y - height / 2, width, height)
    return account.id, account.account_id


def _in_account(workspace: Workspace, key: str, account_id: str | None, number: str) -> Entity:
    kind, _, detail = key.partition(":")
    kind_value = "managed_policy" if kind == "policy" else kind
    same_kind = [e for e in workspace.entities.values() if e.kind.value == kind_value]
    names = {e.name for e in same_kind if getattr(e, "account", None) == account_id}
    if kind == "user":
        return User(Workspace.new_id(EntityKind.USER), unique_name("user", names), account_id or "")
    if kind == "group":
        return Group(Workspace.new_id(EntityKind.GROUP), unique_name("group", names), account_id or "")
    if kind == "role":
        return Role(Workspace.new_id(EntityKind.ROLE), unique_name("role", names), account_id or "")
    if kind == "policy":
        policy_type = PolicyType(detail)
        names = {e.name for e in same_kind if isinstance(e, ManagedPolicy) and e.policy_type is policy_type}
        base = "policy" if policy_type is PolicyType.IAM else policy_type.value
        return ManagedPolicy(Workspace.new_id(EntityKind.MANAGED_POLICY), unique_name(base, names),
                             dict(EMPTY_POLICY), account=account_id, policy_type=policy_type)
    type_key = detail if detail in RESOURCE_TYPES else "generic"
    arns = {e.arn for e in workspace.entities.values() if isinstance(e, Resource)}
    base, n = _RESOURCE_BASES.get(type_key, "resource"), 1
    while propose_arn(type_key, f"{base}-{n}", number, workspace.region) in arns:
        n += 1
    name = f"{base}-{n}"
    return Resource(Workspace.new_id(EntityKind.RESOURCE), name, account_id or "", type_key,
                    propose_arn(type_key, name, number, workspace.region))
