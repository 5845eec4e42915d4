"""Access questions over a model: can, who-can, what-can, the access matrix, assumable roles and escalations."""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from iam_desktop.graph.answers import (
    DECISION_CODE, AccessAnswer, AccessMatrix, AccessPath, EscalationFinding, Hop,
)
from iam_desktop.graph.assume import DEFAULT_MAX_DEPTH, AssumeGraph
from iam_desktop.graph.escalation import find_escalations
from iam_desktop.model.authorization import AuthorizationContext, Caller
from iam_desktop.model.entities import Resource, Role, ServicePrincipal, User
from iam_desktop.model.resource_types import resource_type
from iam_desktop.model.workspace import Change, ChangeKind, Workspace
from iam_desktop.policy import Decision, Evaluation

Context = Mapping[str, tuple[str, ...]]
MAX_PATHS = 64
_ASSUME_GRAPH_CACHE = 8
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
        workspace.subscribe(self._on_change)

    def close(self) -> None:
        """Stop following the workspace (and close the context)."""
        self.workspace.unsubscribe(self._on_change)
        self.context.close()

    def _on_change(self, change: Change) -> None:
        if change.kind is not ChangeKind.PLACED:
            self._assume.clear()

    @property
    def assume_graph(self) -> AssumeGraph:
        """The assume-role graph for the current model with no condition keys given (built lazily)."""
        return self.assume_graph_for(None)

    def assume_graph_for(self, context: Context | None) -> AssumeGraph:
        """The assume-role graph whose ``sts:AssumeRole`` requests carry ``context`` (one cached per context)."""
        key = tuple(sorted((k, tuple(v)) for k, v in (context or {}).items()))
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
        """The answers of every modelled caller that can do ``action`` on ``resource_arn`` (directly or via paths)."""
        found: list[AccessAnswer] = []
        for principal_id in self.principal_ids():
            direct = self.context.decide(principal_id, action, resource_arn, context)
            if direct is Decision.ALLOW or self._allowing_roles(principal_id, action, resource_arn, context,
                                                                 max_depth):
                found.append(self.can(principal_id, action, resource_arn, context, max_depth))
        return found

    def what_can(self, principal_id: str, actions: Iterable[str] | None = None, context: Context | None = None,
                 max_depth: int = DEFAULT_MAX_DEPTH) -> list[AccessAnswer]:
        """The allowed answers of ``principal_id`` over the modelled resources.

        ``actions`` default to each resource type's ``default_actions`` (a ``*`` default is skipped).
        """
        chosen = tuple(actions) if actions is not None else None
        found: list[AccessAnswer] = []
        for resource in self.workspace.resources():
            for action in chosen or resource_type(resource.resource_type).default_actions:
                if action == "*":
                    continue
                answer = self.can(principal_id, action, resource_arn_for(resource, action), context, max_depth)
                if answer.allowed:
                    found.append(answer)
        return found

    def matrix(self, principal_ids: Iterable[str], resource_ids: Iterable[str], actions: Iterable[str] | None,
               progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
               context: Context | None = None, max_depth: int = DEFAULT_MAX_DEPTH) -> AccessMatrix:
        """Decide every (principal, resource, action) cell: the best of the own decision and the paths'.

        ``actions`` None uses each resource type's default actions. ``progress(done, total)`` is called after
        each cell; when ``cancelled()`` returns True the matrix is returned incomplete.
        """
        principals, resources = tuple(principal_ids), tuple(resource_ids)
        chosen = tuple(actions) if actions is not None else None
        per_resource = {r: chosen or tuple(a for a in resource_type(self._resource(r).resource_type).default_actions
                                           if a != "*") for r in resources}
        all_actions = tuple(dict.fromkeys(a for acts in per_resource.values() for a in acts))
        result = AccessMatrix(principals, resources, all_actions, explain=self._explain_cell(context, max_depth))
        columns: dict[str, list[tuple[int, str]]] = {}  # action -> (offset in a row, resource ARN) of its cells
        for resource_id in resources:
            for action in per_resource[resource_id]:
                columns.setdefault(action, []).append(
                    (result.offset(resource_id, action), resource_arn_for(self._resource(resource_id), action)))
        total = len(principals) * sum(len(cells) for cells in columns.values())
        done = 0
        for principal_id in principals:
            caller = self.context.resolve(principal_id)
            sessions: list[Caller] | None = None
            row = result.row(principal_id)
            for action, cells in columns.items():
                arns = [arn for _, arn in cells]
                codes = [DECISION_CODE[d] for d in self.context.decide_row(caller, action, arns, context)]
                denied = [index for index, code in enumerate(codes) if code != _ALLOW]
                if denied:
                    if sessions is None:  # the roles the principal reaches, as sessions named after it
                        sessions = self._sessions(principal_id, context, max_depth)
                    for session in sessions:
                        decisions = self.context.decide_row(session, action, [arns[i] for i in denied], context)
                        for index, decision in zip(denied, decisions):
                            if decision is Decision.ALLOW:
                                codes[index] = _ALLOW
                        denied = [index for index in denied if codes[index] != _ALLOW]
                        if not denied:
                            break
                if progress is None and cancelled is None:
                    for (offset, _), code in zip(cells, codes):
                        row[offset] = code
                    continue
                for (offset, _), code in zip(cells, codes):
                    if cancelled is not None and cancelled():
                        result.complete = False
                        return result
                    row[offset] = code
                    done += 1
                    if progress is not None:
                        progress(done, total)
        return result

    def _sessions(self, source: str, context: Context | None, max_depth: int) -> list[Caller]:
        """The sessions (named after ``source``) of the roles ``source`` reaches, itself and its run-as start aside."""
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
