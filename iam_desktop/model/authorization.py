"""The bridge from an access model to the policy engine: callers, requests and policy sets, cached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Iterable, Mapping, Sequence

from iam_desktop.model.callers import (
    ACCOUNT_ID, AuthorizationError, Caller, CallerResolver,
)
from iam_desktop.model.entities import (
    Account, Entity, Group, ManagedPolicy, OrgUnit, PolicyType, Resource, Role, User,
)
from iam_desktop.model.resource_types import resource_type
from iam_desktop.model.validation import parsed_policy
from iam_desktop.model.workspace import Change, ChangeKind, Workspace
from iam_desktop.policy import (
    CompiledPolicySet, Decision, Evaluation, NamedPolicy, PolicyDocument, PolicyParseError, PolicySet, Principal,
    Request, ResourcePolicyRule, compile_policies, decide, evaluate,
)
from iam_desktop.policy.compiled import CompiledPolicy, compile_named
from iam_desktop.policy.rows import RowDecider
from iam_desktop.policy.verdict import partition_of

TRUST_POLICY_ACTIONS = frozenset({
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:tagsession",
    "sts:setsourceidentity", "sts:setcontext",
})
"""Actions on a role that its trust policy governs (id_roles_terms-and-concepts: the trust policy is the
role's resource-based policy), lower-cased."""

DEFAULT_SESSION_NAME = "iam-desktop-session"
_COMPILED_CACHE_LIMIT = 50000
_ORG_ROOT_ARN = re.compile(r"^arn:[a-z-]+:organizations::(\d{12}):root/")
_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_RCP_FULL_ACCESS = {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


class ModelPolicyError(AuthorizationError):
    """A policy stored in the model is not a valid policy of its kind; ``issues`` hold the parser's findings."""

    def __init__(self, where: str, error: PolicyParseError) -> None:
        self.where = where
        self.issues = error.issues
        super().__init__(f"{where} cannot be evaluated: {error}")


@dataclass(frozen=True)
class _IdentityParts:
    identity: tuple[NamedPolicy, ...]
    boundary: NamedPolicy | None
    scp_levels: tuple[tuple[NamedPolicy, ...], ...]


@dataclass(frozen=True)
class _ResourceParts:
    policy: NamedPolicy | None
    rule: ResourcePolicyRule
    rcp_levels: tuple[tuple[NamedPolicy, ...], ...]
    account_id: str | None


@dataclass(frozen=True)
class ColumnGroup:
    """Columns of an access-matrix row decided together: one account, partition, resource policy rule, RCP
    levels and request context; a column's resource may have its own resource policy."""

    parts: _ResourceParts
    context: Mapping[str, tuple[str, ...]]
    positions: tuple[int, ...]
    arns: tuple[str, ...]
    own_policies: tuple[tuple[int, CompiledPolicy], ...]
    """The columns whose resource has its own resource policy: (index in ``arns``, policy)."""


@dataclass(frozen=True)
class RowColumns:
    """One action's resource ARNs for access-matrix rows, grouped for :meth:`AuthorizationContext.decide_row`.

    Build it once with :meth:`AuthorizationContext.row_columns` and decide many callers' rows with it; it
    is valid until the workspace changes.
    """

    action: str
    size: int
    groups: tuple[ColumnGroup, ...]

    def subset(self, positions: Sequence[int]) -> RowColumns:
        """The columns at ``positions`` (in that order, renumbered from 0)."""
        index = {position: new for new, position in enumerate(positions)}
        groups = []
        for group in self.groups:
            kept = [(index[p], arn, at) for at, (p, arn) in enumerate(zip(group.positions, group.arns)) if p in index]
            if kept:
                policies = dict(group.own_policies)
                own = tuple((new, policies[at]) for new, (_, _, at) in enumerate(kept) if at in policies)
                groups.append(ColumnGroup(group.parts, group.context, tuple(p for p, _, _ in kept),
                                          tuple(arn for _, arn, _ in kept), own))
        return RowColumns(self.action, len(positions), tuple(groups))


class AuthorizationContext:
    """Builds the engine's Principal, Request and PolicySet for questions about a workspace.

    A caller's policy set holds its own inline and managed policies (and, for a user, its groups'),
    its permissions boundary, and one SCP level per organization level from the root down to its account.
    The resource side holds the resource-based policy of the modelled resource (the role trust policy for
    ``sts:AssumeRole*`` on a role, as a REQUIRED resource policy) and the RCP levels of the resource's account.
    AWS requires at least one SCP on every level and attaches ``FullAWSAccess`` by default, so a level with no
    SCP modelled gets that default, named "(default)" in explanations; a level whose attached SCPs allow nothing
    (``FullAWSAccess`` detached, only Deny SCPs left) allows nothing, as in AWS. ``RCPFullAWSAccess`` cannot be
    detached, so every RCP level gets it unless it is modelled. An organization with no SCP (RCP) anywhere above the account is treated as not governed. SCPs and RCPs do not apply to the management account (named with
    ``management_accounts``, or read from an imported organization root whose id is its ARN,
    ``arn:aws:organizations::MANAGEMENT:root/o-.../r-...``) and SCPs not to service-linked roles
    (path ``/aws-service-role/``).

    Compiled policy sets are cached and dropped when the workspace changes (the context subscribes to it;
    call :meth:`close` to stop listening).

    Parameters
    ----------
    workspace
        The model to answer questions about.
    management_accounts
        12-digit ids of organization management accounts (SCPs and RCPs do not apply to them).
    """

    def __init__(self, workspace: Workspace, management_accounts: frozenset[str] = frozenset()) -> None:
        self.workspace = workspace
        self.given_management_accounts = frozenset(management_accounts)
        self._management: frozenset[str] | None = None
        self.generation = 0
        self._documents: dict[tuple[str, str, str], PolicyDocument] = {}
        self._callers = CallerResolver(workspace)
        self._identity: dict[str, _IdentityParts] = {}
        self._resources: dict[tuple[str, bool], _ResourceParts] = {}
        self._compiled: dict[tuple[Any, ...], CompiledPolicySet] = {}
        self._levels: dict[tuple[str, PolicyType], tuple[tuple[NamedPolicy, ...], ...]] = {}
        workspace.subscribe(self._on_change)

    def close(self) -> None:
        """Stop following the workspace's changes."""
        self.workspace.unsubscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.kind is ChangeKind.PLACED:
            return
        self.generation += 1
        if change.kind is ChangeKind.RESET:
            self._documents.clear()
        else:  # parsed documents are keyed by their owner's id: only the changed owners' are parsed again
            changed = set(change.ids)
            for key in [k for k in self._documents if k[0] in changed]:
                del self._documents[key]
        self._callers.clear()
        self._identity.clear()
        self._resources.clear()
        self._compiled.clear()
        self._levels.clear()
        self._management = None

    @property
    def management_accounts(self) -> frozenset[str]:
        """The management accounts: those given, and those named by organization root ARNs in the model."""
        if self._management is None:
            found = set(self.given_management_accounts)
            for unit in self.workspace.entities.values():
                match = _ORG_ROOT_ARN.match(unit.id) if isinstance(unit, OrgUnit) and unit.parent is None else None
                if match:
                    found.add(match.group(1))
            self._management = frozenset(found)
        return self._management

    # ----- callers ---------------------------------------------------------------------------------------
    def caller(self, principal_id: str, session_name: str | None = None) -> Caller:
        """Resolve a caller given by model id, name, ARN, assumed-role session ARN, service name or ``*``.

        A compute resource (Lambda function, EC2 instance, ECS task) calls as a session of its run-as role.
        A role with ``session_name`` calls as that role session. Raises UnknownPrincipalError.
        """
        return self._callers.caller(principal_id, session_name)

    def entity_id_for(self, reference: str) -> str | None:
        """The model id of the entity a reference (id, ARN, or unique name) names, or None."""
        return self._callers.entity_id_for(reference)

    def principal(self, entity_id: str, session_name: str | None = None) -> Principal:
        """The engine's Principal for a model entity (or principal ARN); see :meth:`caller`."""
        return self.caller(entity_id, session_name).principal

    # ----- policies --------------------------------------------------------------------------------------
    def _document(self, key: tuple[str, str, str], source: Mapping[str, Any], policy_type: str,
                  where: str) -> PolicyDocument:
        found = self._documents.get(key)
        if found is not None:
            return found
        if source.get("Statement") == []:  # AWS refuses it, but a model may hold it: a policy granting nothing
            found = PolicyDocument(str(source.get("Version") or "") or None, (), source)
        else:
            try:
                found = parsed_policy(source, policy_type)
            except PolicyParseError as error:
                raise ModelPolicyError(where, error) from None
        self._documents[key] = found
        return found

    def _managed(self, policy_id: str, policy_type: str, source: str) -> NamedPolicy:
        policy = self.workspace.get(policy_id)
        assert isinstance(policy, ManagedPolicy)
        where = f"managed policy {policy.name!r}"
        document = self._document((policy_id, policy_type, ""), policy.document, policy_type, where)
        return NamedPolicy(policy.name, document, source, policy.id)

    def _owned_policies(self, owner: User | Group | Role, suffix: str = "") -> list[NamedPolicy]:
        kind = owner.kind.value
        found: list[NamedPolicy] = []
        for inline in owner.inline_policies:
            where = f"inline policy {inline.name!r} on {kind} {owner.name!r}"
            document = self._document((owner.id, "inline", inline.name), inline.document, "identity", where)
            found.append(NamedPolicy(inline.name, document, f"inline policy on {kind} {owner.name}{suffix}", owner.id))
        for policy_id in owner.managed_policies:
            name = self.workspace.get(policy_id).name
            found.append(self._managed(policy_id, "identity",
                                       f"managed policy {name} attached to {kind} {owner.name}{suffix}"))
        return found

    def _identity_parts(self, owner_id: str) -> _IdentityParts:
        found = self._identity.get(owner_id)
        if found is not None:
            return found
        owner = self.workspace.get(owner_id)
        assert isinstance(owner, (User, Role))
        policies = self._owned_policies(owner)
        if isinstance(owner, User):
            for group_id in owner.groups:
                group = self.workspace.get(group_id)
                assert isinstance(group, Group)
                policies += self._owned_policies(group, f" ({owner.name} is a member)")
        boundary = None
        if owner.permission_boundary:
            boundary = self._managed(owner.permission_boundary, "boundary",
                                     f"permissions boundary of {owner.kind.value} {owner.name}")
        service_linked = isinstance(owner, Role) and owner.path.startswith("/aws-service-role/")
        scp_levels = () if service_linked else self._organization_levels(owner.account, PolicyType.SCP)
        found = _IdentityParts(tuple(policies), boundary, scp_levels)
        self._identity[owner_id] = found
        return found

    def _organization_levels(self, account_entity_id: str | None, policy_type: PolicyType
                             ) -> tuple[tuple[NamedPolicy, ...], ...]:
        """One tuple of SCPs (RCPs) per level from the organization root down to the account (cached)."""
        if account_entity_id is None or account_entity_id not in self.workspace:
            return ()
        key = (account_entity_id, policy_type)
        if key not in self._levels:
            self._levels[key] = self._build_levels(account_entity_id, policy_type)
        return self._levels[key]

    def _build_levels(self, account_entity_id: str, policy_type: PolicyType) -> tuple[tuple[NamedPolicy, ...], ...]:
        account = self.workspace.get(account_entity_id)
        if not isinstance(account, Account) or account.parent is None:
            return ()
        if account.account_id in self.management_accounts:
            return ()
        chain: list[Account | OrgUnit] = [account]
        parent: str | None = account.parent
        while parent is not None:
            unit = self.workspace.get(parent)
            assert isinstance(unit, OrgUnit)
            chain.append(unit)
            parent = unit.parent
        chain.reverse()
        kind_name = policy_type.value.upper()
        policy_kind = "scp" if policy_type is PolicyType.SCP else "rcp"
        levels: list[tuple[NamedPolicy, ...]] = []
        for level in chain:
            where = "account" if isinstance(level, Account) else ("root" if level.parent is None else "OU")
            attached = [p for p in level.policies
                        if getattr(self.workspace.get(p), "policy_type", None) is policy_type]
            levels.append(tuple(self._managed(p, policy_kind, f"{kind_name} attached to {where} {level.name}")
                                for p in attached))
        if not any(levels):
            return ()
        default_name = "FullAWSAccess" if policy_type is PolicyType.SCP else "RCPFullAWSAccess"
        default = self._document(("default", policy_kind, ""),
                                 _FULL_ACCESS if policy_type is PolicyType.SCP else _RCP_FULL_ACCESS,
                                 policy_kind, default_name)
        def needs_default(level: tuple[NamedPolicy, ...]) -> bool:
            if policy_type is PolicyType.SCP:
                return not level
            return all(p.name != default_name for p in level)

        return tuple(
            (*level, NamedPolicy(f"{default_name} (default)", default,
                                 f"{default_name} on {chain[index].name}: AWS attaches it to every level by default "
                                 + ("unless another SCP is attached" if policy_type is PolicyType.SCP
                                    else "and it cannot be detached")))
            if needs_default(level) else level for index, level in enumerate(levels))

    def _resource_parts(self, action: str, resource_arn: str) -> _ResourceParts:
        is_trust = action.lower() in TRUST_POLICY_ACTIONS
        key = (resource_arn, is_trust)
        found = self._resources.get(key)
        if found is not None:
            return found
        entity = self._resource_entity(resource_arn)
        policy: NamedPolicy | None = None
        rule = ResourcePolicyRule.EITHER
        account_entity: str | None = None
        if isinstance(entity, Role):
            account_entity = entity.account
            if is_trust:
                where = f"trust policy of role {entity.name!r}"
                document = self._document((entity.id, "trust", ""), entity.trust_policy, "trust", where)
                policy = NamedPolicy(f"{entity.name} trust policy", document, f"trust policy of role {entity.name}",
                                     entity.id)
                rule = ResourcePolicyRule.REQUIRED
        elif isinstance(entity, Resource):
            account_entity = entity.account
            rtype = resource_type(entity.resource_type)
            if entity.policy is not None:
                label = rtype.policy_label or "resource policy"
                where = f"{label} of {entity.name!r}"
                document = self._document((entity.id, "resource", ""), entity.policy, "resource", where)
                policy = NamedPolicy(f"{entity.name} {label}", document, f"{label} of {entity.name}", entity.id)
            if rtype.policy_required:
                rule = ResourcePolicyRule.REQUIRED
        elif entity is not None:
            account_entity = getattr(entity, "account", None)
        account_id = self.workspace.account_id_of(account_entity) if account_entity else _account_in_arn(resource_arn)
        if account_entity is None and account_id is not None:
            modelled = self.workspace.account_by_number(account_id)
            account_entity = modelled.id if modelled else None
        found = _ResourceParts(policy, rule, self._organization_levels(account_entity, PolicyType.RCP), account_id)
        self._resources[key] = found
        return found

    def _resource_entity(self, resource_arn: str) -> Entity | None:
        entity = self._callers.entity_by_arn(resource_arn)
        if entity is None and resource_arn.startswith("arn:aws:s3:::") and "/" in resource_arn:
            entity = self._callers.entity_by_arn(resource_arn.split("/", 1)[0])
        return entity

    # ----- questions -------------------------------------------------------------------------------------
    def resolve(self, principal_id: str, as_session_of: str | None = None) -> Caller:
        """The caller; with ``as_session_of``, a session named after that principal (id, or ARN's last part)."""
        if as_session_of is None:
            return self.caller(principal_id)
        origin = self.workspace.entities.get(as_session_of)
        name = origin.name if origin is not None else as_session_of.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        return self.caller(principal_id, re.sub(r"[^\w+=,.@-]", "-", name)[:64] or DEFAULT_SESSION_NAME)

    def policy_set(self, principal_id: str, action: str, resource_arn: str,
                   as_session_of: str | None = None) -> PolicySet:
        """Every policy taking part when ``principal_id`` asks for ``action`` on ``resource_arn``."""
        return self._policy_set(self.resolve(principal_id, as_session_of), self._resource_parts(action, resource_arn))

    def _policy_set(self, caller: Caller, resource: _ResourceParts) -> PolicySet:
        identity = self._identity_parts(caller.policy_owner) if caller.policy_owner else _IdentityParts((), None, ())
        scp_levels: tuple[tuple[NamedPolicy, ...], ...] = identity.scp_levels
        if caller.policy_owner is None and caller.account_id is not None:
            modelled = self.workspace.account_by_number(caller.account_id)
            scp_levels = self._organization_levels(modelled.id, PolicyType.SCP) if modelled else ()
        return PolicySet(identity=identity.identity, resource_policy=resource.policy,
                         resource_policy_rule=resource.rule, permission_boundary=identity.boundary,
                         scp_levels=scp_levels, rcp_levels=resource.rcp_levels)

    def _compiled_for(self, caller: Caller, action: str, resource_arn: str) -> CompiledPolicySet:
        """The compiled policy set (cached until the workspace changes)."""
        return self._compiled_with(caller, self._resource_parts(action, resource_arn))

    def _compiled_with(self, caller: Caller, parts: _ResourceParts) -> CompiledPolicySet:
        """The compiled policy set of ``caller`` with the resource side ``parts`` (cached until a change)."""
        # The set depends on the caller's identity parts and the resource side only: resources sharing those
        # share one set (and its plans). ``parts`` live in ``_resources``, cleared with ``_compiled``, so the
        # ids below cannot be reused while the key is cached.
        key = (caller.policy_owner or caller.principal.arn, caller.principal.kind, caller.account_id,
               id(parts.policy), parts.rule, id(parts.rcp_levels))
        found = self._compiled.get(key)
        if found is None:
            found = compile_policies(self._policy_set(caller, parts))
            if len(self._compiled) >= _COMPILED_CACHE_LIMIT:
                self._compiled.clear()
            self._compiled[key] = found
        return found

    def request(self, principal_id: str, action: str, resource_arn: str,
                context: Mapping[str, tuple[str, ...]] | None = None, as_session_of: str | None = None) -> Request:
        """The engine's Request; ``aws:RequestedRegion`` defaults to the resource ARN's region (else the model's)."""
        return self._request(self.resolve(principal_id, as_session_of), action, resource_arn, context)

    def _request(self, caller: Caller, action: str, resource_arn: str,
                 context: Mapping[str, tuple[str, ...]] | None) -> Request:
        values = {key: tuple(value) for key, value in (context or {}).items()}
        if not any(key.lower() == "aws:requestedregion" for key in values):
            values["aws:RequestedRegion"] = (self._region_of(resource_arn),)
        account = self._resource_parts(action, resource_arn).account_id
        return Request(caller.principal, action, resource_arn, values, account)

    def _region_of(self, resource_arn: str) -> str:
        """The region a request on ``resource_arn`` goes to: the ARN's, else the model's (global resources)."""
        parts = resource_arn.split(":", 5)
        return parts[3] if len(parts) == 6 and parts[3] else self.workspace.region

    def evaluate(self, principal_id: str, action: str, resource_arn: str,
                 context: Mapping[str, tuple[str, ...]] | None = None, as_session_of: str | None = None) -> Evaluation:
        """Decide and explain whether ``principal_id`` may do ``action`` on ``resource_arn``.

        Parameters
        ----------
        principal_id
            A model id, name or ARN of a user, role, service principal, account or compute resource; a principal
            ARN outside the model (evaluated with no identity policies); an assumed-role session ARN; ``"*"``.
        action
            ``service:Action``.
        resource_arn
            The resource's ARN (modelled or not).
        context
            Condition keys to their values (``aws:CurrentTime`` and the like come from the caller).
        as_session_of
            For a role: the id (or ARN) of the principal that assumed it; the caller is then a role session
            named after that principal.

        Returns
        -------
        Evaluation
            The engine's explained decision. Raises AuthorizationError for unknown principals or broken policies.
        """
        return self.evaluate_caller(self.resolve(principal_id, as_session_of), action, resource_arn, context)

    def evaluate_caller(self, caller: Caller, action: str, resource_arn: str,
                        context: Mapping[str, tuple[str, ...]] | None = None) -> Evaluation:
        """:meth:`evaluate` for a caller already resolved with :meth:`caller`."""
        return evaluate(self._request(caller, action, resource_arn, context),
                        self._compiled_for(caller, action, resource_arn))

    def decide(self, principal_id: str, action: str, resource_arn: str,
               context: Mapping[str, tuple[str, ...]] | None = None, as_session_of: str | None = None) -> Decision:
        """The decision of :meth:`evaluate` without building its explanation (faster)."""
        return self.decide_caller(self.resolve(principal_id, as_session_of), action, resource_arn, context)

    def decide_caller(self, caller: Caller, action: str, resource_arn: str,
                      context: Mapping[str, tuple[str, ...]] | None = None) -> Decision:
        """:meth:`decide` for a caller already resolved with :meth:`caller`."""
        return decide(self._request(caller, action, resource_arn, context),
                      self._compiled_for(caller, action, resource_arn))

    def row_columns(self, action: str, resource_arns: Iterable[str],
                    context: Mapping[str, tuple[str, ...]] | None = None) -> RowColumns:
        """Group ``resource_arns`` (the columns of ``action`` in access-matrix rows) for :meth:`decide_row`.

        Columns sharing the account, partition, resource policy rule, RCP levels and request context
        (``aws:RequestedRegion`` from each ARN's region unless ``context`` gives it) form a group.
        """
        given = {key: tuple(value) for key, value in (context or {}).items()}
        region_given = any(key.lower() == "aws:requestedregion" for key in given)
        by_region: dict[str, Mapping[str, tuple[str, ...]]] = {}
        groups: dict[tuple[object, ...], tuple[_ResourceParts, Mapping[str, tuple[str, ...]], list[int], list[str],
                                               list[tuple[int, CompiledPolicy]]]] = {}
        size = 0
        for position, arn in enumerate(resource_arns):
            size += 1
            values: Mapping[str, tuple[str, ...]] = given
            if not region_given:
                region = self._region_of(arn)
                values = by_region.get(region) or by_region.setdefault(region, {**given, "aws:RequestedRegion": (region,)})
            parts = self._resource_parts(action, arn)
            key = (parts.rule, id(parts.rcp_levels), parts.account_id, partition_of(arn), id(values))
            group = groups.get(key)
            if group is None:
                shared = _ResourceParts(None, parts.rule, parts.rcp_levels, parts.account_id)
                group = groups[key] = (shared, values, [], [], [])
            if parts.policy is not None:
                group[4].append((len(group[3]), compile_named(parts.policy)))
            group[2].append(position)
            group[3].append(arn)
        return RowColumns(action, size, tuple(ColumnGroup(parts, values, tuple(positions), tuple(arns), tuple(own))
                                              for parts, values, positions, arns, own in groups.values()))

    def decide_row(self, caller: Caller, columns: RowColumns) -> list[Decision]:
        """:meth:`decide_caller` for one caller over ``columns`` (an access-matrix row), in their order, faster.

        Each group of columns is decided at once by a ``RowDecider``: what the caller's policies say is
        worked out once, and each resource costs only the tests of the statements naming specific resources
        and its own resource policy's statements.
        """
        decider = RowDecider()
        placed: list[tuple[int, Decision]] = []
        for group in columns.groups:
            request = Request(caller.principal, columns.action, group.arns[0], group.context, group.parts.account_id)
            decisions = decider.decide_group(request, self._compiled_with(caller, group.parts), group.arns,
                                             group.own_policies)
            placed.extend(zip(group.positions, decisions))
        placed.sort(key=itemgetter(0))
        return [decision for _, decision in placed]


def _account_in_arn(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and ACCOUNT_ID.match(parts[4]) else None
