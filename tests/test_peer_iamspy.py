"""IAMSpy's can-i / who-can questions (WithSecureLabs/IAMSpy tests) asked through our CLI as a subprocess.

The fixtures are IAMSpy's own files (shared data: ``aws-authorization-details/iamspy-*.json`` and
``iamspy-inputs/``). Each case states IAMSpy's expected answer; where AWS's documented behaviour differs,
the case expects AWS's answer and says why (``differs``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
LAMBDA = "arn:aws:lambda:eu-west-1:123456789012:function:helloworld"
LAMBDA_OTHER = "arn:aws:lambda:eu-west-1:111111111111:function:helloworld"
ROLE = "arn:aws:iam::123456789012:role/name"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iam_desktop.cli", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)


def ask(data: Path, gaad: str, principal: str, action: str, resource: str, *, resources: tuple[str, ...] = (),
        scps: tuple[str, ...] = (), context: tuple[str, ...] = ()) -> dict:
    args = ["check", str(data / "aws-authorization-details" / f"iamspy-{gaad}"), "--principal", principal,
            "--action", action, "--resource", resource, "--json"]
    for name in resources:
        args += ["--resource-policy", str(data / "iamspy-inputs" / name)]
    for name in scps:
        args += ["--scp", str(data / "iamspy-inputs" / name)]
    for pair in context:
        args += ["--context", pair]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# (gaad, principal, action, resource, resource policies, SCP files, context, IAMSpy's answer, our answer)
CAN_I = [
    ("role-boundary-no-policies.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), False, False),
    ("user-allow-check.json", "arn:aws:iam::123456789012:user/PermissionBoundaryAllow", "lambda:InvokeFunction",
     LAMBDA, (), (), (), True, True),
    ("user-boundary-allow.json", "arn:aws:iam::123456789012:user/PermissionBoundaryAllow", "lambda:InvokeFunction",
     LAMBDA, (), (), (), True, True),
    # the user asked about is not in the file: evaluated as an unknown caller with no policies
    ("user-boundary-deny.json", "arn:aws:iam::123456789012:user/name", "lambda:InvokeFunction", LAMBDA,
     (), (), (), False, False),
    ("user-boundary-deny.json", "arn:aws:iam::391638756970:user/PermissionBoundaryBlock", "lambda:InvokeFunction",
     "arn:aws:lambda:eu-west-1:391638756970:function:helloworld", (), (), (), False, False),
    ("role-boundary-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), True, True),
    ("role-boundary-deny.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), False, False),
    ("basic-deny.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), False, False),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), True, True),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA_OTHER, (), (), (), False, False),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA_OTHER, ("cross-account-rp.json",), (), (), True, True),
    # differs: IAMSpy (non-strict) treats a condition key the question does not give as satisfiable; AWS
    # evaluates StringLike on a missing aws:Referer as false (reference_policies_elements_condition.md), so
    # the Allow does not apply. IAMSpy's strict mode (its next case) agrees with us.
    ("allow-with-conditions.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), (), True, False),
    ("allow-with-conditions.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), ("aws:referer=bobby.tables",),
     True, True),
    ("allow-with-conditions.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), (), ("aws:Referer=alice",),
     False, False),
    ("allow-testing-s3.json", "arn:aws:iam::111111111111:role/testing", "s3:ListBucket", "arn:aws:s3:::bucket",
     ("resource-s3-allow-testing.json",), (), (), True, True),
    ("allow-testing-s3.json", "arn:aws:iam::111111111111:role/testing2", "s3:ListBucket", "arn:aws:s3:::bucket",
     ("resource-s3-deny-testing2.json",), (), (), False, False),
    ("allow-testing-s3.json", "arn:aws:iam::111111111111:role/testing", "s3:ListBucket", "arn:aws:s3:::bucket",
     ("resource-s3-allow-all.json",), (), (), True, True),
    ("basic-deny.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), ("scp-basic.json",), (), False, False),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), ("scp-basic.json",), (), True, True),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA_OTHER, (), ("scp-basic.json",), (), False, False),
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), ("scp-deny-lambda.json",), (), False, False),
    # the organization's management account is 123456789012 here: SCPs do not apply to it
    ("basic-allow.json", ROLE, "lambda:InvokeFunction", LAMBDA, (), ("scp-deny-lambda2.json",), (), True, True),
    # batch-allow with batch-resource (IAMSpy's who_can_batch_resource expectations, one cell each)
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name1", "s3:GetObject", "arn:aws:s3:::bucket1/foo",
     ("batch-resource.json",), (), (), True, True),
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name1", "s3:GetObject", "arn:aws:s3:::bucket3/foo",
     ("batch-resource.json",), (), (), False, False),
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name2", "s3:GetObject", "arn:aws:s3:::bucket2/foo",
     ("batch-resource.json",), (), (), True, True),
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name2", "s3:GetObject", "arn:aws:s3:::bucket3/foo",
     ("batch-resource.json",), (), (), False, False),
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name3", "s3:GetObject", "arn:aws:s3:::bucket4/foo",
     ("batch-resource.json",), (), (), True, True),
    ("batch-allow.json", "arn:aws:iam::123456789012:role/name3", "s3:GetObject", "arn:aws:s3:::bucket1/foo",
     ("batch-resource.json",), (), (), False, False),
]


@pytest.mark.parametrize("gaad,principal,action,resource,resources,scps,context,iamspy,expected", CAN_I)
def test_can_i(shared_data: Path, gaad: str, principal: str, action: str, resource: str,
               resources: tuple[str, ...], scps: tuple[str, ...], context: tuple[str, ...], iamspy: bool,
               expected: bool) -> None:
    answer = ask(shared_data, gaad, principal, action, resource, resources=resources, scps=scps, context=context)
    assert answer["allowed"] is expected
    assert answer["decision"] in ("allow", "explicit_deny", "implicit_deny")


def test_explicit_deny_in_resource_policy_is_reported_as_explicit(shared_data: Path) -> None:
    answer = ask(shared_data, "allow-testing-s3.json", "arn:aws:iam::111111111111:role/testing2", "s3:ListBucket",
                 "arn:aws:s3:::bucket", resources=("resource-s3-deny-testing2.json",))
    assert answer["decision"] == "explicit_deny"
    assert answer["explanation"]["deciding_statements"][0]["sid"] == "DenyTesting2"


def test_missing_condition_key_is_named(shared_data: Path) -> None:
    answer = ask(shared_data, "allow-with-conditions.json", ROLE, "lambda:InvokeFunction", LAMBDA)
    conditions = [c for stage in answer["explanation"]["stages"] for s in stage["statements"]
                  for c in s["conditions"]]
    assert conditions and conditions[0]["outcome"] == "missing_key"


WHO_CAN = [
    ("role-boundary-no-policies.json", (), "lambda:InvokeFunction", LAMBDA, set()),
    ("user-allow-check.json", (), "lambda:InvokeFunction", LAMBDA,
     {"arn:aws:iam::123456789012:user/PermissionBoundaryAllow"}),
    ("user-boundary-deny.json", (), "lambda:InvokeFunction", LAMBDA, set()),
    ("role-boundary-allow.json", (), "lambda:InvokeFunction", LAMBDA, {ROLE}),
    ("role-boundary-deny.json", (), "lambda:InvokeFunction", LAMBDA, set()),
    ("basic-allow.json", (), "lambda:InvokeFunction", LAMBDA, {ROLE}),
    ("basic-allow.json", ("cross-account-rp.json",), "lambda:InvokeFunction", LAMBDA_OTHER, {ROLE}),
    ("allow-testing-s3.json", ("resource-s3-allow-testing.json",), "s3:ListBucket", "arn:aws:s3:::bucket",
     {"arn:aws:iam::111111111111:role/testing", "arn:aws:iam::111111111111:role/testing2"}),
    ("allow-testing-s3.json", ("resource-s3-deny-testing2.json",), "s3:ListBucket", "arn:aws:s3:::bucket", set()),
    ("allow-testing-s3.json", ("resource-s3-allow-all.json",), "s3:ListBucket", "arn:aws:s3:::bucket",
     {"arn:aws:iam::111111111111:role/testing", "arn:aws:iam::111111111111:role/testing2"}),
]


@pytest.mark.parametrize("gaad,resources,action,resource,expected", WHO_CAN)
def test_who_can(shared_data: Path, gaad: str, resources: tuple[str, ...], action: str, resource: str,
                 expected: set[str]) -> None:
    args = ["who-can", str(shared_data / "aws-authorization-details" / f"iamspy-{gaad}"), "--action", action,
            "--resource", resource, "--json"]
    for name in resources:
        args += ["--resource-policy", str(shared_data / "iamspy-inputs" / name)]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    found = {p["principal_arn"] for p in json.loads(result.stdout)["principals"]}
    assert found == expected


def _gaad_with_roles(tmp_path: Path, roles: list[tuple[str, list[dict], dict]]) -> Path:
    """A small authorization-details file: (role ARN, identity statements, trust statement) per role."""
    details = []
    for arn, statements, trust in roles:
        details.append({"Path": "/", "RoleName": arn.rsplit("/", 1)[1], "RoleId": "AROA" + arn.rsplit("/", 1)[1],
                        "Arn": arn, "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
                        "RolePolicyList": [{"PolicyName": "policy", "PolicyDocument": {
                            "Version": "2012-10-17", "Statement": statements}}] if statements else [],
                        "AttachedManagedPolicies": [], "Tags": []})
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": details,
                                "Policies": []}))
    return path


ASSUME_ALL = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
DENY_ALL = {"Effect": "Deny", "Action": "*", "Resource": "*"}


def _trust(principal: str) -> dict:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}


# IAMSpy's BDD features (root-trust.feature, explicit-deny.feature) and its assume-role-just-trust case, as files:
# (source role, its statements, target role, principal its trust names, IAMSpy's answer, our answer).
FEATURES = [
    ("arn:aws:iam::111111111111:role/source", [ASSUME_ALL], "arn:aws:iam::111111111111:role/target",
     "arn:aws:iam::111111111111:root", True, True),
    ("arn:aws:iam::111111111111:role/source-deny", [DENY_ALL], "arn:aws:iam::111111111111:role/target",
     "arn:aws:iam::111111111111:root", False, False),
    ("arn:aws:iam::111111111111:role/source-deny", [DENY_ALL], "arn:aws:iam::111111111111:role/target",
     "arn:aws:iam::111111111111:role/source-deny", False, False),
    ("arn:aws:iam::111111111111:role/source-deny", [DENY_ALL], "arn:aws:iam::999999999999:role/target",
     "arn:aws:iam::111111111111:role/source-deny", False, False),
    # differs: the trust policy names the calling role's ARN in the same account. AWS documents that a
    # resource-based policy naming a role ARN is limited only by a permissions boundary or session policy,
    # not by the identity policies (reference_policies_evaluation-logic.md, "Resource-based policies and
    # implicit denies in other policy types (same account)"), so the role may assume the target with no
    # sts:AssumeRole permission of its own; IAMSpy expects a deny.
    ("arn:aws:iam::111111111111:role/role-assuming", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
     "arn:aws:iam::111111111111:role/role-to-assume", "arn:aws:iam::111111111111:role/role-assuming", False, True),
]


@pytest.mark.parametrize("source,statements,target,trusted,iamspy,expected", FEATURES)
def test_assume_role_features(tmp_path: Path, source: str, statements: list[dict], target: str, trusted: str,
                              iamspy: bool, expected: bool) -> None:
    gaad = _gaad_with_roles(tmp_path, [(source, statements, _trust("arn:aws:iam::111111111111:root")),
                                       (target, [], _trust(trusted))])
    result = run_cli("check", str(gaad), "--principal", source, "--action", "sts:AssumeRole", "--resource", target,
                     "--json", "--expect", "allow" if expected else "deny")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["allowed"] is expected
