"""Import ``aws iam get-account-authorization-details`` output into a Workspace (and re-export the AWS formats).

The organization and resource-policy importers and the exporter live in sibling modules; this module is the
one place others import them from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from iam_desktop.formats.aws_common import (
    EMPTY_POLICY, AwsImportError, ImportResult, arn_account, check_documents, decode_document, ensure_account,
    list_field, optional_text, principal_accounts, read_input, tags_of,
)
from iam_desktop.formats.aws_export import export_authorization_details
from iam_desktop.formats.aws_org import import_organization
from iam_desktop.formats.aws_resources import import_resource_policies
from iam_desktop.formats.layout import auto_layout, bottom_of
from iam_desktop.model import (
    Entity, EntityKind, Group, InlinePolicy, ManagedPolicy, ModelError, Role, ServicePrincipal, User, Workspace,
)
from iam_desktop.model.validation import check_entity_fields

__all__ = ["AwsImportError", "ImportResult", "export_authorization_details", "import_authorization_details",
           "import_organization", "import_resource_policies"]

DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
FALLBACK_ACCOUNT = "000000000000"
_SERVICE_NAME = re.compile(r"^[a-z0-9.-]+\.(amazonaws\.com|amazonaws\.com\.cn|aws\.internal)$")


def _merge_pages(data: Any) -> dict[str, list[Any]]:
    pages = data if isinstance(data, list) else [data]
    merged: dict[str, list[Any]] = {key: [] for key in DETAIL_LISTS}
    for number, page in enumerate(pages):
        page = read_input(page, f"page {number + 1}")
        if not isinstance(page, Mapping):
            raise AwsImportError(f"page {number + 1}: expected the JSON object that "
                                 "'aws iam get-account-authorization-details' prints")
        if not any(key in page for key in DETAIL_LISTS):
            raise AwsImportError(f"page {number + 1}: none of {', '.join(DETAIL_LISTS)} is present; this is not "
                                 "'aws iam get-account-authorization-details' output")
        for key in DETAIL_LISTS:
            items = list_field(page, key, f"page {number + 1}")
            merged[key].extend(item for item in items if isinstance(item, Mapping))
    return merged


def _unique_by_arn(items: list[Mapping[str, Any]], label: str, warnings: list[str]) -> list[Mapping[str, Any]]:
    seen: dict[str, Mapping[str, Any]] = {}
    kept = []
    for item in items:
        arn = str(item.get("Arn", ""))
        if arn and arn in seen:
            if seen[arn] != item:
                warnings.append(f"{label} {arn} appears twice with different content; the first one was kept")
            continue
        seen[arn] = item
        kept.append(item)
    return kept


@dataclass
class _Importer:
    """One import run: the target workspace, the entities made so far (by kind, in order) and the warnings."""

    ws: Workspace
    default_account: str
    warnings: list[str] = field(default_factory=list)
    accounts: dict[str, Entity] = field(default_factory=dict)
    by_kind: dict[EntityKind, dict[str, Entity]] = field(
        default_factory=lambda: {kind: {} for kind in (EntityKind.MANAGED_POLICY, EntityKind.GROUP,
                                                       EntityKind.USER, EntityKind.ROLE, EntityKind.SERVICE)})
    policy_ids: dict[str, str] = field(default_factory=dict)

    def account_of(self, arn: str, label: str) -> str:
        account = arn_account(arn)
        if account is None:
            account = self.default_account
            self.warnings.append(f"{label}: the ARN {arn!r} names no 12-digit account; placed in account {account}")
        return ensure_account(self.ws, self.accounts, account)

    def path_of(self, item: Mapping[str, Any], label: str) -> str:
        path = item.get("Path")
        if not path:
            self.warnings.append(f"{label}: empty or missing Path, taken as '/'")
            return "/"
        return str(path)

    def add(self, entity: Entity) -> str:
        """Keep ``entity`` unless the workspace already models the same thing; returns the id to refer to."""
        existing = self.ws.find(entity.id)
        if existing is not None and existing.kind is entity.kind:
            self.warnings.append(f"{entity.kind.value} {entity.name!r} is already in the model; it was kept as is")
            return existing.id
        self.by_kind[entity.kind].setdefault(entity.id, entity)
        return entity.id

    # ----- managed policies --------------------------------------------------------------------------
    def policy(self, item: Mapping[str, Any]) -> None:
        arn, name = str(item.get("Arn", "")), str(item.get("PolicyName", ""))
        if not arn or not name:
            self.warnings.append(f"a managed policy without Arn or PolicyName was skipped ({arn or name!r})")
            return
        versions = [v for v in list_field(item, "PolicyVersionList", f"managed policy {name}")
                    if isinstance(v, Mapping)]
        default = next((v for v in versions if v.get("IsDefaultVersion") is True), None) or next(
            (v for v in versions if v.get("VersionId") == item.get("DefaultVersionId")), None)
        if default is None and versions:
            default = versions[0]
            self.warnings.append(f"managed policy {name}: no default version marked; used {default.get('VersionId')}")
        if default is None or default.get("Document") is None:
            self.warnings.append(f"managed policy {name}: no policy document in the data; imported with no "
                                 "statements (it allows nothing), so decisions about it are conservative")
            document: Mapping[str, Any] = dict(EMPTY_POLICY)
        else:
            document = decode_document(default["Document"], f"managed policy {name}")
        self.policy_ids[arn] = self._make_policy(arn, name, document, str(item.get("Path") or "/"),
                                                 str(item.get("Description") or ""))

    def _make_policy(self, arn: str, name: str, document: Mapping[str, Any], path: str, description: str) -> str:
        account = arn_account(arn)
        account_entity = ensure_account(self.ws, self.accounts, account) if account else None
        derived = f"arn:aws:iam::{account or 'aws'}:policy{path}{name}"
        policy = ManagedPolicy(arn, name, document, account_entity, path, description=description,
                               arn=None if derived == arn else arn)
        existing = self.ws.find(arn)
        if existing is not None and existing.kind is EntityKind.MANAGED_POLICY:
            self.warnings.append(f"managed policy {name} is already in the model; it was kept as is")
            return existing.id
        return self.add(policy)

    def policy_ref(self, arn: str, label: str) -> str:
        """The id of the policy with this ARN; a placeholder with no statements when the data lacks it."""
        if arn not in self.policy_ids:
            name, path = arn.rsplit("/", 1)[-1], "/" + arn.split(":policy/", 1)[-1].rsplit("/", 1)[0] + "/"
            path = "/" if path == "//" else path
            self.warnings.append(f"{label} uses the managed policy {arn}, which is not in Policies: its document "
                                 "is unknown, so it was imported with no statements (it allows nothing) and "
                                 "decisions about it are conservative")
            self.policy_ids[arn] = self._make_policy(arn, name, dict(EMPTY_POLICY), path, "")
        return self.policy_ids[arn]

    def attached(self, item: Mapping[str, Any], label: str) -> tuple[str, ...]:
        refs = [a.get("PolicyArn") for a in list_field(item, "AttachedManagedPolicies", label)
                if isinstance(a, Mapping)]
        return tuple(dict.fromkeys(self.policy_ref(str(arn), label) for arn in refs if arn))

    def boundary(self, item: Mapping[str, Any], label: str) -> str | None:
        boundary = item.get("PermissionsBoundary")
        arn = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, Mapping) else None
        return self.policy_ref(str(arn), f"{label} (permission boundary)") if arn else None

    def inline(self, item: Mapping[str, Any], key: str, label: str) -> tuple[InlinePolicy, ...]:
        policies = []
        for entry in list_field(item, key, label):
            if isinstance(entry, Mapping) and entry.get("PolicyName"):
                name = str(entry["PolicyName"])
                document = decode_document(entry.get("PolicyDocument"), f"{label}, inline policy {name}")
                policies.append(InlinePolicy(name, document))
        return tuple(policies)

    # ----- principals --------------------------------------------------------------------------------
    def group(self, item: Mapping[str, Any]) -> None:
        name = str(item.get("GroupName", ""))
        label = f"group {name}"
        account = self.account_of(str(item.get("Arn", "")), label)
        path = self.path_of(item, label)
        self.add(Group(self._principal_id(account, "group", path, name), name, account, path,
                       self.attached(item, label), self.inline(item, "GroupPolicyList", label)))

    def _principal_id(self, account_entity: str, kind: str, path: str, name: str) -> str:
        account_id = self.ws.account_id_of(account_entity) if account_entity in self.ws else \
            self.accounts[account_entity].account_id  # type: ignore[union-attr]
        return f"arn:aws:iam::{account_id}:{kind}{path}{name}"

    def _group_id(self, account: str, group_name: str, label: str) -> str:
        for entity in [*self.by_kind[EntityKind.GROUP].values(), *self.ws.of_kind(EntityKind.GROUP)]:
            if isinstance(entity, Group) and entity.account == account and entity.name == group_name:
                return entity.id
        self.warnings.append(f"{label} is a member of group {group_name}, which is not in GroupDetailList; "
                             "an empty group was created")
        return self.add(Group(self._principal_id(account, "group", "/", group_name), group_name, account))

    def user(self, item: Mapping[str, Any]) -> None:
        name = str(item.get("UserName", ""))
        label = f"user {name}"
        account = self.account_of(str(item.get("Arn", "")), label)
        path = self.path_of(item, label)
        groups = tuple(dict.fromkeys(self._group_id(account, str(g), label)
                                     for g in list_field(item, "GroupList", label)))
        self.add(User(self._principal_id(account, "user", path, name), name, account, path, tags_of(item, label),
                      groups, self.attached(item, label), self.inline(item, "UserPolicyList", label),
                      self.boundary(item, label), optional_text(item, "UserId", label, self.warnings)))

    def role(self, item: Mapping[str, Any]) -> None:
        name = str(item.get("RoleName", ""))
        label = f"role {name}"
        account = self.account_of(str(item.get("Arn", "")), label)
        path = self.path_of(item, label)
        trust = item.get("AssumeRolePolicyDocument")
        trust_policy = decode_document(trust, f"{label}, trust policy") if trust is not None else dict(EMPTY_POLICY)
        self._services_in(trust_policy, label)
        for trusted_account in principal_accounts(trust_policy):  # so that cross-account trust shows as an edge
            ensure_account(self.ws, self.accounts, trusted_account)
        self.add(Role(self._principal_id(account, "role", path, name), name, account, trust_policy, path,
                      tags_of(item, label), self.attached(item, label), self.inline(item, "RolePolicyList", label),
                      self.boundary(item, label), self._session_length(item, label),
                      str(item.get("Description") or ""), optional_text(item, "RoleId", label, self.warnings)))

    def _session_length(self, item: Mapping[str, Any], label: str) -> int:
        value = item.get("MaxSessionDuration", 3600)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.warnings.append(f"{label}: MaxSessionDuration {value!r} is not a number of seconds; taken as 3600")
        return 3600

    def _services_in(self, document: Mapping[str, Any], label: str) -> None:
        statements = document.get("Statement")
        for statement in statements if isinstance(statements, list) else [statements]:
            principal = statement.get("Principal") if isinstance(statement, Mapping) else None
            services = principal.get("Service") if isinstance(principal, Mapping) else None
            for service in services if isinstance(services, list) else [services] if services else []:
                service = str(service)
                if not _SERVICE_NAME.match(service):
                    self.warnings.append(f"{label}: trust policy names the service {service!r}, which is not "
                                         "a service principal name; not modelled as an entity")
                    continue
                existing = self.ws.find(service)
                if existing is None or existing.kind is not EntityKind.SERVICE:
                    self.by_kind[EntityKind.SERVICE].setdefault(service, ServicePrincipal(service, service))

    def entities(self) -> list[Entity]:
        ordered = sorted(self.accounts.values(), key=lambda a: a.account_id)  # type: ignore[union-attr]
        return [*ordered, *(e for kind in self.by_kind.values() for e in kind.values())]


def _default_account(merged: Mapping[str, list[Any]], given: str | None) -> str:
    if given:
        return given
    seen = Counter(account for items in merged.values() for item in items
                   if (account := arn_account(str(item.get("Arn", "")))))
    return seen.most_common(1)[0][0] if seen else FALLBACK_ACCOUNT


def import_authorization_details(data: Mapping[str, Any] | str | bytes | Iterable[Any],
                                 workspace: Workspace | None = None, *,
                                 account_id: str | None = None) -> ImportResult:
    """Import ``aws iam get-account-authorization-details`` output.

    Parameters
    ----------
    data
        The output as a dict, JSON text or bytes, or a list of pages (paginated dumps) that are merged.
    workspace
        The workspace to add to (a new one when None); entities it already holds are kept as they are.
    account_id
        The account for principals whose ARN names no account (some dumps write ``aws``); by default the
        account most ARNs in the data name.

    Every account the data names (in principals' ARNs and in trust policies) becomes an Account entity, and
    every service a trust policy names a ServicePrincipal, so that trust shows as edges.

    Returns
    -------
    ImportResult
        The workspace and warnings: placeholder policies for attached policies missing from the data (imported
        with no statements, so they allow nothing), ARNs without an account, empty paths, unknown groups.

    Raises
    ------
    AwsImportError
        When the data is not this output, or an entity breaks a rule of the model (all or nothing).
    """
    pages = list(data) if isinstance(data, list) else [data]
    merged = _merge_pages(pages)
    ws = workspace if workspace is not None else Workspace("Imported from AWS")
    importer = _Importer(ws, _default_account(merged, account_id))
    for key, label in (("Policies", "managed policy"), ("GroupDetailList", "group"),
                       ("UserDetailList", "user"), ("RoleDetailList", "role")):
        merged[key] = _unique_by_arn(merged[key], label, importer.warnings)
    for item in merged["Policies"]:
        importer.policy(item)
    for item in merged["GroupDetailList"]:
        importer.group(item)
    for item in merged["UserDetailList"]:
        importer.user(item)
    for item in merged["RoleDetailList"]:
        importer.role(item)
    add_all(ws, importer.entities())
    return ImportResult(ws, importer.warnings)


def add_all(ws: Workspace, entities: list[Entity]) -> None:
    """Add imported entities with an automatic layout below what the workspace already shows; all or nothing.

    Entities are checked as a model file would check them (policy documents, then fields), so that an import
    that succeeds can always be saved and opened again.
    """
    check_documents(entities)
    for entity in entities:
        try:
            check_entity_fields(entity)
        except ModelError as error:
            raise AwsImportError(f"{entity.kind.value} {entity.id}: {error}") from None
    placements = auto_layout(entities, bottom_of(ws.placements.values()))
    try:
        ws.add_many(entities, placements)
    except ModelError as error:
        raise AwsImportError(f"the imported data breaks a rule of the model: {error}") from None
