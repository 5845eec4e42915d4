"""Import an AWS Organizations structure with its SCPs/RCPs, or one ``describe-policy`` output, into a Workspace."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from iam_desktop.formats.aws_common import (
    DEFAULT_ACCOUNT_NAME, AwsImportError, ImportResult, account_entity_id, check_documents, decode_document,
    list_field, read_input,
)
from iam_desktop.formats.layout import auto_layout, bottom_of
from iam_desktop.model import Account, Entity, EntityKind, ManagedPolicy, ModelError, OrgUnit, PolicyType, Workspace

_ACCOUNT_ID = re.compile(r"^\d{12}$")
POLICY_TYPES = {"SERVICE_CONTROL_POLICY": PolicyType.SCP, "RESOURCE_CONTROL_POLICY": PolicyType.RCP}


class _OrgImport:
    """One run: new entities, edited existing accounts/units, and warnings."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.new: dict[str, Entity] = {}
        self.edited: dict[str, Entity] = {}
        self.warnings: list[str] = []

    def current(self, entity_id: str) -> Entity:
        return self.new.get(entity_id) or self.edited.get(entity_id) or self.ws.get(entity_id)

    def policy(self, item: Mapping[str, Any], where: str) -> str | None:
        summary = item.get("PolicySummary") if isinstance(item.get("PolicySummary"), Mapping) else item
        name = str(summary.get("Name") or summary.get("Id") or "")
        policy_type = POLICY_TYPES.get(str(summary.get("Type", "SERVICE_CONTROL_POLICY")))
        if policy_type is None:
            self.warnings.append(f"{where}: policy {name!r} of type {summary.get('Type')} is not an SCP or RCP; "
                                 "skipped")
            return None
        arn = str(summary.get("Arn") or summary.get("Id") or name)
        existing = self.ws.find(arn)
        if existing is not None and existing.kind is EntityKind.MANAGED_POLICY:
            return existing.id
        if arn not in self.new:
            content = item.get("Content")
            document = decode_document(content, f"{where}, policy {name}") if content is not None else None
            if document is None:
                self.warnings.append(f"{where}: policy {name!r} has no Content; imported with no statements")
                document = {"Version": "2012-10-17", "Statement": []}
            self.new[arn] = ManagedPolicy(arn, name, document, policy_type=policy_type,
                                          description=str(summary.get("Description") or ""), arn=arn)
        return arn

    def policies(self, node: Mapping[str, Any], where: str) -> tuple[str, ...]:
        found = [self.policy(item, where) for item in list_field(node, "Policies", where) if isinstance(item, Mapping)]
        return tuple(dict.fromkeys(p for p in found if p))

    def node(self, node: Mapping[str, Any], parent: str | None, where: str) -> None:
        node_id = str(node.get("Id") or "")
        name = str(node.get("Name") or node_id)
        policies = self.policies(node, where)
        if str(node.get("Type", "")).lower() == "account" or _ACCOUNT_ID.match(node_id):
            self.account(node_id, name, parent, policies, where)
            return
        unit_id = str(node.get("Arn") or node_id)
        if not unit_id:
            raise AwsImportError(f"{where}: an organization unit needs an Id")
        existing = self.ws.find(unit_id)
        if existing is not None and isinstance(existing, OrgUnit):
            merged = tuple(dict.fromkeys((*existing.policies, *policies)))
            self.edited[existing.id] = replace(existing, parent=parent, policies=merged)
            unit_id = existing.id
        else:
            self.new[unit_id] = OrgUnit(unit_id, name, parent, policies)
        for index, child in enumerate(list_field(node, "Children", where)):
            if isinstance(child, Mapping):
                self.node(child, unit_id, f"{where}.Children[{index}]")

    def account(self, account_id: str, name: str, parent: str | None, policies: tuple[str, ...], where: str) -> None:
        if not _ACCOUNT_ID.match(account_id):
            raise AwsImportError(f"{where}: the account Id {account_id!r} is not 12 digits")
        existing = self.ws.account_by_number(account_id)
        if existing is None:
            self.new[account_entity_id(account_id)] = Account(account_entity_id(account_id), name, account_id,
                                                              parent, policies)
            return
        merged = tuple(dict.fromkeys((*existing.policies, *policies)))
        self.edited[existing.id] = replace(existing, parent=parent, policies=merged,
                                           name=name if existing.name in (DEFAULT_ACCOUNT_NAME, existing.account_id) else existing.name)

    def attach(self, target: str, policy_id: str) -> None:
        entity = self.ws.find(target) or self.ws.account_by_number(target)
        if not isinstance(entity, (OrgUnit, Account)):
            raise AwsImportError(f"the target {target!r} is not an organization unit or account of the model")
        current = self.current(entity.id)
        policies = getattr(current, "policies")
        if policy_id not in policies:
            self.edited[entity.id] = replace(current, policies=(*policies, policy_id))  # type: ignore[arg-type]

    def commit(self) -> None:
        """Add the new entities and store the edits; all or nothing.

        New entities are laid out below the rest; accounts the data moves into a new unit are laid out again
        (with their content) inside that unit's frame.
        """
        added = list(self.new.values())
        check_documents(added)
        moved = [e for e in self.edited.values() if isinstance(e, Account) and e.parent in self.new]
        moved_ids = {e.id for e in moved}
        contents = [e for e in self.ws.entities.values() if getattr(e, "account", None) in moved_ids]
        placements = auto_layout([*added, *moved, *contents], bottom_of(self.ws.placements.values()))
        try:
            self.ws.add_many(added, {e.id: placements[e.id] for e in added})
        except ModelError as error:
            raise AwsImportError(f"the organization data breaks a rule of the model: {error}") from None
        try:
            if self.edited:
                self.ws.update_many(self.edited.values())
        except ModelError as error:
            self.ws.remove([e.id for e in added])
            raise AwsImportError(f"the organization data breaks a rule of the model: {error}") from None
        if moved:
            self.ws.place_many({e.id: placements[e.id] for e in [*moved, *contents]})


def import_organization(ws: Workspace, data: Mapping[str, Any] | str | bytes, *,
                        target: str | None = None) -> ImportResult:
    """Import an organization tree with its SCPs/RCPs, or one ``aws organizations describe-policy`` output.

    Parameters
    ----------
    ws
        The workspace to add to; accounts it already models (same 12-digit id) are moved under their unit
        and given the policies rather than duplicated.
    data
        Either the organization tree (the root with ``Id``, ``Name``, ``Policies`` and ``Children`` that are
        accounts or units, each with its ``Policies`` and their ``Content``), or ``describe-policy`` output
        ``{"Policy": {"PolicySummary": {...}, "Content": "<policy JSON text>"}}``.
    target
        For ``describe-policy`` output: the id, name or account number of the unit or account to attach the
        policy to (None: the policy is only added).

    Raises
    ------
    AwsImportError
        When the data has neither shape, a target is unknown, or the result breaks a rule of the model.
    """
    data = read_input(data, "organization data")
    if not isinstance(data, Mapping):
        raise AwsImportError("organization data must be a JSON object")
    run = _OrgImport(ws)
    if isinstance(data.get("Policy"), Mapping):
        policy_id = run.policy(data["Policy"], "Policy")
        if policy_id and target is not None:
            run.attach(target, policy_id)
    elif "Id" in data or "Children" in data:
        run.node(data, None, "root")
    else:
        raise AwsImportError("organization data: expected an organization tree (Id, Policies, Children) or "
                             "'aws organizations describe-policy' output ({\"Policy\": ...})")
    run.commit()
    return ImportResult(ws, run.warnings)
