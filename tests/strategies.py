"""Hypothesis strategies for valid access models (Workspaces), shared by the model, file and graph tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from iam_desktop.model import (
    Account, Entity, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource, Role,
    ServicePrincipal, User, Workspace,
)
from iam_desktop.model.resource_types import RESOURCE_TYPES, propose_arn

IAM_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9+=,.@_-]{0,15}", fullmatch=True)
ACCOUNT_IDS = st.from_regex(r"[0-9]{12}", fullmatch=True)
ACTIONS = st.sampled_from(["s3:GetObject", "s3:*", "ec2:RunInstances", "dynamodb:Query", "lambda:InvokeFunction",
                           "sts:AssumeRole", "iam:PassRole", "*", "kms:Decrypt", "sqs:SendMessage"])
SERVICES = st.sampled_from(["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"])
COMPUTE_TYPES = [key for key, rtype in RESOURCE_TYPES.items() if rtype.service_principal]
FREE_TEXT = st.text(max_size=12)
"""Any Unicode (control characters, quotes, emoji): names of models, tag values, descriptions."""

COORDINATES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
SIZES = st.floats(min_value=1.0, max_value=1e5, allow_nan=False, allow_infinity=False)


@st.composite
def placements(draw: st.DrawFn) -> Placement:
    """A canvas placement: a node, or a frame with width and height."""
    if draw(st.booleans()):
        return Placement(draw(COORDINATES), draw(COORDINATES), draw(SIZES), draw(SIZES))
    return Placement(draw(COORDINATES), draw(COORDINATES))


@st.composite
def statements(draw: st.DrawFn, index: int, principal: Any = None, resource: str | None = None) -> dict[str, Any]:
    """One valid policy statement (with a Principal when ``principal`` is given, as resource policies need)."""
    statement: dict[str, Any] = {}
    if draw(st.booleans()):
        statement["Sid"] = f"Statement{index}"
    statement["Effect"] = draw(st.sampled_from(["Allow", "Deny"]))
    if principal is not None:
        statement["Principal"] = principal
    actions = draw(st.lists(ACTIONS, min_size=1, max_size=3, unique=True))
    statement["Action"] = actions[0] if len(actions) == 1 else actions
    statement["Resource"] = resource or draw(st.sampled_from(["*", "arn:aws:s3:::bucket/*"]))
    if draw(st.booleans()):
        statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": draw(FREE_TEXT)}}
    return statement


@st.composite
def documents(draw: st.DrawFn, principal: Any = None, resource: str | None = None) -> dict[str, Any]:
    """A valid policy document with zero to three statements."""
    count = draw(st.integers(0, 3))
    return {"Version": "2012-10-17", "Statement": [draw(statements(i, principal, resource)) for i in range(count)]}


@st.composite
def workspaces(draw: st.DrawFn, max_accounts: int = 3) -> Workspace:
    """A valid Workspace: accounts (optionally in an organization with SCPs/RCPs), IAM principals and policies
    with references between them, services, resources, and placements for some entities; model order shuffled.
    """
    entities: list[Entity] = []
    account_numbers = draw(st.lists(ACCOUNT_IDS, min_size=1, max_size=max_accounts, unique=True))
    org_policies: list[str] = []
    units: list[str] = []
    if draw(st.booleans()):
        for index in range(draw(st.integers(0, 2))):
            policy_type = draw(st.sampled_from([PolicyType.SCP, PolicyType.RCP]))
            principal = "*" if policy_type is PolicyType.RCP else None
            entities.append(ManagedPolicy(f"org-policy-{index}", f"org policy {index}",
                                          draw(documents(principal)), policy_type=policy_type))
            org_policies.append(f"org-policy-{index}")
        units.append("ou-root")
        entities.append(OrgUnit("ou-root", "Root", policies=tuple(draw(st.lists(st.sampled_from(org_policies),
                                                                                unique=True)) if org_policies else ())))
        for index in range(draw(st.integers(0, 2))):
            units.append(f"ou-{index}")
            entities.append(OrgUnit(f"ou-{index}", f"Unit {index}", draw(st.sampled_from(units[:-1]))))
    accounts = []
    for index, number in enumerate(account_numbers):
        accounts.append(f"account-{index}")
        entities.append(Account(f"account-{index}", draw(FREE_TEXT.filter(str.strip)), number,
                                draw(st.sampled_from([None, *units])) if units else None))
    policies: list[str] = []
    for index, name in enumerate(draw(st.lists(IAM_NAMES, max_size=3, unique_by=str.lower))):
        owner = draw(st.sampled_from([None, *accounts]))
        policies.append(f"policy-{index}")
        entities.append(ManagedPolicy(f"policy-{index}", name, draw(documents()), owner,
                                      description=draw(FREE_TEXT)))
    groups: list[Group] = []
    users: list[User] = []
    roles: list[Role] = []
    for account, number in zip(accounts, account_numbers):
        policy_lists = st.lists(st.sampled_from(policies), unique=True, max_size=2) if policies else st.just([])
        inline = st.lists(st.builds(InlinePolicy, IAM_NAMES, documents()), max_size=2)
        for name in draw(st.lists(IAM_NAMES, max_size=2, unique_by=str.lower)):
            groups.append(Group(f"group-{account}-{name}", name, account, managed_policies=tuple(draw(policy_lists)),
                                inline_policies=tuple(draw(inline))))
        own_groups = [g.id for g in groups if g.account == account]
        tags = st.dictionaries(IAM_NAMES, FREE_TEXT, max_size=2)
        for name in draw(st.lists(IAM_NAMES, max_size=3, unique_by=str.lower)):
            users.append(User(
                f"user-{account}-{name}", name, account, tags=draw(tags),
                groups=tuple(draw(st.lists(st.sampled_from(own_groups), unique=True))) if own_groups else (),
                managed_policies=tuple(draw(policy_lists)), inline_policies=tuple(draw(inline)),
                permission_boundary=draw(st.sampled_from([None, *policies]))))
        for name in draw(st.lists(IAM_NAMES, max_size=2, unique_by=str.lower)):
            principal = draw(st.sampled_from([{"Service": "lambda.amazonaws.com"},
                                              {"AWS": f"arn:aws:iam::{number}:root"}]))
            trust = {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
            roles.append(Role(f"role-{account}-{name}", name, account, trust, tags=draw(tags),
                              managed_policies=tuple(draw(policy_lists)), inline_policies=tuple(draw(inline)),
                              max_session_duration=draw(st.integers(3600, 43200)), description=draw(FREE_TEXT)))
    entities += [*groups, *users, *roles]
    for index, service in enumerate(draw(st.lists(SERVICES, unique=True))):
        entities.append(ServicePrincipal(f"service-{index}", service))
    for index in range(draw(st.integers(0, 3))):
        account = draw(st.sampled_from(accounts))
        number = account_numbers[accounts.index(account)]
        type_key = draw(st.sampled_from(sorted(RESOURCE_TYPES)))
        arn = propose_arn(type_key, f"res{index}", number)
        own_roles = [r.id for r in roles if r.account == account]
        runs_as = draw(st.sampled_from([None, *own_roles])) if type_key in COMPUTE_TYPES and own_roles else None
        policy = draw(st.one_of(st.none(), documents({"AWS": f"arn:aws:iam::{number}:root"}, arn)))
        entities.append(Resource(f"resource-{index}", f"res{index}", account, type_key, arn, policy, runs_as,
                                 draw(tags)))
    ordered = draw(st.permutations(entities))
    placed = {e.id: draw(placements()) for e in ordered if draw(st.booleans())}
    workspace = Workspace(draw(FREE_TEXT), draw(st.sampled_from(["us-east-1", "eu-west-1", "ap-south-2"])))
    workspace.add_many(ordered, placed)
    return workspace
