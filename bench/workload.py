"""Deterministic generated workloads (medium, large) as models and as get-account-authorization-details JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from iam_desktop.formats.aws_import import export_authorization_details
from iam_desktop.formats.model_file import save_model
from iam_desktop.model import (
    Account, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role, User, Workspace,
)
from iam_desktop.model.resource_types import propose_arn

GENERATED = Path(__file__).resolve().parent / "generated"
"""Where benchmarks write generated files (git-ignored)."""


@dataclass(frozen=True)
class WorkloadSize:
    """How many entities of each kind a workload has."""

    users: int
    groups: int
    roles: int
    policies: int
    resources: int
    accounts: int


SIZES: dict[str, WorkloadSize] = {
    "small": WorkloadSize(users=30, groups=6, roles=50, policies=40, resources=100, accounts=2),
    "medium": WorkloadSize(users=300, groups=60, roles=500, policies=400, resources=1000, accounts=3),
    "large": WorkloadSize(users=2000, groups=200, roles=3000, policies=2000, resources=5000, accounts=10),
}

_SERVICES = {
    "s3_bucket": ("s3", ["GetObject", "PutObject", "ListBucket", "DeleteObject", "Get*", "List*"]),
    "dynamodb_table": ("dynamodb", ["GetItem", "Query", "Scan", "PutItem", "Describe*"]),
    "lambda_function": ("lambda", ["InvokeFunction", "GetFunction", "UpdateFunctionCode", "List*"]),
    "sqs_queue": ("sqs", ["SendMessage", "ReceiveMessage", "DeleteMessage", "Get*"]),
    "sns_topic": ("sns", ["Publish", "Subscribe", "List*"]),
    "kms_key": ("kms", ["Decrypt", "Encrypt", "GenerateDataKey", "Describe*"]),
    "secret": ("secretsmanager", ["GetSecretValue", "DescribeSecret", "List*"]),
}
_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def _statement(rng: random.Random, resources: list[Resource], accounts: list[Account]) -> dict[str, Any]:
    """One realistic statement: wildcards, Not* elements and conditions in realistic proportions."""
    target = rng.choice(resources)
    service, verbs = _SERVICES[target.resource_type]
    effect = "Deny" if rng.random() < 0.1 else "Allow"
    statement: dict[str, Any] = {"Effect": effect}
    roll = rng.random()
    if roll < 0.05:
        statement["NotAction"] = ["iam:*", "organizations:*"]
    elif roll < 0.15:
        statement["Action"] = f"{service}:*"
    else:
        statement["Action"] = sorted({f"{service}:{rng.choice(verbs)}" for _ in range(rng.randint(1, 3))})
    roll = rng.random()
    if roll < 0.2:
        statement["Resource"] = "*"
    elif roll < 0.3:
        account = rng.choice(accounts).account_id
        statement["Resource"] = f"arn:aws:{service}:*:{account}:*" if service != "s3" else "arn:aws:s3:::team-*"
    elif roll < 0.35:
        statement["NotResource"] = target.arn
    else:
        statement["Resource"] = [target.arn, f"{target.arn}/*"] if service == "s3" else target.arn
    roll = rng.random()
    if roll < 0.1:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    elif roll < 0.18:
        statement["Condition"] = {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}
    elif roll < 0.24:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(["red", "blue", "green"])}}
    elif roll < 0.27:
        statement["Condition"] = {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}
    return statement


def _document(rng: random.Random, resources: list[Resource], accounts: list[Account], count: int) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [_statement(rng, resources, accounts) for _ in range(count)]}


def build_workload(size: str = "medium", seed: int = 7) -> Workspace:
    """A deterministic model of the given size ("small", "medium", "large") with canvas placements."""
    spec = SIZES[size]
    rng = random.Random(seed)
    ws = Workspace(name=f"Generated {size} workload", region="us-east-1")
    batch: list[Any] = []
    placements: dict[str, Placement] = {}
    root = OrgUnit("ou-root", "Root", policies=("scp-full",))
    ou = OrgUnit("ou-workloads", "Workloads", parent="ou-root", policies=("scp-region",))
    scp_full = ManagedPolicy("scp-full", "FullAWSAccess", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, policy_type=PolicyType.SCP)
    scp_region = ManagedPolicy("scp-region", "DenyOutsideRegions", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyOtherRegions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"],
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": _REGIONS[:2]}}}]},
        policy_type=PolicyType.SCP)
    batch += [scp_full, scp_region, root, ou]
    accounts = [Account(f"acct-{i}", f"account-{i}", f"{100000000000 + i * 1111:012d}",
                        parent="ou-workloads" if i else "ou-root") for i in range(spec.accounts)]
    batch += accounts
    columns = 60
    resources: list[Resource] = []
    kinds = list(_SERVICES)
    for i in range(spec.resources):
        account = accounts[i % len(accounts)]
        kind = kinds[i % len(kinds)]
        name = f"res-{i}"
        resources.append(Resource(f"res-{i}", name, account.id, kind,
                                  propose_arn(kind, name, account.account_id, rng.choice(_REGIONS))))
    policies = [ManagedPolicy(f"pol-{i}", f"policy-{i}",
                              _document(rng, resources, accounts, rng.randint(1, 6)),
                              account=accounts[i % len(accounts)].id) for i in range(spec.policies)]
    batch += policies
    own_policies = {a.id: [p for p in policies if p.account == a.id] for a in accounts}
    boundary = ManagedPolicy("pol-boundary", "DeveloperBoundary", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}, account=accounts[0].id)
    batch.append(boundary)
    groups = [Group(f"grp-{i}", f"group-{i}", accounts[i % len(accounts)].id,
                    managed_policies=tuple(p.id for p in rng.sample(own_policies[accounts[i % len(accounts)].id], 2)))
              for i in range(spec.groups)]
    batch += groups
    own_groups = {a.id: [g for g in groups if g.account == a.id] for a in accounts}
    numbers = {a.id: a.account_id for a in accounts}
    roles: list[Role] = []
    for i in range(spec.roles):
        account = accounts[i % len(accounts)]
        own = own_policies[account.id]
        trusted: list[str] = []
        if i and rng.random() < 0.6:
            previous = roles[rng.randrange(len(roles))]
            trusted.append(f"arn:aws:iam::{numbers[previous.account]}:role/{previous.name}")
        trusted.append(f"arn:aws:iam::{account.account_id}:user/user-{rng.randrange(spec.users)}")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]}
        if rng.random() < 0.3:
            trust["Statement"].append({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                       "Action": "sts:AssumeRole"})
        inline = (InlinePolicy("assume-next", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/role-*"}]}),) \
            if rng.random() < 0.3 else ()
        roles.append(Role(f"role-{i}", f"role-{i}", account.id, trust_policy=trust,
                          managed_policies=tuple(p.id for p in rng.sample(own, rng.randint(1, 3))),
                          inline_policies=inline,
                          permission_boundary="pol-boundary" if account is accounts[0] and rng.random() < 0.2
                          else None))
    batch += roles
    for i in range(spec.users):
        account = accounts[i % len(accounts)]
        member_of = tuple(g.id for g in rng.sample(own_groups[account.id], min(2, len(own_groups[account.id]))))
        inline = (InlinePolicy("own", _document(rng, resources, accounts, rng.randint(1, 3))),) \
            if rng.random() < 0.5 else ()
        assume = (InlinePolicy("assume", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*"}]}),) \
            if rng.random() < 0.4 else ()
        batch.append(User(f"user-{i}", f"user-{i}", account.id, groups=member_of,
                          tags={"team": rng.choice(["red", "blue", "green"])},
                          inline_policies=inline + assume,
                          permission_boundary="pol-boundary" if account is accounts[0] and rng.random() < 0.2
                          else None))
    for resource in resources:
        if resource.resource_type in ("s3_bucket", "kms_key", "sqs_queue") and rng.random() < 0.5:
            other = rng.choice(accounts).account_id
            resource = Resource(resource.id, resource.name, resource.account, resource.resource_type, resource.arn,
                                policy={"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
                                     "Action": f"{_SERVICES[resource.resource_type][0]}:*", "Resource": "*"}]})
        batch.append(resource)
    for index, entity in enumerate(batch):
        placements[entity.id] = Placement(float((index % columns) * 180), float((index // columns) * 90))
    ws.add_many(batch, placements)
    return ws


def model_file(size: str, seed: int = 7) -> Path:
    """The workload saved as a model file in ``bench/generated`` (written when missing or older than this module)."""
    path = GENERATED / f"workload-{size}-{seed}.iamd.json"
    if _stale(path):
        GENERATED.mkdir(parents=True, exist_ok=True)
        save_model(build_workload(size, seed), path)
    return path


def details_file(size: str, seed: int = 7) -> Path:
    """The workload as ``aws iam get-account-authorization-details`` JSON in ``bench/generated`` (as model_file)."""
    path = GENERATED / f"authorization-details-{size}-{seed}.json"
    if _stale(path):
        GENERATED.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(export_authorization_details(build_workload(size, seed)), indent=4),
                        encoding="utf-8")
    return path


def _stale(path: Path) -> bool:
    """True when a generated file is missing or older than this generator."""
    return not path.exists() or path.stat().st_mtime < Path(__file__).stat().st_mtime


def machine() -> str:
    """The machine the figures come from: CPU model, logical cores, Python and (if installed) Qt versions."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import PySide6
        qt = f", PySide6 {PySide6.__version__}"
    except ImportError:
        qt = ""
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} logical cores, Python {platform.python_version()}{qt}{load}"


def child_process_main(description: str, child: Callable[[str], dict[str, Any]],
                       run: Callable[[str, int], object]) -> None:
    """The command line of a benchmark that measures in fresh child processes (``--child`` measures here)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.size)))
        return
    print(f"machine: {machine()}")
    run(args.size, args.runs)


def run_child(script: str, size: str, scratch: str) -> dict[str, Any]:
    """Run ``script --child --size SIZE`` with private settings in ``scratch``; return the JSON it prints last."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               IAM_DESKTOP_SETTINGS=str(Path(scratch) / "settings.ini"),
               IAM_DESKTOP_RECOVERY_DIR=str(Path(scratch) / "recovery"),
               IAM_DESKTOP_INSTANCE_NAME=str(Path(scratch) / "instance.sock"))
    done = subprocess.run([sys.executable, script, "--child", "--size", size], env=env, capture_output=True,
                          text=True, check=False, timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the measuring process failed ({done.returncode}): {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
