"""Privilege-escalation patterns, each checked with the policy engine against the model's real targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from iam_desktop.graph.answers import EscalationFinding
from iam_desktop.graph.assume import ASSUME_ACTION, DEFAULT_MAX_DEPTH, describe_statements
from iam_desktop.model.entities import EntityKind, Group, ManagedPolicy, Role, User
from iam_desktop.policy import Decision, Evaluation

if TYPE_CHECKING:
    from iam_desktop.graph.access import AccessGraph

PROBE_NAME = "escalation-probe"


Request = tuple[str, str, tuple[tuple[str, str], ...]]
"""One request a pattern needs: (action, resource ARN, context key/value pairs)."""


@dataclass(frozen=True)
class Target:
    """One thing a pattern could abuse and the requests it needs.

    ``requests`` holds one tuple of alternatives per step: every step is needed, and any one alternative of a
    step suffices (``iam:AttachUserPolicy`` or ``iam:PutUserPolicy``).
    """

    target_id: str
    requests: tuple[tuple[Request, ...], ...]


@dataclass(frozen=True)
class Pattern:
    """A privilege-escalation pattern: key, description template and the targets it checks for a principal."""

    key: str
    description: str
    targets: Callable[["Scan"], Iterator[Target]]


class Scan:
    """What the patterns need to know about one principal: its account, groups, reachable roles, policies."""

    def __init__(self, graph: "AccessGraph", principal_id: str) -> None:
        self.graph = graph
        self.workspace = graph.workspace
        self.principal_id = principal_id
        self.entity = self.workspace.get(principal_id)
        caller = graph.context.caller(principal_id)
        self.account_id = caller.account_id or ""
        self.region = self.workspace.region
        reachable = graph.assume_graph.reachable(principal_id, DEFAULT_MAX_DEPTH)
        self.reachable_roles = {n for n in reachable if isinstance(self.workspace.entities.get(n), Role)}
        if isinstance(self.entity, Role):
            self.reachable_roles.add(principal_id)

    def arn(self, entity_id: str) -> str:
        """The ARN of a model entity."""
        return self.workspace.arn_of(entity_id)

    def probe(self, template: str) -> str:
        """An ARN in the principal's account and the model's region for a resource the principal would create."""
        return template.format(region=self.region, account=self.account_id, name=PROBE_NAME)

    def attached_policies(self) -> set[str]:
        """Customer-managed policies attached to the principal, its groups and the roles it can reach."""
        owners: list[User | Group | Role] = []
        if isinstance(self.entity, User):
            owners.append(self.entity)
            owners += [g for g in (self.workspace.get(i) for i in self.entity.groups) if isinstance(g, Group)]
        owners += [r for r in (self.workspace.get(i) for i in self.reachable_roles) if isinstance(r, Role)]
        found: set[str] = set()
        for owner in owners:
            for policy_id in owner.managed_policies:
                policy = self.workspace.get(policy_id)
                if isinstance(policy, ManagedPolicy) and policy.account is not None:
                    found.add(policy_id)
        return found


def _service_linked(role: Role) -> bool:
    """Service-linked roles cannot be passed or have their trust policy edited by customers."""
    return role.path.startswith("/aws-service-role/")


def _passrole(service: str, action: str, template: str) -> Callable[[Scan], Iterator[Target]]:
    def targets(scan: Scan) -> Iterator[Target]:
        create = scan.probe(template)
        for role in scan.workspace.roles():
            if role.id == scan.principal_id or _service_linked(role):
                continue
            if scan.graph.context.decide(service, ASSUME_ACTION, scan.arn(role.id)) is not Decision.ALLOW:
                continue
            passed = (("iam:PassedToService", service),)
            yield Target(role.id, ((("iam:PassRole", scan.arn(role.id), passed),), ((action, create, ()),)))
    return targets


def _lambda_passrole(scan: Scan) -> Iterator[Target]:
    function = scan.probe("arn:aws:lambda:{region}:{account}:function:{name}")
    for target in _passrole("lambda.amazonaws.com", "lambda:CreateFunction",
                            "arn:aws:lambda:{region}:{account}:function:{name}")(scan):
        yield Target(target.target_id, (*target.requests, (("lambda:InvokeFunction", function, ()),)))


def _other_users(*actions: str) -> Callable[[Scan], Iterator[Target]]:
    def targets(scan: Scan) -> Iterator[Target]:
        for user in scan.workspace.users():
            if user.id != scan.principal_id:
                yield Target(user.id, (tuple((a, scan.arn(user.id), ()) for a in actions),))
    return targets


def _self_user(scan: Scan) -> Iterator[Target]:
    if isinstance(scan.entity, User):
        actions = ("iam:AttachUserPolicy", "iam:PutUserPolicy")
        yield Target(scan.principal_id, (tuple((a, scan.arn(scan.principal_id), ()) for a in actions),))


def _own_groups(scan: Scan) -> Iterator[Target]:
    if isinstance(scan.entity, User):
        for group_id in scan.entity.groups:
            actions = ("iam:AttachGroupPolicy", "iam:PutGroupPolicy")
            yield Target(group_id, (tuple((a, scan.arn(group_id), ()) for a in actions),))


def _assumable_roles(scan: Scan) -> Iterator[Target]:
    for role_id in sorted(scan.reachable_roles):
        actions = ("iam:AttachRolePolicy", "iam:PutRolePolicy")
        yield Target(role_id, (tuple((a, scan.arn(role_id), ()) for a in actions),))


def _attached_policies(action: str) -> Callable[[Scan], Iterator[Target]]:
    def targets(scan: Scan) -> Iterator[Target]:
        for policy_id in sorted(scan.attached_policies()):
            yield Target(policy_id, (((action, scan.arn(policy_id), ()),),))
    return targets


def _unreachable_roles(scan: Scan) -> Iterator[Target]:
    for role in scan.workspace.roles():
        if role.id not in scan.reachable_roles and not _service_linked(role):
            yield Target(role.id, ((("iam:UpdateAssumeRolePolicy", scan.arn(role.id), ()),),))


def _other_groups(scan: Scan) -> Iterator[Target]:
    if isinstance(scan.entity, User):
        for group in scan.workspace.of_kind(EntityKind.GROUP):
            if isinstance(group, Group) and group.id not in scan.entity.groups and group.account == scan.entity.account:
                yield Target(group.id, ((("iam:AddUserToGroup", scan.arn(group.id), ()),),))


def _functions_of_other_roles(scan: Scan) -> Iterator[Target]:
    for resource in scan.workspace.resources():
        if (resource.resource_type == "lambda_function" and resource.runs_as
                and resource.runs_as not in scan.reachable_roles):
            yield Target(resource.id, ((("lambda:UpdateFunctionCode", resource.arn, ()),),))


PATTERNS: tuple[Pattern, ...] = (
    Pattern("passrole_lambda", "can create a Lambda function that runs as role {target} (iam:PassRole + "
            "lambda:CreateFunction + lambda:InvokeFunction) and act with that role's permissions", _lambda_passrole),
    Pattern("passrole_ec2", "can launch an EC2 instance with role {target} (iam:PassRole + ec2:RunInstances) and "
            "use its credentials from the instance", _passrole("ec2.amazonaws.com", "ec2:RunInstances",
                                                               "arn:aws:ec2:{region}:{account}:instance/*")),
    Pattern("passrole_cloudformation", "can create a CloudFormation stack that runs as role {target} "
            "(iam:PassRole + cloudformation:CreateStack) and create anything that role may",
            _passrole("cloudformation.amazonaws.com", "cloudformation:CreateStack",
                      "arn:aws:cloudformation:{region}:{account}:stack/{name}/*")),
    Pattern("passrole_glue", "can create a Glue development endpoint with role {target} (iam:PassRole + "
            "glue:CreateDevEndpoint) and log in to it with that role's credentials",
            _passrole("glue.amazonaws.com", "glue:CreateDevEndpoint",
                      "arn:aws:glue:{region}:{account}:devEndpoint/{name}")),
    Pattern("create_access_key", "can create an access key for user {target} (iam:CreateAccessKey) and act as "
            "that user", _other_users("iam:CreateAccessKey")),
    Pattern("login_profile", "can set the console password of user {target} (iam:CreateLoginProfile or "
            "iam:UpdateLoginProfile) and sign in as that user",
            _other_users("iam:CreateLoginProfile", "iam:UpdateLoginProfile")),
    Pattern("user_policy_self", "can attach or write a policy on itself (iam:AttachUserPolicy or "
            "iam:PutUserPolicy) and grant itself any permission", _self_user),
    Pattern("group_policy_own_group", "can attach or write a policy on its own group {target} "
            "(iam:AttachGroupPolicy or iam:PutGroupPolicy) and so on itself", _own_groups),
    Pattern("role_policy_assumable", "can attach or write a policy on role {target}, which it is or can assume "
            "(iam:AttachRolePolicy or iam:PutRolePolicy)", _assumable_roles),
    Pattern("create_policy_version", "can write a new default version of policy {target}, which applies to it "
            "(iam:CreatePolicyVersion)", _attached_policies("iam:CreatePolicyVersion")),
    Pattern("set_default_policy_version", "can switch policy {target}, which applies to it, to another of its "
            "versions (iam:SetDefaultPolicyVersion)", _attached_policies("iam:SetDefaultPolicyVersion")),
    Pattern("update_assume_role_policy", "can rewrite the trust policy of role {target} "
            "(iam:UpdateAssumeRolePolicy) to let itself assume it", _unreachable_roles),
    Pattern("add_user_to_group", "can add itself to group {target} (iam:AddUserToGroup) and gain the group's "
            "permissions", _other_groups),
    Pattern("update_function_code", "can replace the code of Lambda function {target} "
            "(lambda:UpdateFunctionCode), which runs as a role it cannot otherwise use",
            _functions_of_other_roles),
)


def _allowed(scan: Scan, action: str, arn: str, pairs: tuple[tuple[str, str], ...]) -> Evaluation | None:
    context = {key: (value,) for key, value in pairs} or None
    if scan.graph.context.decide(scan.principal_id, action, arn, context) is not Decision.ALLOW:
        return None
    return scan.graph.context.evaluate(scan.principal_id, action, arn, context)


def _check(scan: Scan, pattern: Pattern, target: Target) -> EscalationFinding | None:
    evaluations: list[Evaluation] = []
    reasons: list[str] = []
    actions: list[str] = []
    for alternatives in target.requests:
        for action, arn, pairs in alternatives:
            evaluation = _allowed(scan, action, arn, pairs)
            if evaluation is not None:
                evaluations.append(evaluation)
                actions.append(action)
                reasons.append(f"{action} on {arn} allowed by {describe_statements(evaluation)}")
                break
        else:
            return None
    name = scan.workspace.get(target.target_id).name
    return EscalationFinding(scan.principal_id, pattern.key, f"{scan.entity.name} " +
                             pattern.description.format(target=name), target.target_id, "; ".join(reasons),
                             tuple(actions), tuple(evaluations))


def find_escalations(graph: "AccessGraph", principal_ids: Iterable[str] | None = None) -> list[EscalationFinding]:
    """Every pattern of :data:`PATTERNS` that the engine allows for the given users and roles (default: all)."""
    chosen = list(principal_ids) if principal_ids is not None else [
        e.id for e in graph.workspace.entities.values() if isinstance(e, (User, Role))]
    findings: list[EscalationFinding] = []
    for principal_id in chosen:
        scan = Scan(graph, principal_id)
        for pattern in PATTERNS:
            for target in pattern.targets(scan):
                finding = _check(scan, pattern, target)
                if finding is not None:
                    findings.append(finding)
    return findings

