"""Model-file limits and refusals: size, nesting depth, encoding, duplicates, versions; each message names the place."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from iam_desktop.formats.model_file import (
    FORMAT_VERSION, ModelFileError, dumps_model, load_model, loads_model, save_model,
)
from iam_desktop.model import Account, Group, InlinePolicy, Workspace

MB = 1024 * 1024


def _model() -> Workspace:
    ws = Workspace("limits", "us-east-1")
    ws.add(Account("acct", "prod", "111111111111"))
    ws.add(Group("group", "ops", "acct", inline_policies=(InlinePolicy("notes", {"Statement": []}),)))
    return ws


def _with_inline_document(document: str) -> str:
    """The model's text with the inline policy document replaced by ``document`` (raw JSON text)."""
    text = dumps_model(_model())
    marker = '"document": {\n            "Statement": []\n          }'
    assert marker in text, text
    return text.replace(marker, '"document": ' + document)


def _refusal(text: str | bytes) -> ModelFileError:
    with pytest.raises(ModelFileError) as caught:
        loads_model(text, "limits.iamd.json")
    message = str(caught.value)
    assert message.startswith("limits.iamd.json") and "\n" not in message and "Traceback" not in message
    return caught.value


def test_a_file_over_50_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.iamd.json"
    with open(path, "wb") as stream:
        stream.truncate(50 * MB + 1)  # sparse: costs no disk
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert "50 MB" in str(caught.value) and str(path) in str(caught.value)


def test_text_over_50_mb_is_refused() -> None:
    text = _with_inline_document('{"Statement": [], "Padding": "' + "x" * (50 * MB) + '"}')
    assert "50 MB" in _refusal(text.encode("utf-8")).reason


def test_text_just_under_the_limit_loads() -> None:
    text = _with_inline_document('{"Statement": [], "Padding": "' + "x" * (49 * MB) + '"}')
    assert len(loads_model(text)) == 2


@pytest.mark.parametrize(("depth", "refused"), [(100, False), (101, True), (10_000, True)])
def test_nesting_depth_limit(depth: int, refused: bool) -> None:
    # The model object, entities, the group, inline_policies, the inline policy and its document are 6 levels.
    inner = depth - 6
    text = _with_inline_document('{"Statement": [], "Deep": ' + "[" * inner + "]" * inner + "}")
    if not refused:
        assert len(loads_model(text)) == 2
        return
    error = _refusal(text)
    assert "100" in error.reason and error.line is not None and error.column is not None


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    text = dumps_model(_model()).replace('"name": "ops",', '"name": "ops",\n      "name": "ops2",')
    error = _refusal(text)
    assert "twice" in error.reason and error.line is not None
    assert text.splitlines()[error.line - 1].strip().startswith('"name"')
    assert error.json_path.endswith("name")


def test_invalid_utf8_is_refused_at_its_line() -> None:
    data = dumps_model(_model()).encode("utf-8").replace(b'"ops"', b'"o\xffs"')
    error = _refusal(data)
    assert "UTF-8" in error.reason and error.line is not None
    assert b"\xff" in data.splitlines()[error.line - 1]


def test_a_truncated_file_is_refused_at_its_end() -> None:
    text = dumps_model(_model())
    error = _refusal(text[: len(text) // 2])
    assert error.line is not None and error.line >= text[: len(text) // 2].count("\n")


def test_a_file_from_a_newer_version_is_refused_with_a_clear_message() -> None:
    document = json.loads(dumps_model(_model()))
    document["version"] = FORMAT_VERSION + 1
    error = _refusal(json.dumps(document, indent=2))
    assert "newer" in error.reason and error.json_path == "version" and error.line is not None


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["entities"][1].update(account="missing"), "entities[1].account"),
    (lambda d: d["entities"][1].update(name=7), "entities[1].name"),
    (lambda d: d["entities"][1].pop("account"), "entities[1]"),
    (lambda d: d["entities"][1].update(colour="red"), "entities[1].colour"),
    (lambda d: d["layout"].update(ghost={"x": 1, "y": 2}), 'layout.ghost'),
    (lambda d: d["entities"].append(dict(d["entities"][0])), "entities[2].id"),
])
def test_structural_errors_name_the_json_path(change: Any, path: str) -> None:
    document = json.loads(dumps_model(_model()))
    change(document)
    error = _refusal(json.dumps(document, indent=2))
    assert error.json_path == path and error.line is not None, str(error)


def test_a_policy_in_a_model_is_refused_at_its_statement() -> None:
    text = _with_inline_document('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", '
                                 '"Resource": "*"}]}')
    error = _refusal(text)
    assert error.json_path.startswith("entities[1].inline_policies[0].document.Statement[0]"), str(error)


def test_a_huge_integer_is_refused_at_its_line() -> None:
    error = _refusal(_with_inline_document('{"Statement": [], "N": ' + "9" * 5000 + "}"))
    assert error.line is not None and "sys.set_int_max_str_digits" not in error.reason


def test_a_number_beyond_float_range_in_a_policy_is_refused(tmp_path: Path) -> None:
    text = _with_inline_document('{"Statement": [], "N": 1e400}')
    try:
        workspace = loads_model(text, "limits.iamd.json")
    except ModelFileError as error:
        assert error.line is not None
        return
    save_model(workspace, tmp_path / "again.iamd.json")


def test_save_keeps_a_symlinked_target_and_its_permissions(tmp_path: Path) -> None:
    real = tmp_path / "real.iamd.json"
    save_model(_model(), real)
    os.chmod(real, 0o600)
    link = tmp_path / "link.iamd.json"
    link.symlink_to(real)
    save_model(Workspace("changed"), link)
    assert link.is_symlink() and load_model(real).name == "changed"
    assert os.stat(real).st_mode & 0o777 == 0o600
