"""Parse and validate IAM policy JSON into a PolicyDocument, reporting every error with its place.

Rules follow reference_policies_grammar.md and the element pages (reference_policies_elements_*.md).
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from iam_desktop.policy.document import (
    ConditionClause,
    PolicyDocument,
    PolicyIssue,
    PolicyParseError,
    PrincipalSpec,
    Statement,
)
from iam_desktop.policy.json_positions import (
    JsonPath,
    JsonPositions,
    line_column_at,
    locate,
    path_text,
    structure_problem,
)
from iam_desktop.policy.lint import lint_document
from iam_desktop.policy.operators import split_operator

POLICY_TYPES = frozenset({"identity", "resource", "trust", "boundary", "session", "scp", "rcp"})
"""The policy types :func:`parse_policy` knows."""

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_WITHOUT_PRINCIPAL = frozenset({"identity", "boundary", "session", "scp"})
_NEEDS_PRINCIPAL = frozenset({"resource", "trust", "rcp"})
_NEEDS_RESOURCE = frozenset({"identity", "boundary", "session", "scp", "rcp"})
_IAM_IDENTITY_TYPES = frozenset({"identity", "boundary", "session"})
_IAM_TYPES = _IAM_IDENTITY_TYPES | {"trust"}
_IAM_SID = re.compile(r"^[A-Za-z0-9]*$")


def _article(policy_type: str) -> str:
    """``an identity`` / ``a trust``: the policy type with its article, for messages."""
    return f"{'an' if policy_type[0] in 'aeiou' else 'a'} {policy_type}"


class _Collector:
    """Gathers issues, attaching JSON path, statement index, Sid and text position."""

    def __init__(self, positions: JsonPositions | None) -> None:
        self.positions = positions
        self.errors: list[PolicyIssue] = []
        self.warnings: list[PolicyIssue] = []

    def issue(self, severity: str, message: str, path: JsonPath, sid: str | None = None) -> PolicyIssue:
        index = None
        if len(path) > 1 and path[0] == "Statement":
            index = path[1] if isinstance(path[1], int) else 0  # a single statement object is statement 0
        where = self.positions.line_column(path) if self.positions else None
        return PolicyIssue(
            severity=severity,
            message=message,
            path=path_text(path),
            statement_index=index,
            sid=sid,
            line=where[0] if where else None,
            column=where[1] if where else None,
        )

    def error(self, message: str, path: JsonPath, sid: str | None = None) -> None:
        self.errors.append(self.issue("error", message, path, sid))

    def warning(self, message: str, path: JsonPath, sid: str | None = None) -> None:
        self.warnings.append(self.issue("warning", message, path, sid))


def _load(source: str | bytes | Mapping[str, Any]) -> tuple[Any, JsonPositions | None]:
    """Turn the source into JSON data (and positions when it was text); raise on syntax errors."""
    if isinstance(source, Mapping):
        return source, None
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PolicyParseError((PolicyIssue("error", f"the policy is not UTF-8 text: {error.reason}"),)) from error
    if not isinstance(source, str):
        raise PolicyParseError((PolicyIssue("error", f"a policy must be JSON text or a mapping, not {type(source).__name__}"),))
    problem = structure_problem(source)
    if problem is not None:
        line, column = line_column_at(source, problem[1])
        raise PolicyParseError((PolicyIssue("error", f"not valid JSON: {problem[0]}", line=line, column=column),))
    try:
        data = json.loads(source)
    except json.JSONDecodeError as error:
        issue = PolicyIssue("error", f"not valid JSON: {error.msg}", line=error.lineno, column=error.colno)
        raise PolicyParseError((issue,)) from error
    except (ValueError, RecursionError) as error:
        raise PolicyParseError((PolicyIssue("error", f"not valid JSON: {error}"),)) from error
    return data, locate(source)


def _strings(value: Any, path: JsonPath, name: str, sid: str | None, issues: _Collector) -> tuple[str, ...] | None:
    """Read a string-or-list-of-strings element; report wrong types."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        if not value:
            issues.error(f"{name} must not be an empty list", path, sid)
            return None
        bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
        for i in bad:
            issues.error(f"{name} entries must be strings, not {type(value[i]).__name__}", path + (i,), sid)
        return None if bad else tuple(value)
    issues.error(f"{name} must be a string or a list of strings, not {type(value).__name__}", path, sid)
    return None


def _condition_value(value: Any) -> str | None:
    """Normalise one condition value: booleans to ``true``/``false``, numbers to text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def _parse_conditions(value: Any, path: JsonPath, sid: str | None, issues: _Collector) -> tuple[ConditionClause, ...]:
    """Read ``{operator: {key: value-or-list}}``, rejecting unknown operators and bad shapes."""
    if not isinstance(value, dict):
        issues.error("Condition must be an object of {operator: {key: values}}", path, sid)
        return ()
    clauses: list[ConditionClause] = []
    for operator, tests in value.items():
        where = path + (operator,)
        name = split_operator(operator)
        if name is None:
            issues.error(f"unknown condition operator {operator!r} (Null takes no IfExists or set prefix)", path, sid)
        if not isinstance(tests, dict) or not tests:
            issues.error(f"{operator} must map condition keys to values", where, sid)
            continue
        for key, raw_values in tests.items():
            key_path = where + (key,)
            listed = raw_values if isinstance(raw_values, list) else [raw_values]
            if isinstance(raw_values, list) and not raw_values:
                issues.error(f"condition key {key} has an empty list of values", key_path, sid)
                continue
            normalised = tuple(_condition_value(v) for v in listed)
            if any(v is None for v in normalised):
                issues.error(f"condition values of {key} must be strings, numbers or booleans", key_path, sid)
                continue
            values = tuple(v for v in normalised if v is not None)
            if name is not None and name.base == "Null" and any(v.lower() not in ("true", "false") for v in values):
                issues.error("Null takes true or false", key_path, sid)
                continue
            clauses.append(ConditionClause(operator, key, values))
    return tuple(clauses)



def _parse_principal(
    value: Any, path: JsonPath, name: str, sid: str | None, issues: _Collector
) -> PrincipalSpec | None:
    """Read ``"*"`` or ``{"AWS"|"Service"|"Federated"|"CanonicalUser": value-or-list}``."""
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not isinstance(value, dict) or not value:
        issues.error(f'{name} must be "*" or an object such as {{"AWS": ...}}', path, sid)
        return None
    entries: dict[str, tuple[str, ...]] = {}
    for kind, raw in value.items():
        if kind not in _PRINCIPAL_TYPES:
            issues.error(f"unknown principal type {kind!r} (use AWS, Service, Federated or CanonicalUser)", path, sid)
            continue
        values = _strings(raw, path + (kind,), f"{name}.{kind}", sid, issues)
        if values is None:
            continue
        for entry in values:
            if not entry.strip():
                issues.error(f"{name}.{kind} holds an empty value", path + (kind,), sid)
            elif kind == "AWS" and entry != "*" and ("*" in entry or "?" in entry):
                issues.error(f"{entry!r}: a wildcard cannot match part of a principal name or ARN", path, sid)
        entries[kind] = values
    wildcard = "*" in entries.get("AWS", ())
    return PrincipalSpec(wildcard=wildcard, entries=entries)


def _parse_statement(
    raw: Any, index: int, path: JsonPath, policy_type: str, issues: _Collector, sids: dict[str, JsonPath]
) -> Statement | None:
    """Validate one statement; report every problem found in it."""
    if not isinstance(raw, dict):
        issues.error(f"a statement must be an object, not {type(raw).__name__}", path)
        return None
    sid = raw.get("Sid") if isinstance(raw.get("Sid"), str) else None
    errors_before = len(issues.errors)
    for element in raw:
        if element not in _STATEMENT_ELEMENTS:
            issues.error(f"unknown statement element {element!r}", path + (element,), sid)
    if "Sid" in raw:
        if not isinstance(raw["Sid"], str):
            issues.error("Sid must be a string", path + ("Sid",), sid)
        elif policy_type in _IAM_TYPES and not _IAM_SID.match(raw["Sid"]):
            issues.error(f"Sid {raw['Sid']!r}: IAM allows only ASCII letters and digits", path + ("Sid",), sid)
        elif raw["Sid"] in sids:
            issues.error(f"duplicate Sid {raw['Sid']!r} (also at {path_text(sids[raw['Sid']])})", path + ("Sid",), sid)
        elif raw["Sid"]:
            sids[raw["Sid"]] = path
    effect = raw.get("Effect")
    if "Effect" not in raw:
        issues.error("missing Effect", path, sid)
    elif effect not in ("Allow", "Deny"):
        issues.error(f'Effect must be "Allow" or "Deny", not {effect!r}', path + ("Effect",), sid)

    def strings(name: str) -> tuple[str, ...] | None:
        return _strings(raw[name], path + (name,), name, sid, issues) if name in raw else None

    if "Action" in raw and "NotAction" in raw:
        issues.error("a statement cannot have both Action and NotAction", path, sid)
    elif "Action" not in raw and "NotAction" not in raw:
        issues.error("missing Action or NotAction", path, sid)
    actions, not_actions = strings("Action"), strings("NotAction")
    for name, values in (("Action", actions), ("NotAction", not_actions)):
        for number, action in enumerate(values or ()):
            if action != "*" and (action.count(":") != 1 or not action.split(":")[0] or not action.split(":")[1]):
                at = path + (name,) + ((number,) if isinstance(raw[name], list) else ())
                issues.error(f"{action!r}: an action must be \"*\" or \"service:action\"", at, sid)
    if "Resource" in raw and "NotResource" in raw:
        issues.error("a statement cannot have both Resource and NotResource", path, sid)
    elif policy_type in _NEEDS_RESOURCE and "Resource" not in raw and "NotResource" not in raw:
        issues.error(f"missing Resource or NotResource (required in {_article(policy_type)} policy)", path, sid)
    resources, not_resources = strings("Resource"), strings("NotResource")
    for name, values in (("Resource", resources), ("NotResource", not_resources)):
        for number, resource in enumerate(values or ()):
            segments = resource.split(":")
            if resource.startswith("arn:") and len(segments) > 2 and ("*" in segments[2] or "?" in segments[2]):
                at = path + (name,) + ((number,) if isinstance(raw[name], list) else ())
                issues.error(f"{resource!r}: the service segment of an ARN cannot hold a wildcard", at, sid)
    principal = not_principal = None
    if "Principal" in raw and "NotPrincipal" in raw:
        issues.error("a statement cannot have both Principal and NotPrincipal", path, sid)
    for name in ("Principal", "NotPrincipal"):
        if name not in raw:
            continue
        if policy_type in _WITHOUT_PRINCIPAL:
            issues.error(f"{name} is not allowed in {_article(policy_type)} policy", path + (name,), sid)
            continue
        if name == "NotPrincipal" and policy_type in ("trust", "rcp"):
            issues.error(f"NotPrincipal is not allowed in {_article(policy_type)} policy", path + (name,), sid)
            continue
        spec = _parse_principal(raw[name], path + (name,), name, sid, issues)
        if name == "Principal":
            principal = spec
        else:
            not_principal = spec
            if effect == "Allow":
                issues.warning("NotPrincipal with Allow grants access to everyone else, anonymous users included", path + (name,), sid)
    if policy_type in _NEEDS_PRINCIPAL and "Principal" not in raw and "NotPrincipal" not in raw:
        issues.error(f"missing Principal (required in {_article(policy_type)} policy)", path, sid)
    if policy_type == "rcp" and principal is not None and not principal.wildcard:
        issues.error('an RCP statement\'s Principal must be "*"', path + ("Principal",), sid)
    conditions = _parse_conditions(raw["Condition"], path + ("Condition",), sid, issues) if "Condition" in raw else ()
    if len(issues.errors) > errors_before:
        return None
    return Statement(
        index=index,
        sid=sid,
        effect=str(effect),
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


def parse_policy(source: str | bytes | Mapping[str, Any], *, policy_type: str = "identity") -> PolicyDocument:
    """Parse an IAM policy as AWS writes it and validate it for its type.

    Parameters
    ----------
    source
        The policy JSON as text or bytes (positions are then reported), or already-decoded data.
    policy_type
        One of :data:`POLICY_TYPES`: ``identity``, ``resource``, ``trust``, ``boundary``, ``session``,
        ``scp``, ``rcp``. It decides which elements are required or forbidden.

    Returns
    -------
    PolicyDocument
        The statements normalised to tuples; ``warnings`` lists what AWS accepts but looks wrong
        (unknown actions or condition keys, malformed ARNs, size limits, unsubstituted variables).

    Raises
    ------
    PolicyParseError
        With every error found, each naming its JSON path, Sid and (for text) line and column.
    ValueError
        When ``policy_type`` is not one of :data:`POLICY_TYPES`.
    """
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"unknown policy type {policy_type!r}; expected one of {sorted(POLICY_TYPES)}")
    data, positions = _load(source)
    issues = _Collector(positions)
    if positions is not None:
        for duplicate in positions.duplicate_keys:
            issues.error(f"the key {duplicate[-1]!r} appears twice in the same object", duplicate[:-1])
    if not isinstance(data, Mapping):
        issues.error(f"a policy must be a JSON object, not {type(data).__name__}", ())
        raise PolicyParseError(tuple(issues.errors))
    for element in data:
        if element not in _TOP_LEVEL:
            issues.error(f"unknown top-level element {element!r}", (element,))
    version = data.get("Version")
    if "Version" in data and version not in VERSIONS:
        issues.error(f"Version must be one of {', '.join(VERSIONS)}, not {version!r}", ("Version",))
    policy_id = data.get("Id")
    if "Id" in data and not isinstance(policy_id, str):
        issues.error("Id must be a string", ("Id",))
    elif "Id" in data and policy_type in _IAM_IDENTITY_TYPES:
        issues.error("Id must not be included in identity-based policies (reference_policies_grammar.md)", ("Id",))
    statements: list[Statement] = []
    raw_statements = data.get("Statement")
    sids: dict[str, JsonPath] = {}
    if "Statement" not in data:
        issues.error("missing Statement", ())
    elif isinstance(raw_statements, dict):
        parsed = _parse_statement(raw_statements, 0, ("Statement",), policy_type, issues, sids)
        statements.extend([parsed] if parsed else [])
    elif isinstance(raw_statements, list):
        if not raw_statements:
            issues.error("Statement must hold at least one statement", ("Statement",))
        for index, raw in enumerate(raw_statements):
            parsed = _parse_statement(raw, index, ("Statement", index), policy_type, issues, sids)
            statements.extend([parsed] if parsed else [])
    else:
        issues.error("Statement must be an object or a list of objects", ("Statement",))
    if issues.errors:
        raise PolicyParseError(tuple(issues.errors))
    document = PolicyDocument(
        version=version if isinstance(version, str) else None,
        statements=tuple(statements),
        raw=data,
        policy_id=policy_id if isinstance(policy_id, str) else None,
    )
    for message, path, sid in lint_document(document, policy_type):
        issues.warning(message, path, sid)
    return PolicyDocument(
        version=document.version,
        statements=document.statements,
        raw=document.raw,
        policy_id=document.policy_id,
        warnings=tuple(issues.warnings),
    )
