"""Field rules for single entities (names, account ids, ARNs) and the references each entity holds."""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from iam_desktop.model.entities import (
    Account, Entity, EntityKind, Group, ManagedPolicy, OrgUnit, PolicyType, Resource, Role, ServicePrincipal, User,
)
from iam_desktop.model.errors import InvalidEntityError
from iam_desktop.policy import PolicyDocument, PolicyParseError, parse_policy

# IAM name rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
_IAM_NAME = re.compile(r"^[\w+=,.@-]+$")
_NAME_LIMITS = {EntityKind.USER: 64, EntityKind.GROUP: 128, EntityKind.ROLE: 64, EntityKind.MANAGED_POLICY: 128}
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PATH = re.compile(r"^/([\x21-\x7e]+/)*$")
_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:(\d{12}|aws)?:.+$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.(amazonaws\.com|amazonaws\.com\.cn|aws\.internal)$")

_POLICY_KINDS = (EntityKind.MANAGED_POLICY,)
_MANAGED_POLICY_TYPES = {PolicyType.IAM: "identity", PolicyType.SCP: "scp", PolicyType.RCP: "rcp"}
_ORG_PARENT = (EntityKind.ORG_UNIT,)
_ACCOUNT = (EntityKind.ACCOUNT,)
_PARSED_LIMIT = 65536
_parsed: dict[tuple[int, str], tuple[Mapping[str, Any], PolicyDocument]] = {}


def check_entity_fields(entity: Entity) -> None:
    """Raise InvalidEntityError when one of the entity's own fields breaks an AWS rule."""
    label = f"{entity.kind.value.replace('_', ' ')} {entity.name!r}"
    if not entity.id or not isinstance(entity.id, str):
        raise InvalidEntityError(f"{label}: the id must be a non-empty string")
    if not entity.name or not entity.name.strip():
        raise InvalidEntityError(f"{entity.kind.value.replace('_', ' ')} {entity.id!r}: the name must not be empty")
    limit = _NAME_LIMITS.get(entity.kind)
    if isinstance(entity, ManagedPolicy) and entity.policy_type is not PolicyType.IAM:
        limit = None  # SCP/RCP names are Organizations names: any characters (e.g. "block lambda")
    if limit is not None:
        if len(entity.name) > limit:
            raise InvalidEntityError(f"{label}: names are at most {limit} characters ({len(entity.name)} given)")
        if not _IAM_NAME.match(entity.name):
            raise InvalidEntityError(f"{label}: IAM names may contain only letters, digits and + = , . @ _ -")
    path = getattr(entity, "path", None)
    if path is not None and not _PATH.match(path):
        raise InvalidEntityError(f"{label}: the path {path!r} must start and end with '/'")
    if isinstance(entity, Account) and not _ACCOUNT_ID.match(entity.account_id):
        raise InvalidEntityError(f"{label}: the account id {entity.account_id!r} must be 12 digits")
    if isinstance(entity, Resource) and not _ARN.match(entity.arn):
        raise InvalidEntityError(
            f"{label}: {entity.arn!r} is not an ARN (arn:partition:service:region:account:resource)")
    if isinstance(entity, ServicePrincipal) and not _SERVICE.match(entity.name):
        raise InvalidEntityError(f"{label}: a service principal is named like 'lambda.amazonaws.com'")
    if isinstance(entity, Role) and not 3600 <= entity.max_session_duration <= 43200:
        raise InvalidEntityError(f"{label}: the maximum session duration is 3600 to 43200 seconds")
    for field_name in ("tags",):
        tags = getattr(entity, field_name, None)
        if tags is not None and not _is_string_map(tags):
            raise InvalidEntityError(f"{label}: tags must map strings to strings")
    for document_field in ("document", "trust_policy", "policy"):
        document = getattr(entity, document_field, None)
        if document is not None and not isinstance(document, Mapping):
            raise InvalidEntityError(f"{label}: {document_field} must be a JSON object")
    for inline in getattr(entity, "inline_policies", ()):
        if not inline.name or not isinstance(inline.document, Mapping):
            raise InvalidEntityError(f"{label}: inline policy {inline.name!r} needs a name and a JSON object")
    for where, document, policy_type in policy_documents(entity):
        if not document.get("Statement"):
            continue  # no statements: allows nothing (a new role's trust policy, a policy of unknown content)
        try:
            parsed_policy(document, policy_type)
        except PolicyParseError as error:  # model files refuse such documents, so the model does too
            first = error.issues[0] if error.issues else error
            raise InvalidEntityError(f"{label}: {where} is not a valid {policy_type} policy: {first}") from None


def parsed_policy(document: Mapping[str, Any], policy_type: str) -> PolicyDocument:
    """``parse_policy(document, policy_type=...)``, parsed once per document object (model documents are never
    changed in place: an edit replaces the entity). The cache keeps a reference to each document, so its id
    cannot be reused while cached. Raises PolicyParseError (failures are not cached)."""
    key = (id(document), policy_type)
    found = _parsed.get(key)
    if found is not None and found[0] is document:
        return found[1]
    parsed = parse_policy(document, policy_type=policy_type)
    if len(_parsed) >= _PARSED_LIMIT:
        _parsed.clear()
    _parsed[key] = (document, parsed)
    return parsed


def policy_documents(entity: Entity) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """Every policy document an entity holds: (where, document, the ``parse_policy`` type it is used as)."""
    if isinstance(entity, ManagedPolicy) and isinstance(entity.document, Mapping):
        yield "document", entity.document, _MANAGED_POLICY_TYPES[entity.policy_type]
    if isinstance(entity, Role) and isinstance(entity.trust_policy, Mapping):
        yield "trust_policy", entity.trust_policy, "trust"
    if isinstance(entity, Resource) and isinstance(entity.policy, Mapping):
        yield "policy", entity.policy, "resource"
    for position, inline in enumerate(getattr(entity, "inline_policies", ())):
        if isinstance(inline.document, Mapping):
            yield f"inline_policies[{position}].document", inline.document, "identity"


def _is_string_map(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def reference_fields(entity: Entity) -> Iterator[tuple[str, str, tuple[EntityKind, ...]]]:
    """Every (field name, referenced id, allowed kinds) the entity holds."""
    if isinstance(entity, (User, Group, Role, Resource)):
        yield "account", entity.account, _ACCOUNT
    if isinstance(entity, ManagedPolicy) and entity.account is not None:
        yield "account", entity.account, _ACCOUNT
    if isinstance(entity, (OrgUnit, Account)):
        if entity.parent is not None:
            yield "parent", entity.parent, _ORG_PARENT
        for policy_id in entity.policies:
            yield "policies", policy_id, _POLICY_KINDS
    if isinstance(entity, User):
        for group_id in entity.groups:
            yield "groups", group_id, (EntityKind.GROUP,)
    if isinstance(entity, (User, Group, Role)):
        for policy_id in entity.managed_policies:
            yield "managed_policies", policy_id, _POLICY_KINDS
    if isinstance(entity, (User, Role)) and entity.permission_boundary is not None:
        yield "permission_boundary", entity.permission_boundary, _POLICY_KINDS
    if isinstance(entity, Resource) and entity.runs_as is not None:
        yield "runs_as", entity.runs_as, (EntityKind.ROLE,)
