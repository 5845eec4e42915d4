"""Parsing and validating IAM policy JSON: accepted shapes, errors with their places, and warnings."""

from __future__ import annotations

import json

import pytest

from iam_desktop.policy import PolicyParseError, parse_policy, size_issues


def _errors(source: object, policy_type: str = "identity") -> list:
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(source, policy_type=policy_type)  # type: ignore[arg-type]
    return list(caught.value.issues)


def _statement(**elements: object) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **elements}]}


# --- accepted shapes (reference_policies_grammar.md) ---------------------------------------------


def test_single_statement_object_and_string_elements_normalise_to_tuples() -> None:
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Sid": "One", "Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b"}}
    )
    (statement,) = document.statements
    assert statement.sid == "One" and statement.effect == "Deny"
    assert statement.not_actions == ("iam:*",) and statement.actions is None
    assert statement.not_resources == ("arn:aws:s3:::b",)


def test_text_bytes_and_mapping_sources_are_equivalent() -> None:
    data = _statement()
    from_text = parse_policy(json.dumps(data))
    from_bytes = parse_policy(json.dumps(data).encode("utf-8"))
    from_mapping = parse_policy(data)
    assert from_text.statements == from_bytes.statements == from_mapping.statements
    assert from_text.version == "2012-10-17"


@pytest.mark.parametrize(
    ("principal", "wildcard", "entries"),
    [
        ("*", True, {}),
        ({"AWS": "*"}, True, {"AWS": ("*",)}),
        ({"AWS": "111122223333"}, False, {"AWS": ("111122223333",)}),
        ({"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/a"]}, False,
         {"AWS": ("arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/a")}),
        ({"Service": "lambda.amazonaws.com"}, False, {"Service": ("lambda.amazonaws.com",)}),
        ({"Federated": "cognito-identity.amazonaws.com"}, False, {"Federated": ("cognito-identity.amazonaws.com",)}),
        ({"CanonicalUser": "79a59df900b949e55d96a1e698fbace"}, False, {"CanonicalUser": ("79a59df900b949e55d96a1e698fbace",)}),
    ],
)
def test_principal_shapes(principal: object, wildcard: bool, entries: dict) -> None:
    """reference_policies_elements_principal.md: every documented way to write a principal."""
    document = parse_policy(_statement(Principal=principal), policy_type="resource")
    spec = document.statements[0].principal
    assert spec is not None and spec.wildcard is wildcard and dict(spec.entries) == entries


def test_condition_values_normalise_to_strings() -> None:
    """Booleans become "true"/"false", numbers their text, single values a one-element tuple."""
    document = parse_policy(
        _statement(Condition={"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": [10, 2.5]}})
    )
    clauses = {clause.operator: clause for clause in document.statements[0].conditions}
    assert clauses["Bool"].values == ("true",)
    assert clauses["NumericLessThan"].values == ("10", "2.5")


@pytest.mark.parametrize("policy_type", ["trust", "resource"])
def test_trust_and_resource_policies_need_no_resource(policy_type: str) -> None:
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        policy_type=policy_type,
    )
    assert document.statements[0].resources is None


def test_version_may_be_absent_or_old() -> None:
    assert parse_policy({"Statement": _statement()["Statement"]}).version is None
    assert parse_policy({**_statement(), "Version": "2008-10-17"}).version == "2008-10-17"


# --- errors, each with its place -----------------------------------------------------------------


def test_json_syntax_error_has_line_and_column() -> None:
    (issue,) = _errors('{\n  "Version": "2012-10-17",\n  "Statement": [\n}')
    assert issue.line == 4 and issue.column == 1 and "not valid JSON" in issue.message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('{"Statement": ' + "[" * 5000 + "]" * 5000 + "}", "nesting deeper"),
        ('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",\n "Condition": {"NumericLessThan": {"k:k": NaN}}}}', "NaN"),
        ('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",\n "Condition": {"NumericLessThan": {"k:k": -Infinity}}}}', "Infinity"),
        ('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",\n "Condition": {"NumericLessThan": {"k:k": ' + "9" * 5000 + "}}}}", "too long"),
    ],
)
def test_text_json_would_choke_on_is_refused_with_a_place(source: str, fragment: str) -> None:
    (issue,) = _errors(source)
    assert fragment in issue.message and issue.line is not None


def test_bracket_and_constant_text_inside_strings_is_fine() -> None:
    document = parse_policy('{"Statement": {"Sid": "NaN", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/[[{NaN\\"}"}}')
    assert document.statements[0].resources == ('arn:aws:s3:::b/[[{NaN"}',)


@pytest.mark.parametrize("source", ["[]", '"text"', "42"])
def test_document_must_be_an_object(source: str) -> None:
    (issue,) = _errors(source)
    assert "JSON object" in issue.message


def test_all_errors_are_reported_with_path_sid_and_position() -> None:
    text = (
        '{"Version": "2012-10-17",\n'
        ' "Statement": [\n'
        '  {"Sid": "First", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n'
        '  {"Sid": "Second", "Effect": "allow", "Action": "s3:GetObject"}\n'
        " ]}"
    )
    issues = _errors(text)
    by_message = {issue.message.split(" ")[0]: issue for issue in issues}
    effect = next(issue for issue in issues if issue.path == "Statement[1].Effect")
    assert effect.sid == "Second" and effect.statement_index == 1
    assert (effect.line, effect.column) == (4, 21)
    missing_resource = next(issue for issue in issues if "missing Resource" in issue.message)
    assert missing_resource.path == "Statement[1]" and missing_resource.line == 4
    assert len(issues) == 2, by_message


@pytest.mark.parametrize(
    ("document", "policy_type", "path", "fragment"),
    [
        ({"Version": "2012-10-17"}, "identity", "", "missing Statement"),
        ({"Statement": []}, "identity", "Statement", "at least one"),
        ({"Statement": "x"}, "identity", "Statement", "object or a list"),
        ({"Version": "2012-10-18", "Statement": _statement()["Statement"]}, "identity", "Version", "Version must be"),
        ({"Statement": _statement()["Statement"], "Extra": 1}, "identity", "Extra", "unknown top-level"),
        ({"Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}, "identity", "Statement[0]", "missing Effect"),
        ({"Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}, "identity", "Statement[0].Effect", "Allow"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "identity", "Statement[0]", "missing Action"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "a:c", "Resource": "*"}]}, "identity", "Statement[0]", "both Action and NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "NotResource": "*"}]}, "identity", "Statement[0]", "both Resource"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b"}]}, "identity", "Statement[0]", "missing Resource"),
        ({"Statement": [{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}]}, "identity", "Statement[0].Action", "service:action"),
        ({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", 5], "Resource": "*"}]}, "identity", "Statement[0].Action[1]", "strings"),
        ({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}, "identity", "Statement[0].Action", "empty"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Principal": "*"}]}, "identity", "Statement[0].Principal", "not allowed"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*"}]}, "resource", "Statement[0]", "missing Principal"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Principal": {"Group": "x"}}]}, "resource", "Statement[0].Principal", "unknown principal type"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}}]}, "resource", "Statement[0].Principal", "wildcard"),
        ({"Statement": [{"Effect": "Deny", "Action": "a:b", "NotPrincipal": {"AWS": "111122223333"}}]}, "trust", "Statement[0].NotPrincipal", "not allowed"),
        ({"Statement": [{"Effect": "Deny", "Action": "a:b", "Resource": "*", "Principal": {"AWS": "111122223333"}}]}, "rcp", "Statement[0].Principal", '"*"'),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Bogus": 1}]}, "identity", "Statement[0].Bogus", "unknown statement element"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEqualz": {"k:k": "v"}}}]}, "identity", "Statement[0].Condition", "unknown condition operator"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"NullIfExists": {"k:k": "true"}}}]}, "identity", "Statement[0].Condition", "unknown condition operator"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": ["x"]}]}, "identity", "Statement[0].Condition", "must be an object"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEquals": "v"}}]}, "identity", "Statement[0].Condition.StringEquals", "map condition keys"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEquals": {"k:k": {"x": 1}}}}]}, "identity", "Statement[0].Condition.StringEquals.k:k", "strings, numbers or booleans"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"Null": {"k:k": "maybe"}}}]}, "identity", "Statement[0].Condition.Null.k:k", "true or false"),
        ({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "arn:aws:s*:::b"}]}, "identity", "Statement[0].Resource", "service segment"),
        ({"Statement": [{"Sid": "has-hyphen", "Effect": "Allow", "Action": "a:b", "Resource": "*"}]}, "identity", "Statement[0].Sid", "letters and digits"),
        ({"Id": "x", "Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*"}]}, "identity", "Id", "identity-based"),
    ],
)
def test_rejected_documents_name_the_place(document: dict, policy_type: str, path: str, fragment: str) -> None:
    """reference_policies_grammar.md and the element pages: what AWS rejects, and where."""
    issues = _errors(document, policy_type)
    assert any(issue.path == path and fragment in issue.message for issue in issues), [str(i) for i in issues]


def test_duplicate_sid_is_rejected_and_points_at_the_second() -> None:
    """reference_policies_elements_sid.md: 'the Sid value must be unique within a JSON policy'."""
    statements = [{"Sid": "Same", "Effect": "Allow", "Action": "a:b", "Resource": "*"}] * 2
    (issue,) = _errors({"Statement": statements})
    assert issue.path == "Statement[1].Sid" and "duplicate Sid" in issue.message and "Statement[0]" in issue.message


def test_duplicate_key_in_text_is_rejected() -> None:
    """reference_policies_grammar.md: 'you cannot include the Effect block twice in the same statement'."""
    text = '{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "a:b", "Resource": "*"}]}'
    (issue,) = _errors(text)
    assert issue.path == "Statement[0]" and "Effect" in issue.message


def test_unknown_policy_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown policy type"):
        parse_policy(_statement(), policy_type="bucket")


# --- warnings ------------------------------------------------------------------------------------


def _warnings(document: dict, policy_type: str = "identity") -> list[str]:
    return [f"{issue.path}: {issue.message}" for issue in parse_policy(document, policy_type=policy_type).warnings]


def test_unknown_actions_and_services_are_warnings() -> None:
    warnings = _warnings(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:Teleport", "nosuch:Thing", "s3:Zz*"], "Resource": "*"}]}
    )
    assert any("Statement[0].Action[1]" in w and "not a known s3 action" in w for w in warnings)
    assert any("Statement[0].Action[2]" in w and "'nosuch'" in w for w in warnings)
    assert any("Statement[0].Action[3]" in w and "matches no known" in w for w in warnings)
    assert not any("Action[0]" in w for w in warnings)


def test_unknown_condition_keys_warn_but_global_and_service_keys_do_not() -> None:
    warnings = _warnings(
        _statement(Condition={"StringEquals": {"aws:PrincipalTag/team": "a", "s3:prefix": "p", "s3:NoSuchKey": "x", "aws:SourceIp": "1"}})
    )
    assert len(warnings) == 1 and "s3:NoSuchKey" in warnings[0]


def test_variables_in_old_version_warn() -> None:
    """reference_policies_variables.md: without Version 2012-10-17 variables are literal strings."""
    warnings = _warnings({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]})
    assert any("only replaced with Version 2012-10-17" in w for w in warnings)


def test_malformed_arn_warns() -> None:
    warnings = _warnings({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3", "bucket"]}]})
    assert any("Resource[0]" in w and "malformed" in w for w in warnings)
    assert any("Resource[1]" in w and "not an ARN" in w for w in warnings)


def test_size_limits_depend_on_type_and_attachment() -> None:
    """IAM quotas: inline user 2,048, group 5,120, role 10,240, managed 6,144; trust 2,048; SCP 5,120."""
    actions = [f"s3:GetObject{'x' * 20}{i}" for i in range(200)]
    document = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    assert size_issues(document, "identity", "user")
    assert not size_issues(document, "identity", "role")
    assert size_issues(document, "scp")
    assert "2048" in size_issues(document, "identity", "user")[0].message


def test_whitespace_does_not_count_towards_size() -> None:
    small = _statement()
    padded = json.dumps(small, indent=400)
    assert len(padded) > 2048
    assert not size_issues(parse_policy(padded), "trust")


def test_real_aws_exports_parse_without_errors(shared_data) -> None:
    """Every policy in the shared get-account-authorization-details files is one AWS accepted."""
    count = 0
    for path in sorted((shared_data / "aws-authorization-details").glob("*.json")):
        details = json.loads(path.read_text())
        for role in details.get("RoleDetailList", []):
            parse_policy(role["AssumeRolePolicyDocument"], policy_type="trust")
            count += 1
        for policy in details.get("Policies", []):
            for version in policy.get("PolicyVersionList", []):
                parse_policy(version["Document"])
                count += 1
    assert count > 100
