"""Broken model files: each is refused whole, with an error naming the JSON path, the line and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iam_desktop.formats import json_text
from iam_desktop.formats.model_file import ModelFileError, dumps_model, load_model, loads_model
from iam_desktop.model import Account, Group, InlinePolicy, ManagedPolicy, Role, User, Workspace

DOCUMENT = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Sid": "Tagged", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}]}


def model_text() -> str:
    ws = Workspace("broken")
    ws.add_many([Account("acct", "Main", "111122223333"), ManagedPolicy("pol", "ReadS3", DOCUMENT, "acct"),
                 Group("devs", "devs", "acct"), Role("role", "role", "acct"),
                 User("alice", "alice", "acct", groups=("devs",), managed_policies=("pol",))])
    return dumps_model(ws)


def edited(change: callable) -> str:  # type: ignore[valid-type]
    data = json.loads(model_text())
    change(data)
    return json.dumps(data, indent=2)


def error_of(text: str | bytes, source: str = "m.iamd.json") -> ModelFileError:
    with pytest.raises(ModelFileError) as caught:
        loads_model(text, source)
    return caught.value


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1


def test_bad_json_names_line_and_column() -> None:
    text = model_text().replace('"name": "devs",', '"name": "devs"')
    error = error_of(text)
    assert error.line == line_of(text, '"account": "acct"', 2) and error.column == 7
    assert str(error).startswith(f"m.iamd.json, line {error.line}, column 7: invalid JSON")


def test_dangling_group_reference_names_the_list_item() -> None:
    text = edited(lambda d: d["entities"][4]["groups"].__setitem__(0, "ghosts"))
    error = error_of(text)
    assert error.json_path == "entities[4].groups[0]"
    assert error.line == line_of(text, '"ghosts"')
    assert "'ghosts'" in error.reason and "no entity" in error.reason


def test_role_as_group_member_is_a_wrong_kind_error() -> None:
    error = error_of(edited(lambda d: d["entities"][4]["groups"].__setitem__(0, "role")))
    assert error.json_path == "entities[4].groups[0]"
    assert "must refer to a group, but 'role' is a role" in error.reason


def test_wrong_type_names_the_field() -> None:
    text = edited(lambda d: d["entities"][4].__setitem__("tags", ["a"]))
    error = error_of(text)
    assert error.json_path == "entities[4].tags" and error.line == line_of(text, '"tags"', 2)
    assert "must be an object" in error.reason


@pytest.mark.parametrize("change, path, reason", [
    (lambda d: d["entities"][0].__setitem__("kind", "wizard"), "entities[0].kind", "kind must be one of"),
    (lambda d: d["entities"][1].pop("document"), "entities[1]", "'document' is missing"),
    (lambda d: d["entities"][1].__setitem__("colour", "red"), "entities[1].colour", "unknown key 'colour'"),
    (lambda d: d["entities"][3].__setitem__("max_session_duration", "1h"), "entities[3].max_session_duration",
     "an integer"),
    (lambda d: d["entities"][3].__setitem__("max_session_duration", 60), "entities[3]", "3600 to 43200"),
    (lambda d: d["entities"][0].__setitem__("account_id", "12"), "entities[0]", "12 digits"),
    (lambda d: d["entities"][2].__setitem__("id", "acct"), "entities[2].id", "already used by entities[0]"),
    (lambda d: d["entities"][4].__setitem__("name", "devs!"), "entities[4]", "IAM names"),
    (lambda d: d["entities"].append({"id": "g2", "kind": "group", "name": "DEVS", "account": "acct"}),
     "entities[5]", "exists already"),
    (lambda d: d.__setitem__("layout", {"nobody": {"x": 1, "y": 2}}), 'layout.nobody', "no entity has that id"),
    (lambda d: d.__setitem__("layout", {"acct": {"x": 1}}), "layout.acct", "'y' is missing"),
    (lambda d: d.__setitem__("layout", {"acct": {"x": 1, "y": True}}), "layout.acct.y", "a finite number"),
    (lambda d: d.__setitem__("layout", {"acct": {"x": 1, "y": 1, "width": -4}}), "layout.acct.width", "positive"),
    (lambda d: d.pop("layout"), "", "'layout' is missing"),
    (lambda d: d.__setitem__("extra", 1), "extra", "unknown key 'extra'"),
    (lambda d: d.__setitem__("format", "drawio"), "format", "not an IAM Desktop model"),
    (lambda d: d.__setitem__("entities", {}), "entities", "must be an array"),
])
def test_invalid_content_is_located(change: callable, path: str, reason: str) -> None:  # type: ignore[valid-type]
    error = error_of(edited(change))
    assert error.json_path == path
    assert reason in error.reason
    assert error.line is not None


def test_invalid_policy_names_the_statement_element_and_line() -> None:
    text = edited(lambda d: d["entities"][1]["document"]["Statement"][1].__setitem__("Effect", "Perhaps"))
    error = error_of(text)
    assert error.json_path == "entities[1].document.Statement[1].Effect"
    assert error.line == line_of(text, '"Effect": "Perhaps"')
    assert "Effect" in error.reason


def test_invalid_condition_operator_is_located() -> None:
    text = model_text().replace('"StringEquals"', '"StringEqualz"')
    error = error_of(text)
    assert error.json_path.startswith("entities[1].document.Statement[1].Condition")
    assert line_of(text, '"Condition"', 1) <= error.line <= line_of(text, '"StringEqualz"')
    assert "StringEqualz" in error.reason


def test_inline_policy_errors_name_the_inline_policy() -> None:
    def change(data: dict) -> None:
        data["entities"][4]["inline_policies"] = [{"name": "mine", "document": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}}]
    error = error_of(edited(change))
    assert error.json_path.startswith("entities[4].inline_policies[0].document.Statement[0]")


def test_too_deep_is_refused_before_parsing() -> None:
    error = error_of("[" * 5000 + "]" * 5000)
    assert "deeper than 100" in error.reason and (error.line, error.column) == (1, 101)


def test_too_big_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.iamd.json"
    with open(path, "wb") as stream:
        stream.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(ModelFileError, match="over 50 MB are refused"):
        load_model(path)
    assert "over 50 MB" in error_of(" " * (50 * 1024 * 1024 + 1)).reason


def test_duplicate_keys_are_refused_with_their_place() -> None:
    text = model_text().replace('"name": "devs",', '"name": "devs",\n      "name": "admins",')
    error = error_of(text)
    assert error.json_path == "entities[2].name"
    assert error.line == line_of(text, '"name": "admins"')
    assert "'name' appears twice" in error.reason


def test_invalid_utf8_is_refused_with_its_place() -> None:
    data = model_text().encode("utf-8").replace(b'"devs"', b'"d\xffvs"', 1)
    error = error_of(data)
    assert "not valid UTF-8" in error.reason
    assert error.line == line_of(model_text(), '"devs"')


def test_nan_is_not_json() -> None:
    assert "NaN" in error_of(model_text().replace('"region": "us-east-1"', '"region": NaN')).reason


def test_missing_file_is_a_model_file_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot open") as caught:
        load_model(tmp_path / "absent.iamd.json")
    assert caught.value.source.endswith("absent.iamd.json")


def test_nothing_is_half_loaded() -> None:
    text = edited(lambda d: d["entities"].append({"id": "x", "kind": "user", "name": "x", "account": "nowhere"}))
    with pytest.raises(ModelFileError):
        loads_model(text)


def test_locate_finds_keys_items_and_nested_values() -> None:
    text = '{\n  "a": [1, {"b": "x"}],\n  "c": {}\n}'
    assert json_text.locate(text, ("a", 1, "b")) == (2, 13)
    assert json_text.locate(text, ("a", 0)) == (2, 9)
    assert json_text.locate(text, ("c",)) == (3, 3)
    assert json_text.locate(text, ("zzz",)) is None
    assert json_text.format_path(("entities", 3, "groups", 0)) == "entities[3].groups[0]"
    assert json_text.format_path(("layout", "user-1", "x")) == 'layout["user-1"].x'


@pytest.mark.parametrize("number, reason", [("1e400", "beyond the range"), ("9" * 5000, "5000 digits is too long")])
def test_numbers_python_cannot_keep_are_refused_at_their_line(number: str, reason: str) -> None:
    text = model_text().replace('"Statement": [\n          {\n            "Sid": "Read"',
                                f'"N": {number},\n          "Statement": [\n          {{\n            "Sid": "Read"')
    error = error_of(text)
    assert reason in error.reason and error.line == line_of(text, '"N"')


def test_a_model_nested_too_deep_is_not_written() -> None:
    deep: object = "x"
    for _ in range(120):
        deep = [deep]
    ws = Workspace()
    ws.add(Account("acct", "Main", "111122223333"))
    ws.add(Group("g", "g", "acct", inline_policies=(InlinePolicy("deep", {"Statement": [], "X": deep}),)))
    with pytest.raises(ModelFileError, match="deeper than 100"):
        dumps_model(ws)


def test_depth_check_agrees_with_a_token_by_token_scan() -> None:
    import random
    import re

    from iam_desktop.formats.json_text import JsonTextError, check_depth, line_column

    token = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*"', re.DOTALL)

    def scanned(text: str, limit: int) -> tuple[int, int] | None:
        depth = 0
        for match in token.finditer(text):
            char = match.group()[0]
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            if char in "[{" and depth > limit:
                return line_column(text, match.start())
        return None

    def checked(text: str, limit: int) -> tuple[int, int] | None:
        try:
            check_depth(text, limit)
        except JsonTextError as error:
            return error.line or 0, error.column or 0
        return None

    chooser = random.Random(5)
    for _ in range(20000):
        text = "".join(chooser.choice('[]{}"\\ a\n') for _ in range(chooser.randint(0, 30)))
        limit = chooser.randint(0, 4)
        assert checked(text, limit) == scanned(text, limit), (text, limit)
