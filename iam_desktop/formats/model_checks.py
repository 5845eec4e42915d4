"""Whole-model checks for loaded files, each error naming the JSON path of the entity field concerned."""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from iam_desktop.formats.entity_codec import FieldError
from iam_desktop.formats.json_text import JsonPath
from iam_desktop.model import Entity, InvalidEntityError, ModelError, Placement, Workspace
from iam_desktop.model.validation import check_entity_fields, policy_documents, reference_fields
from iam_desktop.policy import PolicyParseError, parse_policy

_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def assemble_workspace(name: str, region: str, entities: list[Entity],
                       placements: Mapping[str, Placement]) -> Workspace:
    """A Workspace holding ``entities`` (model order kept) and ``placements``; all or nothing.

    Raises FieldError naming ``entities[i]...`` for the first problem: a duplicate id, a bad field, a dangling
    or wrong-kind reference, an invalid policy document, or a rule of the Workspace (uniqueness, cycles).
    """
    _check_ids_and_fields(entities)
    _check_references(entities)
    workspace = Workspace(name, region)
    try:
        workspace.add_many(entities, placements, fields_checked=True)  # _check_ids_and_fields ran them
    except ModelError as error:
        raise FieldError(("entities", _culprit(entities)), str(error)) from None
    return workspace


def _check_ids_and_fields(entities: list[Entity]) -> None:
    first: dict[str, int] = {}
    for index, entity in enumerate(entities):
        if entity.id in first:
            raise FieldError(("entities", index, "id"),
                             f"the id {entity.id!r} is already used by entities[{first[entity.id]}]")
        first[entity.id] = index
        try:
            check_entity_fields(entity)
        except InvalidEntityError as error:
            problem = policy_problem(entity)  # a policy AWS would reject: name its place inside the document
            if problem is not None:
                raise FieldError(("entities", index, *problem[0]), problem[1]) from None
            raise FieldError(("entities", index), str(error)) from None


def _indexed_references(entity: Entity) -> Iterator[tuple[JsonPath, str, tuple[Any, ...]]]:
    counts: dict[str, int] = {}
    for field_name, target, allowed in reference_fields(entity):
        if field_name in ("groups", "managed_policies", "policies"):
            index = counts.get(field_name, 0)
            counts[field_name] = index + 1
            yield (field_name, index), target, allowed
        else:
            yield (field_name,), target, allowed


def _check_references(entities: list[Entity]) -> None:
    by_id = {entity.id: entity for entity in entities}
    for index, entity in enumerate(entities):
        for field_path, target_id, allowed in _indexed_references(entity):
            target = by_id.get(target_id)
            path = ("entities", index, *field_path)
            if target is None:
                raise FieldError(path, f"refers to {target_id!r}, but no entity has that id")
            if target.kind not in allowed:
                kinds = " or ".join(_with_article(kind.value) for kind in allowed)
                actual = _with_article(target.kind.value)
                raise FieldError(path, f"must refer to {kinds}, but {target_id!r} is {actual}")


def _with_article(kind_value: str) -> str:
    words = kind_value.replace("_", " ")
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


def issue_path(text: str) -> JsonPath:
    """A policy issue's path (``Statement[1].Condition``) as a JSON path tuple."""
    return tuple(int(index) if index else key for index, key in _PATH_PART.findall(text))


def policy_problem(entity: Entity) -> tuple[JsonPath, str] | None:
    """The first policy document of ``entity`` that AWS would reject: (path inside the entity, reason)."""
    for where, document, policy_type in policy_documents(entity):
        field_path = issue_path(where)
        if not document.get("Statement"):
            continue  # an empty policy (a new role's trust policy, an unknown imported policy) allows nothing
        try:
            parse_policy(document, policy_type=policy_type)
        except PolicyParseError as error:
            issue = error.issues[0] if error.issues else None
            inner = issue_path(issue.path) if issue else ()
            reason = issue.message if issue else str(error)
            more = f" (and {len(error.issues) - 1} more problems)" if len(error.issues) > 1 else ""
            return (*field_path, *inner), f"invalid {policy_type} policy: {reason}{more}"
    return None


def _culprit(entities: list[Entity]) -> int:
    """The index of the first entity that cannot join a model holding what it depends on."""
    by_id = {entity.id: entity for entity in entities}
    order: list[str] = []
    visiting: set[str] = set()

    def visit(entity_id: str) -> None:
        if entity_id in visiting or entity_id in order:
            return
        visiting.add(entity_id)
        for _field, target, _allowed in reference_fields(by_id[entity_id]):
            visit(target)
        visiting.discard(entity_id)
        order.append(entity_id)

    scratch = Workspace()
    positions = {entity.id: index for index, entity in enumerate(entities)}
    for entity in entities:
        visit(entity.id)
    for entity_id in order:
        try:
            scratch.add(by_id[entity_id])
        except ModelError:
            return positions[entity_id]
    return 0
