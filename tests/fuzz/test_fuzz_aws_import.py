"""Damaged real `get-account-authorization-details` dumps through import_authorization_details: each imports (and the
result saves and reopens) or is refused with AwsImportError, leaving the target workspace untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz_budget import fuzz_settings, is_long, tried
from fuzz_mutations import json_values, mutated_bytes, mutated_json, mutated_leaves
from iam_desktop.formats.aws_import import (
    AwsImportError, ImportResult, import_authorization_details, import_organization, import_resource_policies,
)
from iam_desktop.formats.model_file import ModelFileError, dumps_model, loads_model
from iam_desktop.model import Account, Workspace

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLES_DIR = SHARED_DATA / "aws-authorization-details"
EXTRA_INPUTS = SHARED_DATA / "iamspy-inputs"
SMALL_LIMIT = 20_000  # bytes; samples up to LONG_LIMIT join in the long run
LONG_LIMIT = 200_000  # the 800 kB sample is too slow to damage and import thousands of times


def _samples() -> list[tuple[str, Any]]:
    if not SAMPLES_DIR.is_dir():
        return []
    limit = LONG_LIMIT if is_long() else SMALL_LIMIT
    return [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(SAMPLES_DIR.glob("*.json"))
            if path.stat().st_size <= limit]


SAMPLES = _samples()


def _extra(prefix: str) -> list[Any]:
    """The IAMSpy organization (``scp-``) or resource-policy (``resource-``, ...) inputs."""
    if not EXTRA_INPUTS.is_dir():
        return []
    paths = sorted(EXTRA_INPUTS.glob("*.json"))
    chosen = [p for p in paths if p.name.startswith("scp-") == (prefix == "scp-")]
    return [json.loads(path.read_text(encoding="utf-8")) for path in chosen]


ORGANIZATIONS = _extra("scp-")
RESOURCE_POLICIES = _extra("resource")
pytestmark = pytest.mark.skipif(not SAMPLES, reason=f"no samples in {SAMPLES_DIR}")


def _existing() -> Workspace:
    ws = Workspace("existing work")
    ws.add(Account("acct-keep", "keep", "999999999999"))
    return ws


def import_or_refuse(data: Any, target: str, into_existing: bool) -> ImportResult | None:
    """Import ``data``; on refusal the existing workspace is unchanged; an import must save and reopen equal."""
    tried(target)
    existing = _existing() if into_existing else None
    before = existing.copy() if existing is not None else None
    try:
        result = import_authorization_details(data, existing)
    except AwsImportError as error:
        assert str(error).strip() and "Traceback" not in str(error)
        if existing is not None and before is not None:
            assert existing.same_content(before), "a refused import changed the workspace"
        tried(f"{target} (refused)")
        return None
    tried(f"{target} (imported)")
    assert all(isinstance(w, str) and w for w in result.warnings)
    try:
        reopened = loads_model(dumps_model(result.workspace), "imported.iamd.json")
    except ModelFileError as error:
        raise AssertionError(f"an imported model cannot be saved and reopened: {error}") from error
    assert reopened.same_content(result.workspace)
    return result


def test_every_sample_imports() -> None:
    for name, data in SAMPLES:
        assert import_or_refuse(data, "aws_import.samples", into_existing=False) is not None, name


sample_indexes = st.sampled_from(range(len(SAMPLES))) if SAMPLES else st.nothing()


@fuzz_settings(200)
@given(sample_indexes.flatmap(lambda i: mutated_json(SAMPLES[i][1])), st.booleans())
def test_structurally_damaged_dumps(data: Any, into_existing: bool) -> None:
    import_or_refuse(data, "aws_import.structure", into_existing)


@fuzz_settings(200)
@given(sample_indexes.flatmap(lambda i: mutated_leaves(SAMPLES[i][1])), st.booleans())
def test_dumps_with_odd_strings(data: Any, into_existing: bool) -> None:
    import_or_refuse(data, "aws_import.odd_strings", into_existing)


@fuzz_settings(150)
@given(sample_indexes.flatmap(lambda i: mutated_bytes(json.dumps(SAMPLES[i][1], indent=1))))
def test_textually_damaged_dumps(data: bytes) -> None:
    import_or_refuse(data, "aws_import.text", into_existing=True)


@fuzz_settings(100)
@given(json_values | st.lists(json_values, max_size=3))
def test_arbitrary_json(data: Any) -> None:
    import_or_refuse(data, "aws_import.any_json", into_existing=True)


def _into_imported_sample(importer: Any, data: Any, target: str) -> None:
    """Run an extra importer on a workspace holding an imported sample: refused means unchanged; imported means
    the model saves and reopens equal."""
    tried(target)
    ws = import_authorization_details(SAMPLES[0][1]).workspace
    before = ws.copy()
    try:
        importer(ws, data)
    except AwsImportError as error:
        assert str(error).strip()
        assert ws.same_content(before), "a refused import changed the workspace"
        tried(f"{target} (refused)")
        return
    tried(f"{target} (imported)")
    try:
        reopened = loads_model(dumps_model(ws), "imported.iamd.json")
    except ModelFileError as error:
        raise AssertionError(f"an imported model cannot be saved and reopened: {error}") from error
    assert reopened.same_content(ws)


@pytest.mark.skipif(not ORGANIZATIONS, reason="no organization samples")
@fuzz_settings(150)
@given(st.sampled_from(range(max(len(ORGANIZATIONS), 1))).flatmap(
    lambda i: mutated_json(ORGANIZATIONS[i]) | mutated_leaves(ORGANIZATIONS[i])))
def test_damaged_organizations(data: Any) -> None:
    _into_imported_sample(import_organization, data, "aws_import.organization")


@pytest.mark.skipif(not RESOURCE_POLICIES, reason="no resource-policy samples")
@fuzz_settings(150)
@given(st.sampled_from(range(max(len(RESOURCE_POLICIES), 1))).flatmap(
    lambda i: mutated_json(RESOURCE_POLICIES[i]) | mutated_leaves(RESOURCE_POLICIES[i])))
def test_damaged_resource_policies(data: Any) -> None:
    _into_imported_sample(import_resource_policies, data, "aws_import.resource_policies")
