"""The answers of access questions as plain data: hops, assume-role paths, answers, matrices, escalations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from iam_desktop.policy import Decision, Evaluation

HopKind = Literal["assume_role", "runs_as"]


def best_decision(decisions: list[Decision]) -> Decision:
    """ALLOW if any decision allows, else EXPLICIT_DENY if any denies explicitly, else IMPLICIT_DENY."""
    if Decision.ALLOW in decisions:
        return Decision.ALLOW
    if Decision.EXPLICIT_DENY in decisions:
        return Decision.EXPLICIT_DENY
    return Decision.IMPLICIT_DENY


@dataclass(frozen=True)
class Hop:
    """One step of an access path: ``source_id`` assumes (or a compute resource runs as) ``target_id``.

    ``evaluation`` is the engine's explained ``sts:AssumeRole`` decision for the step (for ``runs_as``, the
    decision for the compute service's principal assuming the role). ``edge_key`` is the key of the model edge
    (``model.edges.Edge.key``) the step follows, or ``""`` when the model draws none (e.g. a trust naming the
    whole account). ``reason`` says the same in one sentence.
    """

    source_id: str
    target_id: str
    kind: HopKind
    evaluation: Evaluation | None
    edge_key: str
    reason: str


@dataclass(frozen=True)
class AccessPath:
    """A chain of hops from a principal to a role, and the decision the last role's session gets."""

    hops: list[Hop]
    final: Evaluation

    @property
    def decision(self) -> Decision:
        """The decision of the request made at the end of the chain."""
        return self.final.decision

    @property
    def role_id(self) -> str:
        """The role whose session makes the final request."""
        return self.hops[-1].target_id


@dataclass(frozen=True)
class AccessAnswer:
    """Whether a principal can do an action on a resource: on its own, or through assume-role chains.

    ``evaluation`` is the principal's own explained decision; ``paths`` the chains (up to the depth limit)
    whose final request is allowed; ``decision`` is ALLOW when the principal's own decision or any path allows.
    """

    principal_id: str
    action: str
    resource: str
    evaluation: Evaluation
    paths: list[AccessPath] = field(default_factory=list)

    @property
    def decision(self) -> Decision:
        """The best of the principal's own decision and its paths' decisions."""
        return best_decision([self.evaluation.decision, *(p.decision for p in self.paths)])

    @property
    def allowed(self) -> bool:
        """True when the principal can do it, directly or through a path."""
        return self.decision is Decision.ALLOW


@dataclass
class AccessMatrix:
    """Decisions for every (principal, resource, action) cell; ``answer`` explains one cell on demand.

    ``complete`` is False when the computation was cancelled part-way (missing cells were not computed).
    """

    principal_ids: tuple[str, ...]
    resource_ids: tuple[str, ...]
    actions: tuple[str, ...]
    cells: dict[tuple[str, str, str], Decision] = field(default_factory=dict)
    complete: bool = True
    explain: Callable[[str, str, str], AccessAnswer] | None = None

    def answer(self, principal_id: str, resource_id: str, action: str) -> AccessAnswer:
        """The explained answer behind one cell (computed now)."""
        if self.explain is None:
            raise LookupError("this matrix was built without access to its model")
        return self.explain(principal_id, resource_id, action)


@dataclass(frozen=True)
class EscalationFinding:
    """A way a principal can raise its own privileges, found with the engine on the model's real targets.

    ``pattern`` is the pattern key (e.g. ``"passrole_lambda"``); ``target_id`` the model entity that would be
    abused (role, user, group, policy, function); ``edge_reason`` names the allowing statements;
    ``evaluations`` are the engine's explained allows the finding rests on.
    """

    principal_id: str
    pattern: str
    description: str
    target_id: str
    edge_reason: str
    actions: tuple[str, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
