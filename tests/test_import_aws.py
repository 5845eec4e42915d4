"""Importing ``get-account-authorization-details`` output: every shared sample, its quirks, pages, export back."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.formats.aws_import import (
    AwsImportError, export_authorization_details, import_authorization_details,
)
from iam_desktop.formats.model_file import dumps_model, loads_model
from iam_desktop.model import Account, Group, ManagedPolicy, Placement, Role, ServicePrincipal, User, Workspace

SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "aws-authorization-details"
SAMPLES = sorted(SAMPLES_DIR.glob("*.json")) if SAMPLES_DIR.is_dir() else []


def sample(shared_data: Path, name: str) -> dict[str, Any]:
    return json.loads((shared_data / "aws-authorization-details" / name).read_text(encoding="utf-8"))


def test_all_eighteen_samples_are_present(shared_data: Path) -> None:
    assert len(list((shared_data / "aws-authorization-details").glob("*.json"))) == 18


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_imports_counts_match_and_round_trips(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    result = import_authorization_details(path.read_bytes())
    ws = result.workspace
    assert len(ws.users()) == len(data.get("UserDetailList", []))
    assert len(ws.roles()) == len(data.get("RoleDetailList", []))
    groups = [e for e in ws.entities.values() if isinstance(e, Group)]
    assert len(groups) == len(data.get("GroupDetailList", []))
    policies = [e for e in ws.entities.values() if isinstance(e, ManagedPolicy)]
    assert len(policies) >= len(data.get("Policies", []))
    assert all(entity_id in ws.placements for entity_id in ws.entities)
    assert loads_model(dumps_model(ws), path.name).same_content(ws)
    again = import_authorization_details(export_authorization_details(ws))
    assert again.workspace.same_content(ws)
    assert again.warnings == []


def test_large_sample_keeps_users_groups_and_policies(shared_data: Path) -> None:
    ws = import_authorization_details(sample(shared_data, "cloudsplaining-example.json")).workspace
    accounts = [e for e in ws.entities.values() if isinstance(e, Account)]
    assert {a.account_id for a in accounts} == {"012345678901", "072528804237", "200611803367"}
    trusted_only = next(a for a in accounts if a.account_id == "072528804237")  # named only in a trust policy
    assert not any(getattr(e, "account", None) == trusted_only.id for e in ws.entities.values())
    tagged = [p for p in [*ws.users(), *ws.roles()] if p.tags]
    assert len(tagged) == 16
    assert any(r.path.startswith("/aws-service-role/") for r in ws.roles())
    services = {e.name for e in ws.entities.values() if isinstance(e, ServicePrincipal)}
    assert "lambda.amazonaws.com" in services and "ec2.amazonaws.com" in services


def test_default_policy_version_is_used(shared_data: Path) -> None:
    data = sample(shared_data, "cloudsplaining-managed_policy_mismatch.json")
    policy = data["Policies"][0]
    default = next(v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])
    ws = import_authorization_details(data).workspace
    assert ws.find(policy["Arn"]).document == default["Document"]


def test_dangling_managed_policy_gets_an_empty_placeholder_and_a_warning(shared_data: Path) -> None:
    result = import_authorization_details(sample(shared_data, "cloudsplaining-example_authz_v2.json"))
    admin = result.workspace.find("arn:aws:iam::aws:policy/AdministratorAccess")
    assert isinstance(admin, ManagedPolicy)
    assert admin.account is None and admin.document["Statement"] == []
    assert any("AdministratorAccess" in w and "unknown" in w for w in result.warnings)


def test_missing_role_list_and_deprecated_policy(shared_data: Path) -> None:
    result = import_authorization_details(sample(shared_data, "cloudsplaining-managed_policy_mismatch.json"))
    assert result.workspace.roles() == []
    assert any("AWSLambdaReadOnlyAccess" in w for w in result.warnings)


def test_cloudmapper_quirks_aws_account_and_empty_path(shared_data: Path) -> None:
    result = import_authorization_details(sample(shared_data, "cloudmapper-iam-get-account-authorization-details.json"))
    ws = result.workspace
    user = next(u for u in ws.users() if u.name == "USER")
    assert ws.account_id_of(user.account) == "123456789012"
    assert ws.arn_of(user.id) == "arn:aws:iam::123456789012:user/USER"
    bad_role = next(r for r in ws.roles() if r.name == "bad_role")
    assert bad_role.path == "/"
    assert any("names no 12-digit account" in w for w in result.warnings)
    assert any("empty or missing Path" in w for w in result.warnings)


def test_account_parameter_overrides_the_guess(shared_data: Path) -> None:
    data = sample(shared_data, "cloudmapper-iam-get-account-authorization-details.json")
    ws = import_authorization_details(data, account_id="999999999999").workspace
    user = next(u for u in ws.users() if u.name == "USER")
    assert ws.account_id_of(user.account) == "999999999999"


def test_permission_boundaries_are_linked(shared_data: Path) -> None:
    ws = import_authorization_details(sample(shared_data, "iamspy-user-boundary-deny.json")).workspace
    user = ws.users()[0]
    assert user.permission_boundary == ws.find("arn:aws:iam::aws:policy/NotInvoking").id
    role_ws = import_authorization_details(sample(shared_data, "iamspy-role-boundary-allow.json")).workspace
    assert role_ws.roles()[0].permission_boundary is not None


def test_url_encoded_documents_are_decoded() -> None:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    data = {"RoleDetailList": [{
        "RoleName": "web", "Path": "/", "Arn": "arn:aws:iam::111122223333:role/web",
        "AssumeRolePolicyDocument": urllib.parse.quote(json.dumps(trust)),
        "RolePolicyList": [{"PolicyName": "s3", "PolicyDocument": urllib.parse.quote(json.dumps(inline))}],
        "CreateDate": "2019-12-18 19:10:08+00:00"}]}
    role = import_authorization_details(json.dumps(data)).workspace.roles()[0]
    assert role.trust_policy == trust and role.inline_policies[0].document == inline


def test_pages_are_merged_and_duplicates_dropped() -> None:
    def user(name: str) -> dict[str, Any]:
        return {"UserName": name, "Path": "/", "Arn": f"arn:aws:iam::111122223333:user/{name}",
                "GroupList": ["g"], "CreateDate": "2020-01-01T00:00:00Z"}
    first = {"UserDetailList": [user("a")], "GroupDetailList": [
        {"GroupName": "g", "Path": "/", "Arn": "arn:aws:iam::111122223333:group/g"}], "IsTruncated": True,
             "Marker": "abc"}
    second = {"UserDetailList": [user("b"), user("a")], "IsTruncated": False}
    ws = import_authorization_details([first, json.dumps(second)]).workspace
    assert sorted(u.name for u in ws.users()) == ["a", "b"]
    assert all(u.groups == ("arn:aws:iam::111122223333:group/g",) for u in ws.users())


def test_unknown_group_membership_creates_the_group_with_a_warning() -> None:
    data = {"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::111122223333:user/a", "GroupList": ["ghosts"]}]}
    result = import_authorization_details(data)
    group = result.workspace.get(result.workspace.users()[0].groups[0])
    assert group.name == "ghosts" and any("ghosts" in w for w in result.warnings)


def test_importing_into_an_existing_model_keeps_what_is_there(shared_data: Path) -> None:
    ws = Workspace()
    ws.add(Account("mine", "Mine", "123456789012"), Placement(0, 0, 400, 300))
    ws.add(User("bob", "bob", "mine"))
    data = sample(shared_data, "iamspy-user-allow-check.json")
    result = import_authorization_details(data, ws)
    assert result.workspace is ws
    assert "mine" in ws and "bob" in ws
    imported = [u for u in ws.users() if u.id != "bob"]
    assert imported and all(ws.placements[u.id].y > 300 for u in imported)  # below what was there
    again = import_authorization_details(data, ws)
    assert any("already in the model" in w for w in again.warnings)


@pytest.mark.parametrize("data, message", [
    (b"{not json", "invalid JSON"),
    ({"Something": []}, "not 'aws iam get-account-authorization-details' output"),
    ([1], "expected the JSON object"),
    ({"UserDetailList": {"a": 1}}, "must be a list"),
    ({"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
                          "AssumeRolePolicyDocument": "%7Bbroken"}]}, "not JSON"),
])
def test_unusable_input_is_refused_with_a_reason(data: Any, message: str) -> None:
    ws = Workspace()
    with pytest.raises(AwsImportError, match=message):
        import_authorization_details(data, ws)
    assert len(ws) == 0


@pytest.mark.parametrize("detail, field", [("RoleDetailList", "RolePolicyList"), ("RoleDetailList", "Tags"),
                                           ("RoleDetailList", "AttachedManagedPolicies"),
                                           ("UserDetailList", "GroupList"), ("Policies", "PolicyVersionList")])
def test_list_fields_of_the_wrong_type_are_refused(detail: str, field: str) -> None:
    item = {"Arn": "arn:aws:iam::111122223333:role/r", "RoleName": "r", "UserName": "u", "PolicyName": "p",
            field: 5}
    with pytest.raises(AwsImportError, match=f"{field} must be a list"):
        import_authorization_details({detail: [item]})


def test_a_policy_aws_would_reject_is_refused_naming_the_entity(shared_data: Path) -> None:
    data = sample(shared_data, "iamspy-basic-allow.json")
    del data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Effect"]
    with pytest.raises(AwsImportError, match=r"role .*: trust_policy\.Statement\[0\].*invalid trust policy"):
        import_authorization_details(data)


def test_nesting_deeper_than_model_files_allow_is_refused(shared_data: Path) -> None:
    data = sample(shared_data, "iamspy-basic-allow.json")
    deep: Any = "x"
    for _ in range(150):
        deep = [deep]
    data["RoleDetailList"][0]["Tags"] = [{"Key": "k", "Value": deep}]
    with pytest.raises(AwsImportError, match="deeper than 100"):
        import_authorization_details(data)


def test_ids_and_session_lengths_of_the_wrong_type_are_dropped_with_warnings(shared_data: Path) -> None:
    data = sample(shared_data, "iamspy-basic-allow.json")
    data["RoleDetailList"][0]["RoleId"] = ["AROA", 1]
    data["RoleDetailList"][0]["MaxSessionDuration"] = "1h"
    result = import_authorization_details(data)
    role = result.workspace.roles()[0]
    assert role.role_id is None and role.max_session_duration == 3600
    assert any("RoleId" in w for w in result.warnings) and any("MaxSessionDuration" in w for w in result.warnings)


def test_export_has_the_aws_shape() -> None:
    ws = Workspace()
    ws.add(Account("acct", "Main", "111122223333"))
    ws.add(ManagedPolicy("pol", "ReadAll", {"Version": "2012-10-17", "Statement": []}, "acct"))
    ws.add(Group("g", "devs", "acct", managed_policies=("pol",)))
    ws.add(User("u", "alice", "acct", tags={"team": "x"}, groups=("g",), permission_boundary="pol"))
    ws.add(Role("r", "runner", "acct"))
    data = export_authorization_details(ws)
    user = data["UserDetailList"][0]
    assert user["Arn"] == "arn:aws:iam::111122223333:user/alice" and user["GroupList"] == ["devs"]
    assert user["Tags"] == [{"Key": "team", "Value": "x"}]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == "arn:aws:iam::111122223333:policy/ReadAll"
    assert data["Policies"][0]["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert data["RoleDetailList"][0]["MaxSessionDuration"] == 3600
