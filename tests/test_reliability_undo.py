"""Random edit sequences pushed as undo commands: undo all restores the start, redo all the end, saves reopen equal."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_desktop.formats.model_file import load_model, save_model
from iam_desktop.gui.commands import (
    AddEntitiesCommand, ConnectCommand, DisconnectCommand, MoveEntitiesCommand, RemoveEntitiesCommand,
    UpdateEntityCommand,
)
from iam_desktop.gui.document import Document
from iam_desktop.model import (
    Account, Entity, Group, InlinePolicy, InvalidEdgeError, ManagedPolicy, OrgUnit, Placement, PolicyType,
    Resource, Role, ServicePrincipal, User, Workspace,
)
from iam_desktop.model.edges import EdgeKind, allowed_edge_kinds, derive_edges
from iam_desktop.model.resource_types import RESOURCE_TYPES, propose_arn
from strategies import workspaces

OPERATIONS = ("create", "create", "connect", "connect", "disconnect", "edit_policy", "rename", "move", "move",
              "nudge", "delete")
NAMES = ("alice", "bob", "ops", "dev", "Admin", "reader", "x")  # few names: duplicates get refused on purpose
ACTIONS = ("s3:GetObject", "s3:*", "iam:PassRole", "sts:AssumeRole", "kms:Decrypt", "*", "ec2:Describe*")

pytestmark = pytest.mark.gui


def start_workspace() -> Workspace:
    """A small model with an organization, two accounts, principals, a policy and a bucket."""
    ws = Workspace("Undo fuzz", "eu-west-1")
    root = OrgUnit("ou-root", "Root")
    prod = Account("acct-prod", "prod", "111111111111", parent=root.id)
    dev = Account("acct-dev", "dev", "222222222222", parent=root.id)
    policy = ManagedPolicy("pol-read", "Read", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, account=prod.id)
    user = User("user-alice", "alice", prod.id, tags={"team": "a&b \"q\""}, managed_policies=(policy.id,))
    role = Role("role-deploy", "deploy", prod.id)
    bucket = Resource("res-bucket", "logs", prod.id, "s3_bucket", "arn:aws:s3:::logs")
    ws.add_many([root, prod, dev, policy, user, role, bucket],
                {prod.id: Placement(0, 0, 600, 400), user.id: Placement(20, 30), bucket.id: Placement(200, 40)})
    return ws


class EditSession:
    """Turns drawn choices into commands on a Document, recording the model after every undo index."""

    def __init__(self, document: Document, choose: Callable[[list[Any]], Any], number: Callable[[int], int]) -> None:
        self.document = document
        self.ws = document.workspace
        self.choose = choose
        self.number = number
        self.states: dict[int, Workspace] = {0: self.ws.copy()}
        self.pushed = 0
        self.refused = 0
        self.counter = 0

    def step(self, operation: str) -> None:
        """Do one edit of this kind (when the model allows one) and check the recorded states."""
        before_index = self.document.undo_stack.index()
        command = getattr(self, f"_{operation}")()
        if command is None:
            return
        applied = self.document.push(command)
        index = self.document.undo_stack.index()
        if applied:
            self.pushed += 1
            self.states = {i: s for i, s in self.states.items() if i < index}
            self.states[index] = self.ws.copy()
        else:
            self.refused += 1
            assert index == before_index, f"a refused {operation} left an undo step"
            assert self.ws.same_content(self.states[index]), f"a refused {operation} changed the model"

    def _fresh_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def _accounts(self) -> list[Account]:
        return [e for e in self.ws.entities.values() if isinstance(e, Account)]

    def _create(self) -> AddEntitiesCommand | None:
        kind = self.choose(["user", "group", "role", "policy", "scp", "resource", "service", "account"])
        name = self.choose(list(NAMES))
        accounts = self._accounts()
        entity: Entity
        if kind == "account":
            number = f"{self.number(10**12 - 1):012d}"
            entity = Account(self._fresh_id("acct"), name, number, parent="ou-root" if "ou-root" in self.ws else None)
        elif kind == "service":
            entity = ServicePrincipal(self._fresh_id("svc"), self.choose(["lambda.amazonaws.com", "ec2.amazonaws.com"]))
        elif kind == "scp":
            entity = ManagedPolicy(self._fresh_id("scp"), name, self._document("scp"), policy_type=PolicyType.SCP)
        elif not accounts:
            return None
        else:
            account = self.choose(accounts)
            if kind == "user":
                entity = User(self._fresh_id("user"), name, account.id, tags={"owner": "<script>alert(1)</script>"})
            elif kind == "group":
                entity = Group(self._fresh_id("group"), name, account.id,
                               inline_policies=(InlinePolicy("inline", self._document()),))
            elif kind == "role":
                entity = Role(self._fresh_id("role"), name, account.id, description="d & <b>")
            elif kind == "policy":
                entity = ManagedPolicy(self._fresh_id("pol"), name, self._document(), account=account.id)
            else:
                rtype = self.choose(sorted(RESOURCE_TYPES))
                entity = Resource(self._fresh_id("res"), name, account.id, rtype,
                                  propose_arn(rtype, name, account.account_id))
        placement = Placement(float(self.number(2000)), float(self.number(2000)))
        return AddEntitiesCommand(self.ws, [entity], {entity.id: placement})

    def _document(self, slot: str = "identity") -> dict[str, Any]:
        """A valid policy for ``slot``: trust and resource policies name a principal, identity ones do not."""
        statements: list[dict[str, Any]] = []
        for i in range(self.number(3)):
            statement: dict[str, Any] = {"Sid": f"S{i}", "Effect": self.choose(["Allow", "Deny"])}
            if slot == "trust":
                statement["Principal"] = self.choose([{"Service": "lambda.amazonaws.com"},
                                                       {"AWS": "arn:aws:iam::111111111111:root"}])
                statement["Action"] = "sts:AssumeRole"
            else:
                if slot == "resource":
                    statement["Principal"] = {"AWS": self.choose(["111111111111", "*"])}
                statement["Action"] = self.choose(list(ACTIONS))
                statement["Resource"] = self.choose(["*", ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]])
            statements.append(statement)
        return {"Version": "2012-10-17", "Statement": statements}

    def _connect(self) -> ConnectCommand | None:
        entities = list(self.ws.entities.values())
        pairs = [(s, t, k) for s in entities for t in entities if s.id != t.id for k in allowed_edge_kinds(s, t)]
        if not pairs:
            return None
        source, target, kind = self.choose(pairs)
        try:
            return ConnectCommand(self.ws, kind, source.id, target.id)
        except InvalidEdgeError:
            return None

    def _disconnect(self) -> DisconnectCommand | None:
        edges = derive_edges(self.ws)
        return DisconnectCommand(self.ws, self.choose(edges)) if edges else None

    def _edit_policy(self) -> UpdateEntityCommand | None:
        holders = [e for e in self.ws.entities.values() if isinstance(e, (ManagedPolicy, Role, Resource, User))]
        if not holders:
            return None
        entity = self.choose(holders)
        if isinstance(entity, ManagedPolicy):
            new: Entity = _replace(entity, document=self._document())
        elif isinstance(entity, Role):
            new = _replace(entity, trust_policy=self._document("trust"))
        elif isinstance(entity, Resource):
            new = _replace(entity, policy=self.choose([None, self._document("resource")]))
        else:
            new = _replace(entity, inline_policies=(InlinePolicy(self.choose(list(NAMES)), self._document()),))
        return _update_command(self.ws, entity, new)

    def _rename(self) -> UpdateEntityCommand | None:
        if not self.ws.entities:
            return None
        entity = self.choose(list(self.ws.entities.values()))
        return _update_command(self.ws, entity, _replace(entity, name=self.choose([*NAMES, "", "bad name!"])))

    def _move(self) -> MoveEntitiesCommand | None:
        ids = list(self.ws.entities)
        if not ids:
            return None
        chosen = sorted({self.choose(ids) for _ in range(1 + self.number(3))}, key=ids.index)
        new = {i: Placement(float(self.number(3000)) - 500, float(self.number(3000)) - 500) for i in chosen}
        return MoveEntitiesCommand(self.ws, new, {i: self.ws.placements.get(i) for i in chosen})

    def _nudge(self) -> MoveEntitiesCommand | None:
        placed = list(self.ws.placements)
        if not placed:
            return None
        entity_id = self.choose(placed)
        old = self.ws.placements[entity_id]
        new = Placement(old.x + 1, old.y - 1, old.width, old.height)
        return MoveEntitiesCommand(self.ws, {entity_id: new}, {entity_id: old}, text="Nudge", nudge=True)

    def _delete(self) -> RemoveEntitiesCommand | None:
        ids = list(self.ws.entities)
        if not ids:
            return None
        return RemoveEntitiesCommand(self.ws, sorted({self.choose(ids) for _ in range(1 + self.number(1))}))


def _replace(entity: Entity, **changes: Any) -> Entity:
    return replace(entity, **changes)  # type: ignore[arg-type]


def _update_command(ws: Workspace, old: Entity, new: Entity) -> UpdateEntityCommand:
    return UpdateEntityCommand(ws, old, new, f"Edit {old.name}")


def _check_reopen(ws: Workspace, path: Path) -> None:
    save_model(ws, path)
    reopened = load_model(path)
    assert reopened.same_content(ws), "the saved model reopened different"


def run_session(document: Document, session: EditSession, operations: list[str], save_at: set[int],
                folder: Path) -> None:
    """Apply ``operations``, save and reopen at the steps in ``save_at``, then undo all and redo all."""
    start = session.states[0]
    for number, operation in enumerate(operations):
        session.step(operation)
        if number in save_at:
            _check_reopen(document.workspace, folder / f"step{number}.iamd.json")
    stack = document.undo_stack
    end_index = stack.index()
    end = document.workspace.copy()
    assert end.same_content(session.states[end_index])
    while stack.canUndo():
        stack.undo()
        assert document.workspace.same_content(session.states[stack.index()]), f"undo to step {stack.index()}"
    assert document.workspace.same_content(start), "undoing everything did not restore the start"
    assert not document.is_modified()
    _check_reopen(document.workspace, folder / "start.iamd.json")
    while stack.canRedo():
        stack.redo()
        assert document.workspace.same_content(session.states[stack.index()]), f"redo to step {stack.index()}"
    assert stack.index() == end_index
    assert document.workspace.same_content(end), "redoing everything did not restore the end"
    assert document.is_modified() == (end_index != 0)
    _check_reopen(document.workspace, folder / "end.iamd.json")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data(), operations=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=40),
       save_points=st.sets(st.integers(0, 39), max_size=3))
def test_random_edits_undo_redo_and_reopen(qapp: Any, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject,
                                           operations: list[str], save_points: set[int]) -> None:
    document = Document(start_workspace())
    session = EditSession(document, lambda items: data.draw(st.sampled_from(items)),
                          lambda n: data.draw(st.integers(0, max(n, 0))))
    run_session(document, session, operations, save_points, tmp_path_factory.mktemp("undo"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(start=workspaces(), data=st.data(),
       operations=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=25))
def test_random_edits_on_generated_models(qapp: Any, tmp_path_factory: pytest.TempPathFactory, start: Workspace,
                                          data: st.DataObject, operations: list[str]) -> None:
    document = Document(start)
    session = EditSession(document, lambda items: data.draw(st.sampled_from(items)),
                          lambda n: data.draw(st.integers(0, max(n, 0))))
    run_session(document, session, operations, {len(operations) // 2}, tmp_path_factory.mktemp("generated"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_seeded_edit_sequence(qapp: Any, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    document = Document(start_workspace())
    session = EditSession(document, rng.choice, lambda n: rng.randint(0, max(n, 0)))
    operations = [rng.choice(OPERATIONS) for _ in range(250)]
    run_session(document, session, operations, {50, 125, 249}, tmp_path)
    assert session.pushed > 100, f"only {session.pushed} of 250 edits were applied: the test exercises too little"
    assert session.refused > 0, "no edit was refused: the refusal path went untested"


def test_a_policy_the_loader_would_refuse_is_refused_by_the_model(qapp: Any, tmp_path: Path) -> None:
    """The Workspace refuses what the loader refuses, so everything the person can save can be reopened."""
    document = Document(start_workspace())
    role = document.workspace.get("role-deploy")
    errors: list[str] = []
    document.error.connect(errors.append)
    half_typed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    assert not document.update_entity(_replace(role, trust_policy=half_typed), "Edit trust policy")
    assert errors and "trust_policy is not a valid trust policy" in errors[0]
    assert document.workspace.get("role-deploy") == role
    assert document.undo_stack.count() == 0
    _check_reopen(document.workspace, tmp_path / "edited.iamd.json")


def test_a_connection_from_a_non_ascii_name_reopens(qapp: Any, tmp_path: Path) -> None:
    ws = start_workspace()
    ws.add(Account("acct-cafe", "Café Zürich", "333333333333"))
    document = Document(ws)
    assert document.push(ConnectCommand(ws, EdgeKind.TRUSTS, "acct-cafe", "role-deploy"))
    save_model(ws, tmp_path / "cafe.iamd.json")
    assert load_model(tmp_path / "cafe.iamd.json").same_content(ws)
