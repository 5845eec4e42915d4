"""The edges of an access model: derived from entity fields and policies, and made or broken by edits."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Iterator, Mapping

from iam_desktop.model.entities import (
    Account, Entity, EntityKind, Group, ManagedPolicy, OrgUnit, PolicyType, Resource, Role, ServicePrincipal, User,
)
from iam_desktop.model.errors import InvalidEdgeError
from iam_desktop.model.resource_types import resource_type
from iam_desktop.model.workspace import Workspace


class EdgeKind(str, Enum):
    """The kinds of connection a person can draw (and the graph derives)."""

    MEMBER_OF = "member_of"            # user -> group
    ATTACHED = "attached"              # managed policy -> user / group / role; SCP/RCP -> account / OU
    BOUNDARY = "boundary"              # managed policy -> user / role (permission boundary)
    TRUSTS = "trusts"                  # principal (user, role, service, account) -> role (trust policy names it)
    RUNS_AS = "runs_as"                # compute resource -> role
    RESOURCE_ACCESS = "resource_access"  # principal -> resource (its resource policy names the principal)


EDGE_LABELS: dict[EdgeKind, str] = {
    EdgeKind.MEMBER_OF: "member of",
    EdgeKind.ATTACHED: "attached to",
    EdgeKind.BOUNDARY: "permission boundary of",
    EdgeKind.TRUSTS: "may assume (trust policy)",
    EdgeKind.RUNS_AS: "runs as",
    EdgeKind.RESOURCE_ACCESS: "granted by resource policy",
}

_ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:*", "*")


@dataclass(frozen=True)
class Edge:
    """A connection from ``source`` to ``target`` (entity ids) of one kind."""

    kind: EdgeKind
    source: str
    target: str

    @property
    def key(self) -> str:
        """A stable identifier for this edge."""
        return f"{self.kind.value}:{self.source}->{self.target}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _statements(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, Mapping)]


def principal_values(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (principal type, value) pairs a statement's Principal names (``("*", "*")`` for a bare ``*``)."""
    principal = statement.get("Principal")
    if principal == "*":
        return [("*", "*")]
    if isinstance(principal, str):
        return [("AWS", principal)]
    if not isinstance(principal, Mapping):
        return []
    return [(str(kind), str(value)) for kind, values in principal.items() for value in _as_list(values)]


def _entity_for_principal(workspace: Workspace, kind: str, value: str, index: Mapping[str, str]) -> str | None:
    if kind == "Service":
        return index.get(value)
    if kind != "AWS":
        return None
    if value.isdigit() and len(value) == 12:
        value = f"arn:aws:iam::{value}:root"
    return index.get(value)


def _principal_index(workspace: Workspace) -> dict[str, str]:
    index: dict[str, str] = {}
    for entity in workspace.of_kind(EntityKind.USER, EntityKind.ROLE, EntityKind.SERVICE, EntityKind.ACCOUNT):
        index[workspace.arn_of(entity.id)] = entity.id
    return index


def _allows_assume(statement: Mapping[str, Any]) -> bool:
    actions = [str(a).lower() for a in _as_list(statement.get("Action"))]
    return statement.get("Effect") == "Allow" and any(a in _ASSUME_ACTIONS for a in actions)


def derive_edges(workspace: Workspace) -> list[Edge]:
    """Every edge the model implies, in a stable order."""
    edges: list[Edge] = []
    index = _principal_index(workspace)
    for entity in workspace.entities.values():
        edges.extend(_edges_of(workspace, entity, index))
    return edges


def _edges_of(workspace: Workspace, entity: Entity, index: Mapping[str, str]) -> Iterator[Edge]:
    if isinstance(entity, User):
        for group_id in entity.groups:
            yield Edge(EdgeKind.MEMBER_OF, entity.id, group_id)
    if isinstance(entity, (User, Group, Role)):
        for policy_id in entity.managed_policies:
            yield Edge(EdgeKind.ATTACHED, policy_id, entity.id)
    if isinstance(entity, (Account, OrgUnit)):
        for policy_id in entity.policies:
            yield Edge(EdgeKind.ATTACHED, policy_id, entity.id)
    if isinstance(entity, (User, Role)) and entity.permission_boundary:
        yield Edge(EdgeKind.BOUNDARY, entity.permission_boundary, entity.id)
    if isinstance(entity, Role):
        seen: set[str] = set()
        for statement in _statements(entity.trust_policy):
            if not _allows_assume(statement):
                continue
            for kind, value in principal_values(statement):
                source = _entity_for_principal(workspace, kind, value, index)
                if source and source not in seen:
                    seen.add(source)
                    yield Edge(EdgeKind.TRUSTS, source, entity.id)
    if isinstance(entity, Resource):
        if entity.runs_as:
            yield Edge(EdgeKind.RUNS_AS, entity.id, entity.runs_as)
        seen = set()
        for statement in _statements(entity.policy):
            if statement.get("Effect") != "Allow":
                continue
            for kind, value in principal_values(statement):
                source = _entity_for_principal(workspace, kind, value, index)
                if source and source not in seen:
                    seen.add(source)
                    yield Edge(EdgeKind.RESOURCE_ACCESS, source, entity.id)


def allowed_edge_kinds(source: Entity, target: Entity) -> list[EdgeKind]:
    """The edge kinds that make sense from ``source`` to ``target`` (empty: the pair cannot be connected)."""
    kinds: list[EdgeKind] = []
    if isinstance(source, User) and isinstance(target, Group):
        kinds.append(EdgeKind.MEMBER_OF)
    if isinstance(source, ManagedPolicy):
        if source.policy_type is PolicyType.IAM and isinstance(target, (User, Group, Role)):
            kinds.append(EdgeKind.ATTACHED)
            if isinstance(target, (User, Role)):
                kinds.append(EdgeKind.BOUNDARY)
        if source.policy_type is not PolicyType.IAM and isinstance(target, (Account, OrgUnit)):
            kinds.append(EdgeKind.ATTACHED)
    if isinstance(source, (User, Role, ServicePrincipal, Account)) and isinstance(target, Role):
        kinds.append(EdgeKind.TRUSTS)
    if isinstance(source, Resource) and isinstance(target, Role) and resource_type(source.resource_type).service_principal:
        kinds.append(EdgeKind.RUNS_AS)
    if isinstance(source, (User, Role, ServicePrincipal, Account)) and isinstance(target, Resource):
        if resource_type(target.resource_type).policy_label:
            kinds.append(EdgeKind.RESOURCE_ACCESS)
    return kinds


def refusal_reason(source: Entity, target: Entity) -> str:
    """Why no edge can go from ``source`` to ``target``, in words for the status bar."""
    s, t = source.kind.value.replace("_", " "), target.kind.value.replace("_", " ")
    if isinstance(target, Group) and not isinstance(source, User):
        return f"Only users can be members of a group; {source.name!r} is a {s}."
    if isinstance(source, ManagedPolicy) and source.policy_type is not PolicyType.IAM:
        return f"{source.name!r} is an {source.policy_type.value.upper()}: attach it to an account or organization unit."
    if isinstance(source, ManagedPolicy):
        return f"An IAM policy attaches to users, groups and roles, not to a {t}."
    if isinstance(source, Resource) and isinstance(target, Role):
        return f"A {resource_type(source.resource_type).label} does not run as a role."
    if isinstance(source, Group):
        return "A group cannot be a principal: it cannot assume roles or be named in resource policies."
    if isinstance(target, Resource):
        return f"A {resource_type(target.resource_type).label} has no resource policy to grant access with."
    return f"A {s} cannot be connected to a {t}."


def connect(workspace: Workspace, kind: EdgeKind, source_id: str, target_id: str) -> Entity:
    """The entity (source or target) edited so that the edge exists; the caller stores it with ``update``.

    Raises InvalidEdgeError when the edge makes no sense or exists already.
    """
    source, target = workspace.get(source_id), workspace.get(target_id)
    if kind not in allowed_edge_kinds(source, target):
        raise InvalidEdgeError(refusal_reason(source, target))
    if Edge(kind, source_id, target_id) in derive_edges_between(workspace, source_id, target_id):
        raise InvalidEdgeError(f"{source.name!r} is already connected to {target.name!r} ({EDGE_LABELS[kind]}).")
    if kind is EdgeKind.MEMBER_OF:
        return replace(source, groups=(*source.groups, target_id))  # type: ignore[union-attr]
    if kind is EdgeKind.ATTACHED:
        field_name = "policies" if isinstance(target, (Account, OrgUnit)) else "managed_policies"
        return replace(target, **{field_name: (*getattr(target, field_name), source_id)})
    if kind is EdgeKind.BOUNDARY:
        return replace(target, permission_boundary=source_id)
    if kind is EdgeKind.RUNS_AS:
        return replace(source, runs_as=target_id)
    principal = _principal_element(workspace, source)
    if kind is EdgeKind.TRUSTS:
        assert isinstance(target, Role)
        statement = {"Sid": _sid("Trust", source.name), "Effect": "Allow", "Principal": principal,
                     "Action": "sts:AssumeRole"}
        return replace(target, trust_policy=_with_statement(target.trust_policy, statement))
    assert isinstance(target, Resource)
    rtype = resource_type(target.resource_type)
    resources: Any = [target.arn, f"{target.arn}/*"] if rtype.key == "s3_bucket" else target.arn
    statement = {"Sid": _sid("Grant", source.name), "Effect": "Allow", "Principal": principal,
                 "Action": list(rtype.default_actions), "Resource": resources}
    return replace(target, policy=_with_statement(target.policy, statement))


def derive_edges_between(workspace: Workspace, source_id: str, target_id: str) -> list[Edge]:
    """The edges that exist from ``source_id`` to ``target_id``."""
    index = _principal_index(workspace)
    found = [e for e in _edges_of(workspace, workspace.get(source_id), index) if e.target == target_id]
    found += [e for e in _edges_of(workspace, workspace.get(target_id), index) if e.source == source_id]
    return found


def disconnect(workspace: Workspace, edge: Edge) -> Entity:
    """The entity edited so that ``edge`` no longer exists; the caller stores it with ``update``."""
    source, target = workspace.get(edge.source), workspace.get(edge.target)
    if edge.kind is EdgeKind.MEMBER_OF:
        return replace(source, groups=tuple(g for g in source.groups if g != edge.target))  # type: ignore[union-attr]
    if edge.kind is EdgeKind.ATTACHED:
        field_name = "policies" if isinstance(target, (Account, OrgUnit)) else "managed_policies"
        return replace(target, **{field_name: tuple(p for p in getattr(target, field_name) if p != edge.source)})
    if edge.kind is EdgeKind.BOUNDARY:
        return replace(target, permission_boundary=None)
    if edge.kind is EdgeKind.RUNS_AS:
        return replace(source, runs_as=None)
    names = _names_of(workspace, source)
    if edge.kind is EdgeKind.TRUSTS:
        assert isinstance(target, Role)
        return replace(target, trust_policy=_without_principal(target.trust_policy, names))
    assert isinstance(target, Resource)
    return replace(target, policy=_without_principal(target.policy, names))


def _principal_element(workspace: Workspace, entity: Entity) -> dict[str, str]:
    if isinstance(entity, ServicePrincipal):
        return {"Service": entity.name}
    return {"AWS": workspace.arn_of(entity.id)}


def _names_of(workspace: Workspace, entity: Entity) -> set[tuple[str, str]]:
    if isinstance(entity, ServicePrincipal):
        return {("Service", entity.name)}
    names = {("AWS", workspace.arn_of(entity.id))}
    if isinstance(entity, Account):
        names.add(("AWS", entity.account_id))
    return names


def _sid(prefix: str, name: str) -> str:
    return prefix + "".join(ch for ch in name.title() if ch.isascii() and ch.isalnum())  # IAM Sids: ASCII only


def _with_statement(document: Mapping[str, Any] | None, statement: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(document)) if isinstance(document, Mapping) else {}
    new.setdefault("Version", "2012-10-17")
    existing = _as_list(new.get("Statement"))
    sids = {s.get("Sid") for s in existing if isinstance(s, Mapping)}
    base, n = statement["Sid"], 2
    while statement["Sid"] in sids:
        statement["Sid"], n = f"{base}{n}", n + 1
    new["Statement"] = [*existing, statement]
    return new


def _without_principal(document: Mapping[str, Any] | None, names: set[tuple[str, str]]) -> dict[str, Any] | None:
    """The document with every Allow statement's Principal no longer naming ``names`` (emptied ones dropped)."""
    if document is None:
        return None
    new = copy.deepcopy(dict(document))
    kept: list[Any] = []
    for statement in _as_list(new.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow" or not isinstance(
                statement.get("Principal"), (dict, str)):
            kept.append(statement)
            continue
        principal = statement["Principal"]
        if isinstance(principal, str):
            if ("AWS", principal) not in names:
                kept.append(statement)
            continue
        remaining: dict[str, Any] = {}
        for kind, values in principal.items():
            left = [v for v in _as_list(values) if (kind, str(v)) not in names]
            if left:
                remaining[kind] = left[0] if len(left) == 1 else left
        if remaining:
            statement["Principal"] = remaining
            kept.append(statement)
    new["Statement"] = kept
    return new
