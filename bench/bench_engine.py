"""Benchmark of the policy engine: decide() and evaluate() calls per second on a realistic workload.

Run ``python bench/bench_engine.py`` from the project folder. The workload is generated from a fixed
seed: 1-3 identity policies of 1-6 statements, group policies, an optional permissions boundary,
SCP levels, an optional resource policy, wildcards, Not* elements and conditions. Compiled policy
sets are reused across requests, as the access matrix does.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iam_desktop.policy import (  # noqa: E402
    NamedPolicy,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    compile_policies,
    decide,
    evaluate,
    parse_policy,
)

SEED = 20261203
ACCOUNTS = ("111122223333", "444455556666")
SERVICES = {
    "s3": (["GetObject", "PutObject", "ListBucket", "DeleteObject"], "arn:aws:s3:::{name}/{key}"),
    "dynamodb": (["GetItem", "Query", "PutItem", "DescribeTable"], "arn:aws:dynamodb:us-east-1:{account}:table/{name}"),
    "sqs": (["SendMessage", "ReceiveMessage", "GetQueueUrl"], "arn:aws:sqs:us-east-1:{account}:{name}"),
    "lambda": (["InvokeFunction", "GetFunction", "UpdateFunctionCode"], "arn:aws:lambda:eu-west-1:{account}:function:{name}"),
    "kms": (["Decrypt", "Encrypt", "DescribeKey"], "arn:aws:kms:us-east-1:{account}:key/{name}"),
}
NAMES = ("alpha", "beta", "gamma", "logs", "data", "reports")


def _resource(rng: random.Random, service: str, account: str) -> str:
    return SERVICES[service][1].format(name=rng.choice(NAMES), key=f"{rng.choice(NAMES)}/{rng.randint(1, 9)}", account=account)


def _resource_pattern(rng: random.Random, service: str, account: str) -> str:
    arn = _resource(rng, service, account)
    roll = rng.random()
    if roll < 0.2:
        return "*"
    if roll < 0.5:
        return arn.rsplit("/", 1)[0] + "/*" if "/" in arn else arn[: -2] + "*"
    if roll < 0.6:
        return arn.replace("us-east-1", "*").replace(account, "*")
    return arn


def _statement(rng: random.Random, account: str, *, with_principal: bool = False) -> dict[str, Any]:
    service = rng.choice(list(SERVICES))
    verbs = SERVICES[service][0]
    statement: dict[str, Any] = {"Effect": "Deny" if rng.random() < 0.1 else "Allow"}
    roll = rng.random()
    if roll < 0.1:
        statement["NotAction"] = f"{service}:{rng.choice(verbs)}"
    elif roll < 0.4:
        statement["Action"] = f"{service}:{rng.choice(verbs)[:3]}*"
    else:
        statement["Action"] = sorted({f"{service}:{rng.choice(verbs)}" for _ in range(rng.randint(1, 3))})
    if rng.random() < 0.1:
        statement["NotResource"] = _resource_pattern(rng, service, account)
    else:
        statement["Resource"] = [_resource_pattern(rng, service, account) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        statement["Condition"] = rng.choice(
            [
                {"StringEquals": {"aws:PrincipalTag/team": rng.choice(["red", "blue"])}},
                {"Bool": {"aws:SecureTransport": "true"}},
                {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
                {"StringLikeIfExists": {"s3:prefix": ["home/${aws:username}/*"]}},
                {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "owner"]}},
            ]
        )
    if with_principal:
        statement["Principal"] = rng.choice(
            [{"AWS": f"arn:aws:iam::{account}:root"}, {"AWS": f"arn:aws:iam::{account}:user/u1"}, "*"]
        )
    return statement


def _policy(rng: random.Random, name: str, account: str, policy_type: str = "identity") -> NamedPolicy:
    statements = [_statement(rng, account, with_principal=policy_type == "resource") for _ in range(rng.randint(1, 6))]
    document = parse_policy({"Version": "2012-10-17", "Statement": statements}, policy_type=policy_type)
    return NamedPolicy(name, document, source=f"{policy_type} policy {name}")


def build_workload(rng: random.Random) -> tuple[list[Any], list[Request]]:
    """Return compiled policy sets and requests pairing users with them."""
    shared_groups = [_policy(rng, f"group{i}", ACCOUNTS[0]) for i in range(8)]
    scp_root = NamedPolicy("FullAWSAccess", parse_policy({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, policy_type="scp"))
    scp_ou = NamedPolicy("DenyRegions", parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    ]}, policy_type="scp"))
    resource_policies = [_policy(rng, f"resource{i}", ACCOUNTS[0], "resource") for i in range(6)]
    compiled_sets = []
    for user in range(40):
        identity = tuple(_policy(rng, f"user{user}-{i}", ACCOUNTS[0]) for i in range(rng.randint(1, 3)))
        identity += tuple(rng.sample(shared_groups, rng.randint(0, 2)))
        boundary = _policy(rng, f"boundary{user}", ACCOUNTS[0], "boundary") if rng.random() < 0.3 else None
        policy_set = PolicySet(
            identity=identity,
            permission_boundary=boundary,
            resource_policy=rng.choice(resource_policies) if rng.random() < 0.5 else None,
            scp_levels=((scp_root,), (scp_root, scp_ou)) if rng.random() < 0.7 else (),
        )
        compiled_sets.append(compile_policies(policy_set))
    requests = []
    for _ in range(2000):
        account = ACCOUNTS[0] if rng.random() < 0.85 else ACCOUNTS[1]
        service = rng.choice(list(SERVICES))
        principal = Principal(
            f"arn:aws:iam::{ACCOUNTS[0]}:user/u{rng.randint(1, 3)}",
            PrincipalKind.USER,
            account=ACCOUNTS[0],
            tags={"team": rng.choice(["red", "blue"])},
        )
        context = {"aws:SourceIp": (rng.choice(["10.1.2.3", "203.0.113.9"]),), "aws:SecureTransport": ("true",),
                   "aws:RequestedRegion": (rng.choice(["us-east-1", "eu-west-1", "eu-west-1", "ap-south-1"]),)}
        requests.append(
            Request(principal, f"{service}:{rng.choice(SERVICES[service][0])}", _resource(rng, service, account),
                    context=context, resource_account=account)
        )
    return compiled_sets, requests


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _rate(function: Any, pairs: list[tuple[Request, Any]], seconds: float) -> float:
    calls = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for request, policies in pairs:
            function(request, policies)
        calls += len(pairs)
    return calls / (time.process_time() - start)


def _once(function: Any, pairs: list[tuple[Request, Any]]) -> float:
    start = time.process_time()
    for request, policies in pairs:
        function(request, policies)
    return len(pairs) / (time.process_time() - start)


def main() -> None:
    """Print the machine, then decide() and evaluate() calls per second."""
    rng = random.Random(SEED)
    compiled_sets, requests = build_workload(rng)
    pairs = [(request, compiled_sets[i % len(compiled_sets)]) for i, request in enumerate(requests)]
    mismatches = sum(decide(r, p) != evaluate(r, p).decision for r, p in pairs)
    decisions = [decide(r, p).value for r, p in pairs]
    print(f"CPU: {_cpu_model()} ({os.cpu_count()} logical cores), Python {platform.python_version()}")
    print(f"workload: {len(compiled_sets)} compiled policy sets, {len(pairs)} requests; "
          f"allow {decisions.count('allow')}, explicit deny {decisions.count('explicit_deny')}, "
          f"implicit deny {decisions.count('implicit_deny')}; decide/evaluate mismatches {mismatches}")
    print(f"decide():   {_rate(decide, pairs, 3.0):>10,.0f} calls/s (compiled sets reused, warm caches)")
    print(f"evaluate(): {_rate(evaluate, pairs, 3.0):>10,.0f} calls/s (compiled sets reused, warm caches)")
    cold = [(replace(request, resource=f"{request.resource}-{number}"), policies) for number, (request, policies) in enumerate(pairs * 5)]
    print(f"decide():   {_once(decide, cold):>10,.0f} calls/s (cold: every request shape seen for the first time)")
    cold = [(replace(request, resource=f"{request.resource}-e{number}"), policies) for number, (request, policies) in enumerate(pairs)]
    print(f"evaluate(): {_once(evaluate, cold):>10,.0f} calls/s (cold: every request shape seen for the first time)")


if __name__ == "__main__":
    main()
