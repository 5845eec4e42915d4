"""Warnings about policies AWS accepts but that look wrong: unknown actions and keys, odd ARNs, variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from iam_desktop.catalog import default_catalog
from iam_desktop.policy.document import PolicyDocument, Statement
from iam_desktop.policy.json_positions import JsonPath
from iam_desktop.policy.matching import action_matches
from iam_desktop.policy.size import size_issues

LintWarning = tuple[str, JsonPath, "str | None"]
"""(message, JSON path, Sid) of one warning."""

_VARIABLES_VERSION = "2012-10-17"


def _entry_paths(document: PolicyDocument, statement: Statement, element: str, count: int) -> list[JsonPath]:
    """Paths of each entry of a statement element, as written (single value or list)."""
    raw_statements = document.raw.get("Statement")
    base: JsonPath = ("Statement", statement.index) if isinstance(raw_statements, list) else ("Statement",)
    raw = raw_statements[statement.index] if isinstance(raw_statements, list) else raw_statements
    if isinstance(raw, dict) and isinstance(raw.get(element), list):
        return [base + (element, i) for i in range(count)]
    return [base + (element,)] * count


@lru_cache(maxsize=8192)
def _action_warning(action: str) -> str | None:
    catalog = default_catalog()
    if action == "*":
        return None
    prefix, _, name = action.partition(":")
    if "*" in prefix or "?" in prefix:
        return None
    if not catalog.is_known_service(prefix):
        return f"{action!r}: the service prefix {prefix!r} is unknown to the AWS catalog"
    if "*" in name or "?" in name:
        if not any(action_matches(action, f"{prefix}:{known}") for known in catalog.actions(prefix)):
            return f"{action!r} matches no known {prefix} action"
        return None
    if not catalog.is_known_action(action):
        return f"{action!r} is not a known {prefix} action"
    return None


@lru_cache(maxsize=8192)
def _resource_warning(resource: str) -> str | None:
    if resource == "*" or resource.startswith("${"):
        return None
    if not resource.startswith("arn:"):
        return f"{resource!r} is not an ARN (arn:partition:service:region:account:resource) or \"*\""
    parts = resource.split(":", 5)
    if len(parts) < 6 or not parts[1] or not parts[2]:
        return f"{resource!r} looks malformed: an ARN has six ':'-separated parts with partition and service set"
    return None


@lru_cache(maxsize=8192)
def _condition_key_warning(key: str) -> str | None:
    catalog = default_catalog()
    prefix = key.partition(":")[0].lower()
    if "." in prefix or prefix in ("saml", "sts") or "${" in key:
        return None
    if prefix != "aws" and not catalog.is_known_service(prefix):
        return f"condition key {key!r}: {prefix!r} is not a known service prefix"
    if not catalog.is_known_condition_key(key):
        return f"condition key {key!r} is unknown to the AWS catalog"
    return None


def lint_document(document: PolicyDocument, policy_type: str) -> Iterator[LintWarning]:
    """Yield the warnings of a valid document (catalog checks, ARNs, variables, size)."""
    substitutes = document.version == _VARIABLES_VERSION
    for statement in document.statements:
        sid = statement.sid
        for element, values in (("Action", statement.actions), ("NotAction", statement.not_actions)):
            for value, path in zip(values or (), _entry_paths(document, statement, element, len(values or ()))):
                message = _action_warning(value)
                if message:
                    yield message, path, sid
        for element, values in (("Resource", statement.resources), ("NotResource", statement.not_resources)):
            for value, path in zip(values or (), _entry_paths(document, statement, element, len(values or ()))):
                message = _resource_warning(value)
                if message:
                    yield message, path, sid
                if not substitutes and "${" in value:
                    yield f"{value!r}: policy variables are only replaced with Version 2012-10-17", path, sid
        base = _entry_paths(document, statement, "Condition", 1)[0]
        for clause in statement.conditions:
            path = base + (clause.operator, clause.key)
            message = _condition_key_warning(clause.key)
            if message:
                yield message, path, sid
            if not substitutes and any("${" in value for value in clause.values):
                yield "policy variables are only replaced with Version 2012-10-17", path, sid
    for issue in size_issues(document, policy_type):
        yield issue.message, (), None
