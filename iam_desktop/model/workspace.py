"""The Workspace aggregate: holds every entity and placement, checks invariants and tells listeners of changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from iam_desktop.model.entities import (
    Account, Entity, EntityKind, Group, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role,
    ServicePrincipal, User,
)
from iam_desktop.model.errors import DanglingReferenceError, DuplicateIdError, UnknownEntityError
from iam_desktop.model.validation import check_entity_fields, reference_fields

DEFAULT_REGION = "us-east-1"


class ChangeKind(str, Enum):
    """What happened to the entities named in a Change."""

    ADDED = "added"
    REMOVED = "removed"
    UPDATED = "updated"
    PLACED = "placed"
    RESET = "reset"


@dataclass(frozen=True)
class Change:
    """One notification to listeners: the kind of change and the ids it concerns."""

    kind: ChangeKind
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Removal:
    """Everything a removal took away, so that ``Workspace.restore`` can put it back exactly.

    ``removed`` are the entities deleted (in model order); ``previous`` the earlier versions of entities that
    were edited to drop references to them; ``placements`` their canvas positions.
    """

    removed: tuple[Entity, ...]
    previous: tuple[Entity, ...]
    placements: Mapping[str, Placement] = field(default_factory=dict)
    positions_in_order: Mapping[str, int] = field(default_factory=dict)


Listener = Callable[[Change], None]


class Workspace:
    """An access model: entities by id, their canvas placements, the model region, and change listeners.

    Every mutating method validates first and changes nothing when it raises a ``ModelError``.
    """

    def __init__(self, name: str = "Untitled", region: str = DEFAULT_REGION) -> None:
        self.name = name
        self.region = region
        self._entities: dict[str, Entity] = {}
        self._placements: dict[str, Placement] = {}
        self._listeners: list[Listener] = []

    # ----- reading -------------------------------------------------------------------------------------
    @property
    def entities(self) -> Mapping[str, Entity]:
        """All entities by id, in the order they were added (read-only view)."""
        return MappingProxyType(self._entities)

    @property
    def placements(self) -> Mapping[str, Placement]:
        """Canvas placements by entity id (read-only view)."""
        return MappingProxyType(self._placements)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._entities

    def __len__(self) -> int:
        return len(self._entities)

    def get(self, entity_id: str) -> Entity:
        """The entity with this id; raises UnknownEntityError."""
        try:
            return self._entities[entity_id]
        except KeyError:
            raise UnknownEntityError(f"no entity with id {entity_id!r}") from None

    def of_kind(self, *kinds: EntityKind) -> list[Entity]:
        """The entities of the given kinds, in model order."""
        return [e for e in self._entities.values() if e.kind in kinds]

    def users(self) -> list[User]:
        """All IAM users."""
        return [e for e in self._entities.values() if isinstance(e, User)]

    def roles(self) -> list[Role]:
        """All IAM roles."""
        return [e for e in self._entities.values() if isinstance(e, Role)]

    def resources(self) -> list[Resource]:
        """All resources."""
        return [e for e in self._entities.values() if isinstance(e, Resource)]

    def account_id_of(self, entity_id: str | None) -> str | None:
        """The 12-digit account id of an Account entity id (None for None)."""
        if entity_id is None:
            return None
        account = self.get(entity_id)
        return account.account_id if isinstance(account, Account) else None

    def account_by_number(self, account_id: str) -> Account | None:
        """The Account entity with this 12-digit account id, if modelled."""
        for entity in self._entities.values():
            if isinstance(entity, Account) and entity.account_id == account_id:
                return entity
        return None

    def arn_of(self, entity_id: str) -> str:
        """The ARN (or service name, for service principals) AWS knows this entity by."""
        entity = self.get(entity_id)
        if isinstance(entity, User):
            return f"arn:aws:iam::{self.account_id_of(entity.account)}:user{entity.path}{entity.name}"
        if isinstance(entity, Group):
            return f"arn:aws:iam::{self.account_id_of(entity.account)}:group{entity.path}{entity.name}"
        if isinstance(entity, Role):
            return f"arn:aws:iam::{self.account_id_of(entity.account)}:role{entity.path}{entity.name}"
        if isinstance(entity, ManagedPolicy):
            if entity.arn:
                return entity.arn
            owner = self.account_id_of(entity.account) if entity.account else "aws"
            return f"arn:aws:iam::{owner}:policy{entity.path}{entity.name}"
        if isinstance(entity, Account):
            return f"arn:aws:iam::{entity.account_id}:root"
        if isinstance(entity, Resource):
            return entity.arn
        if isinstance(entity, ServicePrincipal):
            return entity.name
        return f"ou:{entity.name}"

    def find(self, name_or_arn: str) -> Entity | None:
        """The entity whose id, ARN or name equals ``name_or_arn`` (id first, then ARN, then unique name)."""
        if name_or_arn in self._entities:
            return self._entities[name_or_arn]
        by_name: list[Entity] = []
        for entity_id, entity in self._entities.items():
            if self.arn_of(entity_id) == name_or_arn:
                return entity
            if entity.name == name_or_arn:
                by_name.append(entity)
        return by_name[0] if len(by_name) == 1 else None

    @staticmethod
    def new_id(kind: EntityKind) -> str:
        """A fresh stable id for a new entity of this kind."""
        return f"{kind.value}-{uuid.uuid4().hex[:12]}"

    # ----- listeners -----------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(change)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def _emit(self, kind: ChangeKind, ids: Iterable[str]) -> None:
        change = Change(kind, tuple(ids))
        for listener in list(self._listeners):
            listener(change)

    # ----- editing -------------------------------------------------------------------------------------
    def add(self, entity: Entity, placement: Placement | None = None) -> None:
        """Add one entity (and its placement); raises ModelError when it breaks an invariant."""
        self.add_many([entity], {entity.id: placement} if placement else {})

    def add_many(self, entities: Iterable[Entity], placements: Mapping[str, Placement] | None = None,
                 positions: Mapping[str, int] | None = None, fields_checked: bool = False) -> None:
        """Add several entities at once (they may refer to each other); all or nothing.

        ``positions`` puts entities back at their earlier index in model order (used by ``restore``).
        ``fields_checked``: the caller has already run ``check_entity_fields`` on every entity (a model file
        reader), so that pass is not repeated; references and uniqueness are still checked.
        """
        batch = list(entities)
        seen: set[str] = set()
        for entity in batch:
            if entity.id in self._entities or entity.id in seen:
                raise DuplicateIdError(f"an entity with id {entity.id!r} already exists")
            seen.add(entity.id)
        candidate = dict(self._entities)
        candidate.update((e.id, e) for e in batch)
        for entity in batch:
            if not fields_checked:
                check_entity_fields(entity)
            self._check_references(entity, candidate)
        self._check_uniqueness(candidate, [e.id for e in batch])
        if positions:
            ordered = list(self._entities.items())
            for entity in sorted(batch, key=lambda e: positions.get(e.id, len(ordered))):
                ordered.insert(min(positions.get(entity.id, len(ordered)), len(ordered)), (entity.id, entity))
            self._entities = dict(ordered)
        else:
            self._entities.update((e.id, e) for e in batch)
        for entity_id, placement in (placements or {}).items():
            if placement is not None and entity_id in self._entities:
                self._placements[entity_id] = placement
        self._emit(ChangeKind.ADDED, [e.id for e in batch])

    def update(self, entity: Entity) -> Entity:
        """Replace the entity with the same id by ``entity``; returns the previous version."""
        return self.update_many([entity])[0]

    def update_many(self, entities: Iterable[Entity]) -> list[Entity]:
        """Replace several entities at once; all or nothing; returns their previous versions."""
        batch = list(entities)
        previous = [self.get(e.id) for e in batch]
        for old, new in zip(previous, batch):
            if old.kind != new.kind:
                raise DanglingReferenceError(f"{old.id!r} is a {old.kind.value}, not a {new.kind.value}")
        candidate = dict(self._entities)
        candidate.update((e.id, e) for e in batch)
        for entity in batch:
            check_entity_fields(entity)
            self._check_references(entity, candidate)
        self._check_uniqueness(candidate, [e.id for e in batch])
        self._entities.update((e.id, e) for e in batch)
        self._emit(ChangeKind.UPDATED, [e.id for e in batch])
        return previous

    def remove(self, ids: Iterable[str]) -> Removal:
        """Remove entities, everything inside removed accounts / units, and every reference to them."""
        doomed = self._with_contents([self.get(i).id for i in ids])
        order = {entity_id: index for index, entity_id in enumerate(self._entities)}
        removed = tuple(self._entities[i] for i in sorted(doomed, key=order.__getitem__))
        edited = [self._without_references(e, doomed) for e in self._entities.values() if e.id not in doomed]
        changed = [new for new in edited if new is not None]
        previous = tuple(self._entities[e.id] for e in changed)
        placements = {i: self._placements[i] for i in doomed if i in self._placements}
        for entity in changed:
            self._entities[entity.id] = entity
        for entity_id in doomed:
            del self._entities[entity_id]
            self._placements.pop(entity_id, None)
        if changed:
            self._emit(ChangeKind.UPDATED, [e.id for e in changed])
        self._emit(ChangeKind.REMOVED, [e.id for e in removed])
        return Removal(removed, previous, placements, {e.id: order[e.id] for e in removed})

    def restore(self, removal: Removal) -> None:
        """Undo a ``remove``: put the entities back at their places and the edited ones as they were."""
        self.add_many(removal.removed, removal.placements, removal.positions_in_order)
        if removal.previous:
            self.update_many(removal.previous)

    def place(self, entity_id: str, placement: Placement) -> Placement | None:
        """Set an entity's canvas placement; returns the previous one."""
        return self.place_many({entity_id: placement}).get(entity_id)

    def place_many(self, placements: Mapping[str, Placement | None]) -> dict[str, Placement | None]:
        """Set (or clear, with None) several placements at once; returns the previous ones."""
        for entity_id in placements:
            self.get(entity_id)
        previous = {i: self._placements.get(i) for i in placements}
        for entity_id, placement in placements.items():
            if placement is None:
                self._placements.pop(entity_id, None)
            else:
                self._placements[entity_id] = placement
        self._emit(ChangeKind.PLACED, placements.keys())
        return previous

    def replace_all(self, other: "Workspace") -> None:
        """Take over another workspace's content (used when a file is opened into this document)."""
        self.name, self.region = other.name, other.region
        self._entities = dict(other._entities)
        self._placements = dict(other._placements)
        self._emit(ChangeKind.RESET, self._entities.keys())

    def copy(self) -> "Workspace":
        """A new workspace with the same content and no listeners (entities are immutable, so shared)."""
        twin = Workspace(self.name, self.region)
        twin._entities = dict(self._entities)
        twin._placements = dict(self._placements)
        return twin

    def same_content(self, other: "Workspace") -> bool:
        """True when both hold equal entities in the same order, equal placements, name and region."""
        return (self.name, self.region, list(self._entities.items()), self._placements) == (
            other.name, other.region, list(other._entities.items()), other._placements)

    # ----- invariants ----------------------------------------------------------------------------------
    def _check_references(self, entity: Entity, entities: Mapping[str, Entity]) -> None:
        for field_name, target_id, allowed in reference_fields(entity):
            target = entities.get(target_id)
            label = f"{entity.kind.value} {entity.name!r}"
            if target is None:
                raise DanglingReferenceError(f"{label}: {field_name} refers to {target_id!r}, which does not exist")
            if target.kind not in allowed:
                kinds = " or ".join(k.value.replace("_", " ") for k in allowed)
                raise DanglingReferenceError(
                    f"{label}: {field_name} must be a {kinds}, but {target.name!r} is a {target.kind.value.replace('_', ' ')}")
            if isinstance(target, ManagedPolicy):
                self._check_policy_use(entity, field_name, target)
            if isinstance(entity, (User, Group)) and isinstance(target, Group) and target.account != entity.account:
                raise DanglingReferenceError(f"{label}: group {target.name!r} is in another account; "
                                             "users can only join groups of their own account")
        if isinstance(entity, (OrgUnit, Account)):
            self._check_no_cycle(entity, entities)

    @staticmethod
    def _check_policy_use(entity: Entity, field_name: str, policy: ManagedPolicy) -> None:
        organizational = isinstance(entity, (OrgUnit, Account))
        if organizational and policy.policy_type is PolicyType.IAM:
            raise DanglingReferenceError(
                f"{entity.name!r}: only SCPs and RCPs attach to accounts and organization units, "
                f"and {policy.name!r} is an IAM policy")
        if not organizational and policy.policy_type is not PolicyType.IAM:
            raise DanglingReferenceError(
                f"{entity.name!r}: {policy.name!r} is an {policy.policy_type.value.upper()}; it attaches to "
                f"accounts and organization units, not to {entity.kind.value}s ({field_name})")

    @staticmethod
    def _check_no_cycle(entity: Entity, entities: Mapping[str, Entity]) -> None:
        seen = {entity.id}
        parent = getattr(entity, "parent", None)
        while parent is not None:
            if parent in seen:
                raise DanglingReferenceError(f"{entity.name!r}: organization units would form a cycle")
            seen.add(parent)
            parent = getattr(entities.get(parent), "parent", None)

    def _check_uniqueness(self, entities: Mapping[str, Entity], changed: list[str]) -> None:
        keys: dict[tuple[str, ...], str] = {}
        for entity in entities.values():
            key = _unique_key(entity)
            if key is None:
                continue
            other = keys.setdefault(key, entity.id)
            if other != entity.id and (entity.id in changed or other in changed):
                raise DuplicateIdError(f"{entity.kind.value} {entity.name!r}: another {entity.kind.value} "
                                       f"with that name or ARN exists already ({other!r})")

    def _with_contents(self, ids: list[str]) -> set[str]:
        doomed = set(ids)
        grew = True
        while grew:
            grew = False
            for entity in self._entities.values():
                owner = getattr(entity, "account", None) if not isinstance(entity, ManagedPolicy) else entity.account
                parent = getattr(entity, "parent", None)
                if entity.id not in doomed and (owner in doomed or parent in doomed):
                    doomed.add(entity.id)
                    grew = True
        return doomed

    @staticmethod
    def _without_references(entity: Entity, doomed: set[str]) -> Entity | None:
        changes: dict[str, object] = {}
        for name in ("groups", "managed_policies", "policies"):
            values = getattr(entity, name, None)
            if values and any(v in doomed for v in values):
                changes[name] = tuple(v for v in values if v not in doomed)
        for name in ("permission_boundary", "runs_as"):
            if getattr(entity, name, None) in doomed:
                changes[name] = None
        return replace(entity, **changes) if changes else None  # type: ignore[arg-type]


def _unique_key(entity: Entity) -> tuple[str, ...] | None:
    """The key AWS keeps unique for this entity (None when the kind has none)."""
    if isinstance(entity, (User, Group, Role)):
        return (entity.kind.value, entity.account, entity.name.lower())
    if isinstance(entity, ManagedPolicy):
        return ("policy", entity.policy_type.value, entity.account or "aws", entity.path, entity.name.lower())
    if isinstance(entity, Account):
        return ("account", entity.account_id)
    if isinstance(entity, Resource):
        return ("resource", entity.arn)
    if isinstance(entity, ServicePrincipal):
        return ("service", entity.name)
    return None
