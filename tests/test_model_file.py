"""Model files: the written shape, round trips (examples and generated models), migrations and bundled paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from iam_desktop import paths
from iam_desktop.formats.model_file import (
    FORMAT_NAME, FORMAT_VERSION, MIGRATIONS, MODEL_SUFFIX, ModelFileError, dumps_model, load_model, loads_model,
    migrate, save_model,
)
from iam_desktop.model import (
    Account, Group, InlinePolicy, ManagedPolicy, Placement, Resource, Role, User, Workspace,
)
from iam_desktop.model.resource_types import RESOURCE_TYPES
from strategies import workspaces

EXAMPLES = sorted(paths.examples_dir().glob(f"*{MODEL_SUFFIX}"))
EXPECTED_EXAMPLES = {"lambda-dynamodb", "ec2-developer", "administrator", "temporary-ec2-access", "cross-account-s3",
                     "scp-region-deny", "welcome"}


def small_model() -> Workspace:
    ws = Workspace("Small — ünïcode ✓", "eu-west-1")
    ws.add(Account("acct", "Main", "111122223333"), Placement(0, 0, 600, 300))
    ws.add(ManagedPolicy("pol", "ReadAll", {"Statement": [{"Action": "s3:Get*", "Effect": "Allow", "Resource": "*"}],
                                            "Version": "2012-10-17"}, "acct"))
    ws.add(Group("devs", "devs", "acct", managed_policies=("pol",)))
    ws.add(User("alice", "alice", "acct", tags={"team": "a\"b\n<c>"}, groups=("devs",),
                inline_policies=(InlinePolicy("own", {"Version": "2012-10-17", "Statement": []}),)),
           Placement(40.5, 80))
    return ws


def test_written_shape_is_stable_and_readable() -> None:
    text = dumps_model(small_model())
    data = json.loads(text)
    assert list(data) == ["format", "version", "name", "region", "entities", "layout"]
    assert (data["format"], data["version"]) == (FORMAT_NAME, FORMAT_VERSION)
    assert [e["id"] for e in data["entities"]] == ["acct", "pol", "devs", "alice"]
    assert list(data["entities"][3])[:3] == ["id", "kind", "name"]
    assert data["layout"] == {"acct": {"x": 0, "y": 0, "width": 600, "height": 300}, "alice": {"x": 40.5, "y": 80}}
    assert text.startswith('{\n  "format": "iam-desktop",\n') and text.endswith("}\n")
    assert "Small — ünïcode ✓" in text  # written as UTF-8, not \u escapes


def test_policies_are_stored_verbatim_in_their_key_order() -> None:
    data = json.loads(dumps_model(small_model()))
    document = data["entities"][1]["document"]
    assert list(document) == ["Statement", "Version"]
    assert list(document["Statement"][0]) == ["Action", "Effect", "Resource"]


def test_round_trip_keeps_everything() -> None:
    ws = small_model()
    again = loads_model(dumps_model(ws))
    assert again.same_content(ws)
    assert dumps_model(again) == dumps_model(ws)


def test_every_resource_type_round_trips() -> None:
    ws = Workspace()
    ws.add(Account("acct", "Main", "111122223333"))
    for key in RESOURCE_TYPES:
        ws.add(Resource(f"r-{key}", key, "acct", key, f"arn:aws:s3:::{key.replace('_', '-')}"))
    assert loads_model(dumps_model(ws)).same_content(ws)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(workspaces())
def test_generated_models_round_trip(ws: Workspace) -> None:
    text = dumps_model(ws)
    again = loads_model(text.encode("utf-8"), "generated")
    assert again.same_content(ws)
    assert dumps_model(again) == text


def test_bundled_examples_are_all_there() -> None:
    assert {p.name.removesuffix(MODEL_SUFFIX) for p in EXAMPLES} >= EXPECTED_EXAMPLES
    assert paths.default_example() == paths.examples_dir() / "welcome.iamd.json"
    assert paths.default_example().is_file()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_round_trip_byte_for_byte(example: Path, tmp_path: Path) -> None:
    ws = load_model(example)
    assert dumps_model(ws) == example.read_text(encoding="utf-8")
    copy = tmp_path / example.name
    save_model(ws, copy)
    assert load_model(copy).same_content(ws)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_laid_out_inside_their_account_frames(example: Path) -> None:
    ws = load_model(example)
    for entity in ws.entities.values():
        assert entity.id in ws.placements, f"{entity.id} has no placement"
        owner = getattr(entity, "account", None)
        if owner is None:
            continue
        frame, node = ws.placements[owner], ws.placements[entity.id]
        assert frame.width and frame.height
        assert frame.x <= node.x and node.x + 160 <= frame.x + frame.width, entity.id
        assert frame.y <= node.y and node.y + 60 <= frame.y + frame.height, entity.id


def test_frozen_app_resources_come_from_meipass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources" / "examples").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.examples_dir() == tmp_path / "resources" / "examples"


def test_version_0_files_are_migrated() -> None:
    old = {"format": "iam-desktop", "version": 0, "name": "old", "region": "us-east-1", "nodes": [
        {"id": "acct", "kind": "account", "name": "Main", "account_id": "111122223333", "x": 5, "y": 6},
        {"id": "u", "kind": "user", "name": "bob", "account": "acct"}]}
    ws = loads_model(json.dumps(old))
    assert list(ws.entities) == ["acct", "u"]
    assert ws.placements == {"acct": Placement(5, 6)}
    assert ws.get("u").path == "/"


def test_broken_version_0_files_are_refused_with_a_place() -> None:
    old = {"format": "iam-desktop", "version": 0, "name": "old", "region": "us-east-1", "nodes": 5}
    with pytest.raises(ModelFileError, match="nodes must be an array") as caught:
        loads_model(json.dumps(old))
    assert caught.value.json_path == "nodes"


def test_migrations_are_pure_and_chain_to_the_current_version() -> None:
    old = {"format": "iam-desktop", "version": 0, "name": "n", "region": "r", "nodes": []}
    snapshot = json.dumps(old)
    assert migrate(old) == {"format": "iam-desktop", "version": FORMAT_VERSION, "name": "n", "region": "r",
                            "entities": [], "layout": {}}
    assert json.dumps(old) == snapshot
    assert set(MIGRATIONS) == set(range(FORMAT_VERSION))


def test_newer_versions_are_refused_clearly() -> None:
    text = dumps_model(small_model()).replace('"version": 1,', '"version": 2,')
    with pytest.raises(ModelFileError, match="made by a newer IAM Desktop") as caught:
        loads_model(text, "future.iamd.json")
    assert (caught.value.json_path, caught.value.line, caught.value.source) == ("version", 3, "future.iamd.json")


def test_roles_keep_trust_policies_and_session_length() -> None:
    ws = Workspace()
    ws.add(Account("acct", "Main", "111122223333"))
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    ws.add(Role("r", "r", "acct", trust, max_session_duration=7200, description="d", role_id="AROAEXAMPLE"))
    assert loads_model(dumps_model(ws)).get("r") == ws.get("r")


def test_pure_layers_do_not_import_qt() -> None:
    code = ("import sys, iam_desktop.formats.model_file, iam_desktop.formats.aws_import, "
            "iam_desktop.formats.reports, iam_desktop.paths; "
            "assert 'PySide6' not in sys.modules and 'networkx' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
