"""Shared pieces of the AWS importers: the result type, the error type, input decoding and account lookup."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from iam_desktop.formats.json_text import MAX_DEPTH, JsonTextError, format_path, parse_json_bytes
from iam_desktop.formats.model_checks import policy_problem
from iam_desktop.model import Account, Entity, Workspace

_ACCOUNT_ID = re.compile(r"^\d{12}$")
EMPTY_POLICY: Mapping[str, Any] = {"Version": "2012-10-17", "Statement": []}
DEFAULT_ACCOUNT_NAME = "AWS account"
"""The name of accounts the data names only by number (the canvas shows the number beside it)."""


@dataclass
class ImportResult:
    """What an import produced: the workspace it filled and the warnings about data it had to adapt."""

    workspace: Workspace
    warnings: list[str] = field(default_factory=list)


class AwsImportError(ValueError):
    """AWS data that cannot be imported at all (not JSON, not the expected shape); the message says where."""


def read_input(data: Any, what: str) -> Any:
    """``data`` as JSON values: text and bytes are parsed with the model file limits; data already parsed is
    checked for the same nesting limit, so that whatever is imported can be saved and opened again."""
    if isinstance(data, (str, bytes)):
        try:
            return parse_json_bytes(data)
        except JsonTextError as error:
            raise AwsImportError(f"{what}: {error}") from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise AwsImportError(f"{what}: nested deeper than {MAX_DEPTH} levels, which model files refuse")
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    """True when lists/dicts in ``data`` nest deeper than ``limit`` (walked without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, Mapping):
            children: Iterable[Any] = value.values()
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def list_field(item: Mapping[str, Any], key: str, label: str) -> list[Any]:
    """``item[key]`` as a list (missing or null: empty); raises AwsImportError naming the entry otherwise."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise AwsImportError(f"{label}: {key} must be a list, not {type(value).__name__}")
    return value


def optional_text(item: Mapping[str, Any], key: str, label: str, warnings: list[str]) -> str | None:
    """``item[key]`` when it is a string; anything else is dropped with a warning (None when missing)."""
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    warnings.append(f"{label}: {key} is not a string ({type(value).__name__}); left out")
    return None


def check_documents(entities: Iterable[Entity]) -> None:
    """Raise AwsImportError for the first entity whose policy AWS would reject (model files refuse those too)."""
    for entity in entities:
        problem = policy_problem(entity)
        if problem is not None:
            path, reason = problem
            raise AwsImportError(f"{entity.kind.value.replace('_', ' ')} {entity.name} ({entity.id}): "
                                 f"{format_path(path)}: {reason}")


def decode_document(value: Any, where: str) -> dict[str, Any]:
    """A policy document given as an object, as JSON text, or as the URL-encoded JSON the raw IAM API returns."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            text = urllib.parse.unquote(text)
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError as error:
            raise AwsImportError(f"{where}: the policy document is not JSON ({error.msg} at line {error.lineno}, "
                                 f"column {error.colno})") from None
        if isinstance(decoded, dict):
            return decoded
    raise AwsImportError(f"{where}: a policy document must be a JSON object or its (URL-encoded) text")


def arn_account(arn: str) -> str | None:
    """The 12-digit account of an ARN (None when it has none, or names ``aws``)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and _ACCOUNT_ID.match(parts[4]) else None


def account_entity_id(account_id: str) -> str:
    """The id an imported account gets: its root ARN."""
    return f"arn:aws:iam::{account_id}:root"


def ensure_account(ws: Workspace, batch: dict[str, Entity], account_id: str, name: str | None = None) -> str:
    """The id of the Account entity for ``account_id``: an existing one, one already in ``batch``, or a new one."""
    existing = ws.account_by_number(account_id)
    if existing is not None:
        return existing.id
    entity_id = account_entity_id(account_id)
    if entity_id not in batch:
        batch[entity_id] = Account(entity_id, name or DEFAULT_ACCOUNT_NAME, account_id)
    return entity_id


def principal_accounts(document: Mapping[str, Any]) -> list[str]:
    """The 12-digit accounts that a policy's ``Principal`` elements name (ARNs or bare account ids), in order."""
    found: dict[str, None] = {}
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, Mapping) else None
        values = principal.get("AWS") if isinstance(principal, Mapping) else principal
        for value in values if isinstance(values, list) else [values]:
            value = str(value) if value is not None else ""
            account = value if _ACCOUNT_ID.match(value) else arn_account(value)
            if account:
                found.setdefault(account)
    return list(found)


def tags_of(item: Mapping[str, Any], label: str) -> dict[str, str]:
    """AWS ``Tags`` (a list of ``{Key, Value}``) as a dict."""
    tags = list_field(item, "Tags", label)
    return {str(tag.get("Key")): str(tag.get("Value", "")) for tag in tags if isinstance(tag, Mapping)}


def tags_to_aws(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """A tags dict as AWS writes it."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]
