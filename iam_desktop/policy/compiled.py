"""Policies compiled to matchers once, then evaluated against many requests (parse once, evaluate many).

A compiled document indexes its statements by the actions they match, so a request only tests the
resources, principals and conditions of the few statements whose Action matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iam_desktop.policy.conditions import CompiledCondition, Context
from iam_desktop.policy.document import PolicyDocument, Statement
from iam_desktop.policy.matching import Matcher, action_matcher, arn_matcher, parts_matcher
from iam_desktop.policy.principals import CompiledPrincipal, PrincipalMatch
from iam_desktop.policy.request import NamedPolicy, PolicySet, Principal, ResourcePolicyRule
from iam_desktop.policy.variables import TemplatePart, has_variables, parse_template, substitute

VARIABLES_VERSION = "2012-10-17"
_COMPILED_CACHE_LIMIT = 20000


def _any_of(matchers: tuple[Matcher, ...]) -> Matcher:
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: any(matcher(value) for matcher in matchers)


class CompiledStatement:
    """One statement with its elements turned into matchers; results cached where they cannot vary."""

    __slots__ = (
        "statement", "is_deny", "error", "conditions", "principal", "not_principal",
        "_action_test", "_action_negated", "_action_cache",
        "_resource_test", "_resource_negated", "_resource_templates", "has_dynamic_resource", "matches_every_resource",
    )  # fmt: skip

    def __init__(self, statement: Statement, *, substitute_variables: bool) -> None:
        self.statement = statement
        self.is_deny = statement.effect == "Deny"
        self.error: str | None = None
        if statement.effect not in ("Allow", "Deny"):
            self.error = f"Effect must be Allow or Deny, not {statement.effect!r}"
        actions = statement.actions if statement.actions is not None else statement.not_actions
        self._action_negated = statement.actions is None
        if actions is None:
            self.error = "the statement has neither Action nor NotAction"
            actions = ()
        self._action_test = _any_of(tuple(action_matcher(a) for a in actions)) if actions else (lambda _a: False)
        self._action_cache: dict[str, bool] = {}
        resources = statement.resources if statement.resources is not None else statement.not_resources
        self._resource_negated = statement.resources is None and statement.not_resources is not None
        self._resource_templates: tuple[tuple[TemplatePart, ...], ...] = ()
        self._resource_test: Matcher | None = None
        self.has_dynamic_resource = False
        if resources is not None:
            templates = tuple(parse_template(r) if substitute_variables else (r,) for r in resources)
            if any(has_variables(t) for t in templates):
                self._resource_templates = templates
                self.has_dynamic_resource = True
            else:
                self._resource_test = _any_of(tuple(arn_matcher(r) for r in resources)) if resources else (lambda _r: False)
        # static_resource_matches is True for any resource: no Resource/NotResource element, or Resource "*"
        self.matches_every_resource = resources is None or (not self._resource_negated and "*" in resources)
        self.conditions = tuple(
            CompiledCondition(clause, substitute_variables=substitute_variables) for clause in statement.conditions
        )
        self.principal = CompiledPrincipal(statement.principal) if statement.principal is not None else None
        self.not_principal = CompiledPrincipal(statement.not_principal) if statement.not_principal is not None else None

    @property
    def needs_context(self) -> bool:
        """Whether the statement's outcome depends on the request context (conditions or variables)."""
        return bool(self.conditions) or self.has_dynamic_resource

    def applies_in(self, resource: str, context: Context) -> bool:
        """For a candidate whose principal matched: do its variable resources and conditions hold?"""
        if self.has_dynamic_resource and not self.dynamic_resource_matches(resource, context):
            return False
        for condition in self.conditions:
            if not condition.holds(context):
                return False
        return True

    @property
    def has_resource_element(self) -> bool:
        """Whether the statement has Resource or NotResource (trust policies have neither)."""
        return self._resource_test is not None or self.has_dynamic_resource

    @property
    def has_principal_element(self) -> bool:
        """Whether the statement has Principal or NotPrincipal."""
        return self.principal is not None or self.not_principal is not None

    def action_matches(self, action: str) -> bool:
        """Test the lower-cased action against Action / NotAction (cached per action)."""
        found = self._action_cache.get(action)
        if found is None:
            found = self._action_test(action) != self._action_negated
            self._action_cache[action] = found
        return found

    def static_resource_matches(self, resource: str) -> bool:
        """Test Resource / NotResource when they hold no policy variables (no element: matches)."""
        if self._resource_test is None:
            return True
        return self._resource_test(resource) != self._resource_negated

    def dynamic_resource_matches(self, resource: str, context: Context) -> bool:
        """Test Resource / NotResource entries that hold policy variables, substituted from ``context``.

        An entry whose variable is missing (or multi-valued) matches nothing (reference_policies_variables.md).
        """
        matched = False
        for template in self._resource_templates:
            parts = substitute(template, context)
            if parts is not None and parts_matcher(parts, arn_segments=True, ignore_case=False)(resource):
                matched = True
                break
        return matched != self._resource_negated

    def principal_match(self, principal: Principal, has_boundary: bool = False) -> PrincipalMatch:
        """How Principal / NotPrincipal name the caller (DIRECT when the statement has neither).

        ``has_boundary``: the caller is an IAM principal with a permissions boundary. A NotPrincipal
        Deny statement then applies to it whatever NotPrincipal lists (reference_policies_elements_notprincipal,
        current page: "will always deny any IAM principal that has a permissions boundary policy attached").
        """
        if self.principal is not None:
            return self.principal.match(principal)
        if self.not_principal is not None:
            if has_boundary and self.is_deny:
                return PrincipalMatch.DIRECT
            excluded = self.not_principal.excludes(principal, whole_chain=self.is_deny)
            return PrincipalMatch.NONE if excluded else PrincipalMatch.DIRECT
        return PrincipalMatch.DIRECT


class CompiledDocument:
    """A policy document's statements compiled, indexed by the actions they match."""

    __slots__ = ("document", "statements", "_by_action")

    def __init__(self, document: PolicyDocument) -> None:
        self.document = document
        substitute_variables = document.version == VARIABLES_VERSION
        self.statements = tuple(CompiledStatement(s, substitute_variables=substitute_variables) for s in document.statements)
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """The evaluable statements whose Action / NotAction matches the lower-cased ``action`` (cached)."""
        found = self._by_action.get(action)
        if found is None:
            found = tuple(s for s in self.statements if s.error is None and s.action_matches(action))
            self._by_action[action] = found
        return found


_compiled_documents: dict[int, tuple[PolicyDocument, CompiledDocument]] = {}


def compile_document(document: PolicyDocument) -> CompiledDocument:
    """Compile ``document`` once; the same document object always gives the same compiled one."""
    cached = _compiled_documents.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    compiled = CompiledDocument(document)
    if len(_compiled_documents) >= _COMPILED_CACHE_LIMIT:
        _compiled_documents.clear()
    _compiled_documents[id(document)] = (document, compiled)
    return compiled


@dataclass(frozen=True)
class CompiledPolicy:
    """A named policy (name, source, ref for explanations) with its compiled document.

    ``traces`` caches the explanation of statements whose result cannot vary with the request context
    (no conditions, no policy variables), keyed by action, resource and caller.
    """

    named: NamedPolicy
    compiled: CompiledDocument
    traces: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


_compiled_named: dict[int, tuple[NamedPolicy, CompiledPolicy]] = {}


def compile_named(policy: NamedPolicy) -> CompiledPolicy:
    """Compile a named policy once per NamedPolicy object (policy sets sharing it share its caches)."""
    cached = _compiled_named.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    compiled = CompiledPolicy(policy, compile_document(policy.document))
    if len(_compiled_named) >= _COMPILED_CACHE_LIMIT:
        _compiled_named.clear()
    _compiled_named[id(policy)] = (policy, compiled)
    return compiled


@dataclass(frozen=True)
class CompiledPolicySet:
    """A PolicySet with every document compiled; reuse it across requests.

    Build it with :func:`compile_policies`. The fields mirror :class:`PolicySet`;
    ``context_statements`` lists every statement whose outcome depends on the request context;
    ``action_plans`` and ``plans`` cache the fast path's plans and explanations per question shape
    (see ``iam_desktop.policy.plan``).
    """

    source: PolicySet
    identity: tuple[CompiledPolicy, ...]
    resource_policy: CompiledPolicy | None
    resource_policy_rule: ResourcePolicyRule
    permission_boundary: CompiledPolicy | None
    session_policies: tuple[CompiledPolicy, ...] | None
    scp_levels: tuple[tuple[CompiledPolicy, ...], ...]
    rcp_levels: tuple[tuple[CompiledPolicy, ...], ...]
    context_statements: tuple[CompiledStatement, ...] = ()
    action_plans: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    plans: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def compile_policies(policies: PolicySet) -> CompiledPolicySet:
    """Compile every policy of ``policies`` for repeated evaluation.

    Parameters
    ----------
    policies
        The policies taking part in evaluations.

    Returns
    -------
    CompiledPolicySet
        Ready for :func:`evaluate` and :func:`decide`. Documents are compiled once per document object,
        so many policy sets sharing documents share the compiled statements and their caches.
    """
    identity = tuple(compile_named(p) for p in policies.identity)
    resource_policy = compile_named(policies.resource_policy) if policies.resource_policy else None
    boundary = compile_named(policies.permission_boundary) if policies.permission_boundary else None
    session = tuple(compile_named(p) for p in policies.session_policies) if policies.session_policies is not None else None
    scp_levels = tuple(tuple(compile_named(p) for p in level) for level in policies.scp_levels)
    rcp_levels = tuple(tuple(compile_named(p) for p in level) for level in policies.rcp_levels)
    every_policy = (
        identity + (resource_policy,) * bool(resource_policy) + (boundary,) * bool(boundary) + (session or ())
        + tuple(p for level in scp_levels + rcp_levels for p in level)
    )  # fmt: skip
    return CompiledPolicySet(
        source=policies,
        identity=identity,
        resource_policy=resource_policy,
        resource_policy_rule=policies.resource_policy_rule,
        permission_boundary=boundary,
        session_policies=session,
        scp_levels=scp_levels,
        rcp_levels=rcp_levels,
        context_statements=tuple(s for p in every_policy if p for s in p.compiled.statements if s.needs_context),
    )
