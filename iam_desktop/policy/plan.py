"""The fast path: plans cached per question shape, so ``decide`` costs a few lookups per call.

Two levels, both cached on the compiled policy set:

* an :class:`ActionPlan` per (action, caller, resource account): the statements of the taking-part
  stages whose Action and Principal match, and the decision for each combination of stage flags;
* a :class:`Plan` per (that, resource): the flags from statements that need no request context, the
  context-dependent statements left to test (conditions, policy variables), and the decision for each
  combination of their outcomes.
"""

from __future__ import annotations

from iam_desktop.catalog import default_catalog
from iam_desktop.policy.compiled import CompiledPolicy, CompiledPolicySet, CompiledStatement
from iam_desktop.policy.context import Context, request_context
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


class ActionPlan:
    """The statements that can apply to one (action, caller, resource account), and decisions by flags.

    Slots: 0-3 are resource, identity, boundary, session; then one per SCP level, then per RCP level.
    """

    __slots__ = ("request", "compiled", "entries", "scp_slots", "rcp_slots", "scp_applies", "rcp_applies",
                 "through_identity", "slot_count", "_decisions")  # fmt: skip

    def __init__(self, request: Request, compiled: CompiledPolicySet) -> None:
        self.request = request
        self.compiled = compiled
        self.through_identity = acts_through_identity(request.principal)
        self.scp_applies = bool(compiled.scp_levels) and scps_govern(request.principal)
        self.rcp_applies = bool(compiled.rcp_levels) and rcps_apply(request)
        scp_count = len(compiled.scp_levels) if self.scp_applies else 0
        rcp_count = len(compiled.rcp_levels) if self.rcp_applies else 0
        self.scp_slots = range(4, 4 + scp_count)
        self.rcp_slots = range(4 + scp_count, 4 + scp_count + rcp_count)
        self.slot_count = 4 + scp_count + rcp_count
        action = request.action.lower()
        has_boundary = self.through_identity and compiled.permission_boundary is not None
        entries: list[Entry] = []
        for slot, policies in self._stages():
            for policy in policies:
                for statement in policy.compiled.for_action(action):
                    matched = statement.principal_match(request.principal, has_boundary)
                    if matched:
                        entries.append((slot, statement, matched))
        self.entries = tuple(entries)
        self._decisions: dict[Flags, Decision] = {}

    def _stages(self) -> list[tuple[int, tuple[CompiledPolicy, ...]]]:
        compiled = self.compiled
        stages: list[tuple[int, tuple[CompiledPolicy, ...]]] = []
        if compiled.resource_policy is not None:
            stages.append((_RESOURCE, (compiled.resource_policy,)))
        if self.through_identity:
            stages.append((_IDENTITY, compiled.identity))
            if compiled.permission_boundary is not None:
                stages.append((_BOUNDARY, (compiled.permission_boundary,)))
            if compiled.session_policies is not None:
                stages.append((_SESSION, compiled.session_policies))
        stages.extend(zip(self.scp_slots, compiled.scp_levels))
        stages.extend(zip(self.rcp_slots, compiled.rcp_levels))
        return stages

    def decision(self, flags: Flags) -> Decision:
        """The decision for the given stage flags (computed once per combination)."""
        found = self._decisions.get(flags)
        if found is None:
            allow, deny, best = flags
            compiled = self.compiled
            facts = StageFacts(
                deny=deny,
                scp_applies=self.scp_applies,
                scp_allows=all(allow[slot] for slot in self.scp_slots),
                rcp_applies=self.rcp_applies,
                rcp_allows=all(allow[slot] for slot in self.rcp_slots),
                resource_present=compiled.resource_policy is not None,
                resource_match=best if allow[_RESOURCE] else PrincipalMatch.NONE,
                identity_present=self.through_identity and bool(compiled.identity),
                identity_allows=allow[_IDENTITY],
                boundary_present=self.through_identity and compiled.permission_boundary is not None,
                boundary_allows=allow[_BOUNDARY],
                session_present=self.through_identity and compiled.session_policies is not None,
                session_allows=allow[_SESSION],
            )
            found = combine(facts, self.request, compiled.resource_policy_rule).decision
            self._decisions[flags] = found
        return found


def _apply(entries: tuple[Entry, ...], allow: list[bool], deny: bool, best: PrincipalMatch) -> tuple[bool, PrincipalMatch]:
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
        self.allow = [False] * action_plan.slot_count
        self.deny, self.best = _apply(tuple(fixed), self.allow, False, PrincipalMatch.NONE)
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
            deny, best = _apply(chosen, allow, self.deny, self.best)
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


class RowDecider:
    """Decides many requests of one caller (a row of an access matrix) without filling the plan caches.

    Within one :class:`ActionPlan` and one request context, a decision depends on the resource only through
    which entries' Resource matches it (conditions read the context alone), so it is cached per row by the
    match results of the entries whose Resource is not ``*``; a plan with policy variables in a Resource is
    decided cell by cell with a fresh :class:`Plan`. The request context is built once per context mapping.
    Decisions equal :func:`iam_desktop.policy.engine.decide`'s.
    """

    def __init__(self) -> None:
        self._contexts: dict[tuple[int, int], tuple[Request, Context]] = {}
        self._specific: dict[int, tuple[ActionPlan, tuple[CompiledStatement, ...] | None]] = {}
        self._decisions: dict[tuple[object, ...], tuple[ActionPlan, Decision]] = {}
        self._applies: dict[tuple[int, int, int], tuple[CompiledStatement, bool]] = {}

    def decide(self, request: Request, compiled: CompiledPolicySet) -> Decision:
        """The decision for ``request`` under ``compiled``."""
        shape = action_key(request)
        action_plan = compiled.action_plans.get(shape)
        if action_plan is None:
            action_plan = ActionPlan(request, compiled)
            _bounded_store(compiled.action_plans, shape, action_plan)
        context_key = (id(request.principal), id(request.context))
        if context_key not in self._contexts:  # the cached request keeps both ids from being reused
            self._contexts[context_key] = (request, request_context(request))
        specific = self._specific_entries(action_plan)
        if specific is None:
            return self._decide_plan(Plan(request, action_plan), request, context_key)
        resource = request.resource
        key = (id(action_plan), *context_key, *[statement.static_resource_matches(resource) for statement in specific])
        found = self._decisions.get(key)
        if found is None or found[0] is not action_plan:
            found = self._decisions[key] = (action_plan, self._decide_plan(Plan(request, action_plan), request,
                                                                           context_key))
        return found[1]

    def _specific_entries(self, action_plan: ActionPlan) -> tuple[CompiledStatement, ...] | None:
        """The statements of the plan whose Resource may not match every ARN; None when one has variables."""
        found = self._specific.get(id(action_plan))
        if found is None or found[0] is not action_plan:
            statements = [entry[1] for entry in action_plan.entries]
            specific = None if any(s.has_dynamic_resource for s in statements) else tuple(
                s for s in statements if not s.matches_every_resource)
            found = self._specific[id(action_plan)] = (action_plan, specific)
        return found[1]

    def _decide_plan(self, plan: Plan, request: Request, context_key: tuple[int, int]) -> Decision:
        if plan.decision is not None:
            return plan.decision
        context = self._contexts[context_key][1]
        resource = request.resource
        applied = []
        for _, statement, _ in plan.dynamic:
            if statement.has_dynamic_resource:
                applied.append(statement.applies_in(resource, context))
                continue
            key = (id(statement), *context_key)
            cached = self._applies.get(key)
            if cached is None or cached[0] is not statement:
                cached = self._applies[key] = (statement, statement.applies_in(resource, context))
            applied.append(cached[1])
        return plan.decide_applied(tuple(applied))
