"""Import resource-based policies (bucket policies and the like) as Resource entities of a Workspace."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Iterable, Mapping

from iam_desktop.formats.aws_common import (
    AwsImportError, ImportResult, arn_account, check_documents, decode_document, ensure_account, principal_accounts,
    read_input,
)
from iam_desktop.formats.layout import auto_layout, bottom_of
from iam_desktop.model import Account, Entity, EntityKind, ModelError, Resource, Workspace
from iam_desktop.model.resource_types import resource_type_for_arn


def _name_from_arn(arn: str) -> str:
    resource = arn.split(":", 5)[-1]
    for separator in ("/", ":"):
        resource = resource.rsplit(separator, 1)[-1] or resource
    return resource or arn


def _normalised(document: dict[str, Any], where: str, warnings: list[str]) -> dict[str, Any]:
    """The document with bare-string principals (other than ``*``) written as ``{"AWS": ...}``."""
    statements = document.get("Statement")
    if not any(isinstance(s, Mapping) and isinstance(s.get("Principal"), str) and s["Principal"] != "*"
               for s in (statements if isinstance(statements, list) else [statements])):
        return document
    fixed = copy.deepcopy(document)
    for index, statement in enumerate(fixed["Statement"] if isinstance(fixed["Statement"], list)
                                      else [fixed["Statement"]]):
        if isinstance(statement, dict) and isinstance(statement.get("Principal"), str) and \
                statement["Principal"] != "*":
            warnings.append(f"{where}: Statement[{index}] writes Principal as the bare string "
                            f"{statement['Principal']!r}, which AWS's grammar does not allow; read as "
                            "{\"AWS\": ...}")
            statement["Principal"] = {"AWS": statement["Principal"]}
    return fixed


def _items(data: Any, resource_arn: str | None) -> list[tuple[str, Any, str | None]]:
    if isinstance(data, list):
        found = []
        for index, item in enumerate(data):
            if not isinstance(item, Mapping) or "Resource" not in item or "Policy" not in item:
                raise AwsImportError(f"item {index}: expected {{\"Resource\": ARN, \"Policy\": ..., "
                                     "\"Account\": ...}")
            account = item.get("Account")
            found.append((str(item["Resource"]), item["Policy"], str(account) if account else None))
        return found
    if not isinstance(data, Mapping):
        raise AwsImportError("a resource policy must be a JSON object or a list of {Resource, Policy, Account}")
    policy = data["Policy"] if "Policy" in data and "Statement" not in data else data
    if resource_arn is None:
        raise AwsImportError("this resource policy does not say which resource it belongs to; give its ARN")
    return [(resource_arn, policy, None)]


def _account_for(ws: Workspace, batch: dict[str, Entity], arn: str, account: str | None,
                 default: str | None) -> str:
    account = account or arn_account(arn) or default
    if account is None:
        accounts = [e for e in [*ws.of_kind(EntityKind.ACCOUNT), *batch.values()] if isinstance(e, Account)]
        if len(accounts) != 1:
            raise AwsImportError(f"{arn}: the ARN names no account; give the account that owns the resource")
        return accounts[0].id
    return ensure_account(ws, batch, account)


def import_resource_policies(ws: Workspace, items: Iterable[Mapping[str, Any]] | Mapping[str, Any] | str | bytes,
                             *, resource_arn: str | None = None, account_id: str | None = None) -> ImportResult:
    """Import resource-based policies as Resource entities (type from the ARN), creating missing accounts.

    Accounts the policies name as principals are created too, so that cross-account grants show as edges.

    Parameters
    ----------
    ws
        The workspace to add to; a resource it already has (same ARN) gets the imported policy.
    items
        A list of ``{"Resource": ARN, "Policy": document, "Account": owner}`` (IAMSpy's shape), the output of
        ``aws s3api get-bucket-policy`` (``{"Policy": "<JSON text>"}``), or a bare policy document; as data,
        JSON text or bytes.
    resource_arn
        The resource's ARN, for the two shapes that do not carry it.
    account_id
        The owner account when neither the item nor the ARN names one (S3 ARNs carry no account).

    Raises
    ------
    AwsImportError
        When the data has none of these shapes, the owner is unknown, or the result breaks a rule of the model.
    """
    data = read_input(items, "resource policies")
    warnings: list[str] = []
    new: dict[str, Entity] = {}
    accounts: dict[str, Entity] = {}
    updated: list[Entity] = []
    for arn, raw_policy, owner in _items(data, resource_arn):
        document = _normalised(decode_document(raw_policy, arn), arn, warnings)
        existing = ws.find(arn)
        if isinstance(existing, Resource):
            warnings.append(f"{arn}: already in the model; its policy was replaced by the imported one")
            updated.append(replace(existing, policy=document))
            continue
        account = _account_for(ws, accounts, arn, owner, account_id)
        for named_account in principal_accounts(document):  # so that cross-account grants show as edges
            ensure_account(ws, accounts, named_account)
        new[arn] = Resource(arn, _name_from_arn(arn), account, resource_type_for_arn(arn), arn, document)
    added = [*accounts.values(), *new.values()]
    check_documents([*added, *updated])
    try:
        ws.add_many(added, auto_layout(added, bottom_of(ws.placements.values())))
    except ModelError as error:
        raise AwsImportError(f"the resource policies break a rule of the model: {error}") from None
    try:
        if updated:
            ws.update_many(updated)
    except ModelError as error:
        ws.remove([e.id for e in added])
        raise AwsImportError(f"the resource policies break a rule of the model: {error}") from None
    return ImportResult(ws, warnings)
