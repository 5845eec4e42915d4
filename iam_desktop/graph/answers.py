"""The answers of access questions as plain data: hops, assume-role paths, answers, matrices, escalations."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

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


_CODES: tuple[Decision | None, ...] = (None, Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY)
DECISION_CODE = {decision: code for code, decision in enumerate(_CODES) if decision is not None}
"""The byte a matrix row stores for each decision (0: not computed)."""


def _first_index(values: tuple[str, ...]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, value in enumerate(values):
        index.setdefault(value, position)
    return index


class MatrixCells(Mapping[tuple[str, str, str], Decision]):
    """A read-only mapping view of a matrix's computed cells, in resource, action, principal order."""

    def __init__(self, matrix: AccessMatrix) -> None:
        self._matrix = matrix

    def __getitem__(self, key: tuple[str, str, str]) -> Decision:
        found = self._matrix.decision(*key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        matrix = self._matrix
        width = len(matrix.actions)
        for resource_id, r in matrix.resource_index.items():
            for action, a in matrix.action_index.items():
                offset = r * width + a
                for principal_id, row in matrix.rows.items():
                    if row[offset]:
                        yield principal_id, resource_id, action

    def __len__(self) -> int:
        return sum(len(row) - row.count(0) for row in self._matrix.rows.values())


class AccessMatrix:
    """Decisions for every (principal, resource, action) cell; ``answer`` explains one cell on demand.

    Decisions are stored compactly, one ``bytearray`` per principal indexed by resource x action (a byte a
    cell); ``cells`` is a read-only mapping view of the computed cells (``cells`` given to the constructor
    are stored). ``complete`` is False when the computation was cancelled part-way (missing cells were not
    computed).
    """

    def __init__(self, principal_ids: tuple[str, ...], resource_ids: tuple[str, ...], actions: tuple[str, ...],
                 cells: Mapping[tuple[str, str, str], Decision] | None = None, complete: bool = True,
                 explain: Callable[[str, str, str], AccessAnswer] | None = None) -> None:
        self.principal_ids = principal_ids
        self.resource_ids = resource_ids
        self.actions = actions
        self.complete = complete
        self.explain = explain
        self.rows: dict[str, bytearray] = {}
        self.resource_index = _first_index(resource_ids)
        self.action_index = _first_index(actions)
        for (principal_id, resource_id, action), decision in (cells or {}).items():
            self.set(principal_id, resource_id, action, decision)

    @property
    def cells(self) -> Mapping[tuple[str, str, str], Decision]:
        """The computed cells as a mapping (principal, resource, action) -> Decision."""
        return MatrixCells(self)

    def row(self, principal_id: str) -> bytearray:
        """The principal's decision codes (0 not computed, then ALLOW, EXPLICIT_DENY, IMPLICIT_DENY), created empty."""
        found = self.rows.get(principal_id)
        if found is None:
            found = self.rows[principal_id] = bytearray(len(self.resource_ids) * len(self.actions))
        return found

    def offset(self, resource_id: str, action: str) -> int:
        """The index of a (resource, action) cell in a principal's row."""
        return self.resource_index[resource_id] * len(self.actions) + self.action_index[action]

    def set(self, principal_id: str, resource_id: str, action: str, decision: Decision) -> None:
        """Store one cell's decision."""
        self.row(principal_id)[self.offset(resource_id, action)] = DECISION_CODE[decision]

    def decision(self, principal_id: str, resource_id: str, action: str) -> Decision | None:
        """The cell's decision, or None when it was not computed (or is not part of the matrix)."""
        row = self.rows.get(principal_id)
        r = self.resource_index.get(resource_id)
        a = self.action_index.get(action)
        if row is None or r is None or a is None:
            return None
        return _CODES[row[r * len(self.actions) + a]]

    def computed_columns(self) -> list[tuple[str, str]]:
        """The (resource, action) pairs with at least one computed cell, in resource then action order."""
        width = len(self.actions) * len(self.resource_ids)
        union = 0
        for row in self.rows.values():  # OR of every row, as one big integer: a byte is non-zero where any row's is
            union |= int.from_bytes(row, "little")
        computed = union.to_bytes(width, "little")
        return [(resource, action) for resource, r in self.resource_index.items() for action, a in self.action_index.items()
                if computed[r * len(self.actions) + a]]

    def decision_counts(self) -> dict[Decision, int]:
        """How many computed cells hold each decision."""
        return {decision: sum(row.count(code) for row in self.rows.values()) for decision, code in DECISION_CODE.items()}

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
