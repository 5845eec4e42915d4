"""Authorization decisions: ``decide`` (fast) and ``evaluate`` (explained), same rules, same answers."""

from __future__ import annotations

from iam_desktop.policy.compiled import CompiledPolicySet, compile_policies
from iam_desktop.policy.context import request_context
from iam_desktop.policy.explanation import Decision, Evaluation, StatementResult
from iam_desktop.policy.plan import plan_for, rcps_apply
from iam_desktop.policy.principals import PrincipalMatch
from iam_desktop.policy.request import PolicySet, Request
from iam_desktop.policy.trace import Outcomes, context_outcome, trace_levels, trace_policies
from iam_desktop.policy.verdict import Grant, StageFacts, acts_through_identity, combine, scps_govern


_EXPLAINED_LIMIT = 1024


def _compiled(policies: PolicySet | CompiledPolicySet) -> CompiledPolicySet:
    return policies if isinstance(policies, CompiledPolicySet) else compile_policies(policies)


def decide(request: Request, policies: PolicySet | CompiledPolicySet) -> Decision:
    """Return the decision for ``request`` without building an explanation.

    Parameters
    ----------
    request
        Who asks for which action on which resource, with which context.
    policies
        The policies taking part; pass a :class:`CompiledPolicySet` to reuse compiled statements and
        the plans cached per request shape.

    Returns
    -------
    Decision
        Always equal to ``evaluate(request, policies).decision``: both apply
        :func:`iam_desktop.policy.verdict.combine` to the same stage facts.
    """
    compiled = policies if type(policies) is CompiledPolicySet else _compiled(policies)
    principal = request.principal
    plan = compiled.plans.get(  # plan_key(request), inlined: this is the hottest line of the engine
        (request.action, request.resource, request.resource_account, principal.arn, principal.kind, principal.account, principal.role_arn)
    )
    if plan is None:
        plan = plan_for(request, compiled)
    if plan.decision is not None:
        return plan.decision
    return plan.run(request)


def evaluate(request: Request, policies: PolicySet | CompiledPolicySet) -> Evaluation:
    """Decide ``request`` and explain it: every stage, every statement considered, and why.

    Parameters
    ----------
    request
        Who asks for which action on which resource, with which context.
    policies
        The policies taking part; pass a :class:`CompiledPolicySet` to reuse compiled statements.

    Returns
    -------
    Evaluation
        The decision, the deciding stage and statements, every stage's statements with their match
        results, a one-sentence reason, and the errors of statements that could not be evaluated.
        Deciding statements: the applying Deny statements for an explicit deny; for an allow, the
        applying Allow statements of the policies that granted it (the resource-based policy, the
        identity-based policies, or both for cross-account access and for key / trust policies naming
        the account); none for an implicit deny. The order of rules and the deciding stage of each
        outcome are documented on :func:`iam_desktop.policy.verdict.combine`. Results are cached per
        request shape and context outcome, so repeated questions are cheap.
    """
    compiled = _compiled(policies)
    context = request_context(request)
    explained = plan_for(request, compiled).explained
    statements = compiled.context_statements
    outcomes = tuple([context_outcome(statement, request, context) for statement in statements])
    known = explained.get(outcomes)
    if known is None:
        known = _explain(request, compiled, dict(zip(statements, outcomes)))
        if len(explained) < _EXPLAINED_LIMIT:
            explained[outcomes] = known
    return known


def _explain(request: Request, compiled: CompiledPolicySet, outcomes: Outcomes) -> Evaluation:
    """Trace every stage and build the explained decision."""
    through_identity = acts_through_identity(request.principal)
    scp_applies = bool(compiled.scp_levels) and scps_govern(request.principal)
    rcp_applies = bool(compiled.rcp_levels) and rcps_apply(request)
    scp = trace_levels(request, outcomes, compiled.scp_levels, "scp", scp_applies)
    rcp = trace_levels(request, outcomes, compiled.rcp_levels, "rcp", rcp_applies)
    resource_policies = (compiled.resource_policy,) if compiled.resource_policy else ()
    has_boundary = through_identity and compiled.permission_boundary is not None
    resource = trace_policies(request, outcomes, resource_policies, "resource_policy", True, has_boundary)
    identity = trace_policies(request, outcomes, compiled.identity, "identity", through_identity)
    boundary_policies = (compiled.permission_boundary,) if compiled.permission_boundary else ()
    boundary = trace_policies(request, outcomes, boundary_policies, "permission_boundary", through_identity)
    session = trace_policies(request, outcomes, compiled.session_policies or (), "session", through_identity)
    traces = (scp, rcp, resource, identity, boundary, session)
    facts = StageFacts(
        deny=any(trace.deny for trace in traces),
        scp_applies=scp_applies,
        scp_allows=scp.allow,
        rcp_applies=rcp_applies,
        rcp_allows=rcp.allow,
        resource_match=resource.best_match,
        identity_present=through_identity and bool(compiled.identity),
        identity_allows=identity.allow,
        boundary_present=through_identity and compiled.permission_boundary is not None,
        boundary_allows=boundary.allow,
        session_present=through_identity and compiled.session_policies is not None,
        session_allows=session.allow,
    )
    verdict = combine(facts, request, compiled.resource_policy_rule)
    deciding: tuple[StatementResult, ...]
    if verdict.decision is Decision.EXPLICIT_DENY:
        deciding = tuple(r for trace in traces for r in trace.results if r.applies and r.effect == "Deny")
    elif verdict.grant is Grant.RESOURCE:
        deciding = resource.granting(minimum=resource.best_match)
    elif verdict.grant is Grant.IDENTITY:
        deciding = identity.allowing()
    elif verdict.grant is Grant.BOTH:
        deciding = resource.granting(minimum=PrincipalMatch.ACCOUNT) + identity.allowing()
    else:
        deciding = ()
    stages = tuple(trace.stage_result(verdict.stage, verdict.decision, verdict.reason) for trace in traces)
    errors = tuple(
        f"{r.policy_name} statement {r.index}{f' ({r.sid})' if r.sid else ''}: {r.error}"
        for trace in traces
        for r in trace.results
        if r.error
    )
    return Evaluation(
        decision=verdict.decision,
        deciding_stage=verdict.stage,
        deciding_statements=deciding,
        stages=stages,
        reason=verdict.reason,
        errors=errors,
    )

