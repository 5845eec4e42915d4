"""Importing organizations (SCP/RCP trees, describe-policy output) and resource policies; automatic layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.formats.aws_import import (
    AwsImportError, import_authorization_details, import_organization, import_resource_policies,
)
from iam_desktop.formats.layout import NODE_HEIGHT, NODE_WIDTH, auto_layout
from iam_desktop.formats.model_file import dumps_model, loads_model
from iam_desktop.model import Account, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, User, Workspace


def inputs(shared_data: Path, name: str) -> Any:
    return json.loads((shared_data / "iamspy-inputs" / name).read_text(encoding="utf-8"))


def test_organization_tree_with_scps(shared_data: Path) -> None:
    ws = Workspace()
    result = import_organization(ws, inputs(shared_data, "scp-deny-lambda.json"))
    assert result.warnings == []
    root = next(e for e in ws.entities.values() if isinstance(e, OrgUnit))
    assert root.name == "Root" and root.parent is None
    scps = {e.name: e for e in ws.entities.values() if isinstance(e, ManagedPolicy)}
    assert set(scps) == {"FullAWSAccess", "block lambda"}
    assert all(p.policy_type is PolicyType.SCP for p in scps.values())
    assert set(root.policies) == {scps["FullAWSAccess"].id, scps["block lambda"].id}
    accounts = [e for e in ws.entities.values() if isinstance(e, Account)]
    assert {a.account_id for a in accounts} == {"023456789012", "123456789012"}
    assert all(a.parent == root.id and a.policies == (scps["FullAWSAccess"].id,) for a in accounts)
    assert loads_model(dumps_model(ws)).same_content(ws)


def test_organization_merges_with_imported_accounts(shared_data: Path) -> None:
    ws = import_authorization_details(
        json.loads((shared_data / "aws-authorization-details" / "iamspy-user-allow-check.json").read_text())).workspace
    account = next(e for e in ws.entities.values() if isinstance(e, Account))
    tree = {"Id": "r-1", "Name": "Root", "Policies": [], "Children": [
        {"Id": "ou-1", "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT", "Policies": [
            {"Id": "p-1", "Name": "Deny S3", "Type": "SERVICE_CONTROL_POLICY",
             "Content": json.dumps({"Version": "2012-10-17",
                                    "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})}],
         "Children": [{"Id": account.account_id, "Name": "prod", "Type": "ACCOUNT"}]}]}
    import_organization(ws, tree)
    merged = ws.get(account.id)
    assert isinstance(merged, Account) and merged.parent == "ou-1" and merged.name == "prod"
    assert len([e for e in ws.entities.values() if isinstance(e, Account)]) == 1
    unit, root = ws.placements["ou-1"], ws.placements["r-1"]
    assert _inside(unit, root) and _inside(ws.placements[account.id], unit)
    assert all(_inside(ws.placements[u.id], ws.placements[account.id]) for u in ws.users())


def test_describe_policy_output_attaches_to_a_named_target() -> None:
    ws = Workspace()
    ws.add(OrgUnit("ou", "Workloads"))
    content = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-abc"}}}]}
    output = {"Policy": {"PolicySummary": {"Id": "p-rcp", "Name": "OrgOnly", "Type": "RESOURCE_CONTROL_POLICY",
                                           "Arn": "arn:aws:organizations::111122223333:policy/o-abc/"
                                                  "resource_control_policy/p-rcp", "AwsManaged": False},
                         "Content": json.dumps(content)}}
    import_organization(ws, json.dumps(output), target="Workloads")
    policy = next(e for e in ws.entities.values() if isinstance(e, ManagedPolicy))
    assert policy.policy_type is PolicyType.RCP and policy.document == content
    assert ws.get("ou").policies == (policy.id,)


@pytest.mark.parametrize("data, target, message", [
    ({"Policy": {"PolicySummary": {"Name": "x", "Type": "SERVICE_CONTROL_POLICY"}, "Content": "{}"}}, "nowhere",
     "not an organization unit or account"),
    ({"Accounts": []}, None, "expected an organization tree"),
    ([], None, "must be a JSON object"),
    ({"Id": "r-1", "Children": [{"Id": "12", "Type": "ACCOUNT"}]}, None, "not 12 digits"),
])
def test_bad_organization_data_is_refused(data: Any, target: str | None, message: str) -> None:
    ws = Workspace()
    with pytest.raises(AwsImportError, match=message):
        import_organization(ws, data, target=target)
    assert len(ws) == 0


def test_non_scp_policy_types_are_skipped_with_a_warning() -> None:
    ws = Workspace()
    tree = {"Id": "r-1", "Name": "Root", "Policies": [{"Id": "p-t", "Name": "Tags", "Type": "TAG_POLICY",
                                                       "Content": {}}]}
    result = import_organization(ws, tree)
    assert any("TAG_POLICY" in w for w in result.warnings)
    assert [e.name for e in ws.entities.values()] == ["Root"]


@pytest.mark.parametrize("name", ["batch-resource.json", "cross-account-rp.json", "resource-s3-allow-all.json",
                                  "resource-s3-allow-testing.json", "resource-s3-deny-testing2.json"])
def test_every_resource_policy_sample_imports(shared_data: Path, name: str) -> None:
    data = inputs(shared_data, name)
    ws = Workspace()
    result = import_resource_policies(ws, data)
    resources = ws.resources()
    assert [r.arn for r in resources] == [item["Resource"] for item in data]
    for resource, item in zip(resources, data):
        assert ws.account_id_of(resource.account) == item["Account"]
        for statement in resource.policy["Statement"]:  # type: ignore[index]
            assert statement["Principal"] == "*" or isinstance(statement["Principal"], dict)
    bare = [s for item in data for s in item["Policy"]["Statement"] if isinstance(s.get("Principal"), str)
            and s["Principal"] != "*"]
    assert len([w for w in result.warnings if "bare string" in w]) == len(bare)
    assert loads_model(dumps_model(ws)).same_content(ws)


def test_resource_types_come_from_the_arn(shared_data: Path) -> None:
    ws = Workspace()
    import_resource_policies(ws, inputs(shared_data, "cross-account-rp.json"))
    function = ws.resources()[0]
    assert function.resource_type == "lambda_function" and function.name == "helloworld"
    accounts = {e.account_id for e in ws.entities.values() if isinstance(e, Account)}
    assert accounts == {"111111111111", "123456789012"}  # the owner and the account the policy grants to
    assert function.policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}  # type: ignore


def test_get_bucket_policy_output_needs_the_bucket_and_its_account() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    output = json.dumps({"Policy": json.dumps(policy)})
    ws = Workspace()
    with pytest.raises(AwsImportError, match="give its ARN"):
        import_resource_policies(ws, output)
    with pytest.raises(AwsImportError, match="give the account"):
        import_resource_policies(ws, output, resource_arn="arn:aws:s3:::b")
    import_resource_policies(ws, output, resource_arn="arn:aws:s3:::b", account_id="111122223333")
    bucket = ws.resources()[0]
    assert bucket.policy == policy and bucket.resource_type == "s3_bucket"
    new_policy = {"Version": "2012-10-17", "Statement": []}
    result = import_resource_policies(ws, new_policy, resource_arn="arn:aws:s3:::b")
    assert ws.resources()[0].policy == new_policy and "replaced" in result.warnings[0]


def test_layout_puts_entities_inside_their_account_frames() -> None:
    entities = [Account("a", "A", "111122223333"), Account("b", "B", "444455556666")]
    entities += [User(f"u{n}", f"u{n}", "a" if n % 3 else "b") for n in range(14)]
    entities += [Resource("r", "r", "b", "s3_bucket", "arn:aws:s3:::r")]
    placements = auto_layout(entities)
    assert auto_layout(entities) == placements
    for entity in entities[2:]:
        frame, node = placements[entity.account], placements[entity.id]  # type: ignore[union-attr]
        assert frame.x <= node.x and node.x + NODE_WIDTH <= frame.x + frame.width  # type: ignore[operator]
        assert frame.y <= node.y and node.y + NODE_HEIGHT <= frame.y + frame.height  # type: ignore[operator]
    nodes = [(p.x, p.y) for e, p in placements.items() if e not in ("a", "b")]
    assert len(set(nodes)) == len(nodes)


def _inside(inner: Placement, outer: Placement) -> bool:
    width, height = inner.width or NODE_WIDTH, inner.height or NODE_HEIGHT
    return (outer.x <= inner.x and inner.x + width <= outer.x + (outer.width or 0)
            and outer.y <= inner.y and inner.y + height <= outer.y + (outer.height or 0))


def _overlap(a: Placement, b: Placement) -> bool:
    return not (a.x + (a.width or NODE_WIDTH) <= b.x or b.x + (b.width or NODE_WIDTH) <= a.x
                or a.y + (a.height or NODE_HEIGHT) <= b.y or b.y + (b.height or NODE_HEIGHT) <= a.y)


def test_imported_layout_nests_frames_and_never_overlaps(shared_data: Path) -> None:
    data = (shared_data / "aws-authorization-details" / "cloudsplaining-example.json").read_text()
    ws = import_authorization_details(data).workspace
    import_organization(ws, inputs(shared_data, "scp-deny-lambda.json"))
    placements = ws.placements
    assert set(placements) == set(ws.entities)

    def containers(entity_id: str) -> set[str]:
        entity = ws.get(entity_id)
        owner = getattr(entity, "parent" if isinstance(entity, (OrgUnit, Account)) else "account", None)
        return {owner, *containers(owner)} if owner else set()

    for first in ws.entities:
        for second in ws.entities:
            if first >= second:
                continue
            a, b = placements[first], placements[second]
            if first in containers(second):
                assert _inside(b, a), (second, first)
            elif second in containers(first):
                assert _inside(a, b), (first, second)
            else:
                assert not _overlap(a, b), (first, second)
