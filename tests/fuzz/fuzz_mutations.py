"""Seed models and hypothesis strategies that damage JSON values and texts in the ways files get damaged."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import strategies as st

from iam_desktop.model import (
    Account, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role, ServicePrincipal,
    User, Workspace,
)

JsonPath = tuple[str | int, ...]

HOSTILE_TEXT = ("<script>alert(1)</script>", "a & b", 'say "hi"', "\u202eevil", "\x00nul", "ümlaut", "\ud7ff",
                "../../etc/passwd", "=cmd|' /C calc'!A0", "${jndi:ldap://x}", "\n\r\t")

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | st.sampled_from(HOSTILE_TEXT))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def sample_workspaces() -> list[Workspace]:
    """Valid models covering every entity kind, every reference field and placements with and without size."""
    ws = Workspace("Seed <model> & \"friends\"", "eu-west-1")
    root = OrgUnit("ou-root", "Root")
    unit = OrgUnit("ou-dev", "Dev unit", parent=root.id)
    scp = ManagedPolicy("scp-1", "DenyLeave", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]},
        policy_type=PolicyType.SCP)
    root = OrgUnit(root.id, root.name, policies=(scp.id,))
    prod = Account("acct-prod", "prod", "111111111111", parent=unit.id)
    other = Account("acct-other", "other", "222222222222")
    read = ManagedPolicy("pol-read", "Read", {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "<ops>"}}}]}, account=prod.id, path="/team/")
    boundary = ManagedPolicy("pol-boundary", "Boundary", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, account=prod.id)
    admin = ManagedPolicy("pol-admin", "AdministratorAccess", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, arn="arn:aws:iam::aws:policy/AdministratorAccess")
    group = Group("group-ops", "ops", prod.id, managed_policies=(read.id,),
                  inline_policies=(InlinePolicy("extra", {"Statement": []}),))
    user = User("user-alice", "alice", prod.id, tags={"team": "a&b", "x": "<script>alert(1)</script>"},
                groups=(group.id,), managed_policies=(admin.id,), permission_boundary=boundary.id, user_id="AIDAX")
    lam = ServicePrincipal("svc-lambda", "lambda.amazonaws.com")
    role = Role("role-run", "runner", prod.id, trust_policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com",
                                          "AWS": "arn:aws:iam::111111111111:user/alice"},
         "Action": "sts:AssumeRole"}]}, description="runs & \"things\"", max_session_duration=7200,
        permission_boundary=boundary.id)
    function = Resource("res-fn", "fn", prod.id, "lambda_function",
                        "arn:aws:lambda:eu-west-1:111111111111:function:fn", runs_as=role.id)
    bucket = Resource("res-bucket", "logs", other.id, "s3_bucket", "arn:aws:s3:::logs", policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}]},
        tags={"env": "prod"})
    ws.add_many([root, unit, scp, prod, other, read, boundary, admin, group, user, lam, role, function, bucket],
                {prod.id: Placement(0, 0, 800, 600), user.id: Placement(10.5, -20), bucket.id: Placement(1e6, 3)})
    empty = Workspace("", "us-east-1")
    small = Workspace("small", "us-east-1")
    small.add(Account("a", "a", "000000000000"), Placement(0, 0, 10, 10))
    return [ws, empty, small]


def json_paths(value: Any, path: JsonPath = ()) -> list[JsonPath]:
    """Every path in a JSON value (the value itself first)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += json_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += json_paths(item, (*path, index))
    return found


def _get(value: Any, path: JsonPath) -> Any:
    for part in path:
        value = value[part]
    return value


def _deep(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated_json(draw: st.DrawFn, original: Any, ids: tuple[str, ...] = ()) -> Any:
    """``original`` with one to three damages: wrong types, missing / extra keys, dangling or duplicated ids,
    huge strings, deep nesting, extreme numbers."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = json_paths(document)
        path = draw(st.sampled_from(paths))
        target = _get(document, path)
        action = draw(st.sampled_from(("replace", "replace", "delete", "add_key", "dangling", "duplicate",
                                       "huge_string", "deep", "number", "id_swap")))
        if action == "replace" or not path and action in ("delete", "duplicate"):
            new: Any = draw(json_values)
        elif action == "huge_string":
            new = draw(st.sampled_from(HOSTILE_TEXT)) * draw(st.integers(1, 200_000 // 30))
        elif action == "deep":
            new = _deep(target, draw(st.integers(90, 130)))
        elif action == "number":
            new = draw(st.sampled_from((0, -1, 2**63, -(2**63), 10**30, 1e308, -1e308, 5e-324, 1.5, 3600, 43201)))
        elif action in ("dangling", "id_swap"):
            new = draw(st.sampled_from(ids)) if ids and action == "id_swap" else "no-such-id"
        elif action == "add_key":
            if isinstance(target, dict):
                target[draw(st.sampled_from(("extra", "id", "kind", "x", "", "format")))] = draw(json_values)
                continue
            new = draw(json_values)
        else:
            parent = _get(document, path[:-1])
            if action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, list):
                parent.append(copy.deepcopy(target))
            else:
                parent[f"{path[-1]}_copy"] = copy.deepcopy(target)
            continue
        if not path:
            document = new
        else:
            _get(document, path[:-1])[path[-1]] = new
    return document


_SCALAR_LINE = re.compile(rb'^( *)("(?:[^"\\]|\\.)*": (?:"(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+|true|false|null)),?$',
                          re.MULTILINE)


@st.composite
def mutated_bytes(draw: st.DrawFn, text: str) -> bytes:
    """The bytes of ``text`` damaged: truncated, bytes flipped or inserted, invalid UTF-8, a key written twice,
    a byte-order mark, nesting beyond the limit, or replaced by random bytes."""
    data = text.encode("utf-8")
    action = draw(st.sampled_from(("truncate", "flip", "insert", "invalid_utf8", "duplicate_key", "random",
                                   "bom", "deep_text", "nul", "overlong_utf8", "extreme_number")))
    position = draw(st.integers(0, len(data)))
    if action == "truncate":
        return data[:position]
    if action == "flip" and data:
        index = min(position, len(data) - 1)
        return data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1:]
    if action == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
    if action == "invalid_utf8":
        return data[:position] + draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"))) \
            + data[position:]
    if action == "overlong_utf8":
        return data[:position] + b"\xc0\xaf" + data[position:]
    if action == "duplicate_key":
        lines = list(_SCALAR_LINE.finditer(data))
        if lines:
            line = draw(st.sampled_from(lines))
            copy_line = line.group(1) + line.group(2) + b",\n"
            return data[:line.start()] + copy_line + data[line.start():]
        return data + data
    if action == "extreme_number":
        lines = list(_SCALAR_LINE.finditer(data))
        if lines:
            line = draw(st.sampled_from(lines))
            key = line.group(2).split(b": ", 1)[0]
            number = draw(st.sampled_from((b"1e400", b"-1e400", b"1" * 5000, b"-0", b"1E+2", b"0.1e-400")))
            comma = b"," if line.group(0).endswith(b",") else b""
            return data[:line.start()] + line.group(1) + key + b": " + number + comma + data[line.end():]
        return data
    if action == "bom":
        return b"\xef\xbb\xbf" + data
    if action == "deep_text":
        depth = draw(st.sampled_from((99, 100, 101, 150, 300, 1500, 100_000)))
        return data[:position] + b"[" * depth + b"1" + b"]" * depth + data[position:]
    if action == "nul":
        return data[:position] + b"\x00" + data[position:]
    return draw(st.binary(max_size=200))


POLICY_STRINGS = ("*", "?", "**", "*:*", "s3:*", "s3:Get?bject", "iam:*Role*", "${aws:username}", "${", "${*}",
                  "${aws:PrincipalTag/team}", "arn:aws:s3:::*", "arn:aws:s3:::b/${aws:userid}/*", "arn:*:*:*:*:*",
                  "arn:aws:iam::111111111111:root", "111111111111", "lambda.amazonaws.com", "Allow", "Deny",
                  "2012-10-17", "true", "1", "-1.5", "203.0.113.0/33", "::/0", "2020-01-01T00:00:00Z", "",
                  "StringEquals", "ForAllValues:StringLike", "NumericLessThanIfExists", "aws:SourceIp", "s3:prefix",
                  "\u0000", "ǅ", "İ", "ß")


@st.composite
def mutated_leaves(draw: st.DrawFn, original: Any, within: tuple[str, ...] = ()) -> Any:
    """``original`` with some string leaves replaced by odd but type-correct strings, so most results still parse
    and the matching, variable and condition code gets exercised; ``within`` limits them to those elements."""
    document = copy.deepcopy(original)
    paths = [p for p in json_paths(document) if p and isinstance(_get(document, p), str)
             and (not within or any(part in within for part in p))]
    if not paths:
        return document
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4, unique=True)):
        new = draw(st.sampled_from(POLICY_STRINGS + HOSTILE_TEXT) | st.text(max_size=12))
        _get(document, path[:-1])[path[-1]] = new
    return document


def as_text(value: Any) -> str:
    """JSON text of a (possibly damaged) value, the way a model file is written."""
    return json.dumps(value, indent=2, ensure_ascii=False)
