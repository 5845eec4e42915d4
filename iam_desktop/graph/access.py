"""Access questions over a model: can, who-can, what-can, the access matrix, assumable roles and escalations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from iam_desktop.graph.answers import (
    DECISION_CODE, AccessAnswer, AccessMatrix, AccessPath, EscalationFinding, Hop,
)
from iam_desktop.graph.assume import DEFAULT_MAX_DEPTH, AssumeGraph
from iam_desktop.graph.escalation import find_escalations
from iam_desktop.model.authorization import AuthorizationContext, RowColumns
from iam_desktop.model.callers import Caller
from iam_desktop.model.entities import Resource, Role, ServicePrincipal, User
from iam_desktop.model.resource_types import resource_type
from iam_desktop.model.workspace import Change, ChangeKind, Workspace
from iam_desktop.policy import Decision, Evaluation

Context = Mapping[str, tuple[str, ...]]
MAX_PATHS = 64
_ASSUME_GRAPH_CACHE = 8
_COLUMNS_CACHE = 256
_ALLOW = DECISION_CODE[Decision.ALLOW]
_S3_BUCKET_LEVEL = frozenset({"s3:listbucket", "s3:listbucketversions", "s3:listbucketmultipartuploads",
                              "s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucket", "s3:getbucketacl",
                              "s3:putbucketacl", "s3:getbucketlocation", "s3:createbucket"})


def resource_arn_for(resource: Resource, action: str) -> str:
    """The ARN a request for ``action`` on a modelled resource names: S3 object actions name ``bucket/*``."""
    lowered = action.lower()
    if (resource.resource_type == "s3_bucket" and lowered.startswith("s3:") and "/" not in resource.arn
            and lowered not in _S3_BUCKET_LEVEL and "bucket" not in lowered):
        return f"{resource.arn}/*"
    return resource.arn


def _context_key(context: Context | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The condition keys and values of ``context`` as a hashable key, the same whatever their order."""
    return tuple(sorted((key, tuple(values)) for key, values in (context or {}).items()))


@dataclass(frozen=True)
class _ActionCells:
    """One action's cells in each row of a matrix: where they sit in a row, and the engine's columns for them."""

    offsets: list[int]
    evenly_spaced: slice | None
    """The same cells as a slice of a row, when they are evenly spaced (as when every resource has the action)."""
    columns: RowColumns

    @classmethod
    def of(cls, offsets: list[int], columns: RowColumns) -> _ActionCells:
        """The cells at ``offsets``, with their slice when there is one."""
        step = offsets[1] - offsets[0] if len(offsets) > 1 else 1
        spaced = slice(offsets[0], offsets[-1] + 1, step) if step > 0 and offsets == list(
            range(offsets[0], offsets[-1] + 1, step)) else None
        return cls(offsets, spaced, columns)

    def write(self, row: bytearray, codes: bytearray) -> None:
        """Store the codes of these cells (in ``offsets`` order) in ``row``."""
        if self.evenly_spaced is not None:
            row[self.evenly_spaced] = codes
            return
        for offset, code in zip(self.offsets, codes):
            row[offset] = code


class AccessGraph:
    """Answers access questions about a workspace with the policy engine and the assume-role graph.

    The assume-role graph (networkx, see :class:`AssumeGraph`) and the compiled policies are cached and
    rebuilt after any model change (the graph subscribes to the workspace; :meth:`close` stops that).

    Parameters
    ----------
    workspace
        The model.
    context
        The authorization context to use (one is created when omitted).
    """

    def __init__(self, workspace: Workspace, context: AuthorizationContext | None = None) -> None:
        self.workspace = workspace
        self.context = context or AuthorizationContext(workspace)
        self._assume: dict[tuple[tuple[str, tuple[str, ...]], ...], AssumeGraph] = {}
        self._columns: dict[tuple[object, ...], RowColumns] = {}
        workspace.subscribe(self._on_change)

    def close(self) -> None:
        """Stop following the workspace (and close the context)."""
        self.workspace.unsubscribe(self._on_change)
        self.context.close()

    def _on_change(self, change: Change) -> None:
        if change.kind is not ChangeKind.PLACED:
            self._assume.clear()
            self._columns.clear()

    @property
    def assume_graph(self) -> AssumeGraph:
        """The assume-role graph for the current model with no condition keys given (built lazily)."""
        return self.assume_graph_for(None)

    def assume_graph_for(self, context: Context | None) -> AssumeGraph:
        """The assume-role graph whose ``sts:AssumeRole`` requests carry ``context`` (one cached per context)."""
        key = _context_key(context)
        graph = self._assume.get(key)
        if graph is None:
            if len(self._assume) >= _ASSUME_GRAPH_CACHE:
                self._assume.clear()
            graph = self._assume[key] = AssumeGraph(self.context, context)
        return graph

    # ----- single questions ------------------------------------------------------------------------------
    def can(self, principal_id: str, action: str, resource_arn: str, context: Context | None = None,
            max_depth: int = DEFAULT_MAX_DEPTH) -> AccessAnswer:
        """Can ``principal_id`` do ``action`` on ``resource_arn``, on its own or through assume-role chains?

        Parameters
        ----------
        principal_id
            A model id (user, role, service principal, compute resource, account) or any principal reference
            :meth:`AuthorizationContext.caller` accepts (ARN, session ARN, service name, ``*``).
        action, resource_arn
            The request.
        context
            Condition keys and values, used for every request of every path.
        max_depth
            The most assume-role steps a path may take.

        Returns
        -------
        AccessAnswer
            The principal's own explained decision and every path (at most ``MAX_PATHS``) whose final
            request, made by a session of the path's last role, is allowed.
        """
        own = self.context.evaluate(principal_id, action, resource_arn, context)
        return AccessAnswer(principal_id, action, resource_arn, own,
                            self._paths(principal_id, action, resource_arn, context, max_depth))

    def _allowing_roles(self, source: str, action: str, resource_arn: str, context: Context | None,
                        max_depth: int) -> set[str]:
        """Roles reachable from ``source`` whose session (named after ``source``) is allowed the request."""
        start = self._path_start(source)
        reachable = self.assume_graph_for(context).reachable(source, max_depth)
        allowing = set()
        for node in reachable:
            if node == source or node == start or not isinstance(self.workspace.entities.get(node), Role):
                continue
            if self.context.decide(node, action, resource_arn, context, as_session_of=source) is Decision.ALLOW:
                allowing.add(node)
        return allowing

    def _path_start(self, source: str) -> str | None:
        entity = self.workspace.entities.get(source)
        return entity.runs_as if isinstance(entity, Resource) else None

    def _paths(self, source: str, action: str, resource_arn: str, context: Context | None,
               max_depth: int) -> list[AccessPath]:
        if source not in self.workspace:  # a reference by ARN or name: start from the modelled owner if any
            source = self.context.caller(source).policy_owner or source
        allowing = self._allowing_roles(source, action, resource_arn, context, max_depth)
        paths: list[AccessPath] = []
        finals: dict[str, Evaluation] = {}
        graph = self.assume_graph_for(context)
        for nodes in graph.simple_paths(source, allowing, max_depth):
            last = nodes[-1]
            if last not in finals:
                finals[last] = self.context.evaluate(last, action, resource_arn, context, as_session_of=source)
            hops = [graph.hop(a, b) for a, b in zip(nodes, nodes[1:])]
            paths.append(AccessPath(hops, finals[last]))
            if len(paths) >= MAX_PATHS:
                break
        paths.sort(key=lambda p: (len(p.hops), [h.target_id for h in p.hops]))
        return paths

    def assumable_roles(self, principal_id: str, context: Context | None = None) -> list[Hop]:
        """The roles ``principal_id`` may assume directly (or, for a compute resource, runs as), each with its
        engine decision: the caller's identity policies for ``sts:AssumeRole`` and the role's trust policy,
        boundaries and SCPs included; ``context`` holds the condition keys of the requests."""
        return self.assume_graph_for(context).hops_from(principal_id)

    def assume_edges(self, context: Context | None = None) -> list[Hop]:
        """Every allowed assume-role and runs-as step of the whole model."""
        graph = self.assume_graph_for(context)
        graph.expand_all()
        return [graph.hop(a, b) for a, b in graph.graph.edges]

    # ----- many questions --------------------------------------------------------------------------------
    def principal_ids(self) -> list[str]:
        """The model's callers: users, roles, service principals and compute resources that run as a role."""
        return [e.id for e in self.workspace.entities.values()
                if isinstance(e, (User, Role, ServicePrincipal)) or (isinstance(e, Resource) and e.runs_as)]

    def who_can(self, action: str, resource_arn: str, context: Context | None = None,
                max_depth: int = DEFAULT_MAX_DEPTH) -> list[AccessAnswer]:
        """The answers of every modelled caller that can do ``action`` on ``resource_arn`` (directly or via paths).

        Who can is decided as a matrix column (fast), then only the allowed callers' answers are explained.
        """
        principals = self.principal_ids()
        resource_id = self._modelled_resource(action, resource_arn)
        if resource_id is None:  # not a modelled resource: each caller on its own
            allowed = [p for p in principals if self.context.decide(p, action, resource_arn, context) is Decision.ALLOW
                       or self._allowing_roles(p, action, resource_arn, context, max_depth)]
        else:
            column = self.matrix(principals, [resource_id], [action], context=context, max_depth=max_depth)
            allowed = [p for p in principals if column.decision(p, resource_id, action) is Decision.ALLOW]
        return [self.can(p, action, resource_arn, context, max_depth) for p in allowed]

    def what_can(self, principal_id: str, actions: Iterable[str] | None = None, context: Context | None = None,
                 max_depth: int = DEFAULT_MAX_DEPTH) -> list[AccessAnswer]:
        """The allowed answers of ``principal_id`` over the modelled resources.

        ``actions`` default to each resource type's ``default_actions`` (``*`` is skipped). What it can do is
        decided as a matrix row (fast), then only the allowed cells are explained.
        """
        chosen = tuple(a for a in actions if a != "*") if actions is not None else None
        resources = self.workspace.resources()
        row = self.matrix([principal_id], [r.id for r in resources], chosen, context=context, max_depth=max_depth)
        return [self.can(principal_id, action, resource_arn_for(resource, action), context, max_depth)
                for resource in resources for action in row.actions
                if row.decision(principal_id, resource.id, action) is Decision.ALLOW]

    def _modelled_resource(self, action: str, resource_arn: str) -> str | None:
        """The id of the modelled resource whose request for ``action`` names ``resource_arn``, or None."""
        entity_id = self.context.entity_id_for(resource_arn)
        if entity_id is None and resource_arn.endswith("/*"):  # an S3 object request names bucket/*
            entity_id = self.context.entity_id_for(resource_arn[:-2])
        entity = self.workspace.entities.get(entity_id) if entity_id else None
        if isinstance(entity, Resource) and resource_arn_for(entity, action) == resource_arn:
            return entity.id
        return None

    def matrix(self, principal_ids: Iterable[str], resource_ids: Iterable[str], actions: Iterable[str] | None,
               progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
               context: Context | None = None, max_depth: int = DEFAULT_MAX_DEPTH) -> AccessMatrix:
        """Decide every (principal, resource, action) cell: the best of the own decision and the paths'.

        ``actions`` None uses each resource type's default actions. ``progress(done, total)`` is called after
        each principal's cells of one action; when ``cancelled()`` returns True (asked as often) the matrix is
        returned incomplete.
        """
        principals, resources = tuple(principal_ids), tuple(resource_ids)
        chosen = tuple(actions) if actions is not None else None
        per_resource = self._actions_per_resource(resources, chosen)
        result = self.empty_matrix(principals, resources, chosen, context, max_depth)
        by_action: dict[str, list[tuple[int, str]]] = {}  # action -> (offset in a row, resource ARN) of its cells
        for resource_id in resources:
            for action in per_resource[resource_id]:
                by_action.setdefault(action, []).append(
                    (result.offset(resource_id, action), resource_arn_for(self._resource(resource_id), action)))
        cells = [_ActionCells.of([offset for offset, _ in found],
                                 self._row_columns(action, tuple(arn for _, arn in found), context))
                 for action, found in by_action.items()]
        total = len(principals) * sum(len(action_cells.offsets) for action_cells in cells)
        done = 0
        for principal_id in principals:
            caller = self.context.resolve(principal_id)
            sessions: list[Caller] | None = None
            row = result.row(principal_id)
            for action_cells in cells:
                if cancelled is not None and cancelled():
                    result.complete = False
                    return result
                columns = action_cells.columns
                codes = bytearray(map(DECISION_CODE.__getitem__, self.context.decide_row(caller, columns)))
                if sessions is None:  # the roles the principal reaches, as sessions named after it
                    sessions = self._sessions(principal_id, context, max_depth)
                denied = [index for index, code in enumerate(codes) if code != _ALLOW] if sessions else []
                for session in sessions:
                    if not denied:
                        break
                    decisions = self.context.decide_row(session, columns.subset(denied))
                    for index, decision in zip(denied, decisions):
                        if decision is Decision.ALLOW:
                            codes[index] = _ALLOW
                    denied = [index for index in denied if codes[index] != _ALLOW]
                action_cells.write(row, codes)
                done += len(codes)
                if progress is not None:
                    progress(done, total)
        return result

    def empty_matrix(self, principal_ids: Iterable[str], resource_ids: Iterable[str], actions: Iterable[str] | None,
                     context: Context | None = None, max_depth: int = DEFAULT_MAX_DEPTH) -> AccessMatrix:
        """The matrix :meth:`matrix` fills for these arguments, with no cell computed yet."""
        resources = tuple(resource_ids)
        per_resource = self._actions_per_resource(resources, tuple(actions) if actions is not None else None)
        all_actions = tuple(dict.fromkeys(a for acts in per_resource.values() for a in acts))
        return AccessMatrix(tuple(principal_ids), resources, all_actions, explain=self._explain_cell(context, max_depth))

    def cells_per_row(self, resource_ids: Iterable[str], actions: Iterable[str] | None) -> int:
        """How many cells a principal's row of :meth:`matrix` has (its resources' actions)."""
        chosen = tuple(actions) if actions is not None else None
        return sum(len(acts) for acts in self._actions_per_resource(tuple(resource_ids), chosen).values())

    def _actions_per_resource(self, resources: tuple[str, ...], chosen: tuple[str, ...] | None) -> dict[str, tuple[str, ...]]:
        """Each resource's actions in a matrix: ``chosen``, or its type's default actions (``*`` aside)."""
        return {r: chosen or tuple(a for a in resource_type(self._resource(r).resource_type).default_actions
                                   if a != "*") for r in resources}

    def _row_columns(self, action: str, arns: tuple[str, ...], context: Context | None) -> RowColumns:
        """The engine's columns for ``action`` over ``arns`` (kept until the model changes: matrices of a few
        principals at a time reuse them)."""
        key = (action, arns, _context_key(context))
        found = self._columns.get(key)
        if found is None:
            if len(self._columns) >= _COLUMNS_CACHE:
                self._columns.clear()
            found = self._columns[key] = self.context.row_columns(action, arns, context)
        return found

    def _sessions(self, source: str, context: Context | None, max_depth: int) -> list[Caller]:
        """The sessions (named after ``source``) of the roles ``source`` reaches, itself and its run-as start aside
        (a reference by ARN or name starts from its modelled owner, as :meth:`can`'s paths do)."""
        if source not in self.workspace:
            source = self.context.caller(source).policy_owner or source
        start = self._path_start(source)
        return [self.context.resolve(node, source)
                for node in self.assume_graph_for(context).reachable(source, max_depth)
                if node != source and node != start and isinstance(self.workspace.entities.get(node), Role)]

    def _resource(self, resource_id: str) -> Resource:
        entity = self.workspace.get(resource_id)
        if not isinstance(entity, Resource):
            raise ValueError(f"{entity.name!r} is a {entity.kind.value}, not a resource")
        return entity

    def _explain_cell(self, context: Context | None, max_depth: int) -> Callable[[str, str, str], AccessAnswer]:
        def explain(principal_id: str, resource_id: str, action: str) -> AccessAnswer:
            arn = resource_arn_for(self._resource(resource_id), action)
            return self.can(principal_id, action, arn, context, max_depth)
        return explain

    def escalations(self, principal_ids: Iterable[str] | None = None) -> list[EscalationFinding]:
        """Privilege-escalation findings for the model's users and roles (see ``graph.escalation.PATTERNS``)."""
        return find_escalations(self, principal_ids)
