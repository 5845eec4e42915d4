"""The command line end to end, as a subprocess: every subcommand, JSON shapes and exit codes 0 / 1 / 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from iam_desktop.cli import SUBCOMMANDS
from iam_desktop.paths import examples_dir

PROJECT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"
TEMPORARY = str(examples_dir() / "temporary-ec2-access.iamd.json")
LAMBDA = str(examples_dir() / "lambda-dynamodb.iamd.json")
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0fedcba9876543210"
ORDERS = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders"
IN_TIME = ["--context", "aws:CurrentTime=2026-06-01T00:00:00Z", "--context", "aws:MultiFactorAuthPresent=true"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "iam_desktop.cli", *args], cwd=PROJECT, capture_output=True,
                            text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_subcommands_are_exported() -> None:
    assert SUBCOMMANDS == {"check", "who-can", "what-can", "matrix", "escalations", "import", "validate"}


def test_check_text_explains_the_path() -> None:
    result = cli("check", TEMPORARY, "--principal", "sam", "--action", "ec2:StopInstances", "--resource", INSTANCE,
                 *IN_TIME)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALLOWED (through an assume-role path)")
    assert "own decision:" in result.stdout and "path 1: user sam -> role EC2Operator: allow" in result.stdout
    assert "DateLessThan aws:CurrentTime" in result.stdout


def test_check_json_shape_and_expectations() -> None:
    args = ("check", TEMPORARY, "--principal", f"arn:aws:iam::{ACCOUNT}:user/sam", "--action", "ec2:StopInstances",
            "--resource", INSTANCE, "--json")
    allowed = cli(*args, *IN_TIME, "--expect", "allow")
    assert allowed.returncode == 0
    data = json.loads(allowed.stdout)
    assert data["decision"] == "implicit_deny" and data["allowed"] is True and data["reason"]
    assert {"stages", "deciding_statements", "deciding_stage"} <= set(data["explanation"])
    (path,) = data["paths"]
    assert path["decision"] == "allow" and path["hops"][0]["target_arn"] == f"arn:aws:iam::{ACCOUNT}:role/EC2Operator"
    assert path["hops"][0]["decision"] == "allow" and path["hops"][0]["kind"] == "assume_role"
    assert cli(*args, *IN_TIME, "--expect", "deny").returncode == 1
    late = cli(*args, "--context", "aws:CurrentTime=2027-02-01T00:00:00Z", "--context",
               "aws:MultiFactorAuthPresent=true", "--expect", "deny")
    assert late.returncode == 0 and json.loads(late.stdout)["paths"] == []


def test_check_context_key_given_twice_is_a_list(tmp_path: Path) -> None:
    model = tmp_path / "authz.json"
    model.write_text(json.dumps({"UserDetailList": [{
        "UserName": "u", "UserId": "AIDA1", "Arn": f"arn:aws:iam::{ACCOUNT}:user/u", "Path": "/",
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}}]}}],
        "GroupList": [], "AttachedManagedPolicies": []}], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}))
    base = ("check", str(model), "--principal", "u", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
            "--json")
    both = cli(*base, "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b")
    assert json.loads(both.stdout)["allowed"] is True
    extra = cli(*base, "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=c")
    assert json.loads(extra.stdout)["allowed"] is False


def test_check_requests_jsonl(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(r) for r in [
        {"principal": "resource-orders-processor", "action": "dynamodb:GetItem", "resource": ORDERS},
        {"principal": "orders-processor-role", "action": "dynamodb:PutItem", "resource": ORDERS, "context": {}},
        {"principal": "lambda.amazonaws.com", "action": "sts:AssumeRole",
         "resource": f"arn:aws:iam::{ACCOUNT}:role/orders-processor-role", "context": {"aws:SourceAccount": ACCOUNT}},
    ]) + "\n")
    result = cli("check", LAMBDA, "--requests", str(requests))
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["allowed"] for a in answers] == [True, False, True]
    requests.write_text('{"principal": "nobody", "action": "s3:GetObject", "resource": "arn:aws:s3:::b"}\nnot json\n')
    broken = cli("check", LAMBDA, "--requests", str(requests))
    assert broken.returncode == 2
    assert [json.loads(line)["line"] for line in broken.stdout.splitlines()] == [1, 2]


def test_who_can_and_what_can() -> None:
    who = cli("who-can", LAMBDA, "--action", "dynamodb:GetItem", "--resource", ORDERS, "--json")
    assert who.returncode == 0
    principals = {p["principal"] for p in json.loads(who.stdout)["principals"]}
    assert {"resource-orders-processor", "role-orders-processor"} <= principals
    text = cli("who-can", LAMBDA, "--action", "dynamodb:GetItem", "--resource", ORDERS)
    assert f"arn:aws:iam::{ACCOUNT}:role/orders-processor-role: directly" in text.stdout
    what = cli("what-can", LAMBDA, "--principal", "orders-processor", "--json")
    allowed = json.loads(what.stdout)["allowed"]
    assert {(a["action"], a["resource"]) for a in allowed} == {("dynamodb:GetItem", ORDERS), ("dynamodb:Query", ORDERS),
                                                               ("dynamodb:Scan", ORDERS)}
    only = cli("what-can", LAMBDA, "--principal", "orders-processor", "--action", "dynamodb:Scan")
    assert only.stdout.strip() == f"dynamodb:Scan on {ORDERS}"


def test_matrix_csv_and_json() -> None:
    result = cli("matrix", LAMBDA, "--actions", "dynamodb:GetItem,dynamodb:PutItem", "--principals",
                 "orders-processor-role", "--resources", "Orders,Customers", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["resource"], r["action"], r["decision"]) for r in rows} == {
        ("resource-orders-table", "dynamodb:GetItem", "allow"), ("resource-orders-table", "dynamodb:PutItem",
                                                                 "implicit_deny"),
        ("resource-customers-table", "dynamodb:GetItem", "implicit_deny"),
        ("resource-customers-table", "dynamodb:PutItem", "implicit_deny")}
    data = json.loads(cli("matrix", LAMBDA, "--json").stdout)
    assert data["cells"] and {"principal", "resource", "action", "decision"} <= set(data["cells"][0])
    text = cli("matrix", LAMBDA, "--principals", "orders-processor-role", "--resources", "Orders",
               "--actions", "dynamodb:GetItem").stdout
    assert text == f"arn:aws:iam::{ACCOUNT}:role/orders-processor-role  dynamodb:GetItem  {ORDERS}: allow\n"


def test_matrix_counts_and_jobs() -> None:
    counts = json.loads(cli("matrix", LAMBDA, "--counts", "--json", "--jobs", "2").stdout)
    cells = json.loads(cli("matrix", LAMBDA, "--json", "--jobs", "1").stdout)["cells"]
    assert counts == {decision: sum(1 for cell in cells if cell["decision"] == decision)
                      for decision in ("allow", "explicit_deny", "implicit_deny")}
    assert counts["allow"] > 0
    text = cli("matrix", LAMBDA, "--counts").stdout
    assert text.splitlines() == [f"{decision}: {count}" for decision, count in counts.items()]
    refused = cli("matrix", LAMBDA, "--jobs", "0")
    assert refused.returncode == 2 and "--jobs" in refused.stderr
    both = cli("matrix", LAMBDA, "--counts", "--csv")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_escalations_json() -> None:
    result = cli("escalations", str(examples_dir() / "welcome.iamd.json"), "--json")
    assert result.returncode == 0
    findings = json.loads(result.stdout)["findings"]
    assert any(f["pattern"] == "update_function_code" and f["principal"] == "user-alice" for f in findings)
    assert all(f["description"] and f["reason"] for f in findings)


def test_import_then_check(tmp_path: Path, shared_data: Path) -> None:
    output = tmp_path / "model.iamd.json"
    result = cli("import", str(shared_data / "aws-authorization-details" / "iamspy-basic-allow.json"),
                 "--scp", str(shared_data / "iamspy-inputs" / "scp-deny-lambda.json"),
                 "--resource-policy", str(shared_data / "iamspy-inputs" / "cross-account-rp.json"), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert output.is_file() and "wrote" in result.stdout
    check = cli("check", str(output), "--principal", "arn:aws:iam::123456789012:role/name", "--action",
                "lambda:InvokeFunction", "--resource", "arn:aws:lambda:eu-west-1:123456789012:function:x", "--json")
    assert json.loads(check.stdout)["decision"] == "explicit_deny"


def test_resource_policy_given_as_arn_equals_file(tmp_path: Path, shared_data: Path) -> None:
    policy = tmp_path / "queue.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sqs:SendMessage",
        "Resource": "*"}]}))
    queue = "arn:aws:sqs:eu-west-1:111111111111:jobs"
    gaad = str(shared_data / "aws-authorization-details" / "iamspy-basic-allow.json")
    result = cli("check", gaad, "--resource-policy", f"{queue}={policy}", "--principal", "*",
                 "--action", "sqs:SendMessage", "--resource", queue, "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["allowed"] is False


def test_validate(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert cli("validate", str(good)).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}')
    result = cli("validate", str(bad), "--type", "identity", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False and any("Statement[0]" in e for e in data["errors"])


@pytest.mark.parametrize("args,message", [
    (["check", "missing.json", "--principal", "a", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"],
     "cannot read model"),
    (["check", LAMBDA, "--principal", "nobody", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"],
     "no user, role, service or account named 'nobody'"),
    (["check", LAMBDA, "--principal", "orders-processor-role", "--action", "s3:GetObject", "--resource", "bucket"],
     "malformed resource ARN"),
    (["check", LAMBDA, "--principal", "arn:aws:iam::1:user/x", "--action", "s3:GetObject", "--resource",
      "arn:aws:s3:::b"], "not a principal ARN"),
    (["check", LAMBDA, "--principal", "orders-processor-role", "--action", "s3:GetObject", "--resource",
      "arn:aws:s3:::b", "--context", "novalue"], "bad --context 'novalue'"),
    (["check", LAMBDA, "--principal", "orders-processor-role"], "check needs --principal, --action and --resource"),
    (["matrix", LAMBDA, "--resources", "nothing-here"], "no resource 'nothing-here'"),
    (["validate", "missing-policy.json"], "cannot read policy"),
    (["who-can", LAMBDA], "the following arguments are required: --action, --resource"),
])
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_broken_model_names_its_place(tmp_path: Path) -> None:
    model = tmp_path / "broken.iamd.json"
    text = Path(LAMBDA).read_text().replace('"runs_as": "role-orders-processor"', '"runs_as": "role-gone"')
    model.write_text(text)
    result = cli("who-can", str(model), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b")
    assert result.returncode == 2 and "broken.iamd.json" in result.stderr and "role-gone" in result.stderr
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    assert "neither an IAM Desktop model" in cli("escalations", str(other)).stderr
