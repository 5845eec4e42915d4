"""The fast path: plans cached per question shape, so ``decide`` costs a few lookups per call.

Two levels, both cached on the compiled policy set:

* an :class:`ActionPlan` per (action, caller, resource account): the statements of the taking-part
  stages whose Action and Principal match, and the decision for each combination of stage flags;
* a :class:`Plan` per (that, resource): the flags from statements that need no request context, the
  context-dependent statements left to test (conditions, policy variables), and the decision for each
  combination of their outcomes.
"""

from __future__ import annotations

from typing import Iterable

from iam_desktop.catalog import default_catalog
from iam_desktop.policy.compiled import CompiledPolicy, CompiledPolicySet, CompiledStatement
from iam_desktop.policy.context import request_context
from iam_desktop.policy.explanation import Decision, Evaluation
from iam_desktop.policy.principals import PrincipalMatch
from iam_desktop.policy.request import Request
from iam_desktop.policy.verdict import (
    StageFacts,
    acts_through_identity,
    combine,
    is_service_linked_role,
    partition_of,
    scps_govern,
)

_PLAN_LIMIT = 65536
_RESOURCE, _IDENTITY, _BOUNDARY, _SESSION = range(4)

Entry = tuple[int, CompiledStatement, PrincipalMatch]
"""(stage slot, statement, how its Principal named the caller)."""
Flags = tuple[tuple[bool, ...], bool, PrincipalMatch]
"""(Allow per stage slot, some Deny applies, most direct resource-policy principal match)."""


def rcps_apply(request: Request) -> bool:
    """RCPs apply only to the services AWS lists as supporting them, and not to service-linked roles (orgs_manage_policies_rcps)."""
    if is_service_linked_role(request.principal):
        return False
    return request.action.partition(":")[0].lower() in default_catalog().rcp_supported_services()


def action_key(request: Request) -> tuple[object, ...]:
    """Everything an :class:`ActionPlan` depends on: action, resource account and partition, caller identity."""
    principal = request.principal
    return (request.action, request.resource_account, partition_of(request.resource), principal.arn, principal.kind,
            principal.account, principal.role_arn)  # fmt: skip


def plan_key(request: Request) -> tuple[object, ...]:
    """Everything about a request except its context: what a :class:`Plan` is cached by."""
    principal = request.principal
    return (request.action, request.resource, request.resource_account, principal.arn, principal.kind, principal.account, principal.role_arn)


class Layout:
    """Where each stage's flags sit for one (action, caller, resource side), and the decision per flags.

    Slots: 0-3 are resource, identity, boundary, session; then one per SCP level, then per RCP level. What
    the layout depends on: the request's caller, action, resource account and partition, and which stages
    ``compiled`` has (resource policy and its rule, identity, boundary, session, SCP and RCP level counts).
    """

    __slots__ = ("request", "rule", "through_identity", "scp_applies", "rcp_applies", "scp_slots", "rcp_slots",
                 "slot_count", "identity_present", "boundary_present", "session_present",
                 "_decisions")  # fmt: skip

    def __init__(self, request: Request, compiled: CompiledPolicySet) -> None:
        self.request = request
        self.rule = compiled.resource_policy_rule
        through_identity = self.through_identity = acts_through_identity(request.principal)
        self.scp_applies = bool(compiled.scp_levels) and scps_govern(request.principal)
        self.rcp_applies = bool(compiled.rcp_levels) and rcps_apply(request)
        scp_count = len(compiled.scp_levels) if self.scp_applies else 0
        rcp_count = len(compiled.rcp_levels) if self.rcp_applies else 0
        self.scp_slots = range(4, 4 + scp_count)
        self.rcp_slots = range(4 + scp_count, 4 + scp_count + rcp_count)
        self.slot_count = 4 + scp_count + rcp_count
        self.identity_present = through_identity and bool(compiled.identity)
        self.boundary_present = through_identity and compiled.permission_boundary is not None
        self.session_present = through_identity and compiled.session_policies is not None
        self._decisions: dict[Flags, Decision] = {}

    def caller_stages(self, compiled: CompiledPolicySet) -> list[tuple[int, tuple[CompiledPolicy, ...]]]:
        """The caller's stages (identity, boundary, session, SCP levels) that take part, with their slots."""
        stages: list[tuple[int, tuple[CompiledPolicy, ...]]] = []
        if self.through_identity:
            stages.append((_IDENTITY, compiled.identity))
            if compiled.permission_boundary is not None:
                stages.append((_BOUNDARY, (compiled.permission_boundary,)))
            if compiled.session_policies is not None:
                stages.append((_SESSION, compiled.session_policies))
        stages.extend(zip(self.scp_slots, compiled.scp_levels))
        return stages

    def resource_stages(self, compiled: CompiledPolicySet) -> list[tuple[int, tuple[CompiledPolicy, ...]]]:
        """The resource's stages (resource policy, RCP levels) that take part, with their slots."""
        stages: list[tuple[int, tuple[CompiledPolicy, ...]]] = []
        if compiled.resource_policy is not None:
            stages.append((_RESOURCE, (compiled.resource_policy,)))
        stages.extend(zip(self.rcp_slots, compiled.rcp_levels))
        return stages

    def entries(self, stages: list[tuple[int, tuple[CompiledPolicy, ...]]]) -> list[Entry]:
        """The statements of ``stages`` whose Action matches the request's and whose Principal names the caller."""
        action = self.request.action.lower()
        principal = self.request.principal
        has_boundary = self.boundary_present
        found: list[Entry] = []
        for slot, policies in stages:
            for policy in policies:
                for statement in policy.compiled.for_action(action):
                    matched = statement.principal_match(principal, has_boundary)
                    if matched:
                        found.append((slot, statement, matched))
        return found

    def decision(self, flags: Flags) -> Decision:
        """The decision for the given stage flags (computed once per combination)."""
        found = self._decisions.get(flags)
        if found is None:
            allow, deny, best = flags
            facts = StageFacts(
                deny=deny,
                scp_applies=self.scp_applies,
                scp_allows=all(allow[slot] for slot in self.scp_slots),
                rcp_applies=self.rcp_applies,
                rcp_allows=all(allow[slot] for slot in self.rcp_slots),
                resource_match=best if allow[_RESOURCE] else PrincipalMatch.NONE,
                identity_present=self.identity_present,
                identity_allows=allow[_IDENTITY],
                boundary_present=self.boundary_present,
                boundary_allows=allow[_BOUNDARY],
                session_present=self.session_present,
                session_allows=allow[_SESSION],
            )
            found = combine(facts, self.request, self.rule).decision
            self._decisions[flags] = found
        return found


class ActionPlan:
    """The statements that can apply to one (action, caller, resource account), and decisions by flags."""

    __slots__ = ("layout", "entries")

    def __init__(self, request: Request, compiled: CompiledPolicySet) -> None:
        layout = self.layout = Layout(request, compiled)
        self.entries = tuple(layout.entries(layout.caller_stages(compiled) + layout.resource_stages(compiled)))

    def decision(self, flags: Flags) -> Decision:
        """The decision for the given stage flags (computed once per combination)."""
        return self.layout.decision(flags)


def apply_entries(entries: Iterable[Entry], allow: list[bool], deny: bool, best: PrincipalMatch) -> tuple[bool, PrincipalMatch]:
    """Add applying statements to the flags (``allow`` in place); return the new deny and best match."""
    for slot, statement, matched in entries:
        if statement.is_deny:
            deny = True
        else:
            allow[slot] = True
            if slot == _RESOURCE and matched > best:
                best = matched
    return deny, best


class Plan:
    """One (action, caller, resource account, resource): flags from context-free statements, the rest to test."""

    __slots__ = ("action_plan", "allow", "deny", "best", "dynamic", "outcomes", "decision", "explained")

    def __init__(self, request: Request, action_plan: ActionPlan) -> None:
        self.action_plan = action_plan
        resource = request.resource
        fixed: list[Entry] = []
        dynamic: list[Entry] = []
        for entry in action_plan.entries:
            statement = entry[1]
            if statement.has_dynamic_resource or statement.conditions:
                if statement.has_dynamic_resource or statement.static_resource_matches(resource):
                    dynamic.append(entry)
            elif statement.static_resource_matches(resource):
                fixed.append(entry)
        self.allow = [False] * action_plan.layout.slot_count
        self.deny, self.best = apply_entries(tuple(fixed), self.allow, False, PrincipalMatch.NONE)
        self.dynamic = tuple(dynamic)
        self.outcomes: dict[tuple[bool, ...], Decision] = {}
        self.explained: dict[tuple[object, ...], Evaluation] = {}
        self.decision = None if self.dynamic else action_plan.decision((tuple(self.allow), self.deny, self.best))

    def run(self, request: Request) -> Decision:
        """Decide a request of this plan's shape, testing only the context-dependent statements."""
        if self.decision is not None:
            return self.decision
        context = request_context(request)
        resource = request.resource
        return self.decide_applied(tuple([statement.applies_in(resource, context) for _, statement, _ in self.dynamic]))

    def decide_applied(self, applied: tuple[bool, ...]) -> Decision:
        """The decision when each context-dependent statement applies or not (``applied``, in ``dynamic`` order)."""
        decision = self.outcomes.get(applied)
        if decision is None:
            allow = list(self.allow)
            chosen = tuple(entry for entry, applies in zip(self.dynamic, applied) if applies)
            deny, best = apply_entries(chosen, allow, self.deny, self.best)
            decision = self.action_plan.decision((tuple(allow), deny, best))
            self.outcomes[applied] = decision
        return decision


def _bounded_store(cache: dict[tuple[object, ...], object], key: tuple[object, ...], value: object) -> None:
    if len(cache) >= _PLAN_LIMIT:
        cache.clear()
    cache[key] = value


def plan_for(request: Request, compiled: CompiledPolicySet) -> Plan:
    """Return the cached plan of ``request``'s shape in ``compiled`` (building it on first use)."""
    key = plan_key(request)
    plan = compiled.plans.get(key)
    if plan is None:
        shape = action_key(request)
        action_plan = compiled.action_plans.get(shape)
        if action_plan is None:
            action_plan = ActionPlan(request, compiled)
            _bounded_store(compiled.action_plans, shape, action_plan)
        plan = Plan(request, action_plan)
        _bounded_store(compiled.plans, key, plan)
    return plan
