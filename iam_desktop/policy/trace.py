"""The explained path: every statement of every stage traced into StatementResult / StageResult data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from iam_desktop.policy.compiled import CompiledPolicy, CompiledStatement
from iam_desktop.policy.conditions import ConditionCheck, Context
from iam_desktop.policy.explanation import (
    ConditionOutcome,
    ConditionResult,
    Decision,
    MatchOutcome,
    Stage,
    StageOutcome,
    StageResult,
    StatementResult,
)
from iam_desktop.policy.principals import PrincipalMatch
from iam_desktop.policy.request import NamedPolicy, Request

_TRACE_CACHE_LIMIT = 16384

_STAGES = {
    "scp": Stage.SCP,
    "rcp": Stage.RCP,
    "resource_policy": Stage.RESOURCE_POLICY,
    "identity": Stage.IDENTITY,
    "permission_boundary": Stage.PERMISSION_BOUNDARY,
    "session": Stage.SESSION,
}

_NOT_TAKING_PART = {
    Stage.SCP: "SCPs do not govern this caller (no organization levels given, the caller is not a principal of a member account, or it is a service-linked role).",
    Stage.RCP: "RCPs do not apply (no organization levels given, the action's service does not support RCPs, or the caller is a service-linked role).",
    Stage.IDENTITY: "This caller has no identity-based policies: only resource-based policies can allow it.",
    Stage.PERMISSION_BOUNDARY: "Permissions boundaries do not apply to this caller.",
    Stage.SESSION: "Session policies do not apply to this caller.",
}

_NOTHING_GIVEN = {
    Stage.RESOURCE_POLICY: "The resource has no resource-based policy.",
    Stage.IDENTITY: "The caller has no identity-based policies.",
    Stage.PERMISSION_BOUNDARY: "The caller has no permissions boundary.",
    Stage.SESSION: "No session policy was passed (or the caller is not a session).",
}

_MATCH = {True: MatchOutcome.MATCH, False: MatchOutcome.NO_MATCH}


ContextOutcome = tuple["bool | None", tuple[ConditionCheck, ...]]
"""What a statement's context-dependent parts gave: variable Resource match, each condition's check."""
Outcomes = Mapping[CompiledStatement, ContextOutcome]
"""The context outcome of every context-dependent statement of the policy set, for one request."""


def context_outcome(statement: CompiledStatement, request: Request, context: Context) -> ContextOutcome:
    """Evaluate the parts of a statement that depend on the request context."""
    resource = statement.dynamic_resource_matches(request.resource, context) if statement.has_dynamic_resource else None
    return resource, tuple(condition.check(context) for condition in statement.conditions)


def _resource_outcome(statement: CompiledStatement, resource: str, outcome: ContextOutcome | None) -> MatchOutcome:
    if not statement.has_resource_element:
        return MatchOutcome.NOT_APPLICABLE
    if outcome is not None and statement.has_dynamic_resource:
        return _MATCH[bool(outcome[0])]
    return _MATCH[statement.static_resource_matches(resource)]


def trace_statement(
    statement: CompiledStatement,
    named: NamedPolicy,
    request: Request,
    outcome: ContextOutcome,
    has_boundary: bool = False,
) -> tuple[StatementResult, PrincipalMatch]:
    """Trace one statement: each element's outcome and every condition's result.

    ``has_boundary``: the caller has a permissions boundary (see :meth:`CompiledStatement.principal_match`).
    """
    action = statement.action_matches(request.action.lower())
    checks = outcome[1]
    resource = _resource_outcome(statement, request.resource, outcome)
    principal_match = PrincipalMatch.DIRECT
    principal = MatchOutcome.NOT_APPLICABLE
    if statement.has_principal_element:
        principal_match = statement.principal_match(request.principal, has_boundary)
        principal = _MATCH[bool(principal_match)]
    conditions = []
    error = statement.error
    for condition, (holds, condition_outcome, request_values, message, policy_values) in zip(statement.conditions, checks):
        clause = condition.clause
        conditions.append(
            ConditionResult(clause.operator, clause.key, policy_values, request_values, condition_outcome, holds, message)
        )
        if condition_outcome is ConditionOutcome.ERROR and error is None:
            error = message
    applies = (
        error is None
        and action
        and resource is not MatchOutcome.NO_MATCH
        and principal is not MatchOutcome.NO_MATCH
        and all(result.holds for result in conditions)
    )
    source = statement.statement
    result = StatementResult(
        policy_name=named.name,
        policy_source=named.source,
        policy_ref=named.ref,
        index=source.index,
        sid=source.sid,
        effect=source.effect,
        action=_MATCH[action],
        resource=resource,
        principal=principal,
        conditions=tuple(conditions),
        applies=applies,
        error=error,
    )
    return result, principal_match if applies else PrincipalMatch.NONE


@dataclass(frozen=True)
class StageTrace:
    """A stage's traced statements and what they add up to (``allow`` for SCP/RCP: every level allows)."""

    stage: Stage
    takes_part: bool
    present: bool
    results: tuple[StatementResult, ...]
    principal_matches: tuple[PrincipalMatch, ...]
    allow: bool
    deny: bool
    best_match: PrincipalMatch
    note: str

    def allowing(self) -> tuple[StatementResult, ...]:
        """The Allow statements that apply."""
        return tuple(r for r in self.results if r.applies and r.effect == "Allow")

    def granting(self, minimum: PrincipalMatch) -> tuple[StatementResult, ...]:
        """The applying Allow statements whose Principal names the caller at least as directly as ``minimum``."""
        return tuple(
            r for r, m in zip(self.results, self.principal_matches) if r.applies and r.effect == "Allow" and m >= minimum
        )

    def stage_result(self, deciding_stage: Stage, decision: Decision, reason: str = "") -> StageResult:
        """The stage as explanation data, with a note on its part in the decision.

        The deciding stage's note ends with the verdict's ``reason``, so a stage decided by a rule rather than
        by its statements (root cannot AssumeRole, federated session limits, another partition) says why.
        """
        if not self.takes_part or not self.present:
            outcome = StageOutcome.NOT_PRESENT
        elif self.deny:
            outcome = StageOutcome.DENY
        elif self.allow:
            outcome = StageOutcome.ALLOW
        else:
            outcome = StageOutcome.NO_MATCH
        note = self.note
        if self.stage is deciding_stage:
            note = f"{note} This stage decided: {decision.value.replace('_', ' ')}. {reason}".strip()
        return StageResult(self.stage, outcome, self.results, note)


def _policy_traces(
    policy: CompiledPolicy, request: Request, outcomes: Outcomes, has_boundary: bool
) -> list[tuple[StatementResult, PrincipalMatch]]:
    """Trace a policy's statements, reusing results already built with the same outcomes.

    A statement's result holds no request data beyond its element outcomes and condition checks,
    so results are shared by every request whose outcomes are the same (``policy.traces``).
    """
    action = request.action.lower()
    table = policy.traces
    traced = []
    for statement in policy.compiled.statements:
        outcome = outcomes.get(statement)
        key = (
            statement,
            statement.action_matches(action),
            _resource_outcome(statement, request.resource, outcome),
            statement.principal_match(request.principal, has_boundary) if statement.has_principal_element else None,
            outcome,
        )
        found = table.get(key)
        if found is None:
            found = trace_statement(statement, policy.named, request, outcome or (None, ()), has_boundary)
            if len(table) >= _TRACE_CACHE_LIMIT:
                table.clear()
            table[key] = found
        traced.append(found)
    return traced


def _trace_all(
    request: Request, outcomes: Outcomes, policies: tuple[CompiledPolicy, ...], has_boundary: bool = False
) -> tuple[tuple[StatementResult, ...], tuple[PrincipalMatch, ...]]:
    results: list[StatementResult] = []
    matches: list[PrincipalMatch] = []
    for policy in policies:
        for result, matched in _policy_traces(policy, request, outcomes, has_boundary):
            results.append(result)
            matches.append(matched)
    return tuple(results), tuple(matches)


def trace_policies(
    request: Request,
    outcomes: Outcomes,
    policies: tuple[CompiledPolicy, ...],
    stage_name: str,
    takes_part: bool,
    has_boundary: bool = False,
) -> StageTrace:
    """Trace a stage made of policies that are ORed (resource, identity, boundary, session).

    ``has_boundary``: the caller has a permissions boundary (NotPrincipal Deny statements then apply to it).
    """
    stage = _STAGES[stage_name]
    results, matches = _trace_all(request, outcomes, policies, has_boundary)
    if not takes_part:
        note = _NOT_TAKING_PART[stage]
        return StageTrace(stage, False, bool(policies), results, matches, False, False, PrincipalMatch.NONE, note)
    allow = any(r.applies and r.effect == "Allow" for r in results)
    deny = any(r.applies and r.effect == "Deny" for r in results)
    best = max((m for r, m in zip(results, matches) if r.applies and r.effect == "Allow"), default=PrincipalMatch.NONE)
    note = "" if policies else _NOTHING_GIVEN[stage]
    if stage is Stage.RESOURCE_POLICY and allow:
        note = {
            PrincipalMatch.DIRECT: "The resource-based policy names the caller directly (or every principal).",
            PrincipalMatch.ROLE: "The resource-based policy names the caller's role ARN: the role's boundary and session policies still limit it.",
            PrincipalMatch.ACCOUNT: "The resource-based policy names the caller's account: that delegates to the account's IAM policies, which must allow too.",
        }[best]
    if has_boundary and deny and _not_principal_deny_applies(policies, results):
        note = (f"{note} A NotPrincipal Deny statement applies to every IAM principal that has a permissions boundary, "
                "whatever NotPrincipal lists.").strip()
    return StageTrace(stage, True, bool(policies), results, matches, allow, deny, best, note)


def _not_principal_deny_applies(policies: tuple[CompiledPolicy, ...], results: tuple[StatementResult, ...]) -> bool:
    statements = (statement for policy in policies for statement in policy.compiled.statements)
    return any(s.not_principal is not None and s.is_deny and r.applies for s, r in zip(statements, results))


def trace_levels(
    request: Request,
    outcomes: Outcomes,
    levels: tuple[tuple[CompiledPolicy, ...], ...],
    stage_name: str,
    takes_part: bool,
) -> StageTrace:
    """Trace SCP or RCP levels: every level (root, each OU, the account) must have an applying Allow."""
    stage = _STAGES[stage_name]
    flat = tuple(policy for level in levels for policy in level)
    results, matches = _trace_all(request, outcomes, flat)
    if not takes_part:
        return StageTrace(stage, False, bool(levels), results, matches, True, False, PrincipalMatch.NONE, _NOT_TAKING_PART[stage])
    missing: list[int] = []
    position = 0
    for number, level in enumerate(levels):
        size = sum(len(policy.compiled.statements) for policy in level)
        if not any(r.applies and r.effect == "Allow" for r in results[position : position + size]):
            missing.append(number)
        position += size
    deny = any(r.applies and r.effect == "Deny" for r in results)
    note = (
        f"Levels without an applying Allow (0 = organization root): {', '.join(map(str, missing))}."
        if missing
        else "Every level from the organization root to the account allows the request."
    )
    return StageTrace(stage, True, True, results, matches, not missing, deny, PrincipalMatch.NONE, note)
