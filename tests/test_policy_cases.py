"""Runs the AWS-documented decision table in tests/cases/*.json through the policy engine."""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.policy import (
    Decision,
    Evaluation,
    NamedPolicy,
    PolicyParseError,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    ResourcePolicyRule,
    Stage,
    StatementResult,
    decide,
    evaluate,
    parse_policy,
)

CASES_DIR = Path(__file__).resolve().parent / "cases"
AWS_DOCS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "aws-docs"
MINIMUM_CASE_COUNT = 240

FILE_KEYS = {"description", "cases"}
DECISION_CASE_KEYS = {"name", "page", "note", "principal", "request", "policies", "expect"}
DECISION_CASE_REQUIRED = {"name", "page", "principal", "request", "policies", "expect"}
PARSE_CASE_KEYS = {"name", "page", "note", "policy_type", "document", "expect"}
PARSE_CASE_REQUIRED = {"name", "page", "policy_type", "document", "expect"}
PRINCIPAL_KEYS = {"arn", "kind", "account", "role_arn", "tags", "user_id"}
REQUEST_KEYS = {"action", "resource", "context", "resource_account"}
POLICIES_KEYS = {
    "identity",
    "resource_policy",
    "resource_policy_rule",
    "permission_boundary",
    "session_policies",
    "scp_levels",
    "rcp_levels",
}
NAMED_POLICY_KEYS = {"name", "document", "policy_type"}
EXPECT_KEYS = {"decision", "stage", "deciding"}
PARSE_EXPECT_KEYS = {"error_paths"}
POLICY_TYPES = {"identity", "resource", "trust", "boundary", "session", "scp", "rcp"}

# Cases the engine still gets wrong, by "file::name": what AWS documents and what the engine does instead.
# They run as strict xfails, so an entry whose case starts passing fails the suite until it is removed.
ENGINE_DISAGREEMENTS: dict[str, str] = {
}


class CaseFormatError(ValueError):
    """A case in the table is malformed (unknown or missing key, wrong type, unknown policy type)."""


def _check_keys(
    where: str, value: Any, allowed: Set[str], required: Set[str] = frozenset()
) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CaseFormatError(f"{where}: expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise CaseFormatError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    missing = sorted(required - set(value))
    if missing:
        raise CaseFormatError(f"{where}: missing key(s) {missing}")
    return value


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise CaseFormatError(f"{where}: expected a string, got {value!r}")
    return value


def _optional_string(where: str, value: Any) -> str | None:
    return None if value is None else _string(where, value)


def _load_table() -> list[tuple[str, dict[str, Any]]]:
    """Every case as (file::name, case), in file order; a malformed file stops collection with its name."""
    table: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        _check_keys(path.name, data, FILE_KEYS, FILE_KEYS)
        for position, raw_case in enumerate(data["cases"]):
            name = raw_case.get("name") if isinstance(raw_case, dict) else None
            table.append((f"{path.name}::{name or f'#{position}'}", raw_case))
    return table


TABLE = _load_table()


def _named_policy(where: str, raw: Any, default_type: str) -> NamedPolicy:
    entry = _check_keys(where, raw, NAMED_POLICY_KEYS, {"name", "document"})
    policy_type = entry.get("policy_type", default_type)
    if policy_type not in POLICY_TYPES:
        raise CaseFormatError(f"{where}.policy_type: unknown policy type {policy_type!r}")
    name = _string(f"{where}.name", entry["name"])
    document = parse_policy(entry["document"], policy_type=policy_type)
    return NamedPolicy(name=name, document=document, source=f"{policy_type} policy {name} (decision table)")


def _named_policies(where: str, raw: Any, default_type: str) -> tuple[NamedPolicy, ...]:
    if not isinstance(raw, list):
        raise CaseFormatError(f"{where}: expected a list of policies")
    return tuple(_named_policy(f"{where}[{index}]", item, default_type) for index, item in enumerate(raw))


def _policy_levels(where: str, raw: Any, default_type: str) -> tuple[tuple[NamedPolicy, ...], ...]:
    if not isinstance(raw, list):
        raise CaseFormatError(f"{where}: expected a list of levels (lists of policies)")
    return tuple(_named_policies(f"{where}[{index}]", level, default_type) for index, level in enumerate(raw))


def _principal(raw: Any) -> Principal:
    entry = _check_keys("principal", raw, PRINCIPAL_KEYS, {"arn", "kind"})
    tags = entry.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise CaseFormatError("principal.tags: expected an object of strings")
    return Principal(
        arn=_string("principal.arn", entry["arn"]),
        kind=PrincipalKind(entry["kind"]),
        account=_optional_string("principal.account", entry.get("account")),
        role_arn=_optional_string("principal.role_arn", entry.get("role_arn")),
        tags=dict(tags),
        user_id=_optional_string("principal.user_id", entry.get("user_id")),
    )


def _context(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise CaseFormatError("request.context: expected an object")
    context: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        context[key] = tuple(_string(f"request.context[{key!r}]", item) for item in values)
    return context


def _request(raw_principal: Any, raw_request: Any) -> Request:
    entry = _check_keys("request", raw_request, REQUEST_KEYS, {"action", "resource"})
    return Request(
        principal=_principal(raw_principal),
        action=_string("request.action", entry["action"]),
        resource=_string("request.resource", entry["resource"]),
        context=_context(entry.get("context", {})),
        resource_account=_optional_string("request.resource_account", entry.get("resource_account")),
    )


def _policy_set(raw: Any) -> PolicySet:
    entry = _check_keys("policies", raw, POLICIES_KEYS)
    resource_policy = entry.get("resource_policy")
    boundary = entry.get("permission_boundary")
    session = entry.get("session_policies")
    return PolicySet(
        identity=_named_policies("policies.identity", entry.get("identity", []), "identity"),
        resource_policy=None if resource_policy is None else _named_policy(
            "policies.resource_policy", resource_policy, "resource"),
        resource_policy_rule=ResourcePolicyRule(entry.get("resource_policy_rule", "either")),
        permission_boundary=None if boundary is None else _named_policy(
            "policies.permission_boundary", boundary, "boundary"),
        session_policies=None if session is None else _named_policies("policies.session_policies", session, "session"),
        scp_levels=_policy_levels("policies.scp_levels", entry.get("scp_levels", []), "scp"),
        rcp_levels=_policy_levels("policies.rcp_levels", entry.get("rcp_levels", []), "rcp"),
    )


def _expectation(raw: Any) -> tuple[Decision, Stage, list[str]]:
    entry = _check_keys("expect", raw, EXPECT_KEYS, EXPECT_KEYS)
    deciding = entry["deciding"]
    if not isinstance(deciding, list) or not all(isinstance(item, str) and "#" in item for item in deciding):
        raise CaseFormatError("expect.deciding: expected a list of 'policy-name#Sid' or 'policy-name#index'")
    return Decision(entry["decision"]), Stage(entry["stage"]), sorted(deciding)


def statement_label(statement: StatementResult) -> str:
    """The table's name for a statement: ``policy#Sid``, or ``policy#index`` when it has no Sid."""
    return f"{statement.policy_name}#{statement.sid if statement.sid else statement.index}"


def _describe(evaluation: Evaluation) -> str:
    deciding = [statement_label(statement) for statement in evaluation.deciding_statements]
    return (f"engine said {evaluation.decision.value} at stage {evaluation.deciding_stage.value}, deciding {deciding}: "
            f"{evaluation.reason}")


def _path_matches(expected: str, actual: str) -> bool:
    """An expected path names the issue's path or an element containing it (``Statement[0]`` covers its keys)."""
    if expected == actual:
        return True
    return bool(expected) and (actual.startswith(expected + ".") or actual.startswith(expected + "["))


def _run_parse_case(raw_case: Mapping[str, Any]) -> None:
    policy_type = raw_case["policy_type"]
    if policy_type not in POLICY_TYPES:
        raise CaseFormatError(f"policy_type: unknown policy type {policy_type!r}")
    expected_paths = _check_keys("expect", raw_case["expect"], PARSE_EXPECT_KEYS, PARSE_EXPECT_KEYS)["error_paths"]
    if not isinstance(expected_paths, list) or not all(isinstance(path, str) for path in expected_paths):
        raise CaseFormatError("expect.error_paths: expected a list of JSON paths")
    try:
        parse_policy(raw_case["document"], policy_type=policy_type)
    except PolicyParseError as error:
        actual_paths = [issue.path for issue in error.issues]
        assert expected_paths, f"expected the document to parse, but it was rejected: {error}"
        for expected in expected_paths:
            assert any(_path_matches(expected, actual) for actual in actual_paths), (
                f"no error at {expected!r}; errors were at {actual_paths}: {error}")
        return
    assert not expected_paths, f"expected errors at {expected_paths}, but the document parsed"


def _run_decision_case(raw_case: Mapping[str, Any]) -> None:
    request = _request(raw_case["principal"], raw_case["request"])
    policies = _policy_set(raw_case["policies"])
    decision, stage, deciding = _expectation(raw_case["expect"])
    evaluation = evaluate(request, policies)
    actual_deciding = sorted(statement_label(statement) for statement in evaluation.deciding_statements)
    assert (evaluation.decision, evaluation.deciding_stage, actual_deciding) == (decision, stage, deciding), (
        f"expected {decision.value} at stage {stage.value}, deciding {deciding}; {_describe(evaluation)}")
    assert decide(request, policies) == decision, "decide() disagrees with evaluate().decision"
    assert not evaluation.errors, f"a statement of the case could not be evaluated: {evaluation.errors}"


def _params() -> list[Any]:
    params = []
    for case_id, raw_case in TABLE:
        marks = []
        if case_id in ENGINE_DISAGREEMENTS:
            marks.append(pytest.mark.xfail(strict=True, reason=f"engine: {ENGINE_DISAGREEMENTS[case_id]}"))
        params.append(pytest.param(raw_case, id=case_id, marks=marks))
    return params


@pytest.mark.parametrize("raw_case", _params())
def test_case(raw_case: Any) -> None:
    """Each documented case gets the documented decision, deciding stage and deciding statements."""
    if isinstance(raw_case, dict) and "policy_type" in raw_case:
        _check_keys("case", raw_case, PARSE_CASE_KEYS, PARSE_CASE_REQUIRED)
        _run_parse_case(raw_case)
    else:
        _check_keys("case", raw_case, DECISION_CASE_KEYS, DECISION_CASE_REQUIRED)
        _run_decision_case(raw_case)


def test_table_is_large_enough_and_names_are_unique() -> None:
    """The table keeps at least the agreed number of cases, and no two cases in a file share a name."""
    assert len(TABLE) >= MINIMUM_CASE_COUNT
    case_ids = [case_id for case_id, _ in TABLE]
    duplicates = sorted({case_id for case_id in case_ids if case_ids.count(case_id) > 1})
    assert not duplicates, f"duplicate case names: {duplicates}"


def test_every_case_cites_an_aws_page() -> None:
    """Every case names the AWS page it comes from: a page in shared/aws-docs or a docs.aws.amazon.com URL."""
    bad = []
    for case_id, raw_case in TABLE:
        page = raw_case.get("page", "") if isinstance(raw_case, dict) else ""
        is_url = isinstance(page, str) and page.startswith("https://docs.aws.amazon.com/")
        is_local = isinstance(page, str) and page.endswith(".md") and (
            not AWS_DOCS_DIR.is_dir() or (AWS_DOCS_DIR / page).is_file())
        if not (is_url or is_local):
            bad.append(f"{case_id}: {page!r}")
    assert not bad, "cases without a valid AWS page: " + "; ".join(bad)


def test_disagreement_list_names_existing_cases() -> None:
    """Every xfail entry names a case that exists, so a renamed case cannot hide behind a stale entry."""
    known = {case_id for case_id, _ in TABLE}
    assert not sorted(set(ENGINE_DISAGREEMENTS) - known)


def test_runner_rejects_unknown_keys() -> None:
    """A typo in a case is an error, not a silently ignored key."""
    with pytest.raises(CaseFormatError, match="unknown key"):
        _check_keys("case", {"name": "x", "expcet": {}}, DECISION_CASE_KEYS)
    with pytest.raises(CaseFormatError, match="unknown key"):
        _principal({"arn": "arn:aws:iam::111122223333:user/a", "kind": "user", "acount": "111122223333"})
    with pytest.raises(CaseFormatError, match="unknown key"):
        _policy_set({"identities": []})
