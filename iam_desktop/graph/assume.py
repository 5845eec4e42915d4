"""The assume-role graph: who may assume (or run as) which role, each edge decided by the engine, built lazily."""

from __future__ import annotations

import gc
from collections import defaultdict
from typing import Any, Iterator, Mapping

import networkx as nx

from iam_desktop.graph.answers import Hop
from iam_desktop.model.authorization import DEFAULT_SESSION_NAME, AuthorizationContext
from iam_desktop.model.callers import Caller
from iam_desktop.model.edges import Edge, EdgeKind, derive_edges
from iam_desktop.model.entities import Resource, Role, ServicePrincipal, User
from iam_desktop.model.resource_types import resource_type
from iam_desktop.policy import Decision, Evaluation, PolicyDocument, PrincipalKind, action_matches

ASSUME_ACTION = "sts:AssumeRole"
DEFAULT_MAX_DEPTH = 4
"""The most assume-role steps a path takes unless told otherwise."""
_ACCOUNT_ID_LENGTH = 12


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def describe_statements(evaluation: Evaluation) -> str:
    """The deciding statements of an evaluation in words: ``policy "x" statement 0 (Sid y)``."""
    parts = []
    for statement in evaluation.deciding_statements:
        sid = f" (Sid {statement.sid})" if statement.sid else ""
        parts.append(f"{statement.policy_source or statement.policy_name} statement {statement.index}{sid}")
    return "; ".join(parts) if parts else evaluation.reason


class TrustIndex:
    """Which roles' trust policies could name a caller: by ARN, by account, by service, or by ``*``.

    A role is a candidate for a caller when an Allow statement of its trust policy names it (its ARN, its
    role's ARN for a session, its service name), its account (only when the caller's identity policies could
    allow ``sts:AssumeRole``, since naming the account delegates to them) or everyone. The engine then decides.
    """

    def __init__(self, context: AuthorizationContext) -> None:
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_account: dict[str, set[str]] = defaultdict(set)
        self.everyone: set[str] = set()
        for role in context.workspace.roles():
            for statement in _as_list(role.trust_policy.get("Statement")):
                if isinstance(statement, Mapping) and statement.get("Effect") == "Allow":
                    self._add(role.id, statement)

    def _add(self, role_id: str, statement: Mapping[str, Any]) -> None:
        if "NotPrincipal" in statement or statement.get("Principal") == "*":
            self.everyone.add(role_id)
            return
        principal = statement.get("Principal")
        entries = principal.items() if isinstance(principal, Mapping) else [("AWS", principal)]
        for _kind, values in entries:
            for value in map(str, _as_list(values)):
                if value == "*":
                    self.everyone.add(role_id)
                elif value.isdigit() and len(value) == _ACCOUNT_ID_LENGTH:
                    self.by_account[value].add(role_id)
                elif value.endswith(":root") and value.startswith("arn:"):
                    self.by_account[value.split(":")[4]].add(role_id)
                else:
                    self.by_name[value].add(role_id)

    def candidates(self, caller: Caller, may_assume_by_identity: bool) -> set[str]:
        """Role ids whose trust policy could let ``caller`` assume them."""
        principal = caller.principal
        found = set(self.everyone) | self.by_name.get(principal.arn, set())
        if principal.role_arn:
            found |= self.by_name.get(principal.role_arn, set())
        if may_assume_by_identity and principal.account:
            found |= self.by_account.get(principal.account, set())
        return found


def _statement_allows_assume(document: PolicyDocument) -> bool:
    for statement in document.statements:
        if statement.effect != "Allow":
            continue
        if statement.actions is not None and any(action_matches(a, ASSUME_ACTION) for a in statement.actions):
            return True
        if statement.not_actions is not None and not any(action_matches(a, ASSUME_ACTION)
                                                          for a in statement.not_actions):
            return True
    return False


class AssumeGraph:
    """A networkx DiGraph of principals (node = model id or principal ARN) and the roles they may assume.

    Every edge carries ``kind`` (``assume_role`` / ``runs_as``), ``decision``, ``evaluation`` (the engine's
    explained decision for the step), ``reason`` (in words) and ``edge_key`` (the model edge it follows, if any).
    Only allowed steps become edges. A node's outgoing edges are computed the first time they are needed.
    ``request_context`` holds the condition keys every ``sts:AssumeRole`` request is evaluated with (time, MFA...).
    """

    def __init__(self, context: AuthorizationContext,
                 request_context: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.context = context
        self.request_context = dict(request_context or {})
        self.graph: nx.DiGraph = nx.DiGraph()
        self._expanded: set[str] = set()
        self._trust = TrustIndex(context)
        self._edge_keys = {e.key for e in derive_edges(context.workspace) if e.kind in (EdgeKind.TRUSTS,
                                                                                       EdgeKind.RUNS_AS)}

    def _may_assume_by_identity(self, caller: Caller) -> bool:
        if caller.policy_owner is None:
            return False
        policies = self.context.policy_set(caller.policy_owner, ASSUME_ACTION, "*").identity
        return any(_statement_allows_assume(p.document) for p in policies)

    def expand(self, node: str) -> None:
        """Compute (once) the edges leaving ``node``."""
        if node in self._expanded:
            return
        self._expanded.add(node)
        self.graph.add_node(node)
        entity = self.context.workspace.entities.get(node)
        if isinstance(entity, Resource):
            self._expand_compute(entity)
            return
        session = DEFAULT_SESSION_NAME if isinstance(entity, Role) else None
        caller = self.context.caller(node, session)
        if caller.principal.kind is PrincipalKind.ACCOUNT_ROOT:
            return  # STS refuses: "Roles may not be assumed by root accounts"; an account trust delegates to IAM
        for role_id in sorted(self._trust.candidates(caller, self._may_assume_by_identity(caller))):
            if role_id == caller.policy_owner:
                continue
            self._add_assume_edge(node, caller, role_id)

    def _add_assume_edge(self, node: str, caller: Caller, role_id: str) -> None:
        ws = self.context.workspace
        role_arn = ws.arn_of(role_id)
        if self.context.decide_caller(caller, ASSUME_ACTION, role_arn, self.request_context) is not Decision.ALLOW:
            return
        evaluation = self.context.evaluate_caller(caller, ASSUME_ACTION, role_arn, self.request_context)
        role_name = ws.get(role_id).name
        entity = ws.entities.get(node)
        label = f"role {entity.name}" if isinstance(entity, Role) else caller.label
        reason = f"{label} may assume role {role_name}: {describe_statements(evaluation)}"
        key = Edge(EdgeKind.TRUSTS, node, role_id).key
        self.graph.add_edge(node, role_id, kind="assume_role", decision=evaluation.decision, evaluation=evaluation,
                            reason=reason, edge_key=key if key in self._edge_keys else "")

    def _expand_compute(self, resource: Resource) -> None:
        service = resource_type(resource.resource_type).service_principal
        if resource.runs_as is None or service is None:
            return
        role_arn = self.context.workspace.arn_of(resource.runs_as)
        evaluation = self.context.evaluate(service, ASSUME_ACTION, role_arn, self.request_context)
        if evaluation.decision is not Decision.ALLOW:
            return
        role_name = self.context.workspace.get(resource.runs_as).name
        reason = (f"{resource_type(resource.resource_type).label} {resource.name} runs as role {role_name}, "
                  f"whose trust policy lets {service} assume it: {describe_statements(evaluation)}")
        key = Edge(EdgeKind.RUNS_AS, resource.id, resource.runs_as).key
        self.graph.add_edge(resource.id, resource.runs_as, kind="runs_as", decision=evaluation.decision,
                            evaluation=evaluation, reason=reason, edge_key=key if key in self._edge_keys else "")

    def reachable(self, source: str, max_depth: int) -> dict[str, int]:
        """Nodes reachable from ``source`` in at most ``max_depth`` steps, with their distance (expanding as needed)."""
        distances = {source: 0}
        frontier = [source]
        for depth in range(1, max_depth + 1):
            next_frontier = []
            for node in frontier:
                self.expand(node)
                for target in self.graph.successors(node):
                    if target not in distances:
                        distances[target] = depth
                        next_frontier.append(target)
            frontier = next_frontier
        return distances

    def simple_paths(self, source: str, targets: set[str], max_depth: int) -> Iterator[list[str]]:
        """Every simple path (list of nodes) from ``source`` to one of ``targets`` with at most ``max_depth`` edges."""
        self.reachable(source, max_depth)
        if not targets:
            return iter(())
        paths: Iterator[list[str]] = nx.all_simple_paths(self.graph, source, targets, cutoff=max_depth)
        return paths

    def hop(self, source: str, target: str) -> Hop:
        """The Hop for an edge of the graph."""
        data = self.graph.edges[source, target]
        return Hop(source, target, data["kind"], data["evaluation"], data["edge_key"], data["reason"])

    def hops_from(self, source: str) -> list[Hop]:
        """The direct steps from ``source``."""
        self.expand(source)
        return [self.hop(source, target) for target in self.graph.successors(source)]

    def expand_all(self) -> None:
        """Compute the edges of every user, role, service principal and compute resource of the model."""
        collecting = gc.isenabled()
        gc.disable()  # expanding makes only live objects: spare the cyclic collector's walks over the model
        try:
            for entity in self.context.workspace.entities.values():
                if isinstance(entity, (User, Role, ServicePrincipal)) or (isinstance(entity, Resource) and entity.runs_as):
                    self.expand(entity.id)
        finally:
            if collecting:
                gc.enable()
