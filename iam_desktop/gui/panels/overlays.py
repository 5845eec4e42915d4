"""Canvas highlights computed from answers: the allowing path of a question, and who-can / what-can overlays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from iam_desktop.gui.highlight import Highlight
from iam_desktop.model import Resource, Workspace
from iam_desktop.model.edges import Edge, EdgeKind, derive_edges_between
from iam_desktop.model.resource_types import resource_type
from iam_desktop.gui.panels.policy_slots import resolve_policy_ref
from iam_desktop.policy import Decision, Evaluation, Stage

if TYPE_CHECKING:
    from iam_desktop.graph import AccessAnswer, AccessGraph

BADGE_TEXT = {Decision.ALLOW: "ALLOW", Decision.EXPLICIT_DENY: "DENY", Decision.IMPLICIT_DENY: "NO ALLOW"}
HOP_LABELS = {"assume_role": "assume role", "runs_as": "runs as"}


def _grant_edge(workspace: Workspace, source_id: str, resource_id: str) -> str | None:
    """The key of the resource-policy edge from ``source_id`` to the resource, when the model has one."""
    if source_id not in workspace or resource_id not in workspace:
        return None
    wanted = Edge(EdgeKind.RESOURCE_ACCESS, source_id, resource_id)
    return wanted.key if wanted in derive_edges_between(workspace, source_id, resource_id) else None


def _granting_policies(workspace: Workspace, principal_id: str, evaluation: Evaluation) -> set[str]:
    """Ids of the model's policies (other than the principal itself) whose Allow statements applied."""
    found: set[str] = set()
    for stage in evaluation.stages:
        if stage.stage is not Stage.IDENTITY:
            continue
        for statement in stage.statements:
            if statement.applies and statement.effect == "Allow" and statement.policy_ref is not None:
                target = resolve_policy_ref(workspace, statement.policy_ref, statement.policy_name,
                                            statement.policy_source)
                if target is not None and target[0] != principal_id:
                    found.add(target[0])
    return found


def _grant_chain(workspace: Workspace, principal_id: str, evaluation: Evaluation, action: str,
                 nodes: set[str], edges: set[str], labels: dict[str, str]) -> None:
    """Add the policies that granted ``action`` to the principal, and the group / attachment edges to them."""
    principal = workspace.entities.get(principal_id)
    groups = [g for g in getattr(principal, "groups", ()) if g in workspace]
    for policy_id in _granting_policies(workspace, principal_id, evaluation):
        nodes.add(policy_id)
        holders = [g for g in groups if derive_edges_between(workspace, policy_id, g) or g == policy_id]
        for holder in holders:
            nodes.add(holder)
            edges.update(e.key for e in derive_edges_between(workspace, principal_id, holder))
        for edge in [e for h in [principal_id, *holders] if h != policy_id
                     for e in derive_edges_between(workspace, policy_id, h)]:
            edges.add(edge.key)
            before = labels.get(edge.key, "")
            labels[edge.key] = f"{before}, {action}" if before.startswith("grants ") else \
                ", ".join(filter(None, (before, f"grants {action}")))


def answer_highlight(workspace: Workspace, answers: Iterable[AccessAnswer], resource_id: str) -> Highlight:
    """The highlight of a question: principal, resource, and the roles and edges of each allowing path.

    For every answer that allows, the policies whose statements granted it are drawn with the group and
    attachment edges leading to them (labelled "grants <action>"), and the direct access (when the principal's own decision allows) or the
    shortest allowing assume-role path is drawn: its hops' edges labelled "assume role" / "runs as", a
    resource-policy edge to the resource labelled with the action, the roles numbered by their step.
    The resource gets the overall decision as badge and colour.
    """
    answers = list(answers)
    nodes: set[str] = {resource_id}
    edges: set[str] = set()
    labels: dict[str, str] = {}
    badges: dict[str, str] = {}
    for answer in answers:
        nodes.add(answer.principal_id)
        if not answer.allowed:
            continue
        last = answer.principal_id
        principal = workspace.entities.get(last)
        if isinstance(principal, Resource) and principal.runs_as and answer.evaluation.decision is Decision.ALLOW:
            runs_as = Edge(EdgeKind.RUNS_AS, last, principal.runs_as).key
            nodes.add(principal.runs_as)
            edges.add(runs_as)
            labels[runs_as] = HOP_LABELS["runs_as"]
            last = principal.runs_as
        if answer.evaluation.decision is Decision.ALLOW:
            _grant_chain(workspace, last, answer.evaluation, answer.action, nodes, edges, labels)
        else:
            path = answer.paths[0]
            for step, hop in enumerate(path.hops, start=1):
                nodes.add(hop.target_id)
                badges.setdefault(hop.target_id, str(step))
                if hop.edge_key:
                    edges.add(hop.edge_key)
                    labels[hop.edge_key] = HOP_LABELS.get(hop.kind, hop.kind)
            last = path.role_id
            _grant_chain(workspace, last, path.final, answer.action, nodes, edges, labels)
        grant = _grant_edge(workspace, last, resource_id)
        if grant is not None:
            edges.add(grant)
            labels[grant] = ", ".join(filter(None, (labels.get(grant), answer.action)))
    allowed = [a for a in answers if a.allowed]
    overall = Decision.ALLOW if allowed else (
        Decision.EXPLICIT_DENY if any(a.decision is Decision.EXPLICIT_DENY for a in answers) else Decision.IMPLICIT_DENY)
    badge = BADGE_TEXT[overall] if len(answers) <= 1 else f"{len(allowed)}/{len(answers)} ALLOW"
    badges[resource_id] = badge
    return Highlight(frozenset(nodes), frozenset(edges), labels, badges,
                     {resource_id: "allow" if overall is Decision.ALLOW else "deny"}, dim_others=True)


@dataclass(frozen=True)
class OverlayResult:
    """An overlay's highlight and a sentence summarising it."""

    highlight: Highlight
    summary: str


def what_can_overlay(graph: AccessGraph, principal_id: str) -> OverlayResult:
    """Colour every resource by whether ``principal_id`` can do any of its type's default actions."""
    from iam_desktop.graph import resource_arn_for
    workspace = graph.workspace
    allowed: dict[str, set[str]] = {}
    for answer in graph.what_can(principal_id):
        for resource in workspace.resources():
            if answer.resource == resource_arn_for(resource, answer.action):
                allowed.setdefault(resource.id, set()).add(answer.action)
    colors, badges = {}, {}
    for resource in workspace.resources():
        actions = [a for a in resource_type(resource.resource_type).default_actions if a != "*"]
        got = allowed.get(resource.id, set())
        colors[resource.id] = "allow" if got else "deny"
        badges[resource.id] = f"{len(got)}/{len(actions)}"
    name = workspace.get(principal_id).name
    summary = f"{name} can reach {len(allowed)} of {len(colors)} resource(s) (default actions of each type)."
    return OverlayResult(Highlight(frozenset({principal_id}), frozenset(), {}, badges, colors, dim_others=False),
                         summary)


def who_can_overlay(graph: AccessGraph, resource_id: str) -> OverlayResult:
    """Colour every caller by whether it can do any of the resource type's default actions on it."""
    from iam_desktop.graph import resource_arn_for
    workspace = graph.workspace
    resource = workspace.get(resource_id)
    assert isinstance(resource, Resource)
    actions = [a for a in resource_type(resource.resource_type).default_actions if a != "*"]
    allowed: dict[str, set[str]] = {}
    for action in actions:
        for answer in graph.who_can(action, resource_arn_for(resource, action)):
            allowed.setdefault(answer.principal_id, set()).add(action)
    colors, badges = {}, {}
    for principal_id in graph.principal_ids():
        if principal_id == resource_id:
            continue
        got = allowed.get(principal_id, set())
        colors[principal_id] = "allow" if got else "deny"
        badges[principal_id] = f"{len(got)}/{len(actions)}"
    summary = (f"{len(allowed)} of {len(colors)} caller(s) can reach {resource.name} "
               f"({', '.join(actions) or 'no default actions'}).")
    return OverlayResult(Highlight(frozenset({resource_id}), frozenset(), {}, badges, colors, dim_others=False),
                         summary)
