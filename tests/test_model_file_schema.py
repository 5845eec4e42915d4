"""The shipped JSON Schema and the Python loader describe the same format: files one accepts, the other does too."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from iam_desktop import paths
from iam_desktop.formats.entity_codec import ENTITY_FIELDS
from iam_desktop.formats.model_file import MODEL_SUFFIX, ModelFileError, dumps_model, loads_model
from iam_desktop.model import EntityKind, PolicyType
from strategies import workspaces

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "iam_desktop" / "formats" / "schema" / "model.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_TYPES = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """A tiny walker for the JSON Schema keywords our schema uses; returns the violations found."""
    if "$ref" in schema:
        return schema_errors(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]], path)
    errors: list[str] = []
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not schema_errors(value, s, path)]
        if len(matching) != 1:
            errors.append(f"{path}: matches {len(matching)} of oneOf")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            return [f"{path}: not {names}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: above maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: not above {schema['exclusiveMinimum']}")
    if isinstance(value, dict):
        errors += [f"{path}: missing {key}" for key in schema.get("required", []) if key not in value]
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(item, schema["additionalProperties"], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{path}[{index}]")
    return errors


def _definition(kind: EntityKind) -> dict[str, Any]:
    return next(SCHEMA["$defs"][ref["$ref"].rsplit("/", 1)[-1]]
                for ref in SCHEMA["properties"]["entities"]["items"]["oneOf"]
                if SCHEMA["$defs"][ref["$ref"].rsplit("/", 1)[-1]]["properties"]["kind"]["const"] == kind.value)


@pytest.mark.parametrize("kind", list(EntityKind), ids=lambda k: k.value)
def test_schema_fields_match_the_loader(kind: EntityKind) -> None:
    definition = _definition(kind)
    specs = ENTITY_FIELDS[kind]
    assert list(definition["properties"]) == [s.name for s in specs]
    assert definition["required"] == [s.name for s in specs if s.required]
    assert definition["additionalProperties"] is False


def test_schema_enums_match_the_model() -> None:
    policy_types = SCHEMA["$defs"]["managedPolicy"]["properties"]["policy_type"]["enum"]
    assert policy_types == [t.value for t in PolicyType]
    assert SCHEMA["required"] == ["format", "version", "name", "region", "entities", "layout"]


@pytest.mark.parametrize("example", sorted(paths.examples_dir().glob(f"*{MODEL_SUFFIX}")), ids=lambda p: p.name)
def test_examples_validate_against_the_schema(example: Path) -> None:
    assert schema_errors(json.loads(example.read_text(encoding="utf-8")), SCHEMA) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(workspaces())
def test_written_files_validate_against_the_schema(ws: Any) -> None:
    assert schema_errors(json.loads(dumps_model(ws)), SCHEMA) == []


@pytest.mark.parametrize("mutation", [
    lambda d: d["entities"][0].__setitem__("kind", "wizard"),
    lambda d: d["entities"][0].__setitem__("surprise", 1),
    lambda d: d["entities"][0].pop("name"),
    lambda d: d["entities"][0].__setitem__("account_id", "123"),
    lambda d: d["layout"].__setitem__("acct", {"x": "left", "y": 0}),
    lambda d: d["layout"].__setitem__("acct", {"x": 0, "y": 0, "width": 0}),
    lambda d: d.__setitem__("version", "1"),
    lambda d: d.pop("region"),
], ids=["kind", "unknown-key", "missing-name", "account-id", "x-type", "width-zero", "version-type", "region"])
def test_schema_and_loader_both_reject(mutation: Any) -> None:
    data = {"format": "iam-desktop", "version": 1, "name": "n", "region": "us-east-1", "entities": [
        {"id": "acct", "kind": "account", "name": "Main", "account_id": "111122223333", "parent": None,
         "policies": []}], "layout": {}}
    assert schema_errors(data, SCHEMA) == []
    loads_model(json.dumps(data))
    mutation(data)
    assert schema_errors(data, SCHEMA) != []
    with pytest.raises(ModelFileError):
        loads_model(json.dumps(data))
