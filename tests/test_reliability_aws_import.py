"""AWS authorization-details imports: refusals leave the workspace as it was; what imports can be saved and reopened."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.formats.aws_import import AwsImportError, import_authorization_details
from iam_desktop.formats.model_file import load_model, save_model
from iam_desktop.model import Account, Workspace


def _sample(shared_data: Path, name: str) -> Any:
    return json.loads((shared_data / "aws-authorization-details" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("data", [b"\xff\xfe", "not json", "[1, 2", "{\"UserDetailList\": 5}", "7", "null"])
def test_refused_input_leaves_the_workspace_as_it_was(data: str | bytes) -> None:
    ws = Workspace("mine")
    ws.add(Account("acct", "keep", "999999999999"))
    before = ws.copy()
    with pytest.raises(AwsImportError) as caught:
        import_authorization_details(data, ws)
    assert str(caught.value).strip() and "\n" not in str(caught.value)
    assert ws.same_content(before)


@pytest.mark.parametrize(("sample", "detail", "field"), [
    ("iamspy-role-boundary-allow.json", "RoleDetailList", "RolePolicyList"),
    ("iamspy-role-boundary-allow.json", "RoleDetailList", "AttachedManagedPolicies"),
    ("iamspy-role-boundary-allow.json", "RoleDetailList", "Tags"),
    ("iamspy-role-boundary-allow.json", "Policies", "PolicyVersionList"),
    ("iamspy-user-boundary-allow.json", "UserDetailList", "GroupList"),
])
def test_a_list_field_of_the_wrong_type_is_refused(shared_data: Path, sample: str, detail: str, field: str) -> None:
    data = copy.deepcopy(_sample(shared_data, sample))
    data[detail][0][field] = 5
    with pytest.raises(AwsImportError) as caught:
        import_authorization_details(data)
    assert field in str(caught.value)


def test_every_sample_imports_saves_and_reopens(shared_data: Path, tmp_path: Path) -> None:
    for path in sorted((shared_data / "aws-authorization-details").glob("*.json")):
        result = import_authorization_details(path.read_bytes())
        target = tmp_path / f"{path.stem}.iamd.json"
        save_model(result.workspace, target)
        assert load_model(target).same_content(result.workspace), path.name


def test_an_import_with_an_invalid_policy_saves_and_reopens(shared_data: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(_sample(shared_data, "iamspy-basic-allow.json"))
    del data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Effect"]
    try:
        result = import_authorization_details(data)
    except AwsImportError:
        return
    save_model(result.workspace, tmp_path / "imported.iamd.json")
    load_model(tmp_path / "imported.iamd.json")


def test_an_import_with_a_deeply_nested_document_saves_and_reopens(shared_data: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(_sample(shared_data, "iamspy-basic-allow.json"))
    deep: Any = "x"
    for _ in range(150):
        deep = [deep]
    data["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Condition"] = {
        "StringEquals": {"aws:username": deep}}
    try:
        result = import_authorization_details(data)
    except AwsImportError:
        return
    save_model(result.workspace, tmp_path / "imported.iamd.json")
    load_model(tmp_path / "imported.iamd.json")


def test_an_import_with_a_non_string_id_saves_and_reopens(shared_data: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(_sample(shared_data, "iamspy-basic-allow.json"))
    data["RoleDetailList"][0]["RoleId"] = ["AROA", 1]
    try:
        result = import_authorization_details(data)
    except AwsImportError:
        return
    save_model(result.workspace, tmp_path / "imported.iamd.json")
    load_model(tmp_path / "imported.iamd.json")
