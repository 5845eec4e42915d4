"""Damaged model files through loads_model: each loads (and then saves and reloads equal) or is refused with a
ModelFileError naming the place; no other exception escapes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz_budget import fuzz_settings, tried
from fuzz_mutations import as_text, json_values, mutated_bytes, mutated_json, sample_workspaces
from iam_desktop.formats.model_file import ModelFileError, dumps_model, loads_model
from strategies import workspaces

SOURCE = "fuzz.iamd.json"
SEEDS = [dumps_model(ws) for ws in sample_workspaces()]
SEED_DOCUMENTS = [json.loads(text) for text in SEEDS]
SEED_IDS = tuple(entity["id"] for document in SEED_DOCUMENTS for entity in document["entities"])


def check_loads_or_refuses(data: str | bytes, target: str) -> ModelFileError | None:
    """Feed ``data`` to loads_model: a loaded model must save and reload equal; a refusal must say where."""
    tried(target)
    try:
        workspace = loads_model(data, SOURCE)
    except ModelFileError as error:
        message = str(error)
        assert error.reason and message.startswith(SOURCE), f"refusal without reason or file name: {message!r}"
        assert "Traceback" not in message
        tried(f"{target} (refused)")
        return error
    tried(f"{target} (loaded)")
    try:
        text = dumps_model(workspace)
    except ModelFileError as error:
        raise AssertionError(f"a model that loaded cannot be saved: {error}") from error
    assert loads_model(text, SOURCE).same_content(workspace), "a loaded model did not survive save and reload"
    return None


def assert_names_a_place(error: ModelFileError) -> None:
    """A refusal of a file that is a model file in its header must point at a JSON path or a line."""
    assert error.json_path or error.line is not None, f"refusal names no place: {error}"


def test_the_seed_models_load() -> None:
    for text in SEEDS:
        assert check_loads_or_refuses(text, "model_file.seeds") is None


@fuzz_settings(300)
@given(st.sampled_from(range(len(SEED_DOCUMENTS))).flatmap(
    lambda i: mutated_json(SEED_DOCUMENTS[i], SEED_IDS)))
def test_structurally_damaged_models(document: Any) -> None:
    error = check_loads_or_refuses(as_text(document), "model_file.structure")
    if error is not None and isinstance(document, dict) and document.get("format") == "iam-desktop" \
            and document.get("version") == 1:
        assert_names_a_place(error)


@fuzz_settings(50)
@given(workspaces().map(lambda ws: json.loads(dumps_model(ws))).flatmap(
    lambda document: mutated_json(document, tuple(e["id"] for e in document["entities"]))))
def test_damaged_generated_models(document: Any) -> None:
    error = check_loads_or_refuses(as_text(document), "model_file.generated_structure")
    if error is not None and isinstance(document, dict) and document.get("format") == "iam-desktop" \
            and document.get("version") == 1:
        assert_names_a_place(error)


@fuzz_settings(40)
@given(workspaces().map(dumps_model).flatmap(mutated_bytes))
def test_textually_damaged_generated_models(data: bytes) -> None:
    error = check_loads_or_refuses(data, "model_file.generated_text")
    if error is not None and data.strip():
        assert_names_a_place(error)


@fuzz_settings(300)
@given(st.sampled_from(SEEDS).flatmap(mutated_bytes))
def test_textually_damaged_models(data: bytes) -> None:
    error = check_loads_or_refuses(data, "model_file.text")
    if error is not None and data.strip():
        assert_names_a_place(error)


@fuzz_settings(100)
@given(json_values)
def test_arbitrary_json_values(value: Any) -> None:
    check_loads_or_refuses(json.dumps(value), "model_file.any_json")


@fuzz_settings(100)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_arbitrary_bytes_and_text(data: bytes | str) -> None:
    check_loads_or_refuses(data, "model_file.random")
