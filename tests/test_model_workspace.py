"""The Workspace aggregate: adding, updating, removing and restoring entities, its invariants and notifications."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_desktop.model import (
    Account, Change, ChangeKind, DanglingReferenceError, DuplicateIdError, Group, InvalidEntityError,
    ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role, ServicePrincipal, UnknownEntityError, User,
    Workspace,
)
from strategies import workspaces

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace("test")
    workspace.add(Account("acct", "Main", "111122223333"), Placement(0, 0, 800, 400))
    workspace.add(Account("other", "Other", "444455556666"))
    workspace.add(ManagedPolicy("pol", "ReadAll", DOCUMENT, "acct"))
    workspace.add(Group("devs", "developers", "acct", managed_policies=("pol",)))
    workspace.add(User("alice", "alice", "acct", groups=("devs",), permission_boundary="pol"), Placement(10, 20))
    workspace.add(Role("runner", "runner", "acct"))
    workspace.add(Resource("fn", "fn", "acct", "lambda_function",
                           "arn:aws:lambda:us-east-1:111122223333:function:fn", runs_as="runner"))
    return workspace


def test_add_keeps_model_order_and_placements(ws: Workspace) -> None:
    assert list(ws.entities) == ["acct", "other", "pol", "devs", "alice", "runner", "fn"]
    assert ws.placements["alice"] == Placement(10, 20)
    assert ws.arn_of("alice") == "arn:aws:iam::111122223333:user/alice"
    assert ws.find("arn:aws:iam::111122223333:role/runner").id == "runner"


def test_duplicate_id_refused_and_nothing_changes(ws: Workspace) -> None:
    before = ws.copy()
    with pytest.raises(DuplicateIdError, match="alice"):
        ws.add(User("alice", "bob", "acct"))
    assert ws.same_content(before)


def test_same_name_in_same_account_refused_case_insensitively(ws: Workspace) -> None:
    with pytest.raises(DuplicateIdError, match="ALICE"):
        ws.add(User("alice-2", "ALICE", "acct"))
    ws.add(User("alice-other", "alice", "other"))  # another account: fine
    assert "alice-other" in ws


def test_same_account_number_twice_refused(ws: Workspace) -> None:
    with pytest.raises(DuplicateIdError):
        ws.add(Account("again", "Again", "111122223333"))


@pytest.mark.parametrize("entity, message", [
    (User("u", "bad name!", "acct"), "IAM names"),
    (User("u", "", "acct"), "name must not be empty"),
    (User("u", "x" * 65, "acct"), "at most 64"),
    (Account("a", "A", "12345"), "12 digits"),
    (Resource("r", "r", "acct", "s3_bucket", "not-an-arn"), "not an ARN"),
    (ServicePrincipal("s", "lambda"), "service principal"),
    (Role("r", "r", "acct", max_session_duration=60), "3600 to 43200"),
    (User("u", "u", "acct", path="no-slashes"), "path"),
])
def test_field_rules_raise_invalid_entity(ws: Workspace, entity: object, message: str) -> None:
    with pytest.raises(InvalidEntityError, match=message):
        ws.add(entity)  # type: ignore[arg-type]


def test_organization_policy_names_may_contain_spaces(ws: Workspace) -> None:
    ws.add(ManagedPolicy("scp", "block lambda", DOCUMENT, policy_type=PolicyType.SCP))
    assert ws.get("scp").name == "block lambda"


def test_role_cannot_be_a_group_member(ws: Workspace) -> None:
    with pytest.raises(DanglingReferenceError, match="groups must be a group"):
        ws.add(User("bob", "bob", "acct", groups=("runner",)))


def test_dangling_reference_refused(ws: Workspace) -> None:
    with pytest.raises(DanglingReferenceError, match="does not exist"):
        ws.add(User("bob", "bob", "acct", managed_policies=("missing",)))


def test_user_cannot_join_a_group_of_another_account(ws: Workspace) -> None:
    with pytest.raises(DanglingReferenceError, match="another account"):
        ws.add(User("carol", "carol", "other", groups=("devs",)))


def test_scp_attaches_only_to_organization_levels(ws: Workspace) -> None:
    ws.add(ManagedPolicy("scp", "DenyAll", DOCUMENT, policy_type=PolicyType.SCP))
    with pytest.raises(DanglingReferenceError, match="SCP"):
        ws.update(replace(ws.get("alice"), managed_policies=("scp",)))
    with pytest.raises(DanglingReferenceError, match="only SCPs and RCPs"):
        ws.update(replace(ws.get("acct"), policies=("pol",)))
    ws.update(replace(ws.get("acct"), policies=("scp",)))
    assert ws.get("acct").policies == ("scp",)


def test_organization_units_cannot_form_a_cycle() -> None:
    ws = Workspace()
    ws.add(OrgUnit("root", "Root"))
    ws.add(OrgUnit("a", "A", "root"))
    ws.add(OrgUnit("b", "B", "a"))
    with pytest.raises(DanglingReferenceError, match="cycle"):
        ws.update(OrgUnit("a", "A", "b"))


def test_update_returns_previous_and_refuses_kind_change(ws: Workspace) -> None:
    previous = ws.update(replace(ws.get("alice"), tags={"team": "x"}))
    assert previous.tags == {} and ws.get("alice").tags == {"team": "x"}
    with pytest.raises(DanglingReferenceError, match="not a"):
        ws.update(Group("alice", "alice", "acct"))


def test_unknown_entity_is_a_key_error_with_message(ws: Workspace) -> None:
    with pytest.raises(UnknownEntityError, match="nope") as caught:
        ws.get("nope")
    assert isinstance(caught.value, KeyError)


def test_remove_drops_references_and_restore_puts_everything_back(ws: Workspace) -> None:
    before = ws.copy()
    removal = ws.remove(["pol"])
    assert "pol" not in ws
    assert ws.get("devs").managed_policies == () and ws.get("alice").permission_boundary is None
    ws.restore(removal)
    assert ws.same_content(before)


def test_removing_an_account_cascades_to_its_content(ws: Workspace) -> None:
    before = ws.copy()
    removal = ws.remove(["acct"])
    assert list(ws.entities) == ["other"]
    assert [e.id for e in removal.removed] == ["acct", "pol", "devs", "alice", "runner", "fn"]
    assert ws.placements == {}
    ws.restore(removal)
    assert ws.same_content(before)


def test_removing_a_unit_cascades_to_children_and_accounts() -> None:
    ws = Workspace()
    ws.add_many([OrgUnit("root", "Root"), OrgUnit("ou", "OU", "root"), Account("a", "A", "111122223333", "ou"),
                 User("u", "u", "a")])
    ws.remove(["ou"])
    assert list(ws.entities) == ["root"]


def test_listeners_hear_each_change(ws: Workspace) -> None:
    heard: list[Change] = []
    ws.subscribe(heard.append)
    ws.add(User("bob", "bob", "acct"))
    ws.place("bob", Placement(1, 2))
    ws.update(replace(ws.get("bob"), groups=("devs",)))
    ws.remove(["devs"])
    ws.unsubscribe(heard.append)
    ws.add(User("eve", "eve", "acct"))
    assert [c.kind for c in heard] == [ChangeKind.ADDED, ChangeKind.PLACED, ChangeKind.UPDATED, ChangeKind.UPDATED,
                                       ChangeKind.REMOVED]
    assert set(heard[3].ids) == {"alice", "bob"}


def test_add_many_is_all_or_nothing(ws: Workspace) -> None:
    before = ws.copy()
    with pytest.raises(DanglingReferenceError):
        ws.add_many([User("bob", "bob", "acct"), User("eve", "eve", "acct", groups=("missing",))])
    assert ws.same_content(before)


def test_place_many_returns_previous_and_clears(ws: Workspace) -> None:
    previous = ws.place_many({"alice": None, "devs": Placement(5, 5)})
    assert previous == {"alice": Placement(10, 20), "devs": None}
    assert "alice" not in ws.placements and ws.placements["devs"] == Placement(5, 5)


def test_replace_all_and_copy_are_independent(ws: Workspace) -> None:
    twin = ws.copy()
    twin.remove(["alice"])
    assert "alice" in ws
    target = Workspace()
    target.replace_all(ws)
    assert target.same_content(ws)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces(), st.data())
def test_remove_then_restore_is_identity(ws: Workspace, data: st.DataObject) -> None:
    if len(ws) == 0:
        return
    before = ws.copy()
    doomed = data.draw(st.lists(st.sampled_from(list(ws.entities)), min_size=1, max_size=3, unique=True))
    removal = ws.remove(doomed)
    assert not any(entity_id in ws for entity_id in doomed)
    ws.restore(removal)
    assert ws.same_content(before)


def test_policies_aws_would_reject_are_refused(ws: Workspace) -> None:
    half_typed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    before = ws.copy()
    with pytest.raises(InvalidEntityError, match="trust_policy is not a valid trust policy"):
        ws.update(replace(ws.get("runner"), trust_policy=half_typed))
    with pytest.raises(InvalidEntityError, match="document is not a valid scp policy"):
        ws.add(ManagedPolicy("scp", "s", {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]},
                             policy_type=PolicyType.SCP))
    assert ws.same_content(before)
    ws.add(ManagedPolicy("empty", "Unknown", {"Version": "2012-10-17", "Statement": []}, "acct"))  # allows nothing


def test_policy_documents_are_parsed_once_per_document_object() -> None:
    from iam_desktop.model.validation import parsed_policy
    from iam_desktop.policy import PolicyParseError

    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    first = parsed_policy(document, "identity")
    assert parsed_policy(document, "identity") is first
    assert parsed_policy(dict(document), "identity") is not first
    assert parsed_policy(document, "boundary") is not first
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}
    for _ in range(2):
        with pytest.raises(PolicyParseError):
            parsed_policy(broken, "identity")
