"""Entities and placements to and from the plain JSON objects of a model file, checking every field's type."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from iam_desktop.formats.json_text import JsonPath
from iam_desktop.model import (
    Account, Entity, EntityKind, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role,
    ServicePrincipal, User,
)


class FieldError(ValueError):
    """A field of a model file has the wrong type or value; ``path`` says which field."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entity object: its JSON name, its value type and whether the file must give it.

    ``value_type`` is one of ``string``, ``optional_string``, ``integer``, ``policy_type``, ``id_list``,
    ``document``, ``optional_document``, ``tags`` and ``inline``; a missing optional field takes the entity's
    default.
    """

    name: str
    value_type: str
    required: bool = False


_COMMON = (FieldSpec("id", "string", True), FieldSpec("kind", "string", True), FieldSpec("name", "string", True))

ENTITY_FIELDS: dict[EntityKind, tuple[FieldSpec, ...]] = {
    EntityKind.ORG_UNIT: (*_COMMON, FieldSpec("parent", "optional_string"), FieldSpec("policies", "id_list")),
    EntityKind.ACCOUNT: (*_COMMON, FieldSpec("account_id", "string", True), FieldSpec("parent", "optional_string"),
                         FieldSpec("policies", "id_list")),
    EntityKind.USER: (*_COMMON, FieldSpec("account", "string", True), FieldSpec("path", "string"),
                      FieldSpec("user_id", "optional_string"), FieldSpec("groups", "id_list"),
                      FieldSpec("managed_policies", "id_list"), FieldSpec("permission_boundary", "optional_string"),
                      FieldSpec("tags", "tags"), FieldSpec("inline_policies", "inline")),
    EntityKind.GROUP: (*_COMMON, FieldSpec("account", "string", True), FieldSpec("path", "string"),
                       FieldSpec("managed_policies", "id_list"), FieldSpec("inline_policies", "inline")),
    EntityKind.ROLE: (*_COMMON, FieldSpec("account", "string", True), FieldSpec("path", "string"),
                      FieldSpec("role_id", "optional_string"), FieldSpec("description", "string"),
                      FieldSpec("max_session_duration", "integer"), FieldSpec("tags", "tags"),
                      FieldSpec("managed_policies", "id_list"), FieldSpec("permission_boundary", "optional_string"),
                      FieldSpec("trust_policy", "document"), FieldSpec("inline_policies", "inline")),
    EntityKind.MANAGED_POLICY: (*_COMMON, FieldSpec("policy_type", "policy_type"),
                                FieldSpec("account", "optional_string"), FieldSpec("path", "string"),
                                FieldSpec("arn", "optional_string"), FieldSpec("description", "string"),
                                FieldSpec("document", "document", True)),
    EntityKind.SERVICE: _COMMON,
    EntityKind.RESOURCE: (*_COMMON, FieldSpec("account", "string", True), FieldSpec("resource_type", "string", True),
                          FieldSpec("arn", "string", True), FieldSpec("runs_as", "optional_string"),
                          FieldSpec("tags", "tags"), FieldSpec("policy", "optional_document")),
}

_CLASSES: dict[EntityKind, Callable[..., Entity]] = {
    EntityKind.ORG_UNIT: OrgUnit, EntityKind.ACCOUNT: Account, EntityKind.USER: User, EntityKind.GROUP: Group,
    EntityKind.ROLE: Role, EntityKind.MANAGED_POLICY: ManagedPolicy, EntityKind.SERVICE: ServicePrincipal,
    EntityKind.RESOURCE: Resource,
}

PLACEMENT_KEYS = ("x", "y", "width", "height")


def plain_json(value: Any) -> Any:
    """A deep copy of a policy document made of dicts, lists and scalars only (Mappings and tuples converted)."""
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    return value


# ----- writing -------------------------------------------------------------------------------------------
def encode_entity(entity: Entity) -> dict[str, Any]:
    """The JSON object of one entity, keys in the fixed order of ``ENTITY_FIELDS``."""
    result: dict[str, Any] = {}
    for spec in ENTITY_FIELDS[entity.kind]:
        value = getattr(entity, spec.name)
        if spec.name == "kind" or spec.value_type == "policy_type":
            result[spec.name] = value.value
        elif spec.value_type == "id_list":
            result[spec.name] = list(value)
        elif spec.value_type == "inline":
            result[spec.name] = [{"name": p.name, "document": plain_json(p.document)} for p in value]
        elif spec.value_type in ("document", "optional_document", "tags"):
            result[spec.name] = plain_json(value)
        else:
            result[spec.name] = value
    return result


def _number(value: float) -> float | int:
    """Whole numbers written without ``.0``, so that a file reads the same whether the model held 80 or 80.0."""
    return int(value) if float(value).is_integer() else float(value)


def encode_placement(placement: Placement) -> dict[str, float | int]:
    """The JSON object of a placement (width/height only when set)."""
    result = {"x": _number(placement.x), "y": _number(placement.y)}
    if placement.width is not None:
        result["width"] = _number(placement.width)
    if placement.height is not None:
        result["height"] = _number(placement.height)
    return result


# ----- reading -------------------------------------------------------------------------------------------
def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _expect(condition: bool, path: JsonPath, what: str, value: Any) -> None:
    if not condition:
        raise FieldError(path, f"must be {what}, not {_type_name(value)}")


def _decode_value(spec: FieldSpec, value: Any, path: JsonPath) -> Any:
    kind = spec.value_type
    if kind == "string":
        _expect(isinstance(value, str), path, "a string", value)
        return value
    if kind == "optional_string":
        _expect(value is None or isinstance(value, str), path, "a string or null", value)
        return value
    if kind == "integer":
        _expect(isinstance(value, int) and not isinstance(value, bool), path, "an integer", value)
        return value
    if kind == "policy_type":
        allowed = [t.value for t in PolicyType]
        if value not in allowed:
            raise FieldError(path, f"must be one of {', '.join(allowed)}, not {value!r}")
        return PolicyType(value)
    if kind == "id_list":
        _expect(isinstance(value, list), path, "an array of ids", value)
        for index, item in enumerate(value):
            _expect(isinstance(item, str), (*path, index), "an id (a string)", item)
        return tuple(value)
    if kind in ("document", "optional_document"):
        if kind == "optional_document" and value is None:
            return None
        _expect(isinstance(value, dict), path, "a policy document (a JSON object)", value)
        return value
    if kind == "tags":
        _expect(isinstance(value, dict), path, "an object of tag names to values", value)
        for key, item in value.items():
            _expect(isinstance(item, str), (*path, key), "a string", item)
        return dict(value)
    _expect(isinstance(value, list), path, "an array of inline policies", value)
    policies = []
    for index, item in enumerate(value):
        item_path = (*path, index)
        _expect(isinstance(item, dict), item_path, "an object with name and document", item)
        _check_keys(item, ("name", "document"), ("name", "document"), item_path)
        _expect(isinstance(item["name"], str), (*item_path, "name"), "a string", item["name"])
        _expect(isinstance(item["document"], dict), (*item_path, "document"), "a policy document (a JSON object)",
                item["document"])
        policies.append(InlinePolicy(item["name"], item["document"]))
    return tuple(policies)


def _check_keys(obj: Mapping[str, Any], known: tuple[str, ...], required: tuple[str, ...], path: JsonPath) -> None:
    for key in obj:
        if key not in known:
            raise FieldError((*path, key), f"unknown key {key!r} (expected one of: {', '.join(known)})")
    for key in required:
        if key not in obj:
            raise FieldError(path, f"the required key {key!r} is missing")


def decode_entity(obj: Any, path: JsonPath) -> Entity:
    """The entity a JSON object describes; raises FieldError naming the offending field's path."""
    _expect(isinstance(obj, dict), path, "an entity object", obj)
    kinds = [k.value for k in EntityKind]
    if obj.get("kind") not in kinds:
        raise FieldError((*path, "kind") if "kind" in obj else path,
                         f"kind must be one of {', '.join(kinds)}, not {obj.get('kind')!r}")
    specs = ENTITY_FIELDS[EntityKind(obj["kind"])]
    _check_keys(obj, tuple(s.name for s in specs), tuple(s.name for s in specs if s.required), path)
    arguments = {spec.name: _decode_value(spec, obj[spec.name], (*path, spec.name))
                 for spec in specs if spec.name in obj and spec.name != "kind"}
    return _CLASSES[EntityKind(obj["kind"])](**arguments)


def decode_placement(obj: Any, path: JsonPath) -> Placement:
    """The placement a JSON object describes (finite numbers; width/height positive when given)."""
    _expect(isinstance(obj, dict), path, "an object with x and y", obj)
    _check_keys(obj, PLACEMENT_KEYS, ("x", "y"), path)
    values: dict[str, float | None] = {}
    for key in PLACEMENT_KEYS:
        value = obj.get(key)
        if value is None and key in ("width", "height"):
            values[key] = None
            continue
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        _expect(number and math.isfinite(value), (*path, key), "a finite number", value)
        if key in ("width", "height") and value <= 0:
            raise FieldError((*path, key), f"must be positive, not {value}")
        values[key] = float(value)
    return Placement(values["x"], values["y"], values["width"], values["height"])  # type: ignore[arg-type]
