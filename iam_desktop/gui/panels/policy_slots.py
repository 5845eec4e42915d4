"""Where an entity keeps its policies ("slots"), how to read and replace them, and policy reference strings."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping

from iam_desktop.model import Entity, InlinePolicy, ManagedPolicy, PolicyType, Resource, Role, Workspace
from iam_desktop.model.resource_types import resource_type
from iam_desktop.policy.json_positions import locate

TRUST = "trust"
RESOURCE_POLICY = "resource_policy"
DOCUMENT = "document"
INLINE_PREFIX = "inline:"

_ALIASES = {"trust_policy": TRUST, "resource": RESOURCE_POLICY, "policy": RESOURCE_POLICY}


def inline_slot(name: str) -> str:
    """The slot of the inline policy named ``name``."""
    return f"{INLINE_PREFIX}{name}"


def normalize_slot(entity: Entity, slot: object) -> str | None:
    """The canonical slot for what a caller passed (``"trust_policy"``, a bare inline name, None, ...).

    None (or an unknown slot) picks the entity's main policy: the trust policy of a role, the resource
    policy of a resource, the document of a managed policy, else the first inline policy.
    """
    slots = [s for s, _ in policy_slots(entity)]
    if isinstance(slot, str):
        wanted = _ALIASES.get(slot, slot)
        if wanted in slots:
            return wanted
        if inline_slot(slot) in slots:
            return inline_slot(slot)
    return slots[0] if slots else None


def policy_slots(entity: Entity) -> list[tuple[str, str]]:
    """Every (slot, label) of an entity's editable policies, its main policy first."""
    slots: list[tuple[str, str]] = []
    if isinstance(entity, Role):
        slots.append((TRUST, "Trust policy"))
    if isinstance(entity, Resource) and resource_type(entity.resource_type).policy_label:
        slots.append((RESOURCE_POLICY, resource_type(entity.resource_type).policy_label.capitalize()))
    if isinstance(entity, ManagedPolicy):
        slots.append((DOCUMENT, "Policy document"))
    for inline in getattr(entity, "inline_policies", ()):
        slots.append((inline_slot(inline.name), f"Inline policy {inline.name}"))
    return slots


def slot_document(entity: Entity, slot: str) -> Mapping[str, Any] | None:
    """The policy JSON held in ``slot`` (None: the slot is empty, e.g. a resource without a policy)."""
    if slot == TRUST and isinstance(entity, Role):
        return entity.trust_policy
    if slot == RESOURCE_POLICY and isinstance(entity, Resource):
        return entity.policy
    if slot == DOCUMENT and isinstance(entity, ManagedPolicy):
        return entity.document
    for inline in getattr(entity, "inline_policies", ()):
        if slot == inline_slot(inline.name):
            return inline.document
    raise KeyError(f"{entity.name!r} has no policy slot {slot!r}")


def with_slot_document(entity: Entity, slot: str, document: Mapping[str, Any] | None) -> Entity:
    """A copy of ``entity`` whose ``slot`` holds ``document`` (None only empties a resource's policy)."""
    if slot == TRUST and isinstance(entity, Role):
        return replace(entity, trust_policy=document)
    if slot == RESOURCE_POLICY and isinstance(entity, Resource):
        return replace(entity, policy=document)
    if document is None:
        raise ValueError(f"the {slot} policy of {entity.name!r} cannot be removed, only edited")
    if slot == DOCUMENT and isinstance(entity, ManagedPolicy):
        return replace(entity, document=document)
    inlines = getattr(entity, "inline_policies", ())
    if slot.startswith(INLINE_PREFIX) and any(inline_slot(p.name) == slot for p in inlines):
        name = slot[len(INLINE_PREFIX):]
        return replace(entity, inline_policies=tuple(  # type: ignore[call-arg]
            InlinePolicy(name, document) if p.name == name else p for p in inlines))
    raise KeyError(f"{entity.name!r} has no policy slot {slot!r}")


def slot_policy_type(entity: Entity, slot: str) -> str:
    """The ``parse_policy`` type of the policy in ``slot`` (``trust``, ``resource``, ``scp``, ``identity``...)."""
    if slot == TRUST:
        return "trust"
    if slot == RESOURCE_POLICY:
        return "resource"
    if isinstance(entity, ManagedPolicy) and entity.policy_type is not PolicyType.IAM:
        return entity.policy_type.value
    return "identity"


def slot_label(entity: Entity, slot: str) -> str:
    """How the slot is named to people (``Trust policy``, ``Inline policy s3-read``)."""
    return dict(policy_slots(entity)).get(slot, slot)


def parse_ref(ref: str) -> tuple[str, str | None]:
    """Split a policy reference ``entity_id#slot`` into the entity id and the slot (None when absent)."""
    entity_id, _, slot = ref.partition("#")
    return entity_id, (slot or None)


def statement_span(text: str, index: int) -> tuple[int, int] | None:
    """The character range of statement ``index`` in a policy JSON text (None when the text is not valid JSON).

    A ``Statement`` that is a single object counts as statement 0.
    """
    try:
        positions = locate(text)
    except (ValueError, IndexError):
        return None
    start = positions.values.get(("Statement", index))
    if start is None and index == 0:
        start = positions.values.get(("Statement",))
        if start is not None and text[start] != "{":
            start = None
    if start is None:
        return None
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    return start, end


def resolve_policy_ref(workspace: Workspace, ref: str, policy_name: str, policy_source: str) -> tuple[str, str] | None:
    """The (entity id, slot) an explanation's policy comes from; None when it is not in the model.

    ``ref`` is ``NamedPolicy.ref``: an entity id, optionally ``#slot``. Without a slot the policy's kind is
    read from the entity: a managed policy's document, a role's trust policy (its source names it), a
    resource's policy, or the inline policy called ``policy_name``.
    """
    entity_id, slot = parse_ref(ref)
    if entity_id not in workspace:
        return None
    entity = workspace.get(entity_id)
    slots = [s for s, _ in policy_slots(entity)]
    if slot is not None:
        chosen = normalize_slot(entity, slot)
        return (entity_id, chosen) if chosen else None
    if DOCUMENT in slots:
        return entity_id, DOCUMENT
    if TRUST in slots and policy_source.startswith("trust policy"):
        return entity_id, TRUST
    if RESOURCE_POLICY in slots and not policy_source.startswith("inline"):
        return entity_id, RESOURCE_POLICY
    if inline_slot(policy_name) in slots:
        return entity_id, inline_slot(policy_name)
    return None
