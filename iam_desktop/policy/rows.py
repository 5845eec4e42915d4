"""Access-matrix rows: one caller's decisions for one action over many resources, sharing what no resource changes."""

from __future__ import annotations

from typing import Callable, Sequence

from iam_desktop.policy.compiled import CompiledPolicy, CompiledPolicySet, CompiledStatement
from iam_desktop.policy.context import Context, request_context
from iam_desktop.policy.explanation import Decision
from iam_desktop.policy.plan import Entry, Layout, apply_entries
from iam_desktop.policy.principals import PrincipalMatch
from iam_desktop.policy.request import Request
from iam_desktop.policy.verdict import partition_of

_RESOURCE_SLOT = 0
ResourceTest = Callable[[str], bool]
"""Whether a statement's Resource / NotResource matches one resource ARN."""


class _Applying:
    """Statements whose Action, Principal and conditions hold: the flags of those matching every resource,
    and the others with the test of their Resource."""

    __slots__ = ("allow", "deny", "best", "tests")

    def __init__(self, slot_count: int) -> None:
        self.allow = [False] * slot_count
        self.deny = False
        self.best = PrincipalMatch.NONE
        self.tests: list[tuple[Entry, ResourceTest]] = []

    def copy(self) -> _Applying:
        """An independent copy, to add a group's statements to."""
        copied = _Applying(0)
        copied.allow, copied.deny, copied.best, copied.tests = list(self.allow), self.deny, self.best, list(self.tests)
        return copied

    def add(self, entries: Sequence[Entry], holds: Callable[[CompiledStatement], bool], context: Context) -> None:
        """Sort ``entries`` whose conditions hold into the flags (Resource matches every ARN) or the tests."""
        for entry in entries:
            statement = entry[1]
            if statement.conditions and not holds(statement):
                continue
            if statement.has_dynamic_resource:
                self.tests.append((entry, _dynamic_test(statement, context)))
            elif statement.matches_every_resource:
                self.deny, self.best = apply_entries((entry,), self.allow, self.deny, self.best)
            else:
                self.tests.append((entry, statement.static_resource_matches))

    def deciding_tests(self) -> list[tuple[Entry, ResourceTest]]:
        """The tests whose statement could still change the flags: a Deny, an Allow of a stage not yet allowed,
        or a resource-policy Allow naming the caller more directly than the best so far."""
        allow, best = self.allow, self.best
        return [(entry, test) for entry, test in self.tests
                if entry[1].is_deny or not allow[entry[0]] or (entry[0] == _RESOURCE_SLOT and entry[2] > best)]


def _dynamic_test(statement: CompiledStatement, context: Context) -> ResourceTest:
    return lambda resource: statement.dynamic_resource_matches(resource, context)


class RowDecider:
    """Decides groups of requests that differ only by resource (and its resource policy).

    A group shares the caller, action, request context, account, partition and policy set (resource policy
    rule and RCP levels included); each resource may bring its own resource policy. Conditions read the
    request context, which no resource changes, so a decision depends on the resource only through which
    statements' Resource matches it and what its own resource policy says. The caller's statements
    (identity, boundary, session, SCP levels) are looked up once per caller and action, their conditions
    tested once per context; a resource then costs the tests of the few statements with a specific Resource
    that could still change the flags, its resource policy's statements for the action, and a lookup of the
    decision for the flags. Decisions equal :func:`iam_desktop.policy.engine.decide`'s.
    """

    def __init__(self) -> None:
        self._callers: dict[tuple[object, ...], tuple[CompiledPolicySet, Layout, tuple[Entry, ...]]] = {}
        self._layouts: dict[tuple[object, ...], tuple[CompiledPolicySet, Layout]] = {}
        self._contexts: dict[tuple[int, int], tuple[Request, Context, Callable[[CompiledStatement], bool]]] = {}
        self._holds: dict[tuple[int, int, int], tuple[CompiledStatement, bool]] = {}
        self._by_caller: dict[tuple[int, int, int], _Applying] = {}

    def decide_group(self, request: Request, compiled: CompiledPolicySet, resources: Sequence[str],
                     own_policies: Sequence[tuple[int, CompiledPolicy]] = ()) -> list[Decision]:
        """The decision of ``request`` made on each of ``resources`` instead of ``request.resource``.

        Every resource must be in ``request.resource``'s partition and ``request.resource_account``, and
        governed by ``compiled``. ``own_policies`` gives the resources that have their own resource policy,
        as (index in ``resources``, policy); ``compiled`` must then have none.
        """
        if own_policies and compiled.resource_policy is not None:
            raise ValueError("resource policies are given per resource, so the policy set must have none")
        source = compiled.source
        caller_key = (request.action, id(request.principal), id(source.identity), id(source.permission_boundary),
                      id(source.session_policies), id(source.scp_levels))
        layout = self._layout(request, compiled, caller_key)
        context_key = (id(request.principal), id(request.context))
        found = self._contexts.get(context_key)
        if found is None:  # the cached request keeps both ids from being reused
            found = self._contexts[context_key] = (request, *self._context_of(request, context_key))
        _, context, holds = found
        by_caller = self._by_caller.get((id(layout), *context_key))
        if by_caller is None:  # the layout and the context's request live in their caches: the ids stay theirs
            by_caller = self._by_caller[(id(layout), *context_key)] = _Applying(layout.slot_count)
            by_caller.add(self._caller_entries(compiled, layout, caller_key), holds, context)
        shared = by_caller.copy()
        shared.add(layout.entries(layout.resource_stages(compiled)), holds, context)
        if shared.deny:  # an explicit deny whatever the resource
            return [layout.decision((tuple(shared.allow), True, shared.best))] * len(resources)
        decide = _Decide(layout, shared)
        if decide.constant is not None:
            decisions = [decide.constant] * len(resources)
        else:
            decisions = [decide(resource) for resource in resources]
        action = request.action.lower()
        for index, policy in own_policies:
            own = [(_RESOURCE_SLOT, statement, matched) for statement in policy.compiled.for_action(action)
                   if (matched := statement.principal_match(request.principal, layout.boundary_present))]
            if own:
                applying = shared.copy()
                applying.add(own, holds, context)
                decisions[index] = _Decide(layout, applying)(resources[index])
        return decisions

    def _context_of(self, request: Request, context_key: tuple[int, int]) -> tuple[Context, Callable[[CompiledStatement], bool]]:
        """The request context of ``request`` and a test of a statement's conditions in it (each tested once)."""
        context = request_context(request)

        def holds(statement: CompiledStatement) -> bool:
            key = (id(statement), *context_key)
            cached = self._holds.get(key)
            if cached is None:
                cached = self._holds[key] = (statement, all(c.holds(context) for c in statement.conditions))
            return cached[1]

        return context, holds

    def _layout(self, request: Request, compiled: CompiledPolicySet, caller_key: tuple[object, ...]) -> Layout:
        """The layout (and its decisions) shared by the groups with the same caller and resource side shape."""
        key = (*caller_key, request.resource_account, partition_of(request.resource), compiled.resource_policy_rule,
               len(compiled.rcp_levels))
        found = self._layouts.get(key)
        if found is None:  # the cached set keeps the caller key's objects alive, so their ids are not reused
            found = self._layouts[key] = (compiled, Layout(request, compiled))
        return found[1]

    def _caller_entries(self, compiled: CompiledPolicySet, layout: Layout, caller_key: tuple[object, ...]) -> tuple[Entry, ...]:
        """The caller's statements (identity, boundary, session, SCPs) for the action that name the caller."""
        found = self._callers.get(caller_key)
        if found is None:  # the set and the layout (its request) keep the key's objects alive
            found = self._callers[caller_key] = (compiled, layout, tuple(layout.entries(layout.caller_stages(compiled))))
        return found[2]


class _Decide:
    """The decision for one resource: the applying statements' flags plus those of the tests it passes."""

    __slots__ = ("layout", "allow", "deny", "best", "entries", "matchers", "by_matches", "constant")

    def __init__(self, layout: Layout, applying: _Applying) -> None:
        self.layout = layout
        self.allow, self.deny, self.best = tuple(applying.allow), applying.deny, applying.best
        tests = applying.deciding_tests()
        self.entries = [entry for entry, _ in tests]
        self.matchers = [test for _, test in tests]
        self.by_matches: dict[tuple[bool, ...], Decision] = {}
        self.constant = None if tests else layout.decision((self.allow, self.deny, self.best))

    def __call__(self, resource: str) -> Decision:
        if self.constant is not None:
            return self.constant
        matches = tuple([matcher(resource) for matcher in self.matchers])
        decision = self.by_matches.get(matches)
        if decision is None:
            allow = list(self.allow)
            deny, best = apply_entries((e for e, hit in zip(self.entries, matches) if hit), allow, self.deny, self.best)
            decision = self.by_matches[matches] = self.layout.decision((tuple(allow), deny, best))
        return decision
