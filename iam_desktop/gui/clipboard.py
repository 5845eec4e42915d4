"""Copy and paste of entities as JSON: encoding, and fresh ids, names and references for the pasted copies."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from enum import Enum
from typing import Any, Mapping

from iam_desktop.gui.creation import unique_account_id
from iam_desktop.model import (
    Account, Entity, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role,
    ServicePrincipal, User, Workspace,
)

CLIPBOARD_MIME = "application/x-iam-desktop-entities+json"
CLIPBOARD_FORMAT = "iam-desktop-clipboard"
_CLASSES: dict[str, type] = {c.kind.value: c for c in (  # type: ignore[attr-defined]
    OrgUnit, Account, User, Group, Role, ManagedPolicy, ServicePrincipal, Resource)}
_TUPLE_REFERENCES = ("groups", "managed_policies", "policies")
_OPTIONAL_REFERENCES = ("permission_boundary", "runs_as", "parent")


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, InlinePolicy):
        return {"name": value.name, "document": _encode(value.document)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def entity_to_json(entity: Entity) -> dict[str, Any]:
    """The entity as a JSON object: its kind and every constructor field."""
    data: dict[str, Any] = {"kind": entity.kind.value}
    for f in fields(entity):
        if f.init:
            data[f.name] = _encode(getattr(entity, f.name))
    return data


def entity_from_json(data: Mapping[str, Any]) -> Entity:
    """Rebuild an entity from ``entity_to_json`` output; raises ValueError / TypeError when malformed."""
    cls = _CLASSES.get(str(data.get("kind")))
    if cls is None:
        raise ValueError(f"unknown entity kind {data.get('kind')!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if not f.init or f.name not in data:
            continue
        value = data[f.name]
        if f.name == "inline_policies":
            value = tuple(InlinePolicy(str(p["name"]), p["document"]) for p in value)
        elif f.name == "policy_type":
            value = PolicyType(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)  # type: ignore[no-any-return]


def copy_to_json(workspace: Workspace, ids: list[str]) -> str:
    """The entities ``ids`` and their placements as clipboard JSON."""
    entities = [workspace.get(i) for i in ids if i in workspace]
    placements = {e.id: workspace.placements[e.id] for e in entities if e.id in workspace.placements}
    return json.dumps({
        "format": CLIPBOARD_FORMAT,
        "entities": [entity_to_json(e) for e in entities],
        "placements": {i: [p.x, p.y, p.width, p.height] for i, p in placements.items()},
    })


def paste_from_json(workspace: Workspace, text: str, offset: float) -> tuple[list[Entity], dict[str, Placement]]:
    """Fresh copies of the clipboard's entities for ``workspace``: new ids, names that do not clash,
    references to copied entities redirected to their copies, placements moved by ``offset``.

    References to entities not copied stay when the model has them, and are dropped otherwise; an entity
    that needs an account and has none left goes to the first account; service principals that exist already
    are left out. Raises ValueError when the text is not clipboard JSON.
    """
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != CLIPBOARD_FORMAT:
        raise ValueError("the clipboard does not hold IAM Desktop entities")
    originals = [entity_from_json(e) for e in data.get("entities", [])]
    id_map = {e.id: Workspace.new_id(e.kind) for e in originals}
    fallback_account = next((i for e, i in zip(originals, id_map.values()) if isinstance(e, Account)), None) or next(
        (e.id for e in workspace.entities.values() if isinstance(e, Account)), None)
    taken = _Taken(workspace)
    copies: list[Entity] = []
    for original in originals:
        copy = _redirect(original, id_map, workspace, fallback_account)
        if copy is None:
            continue
        copy = taken.fresh(copy, workspace)
        if copy is not None:
            copies.append(copy)
    kept = {c.id for c in copies}
    copies = [_drop_missing(c, kept, workspace) for c in copies]
    placements: dict[str, Placement] = {}
    for old_id, values in data.get("placements", {}).items():
        new_id = id_map.get(old_id)
        if new_id in kept:
            x, y, width, height = values
            placements[new_id] = Placement(x + offset, y + offset, width, height)
    return copies, placements


def _redirect(entity: Entity, id_map: Mapping[str, str], workspace: Workspace,
              fallback_account: str | None) -> Entity | None:
    changes: dict[str, Any] = {"id": id_map[entity.id]}
    for name in _TUPLE_REFERENCES:
        if hasattr(entity, name):
            changes[name] = tuple(id_map.get(v, v) for v in getattr(entity, name))
    for name in _OPTIONAL_REFERENCES:
        value = getattr(entity, name, None)
        if value is not None:
            changes[name] = id_map.get(value, value if value in workspace else None)
    account = getattr(entity, "account", None)
    if account is not None:
        account = id_map.get(account, account if account in workspace else None)
        if account is None and not isinstance(entity, ManagedPolicy):
            if fallback_account is None:
                return None
            account = fallback_account
        changes["account"] = account
    return replace(entity, **changes)  # type: ignore[arg-type]


def _drop_missing(entity: Entity, kept: set[str], workspace: Workspace) -> Entity:
    """Drop references to copies that were left out."""
    def present(value: str) -> bool:
        return value in kept or value in workspace
    changes: dict[str, Any] = {}
    for name in _TUPLE_REFERENCES:
        values = getattr(entity, name, None)
        if values and not all(present(v) for v in values):
            changes[name] = tuple(v for v in values if present(v))
    for name in _OPTIONAL_REFERENCES:
        value = getattr(entity, name, None)
        if value is not None and not present(value):
            changes[name] = None
    return replace(entity, **changes) if changes else entity  # type: ignore[arg-type]


class _Taken:
    """The names, ARNs and account ids in use, so that each copy gets a free one."""

    def __init__(self, workspace: Workspace) -> None:
        self.keys = {self._key(e) for e in workspace.entities.values()}
        self.account_ids = {e.account_id for e in workspace.entities.values() if isinstance(e, Account)}

    @staticmethod
    def _key(entity: Entity) -> tuple[str, ...]:
        if isinstance(entity, Resource):
            return ("resource", entity.arn)
        if isinstance(entity, ManagedPolicy):
            return ("policy", entity.policy_type.value, str(entity.account), entity.name.lower())
        return (entity.kind.value, str(getattr(entity, "account", "")), entity.name.lower())

    def fresh(self, entity: Entity, workspace: Workspace) -> Entity | None:
        if isinstance(entity, ServicePrincipal):
            if self._key(entity) in self.keys:
                return None
        elif isinstance(entity, Account):
            entity = replace(entity, account_id=unique_account_id(self.account_ids))
            self.account_ids.add(entity.account_id)
        n = 1
        candidate = entity
        while self._key(candidate) in self.keys:
            suffix = "-copy" if n == 1 else f"-copy{n}"
            name = f"{entity.name}{suffix}"
            if isinstance(entity, Resource):
                stem = entity.arn[: -len(entity.name)] if entity.arn.endswith(entity.name) else None
                arn = stem + name if stem is not None else entity.arn + suffix
                candidate = replace(entity, name=name, arn=arn)
            else:
                candidate = replace(entity, name=name)
            n += 1
        self.keys.add(self._key(candidate))
        return candidate
