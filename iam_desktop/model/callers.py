"""Who is asking: callers resolved from model ids, names, ARNs, session ARNs, service names or ``*``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from iam_desktop.model.entities import Account, Entity, Resource, Role, ServicePrincipal, User
from iam_desktop.model.resource_types import resource_type
from iam_desktop.model.workspace import Workspace
from iam_desktop.policy import Principal, PrincipalKind

ACCOUNT_ID = re.compile(r"^\d{12}$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.(amazonaws\.com|amazonaws\.com\.cn|aws\.internal)$")
_IAM_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<rest>.+)$")


class AuthorizationError(ValueError):
    """A question the model cannot turn into an engine request; the message says what and why."""


class UnknownPrincipalError(AuthorizationError):
    """The caller is neither in the model nor a well-formed principal ARN, service name or ``*``."""


@dataclass(frozen=True)
class Caller:
    """A resolved caller: the engine's Principal and the model entity whose policies apply.

    ``policy_owner`` is the id of the user or role whose identity policies, boundary and account apply
    (None for callers outside the model, services and anonymous callers). ``account_id`` is the caller's
    12-digit account.
    """

    principal: Principal
    policy_owner: str | None
    account_id: str | None
    label: str


class CallerResolver:
    """Resolves callers of a workspace, cached until :meth:`clear` (call it after every model change)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._cache: dict[tuple[str, str | None], Caller] = {}
        self._arn_index: dict[str, str] | None = None

    def clear(self) -> None:
        """Forget every resolved caller and the ARN index."""
        self._cache.clear()
        self._arn_index = None

    def caller(self, principal_id: str, session_name: str | None = None) -> Caller:
        """Resolve a caller given by model id, name, ARN, assumed-role session ARN, service name or ``*``.

        A compute resource (Lambda function, EC2 instance, ECS task) calls as a session of its run-as role.
        A role with ``session_name`` calls as that role session. Raises UnknownPrincipalError.
        """
        key = (principal_id, session_name)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(principal_id, session_name)
            self._cache[key] = found
        return found

    def entity_id_for(self, reference: str) -> str | None:
        """The model id of the entity a reference (id, ARN, or unique name) names, or None."""
        if reference in self.workspace.entities:
            return reference
        entity = self.entity_by_arn(reference) or self.workspace.find(reference)
        return entity.id if entity is not None else None

    def _resolve(self, ref: str, session_name: str | None) -> Caller:
        ws = self.workspace
        entity = ws.entities.get(ref) or self.entity_by_arn(ref)
        if entity is None and not ref.startswith("arn:") and ref != "*" and not _SERVICE.match(ref):
            entity = ws.find(ref)
        if entity is not None:
            return self._caller_for_entity(entity, session_name)
        if ref == "*":
            return Caller(Principal("*", PrincipalKind.ANONYMOUS), None, None, "anonymous caller")
        if _SERVICE.match(ref):
            return Caller(Principal(ref, PrincipalKind.SERVICE), None, None, f"service {ref}")
        if ACCOUNT_ID.match(ref):
            ref = f"arn:aws:iam::{ref}:root"
        return self._caller_for_arn(ref, session_name)

    def _caller_for_entity(self, entity: Entity, session_name: str | None) -> Caller:
        ws = self.workspace
        if isinstance(entity, User):
            account = ws.account_id_of(entity.account)
            principal = Principal(ws.arn_of(entity.id), PrincipalKind.USER, account, tags=dict(entity.tags),
                                  user_id=entity.user_id or f"AIDA{entity.id}")
            return Caller(principal, entity.id, account, f"user {entity.name}")
        if isinstance(entity, Role):
            return self._role_caller(entity, session_name)
        if isinstance(entity, ServicePrincipal):
            return Caller(Principal(entity.name, PrincipalKind.SERVICE), None, None, f"service {entity.name}")
        if isinstance(entity, Account):
            principal = Principal(ws.arn_of(entity.id), PrincipalKind.ACCOUNT_ROOT, entity.account_id)
            return Caller(principal, None, entity.account_id, f"root user of account {entity.name}")
        if isinstance(entity, Resource) and entity.runs_as:
            role = ws.get(entity.runs_as)
            assert isinstance(role, Role)
            return self._role_caller(role, session_name or entity.name)
        if isinstance(entity, Resource):
            raise UnknownPrincipalError(f"{entity.name!r} is a {resource_type(entity.resource_type).label} that runs "
                                        "as no role, so it cannot make requests")
        kind = entity.kind.value.replace("_", " ")
        raise UnknownPrincipalError(f"{entity.name!r} is a {kind}, which cannot make requests (only users, roles, "
                                    "services, accounts and compute resources can)")

    def _role_caller(self, role: Role, session_name: str | None) -> Caller:
        ws = self.workspace
        account = ws.account_id_of(role.account)
        role_arn = ws.arn_of(role.id)
        role_id = role.role_id or f"AROA{role.id}"
        if session_name is None:
            principal = Principal(role_arn, PrincipalKind.ROLE, account, tags=dict(role.tags), user_id=role_id)
            return Caller(principal, role.id, account, f"role {role.name}")
        session_arn = f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}"
        principal = Principal(session_arn, PrincipalKind.ROLE_SESSION, account, role_arn=role_arn,
                              tags=dict(role.tags), user_id=f"{role_id}:{session_name}")
        return Caller(principal, role.id, account, f"session {session_name} of role {role.name}")

    def _caller_for_arn(self, arn: str, session_name: str | None) -> Caller:
        match = _IAM_ARN.match(arn)
        if match is None:
            if arn.startswith("arn:"):
                raise UnknownPrincipalError(
                    f"{arn!r} is not a principal ARN (expected arn:aws:iam::ACCOUNT:user/NAME, "
                    "arn:aws:iam::ACCOUNT:role/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or "
                    "arn:aws:iam::ACCOUNT:root)")
            raise UnknownPrincipalError(f"no user, role, service or account named {arn!r} in the model")
        service, account, rest = match["service"], match["account"], match["rest"]
        resource_kind, _, name_part = rest.partition("/")
        if service == "iam" and rest == "root":
            return Caller(Principal(arn, PrincipalKind.ACCOUNT_ROOT, account), None, account,
                          f"root user of account {account}")
        if service == "iam" and resource_kind == "user" and name_part:
            return Caller(Principal(arn, PrincipalKind.USER, account), None, account, f"user {arn} (not modelled)")
        if service == "iam" and resource_kind == "role" and name_part:
            if session_name is None:
                return Caller(Principal(arn, PrincipalKind.ROLE, account), None, account, f"role {arn} (not modelled)")
            session = f"arn:aws:sts::{account}:assumed-role/{name_part.rsplit('/', 1)[-1]}/{session_name}"
            return Caller(Principal(session, PrincipalKind.ROLE_SESSION, account, role_arn=arn), None, account,
                          f"session {session_name} of role {arn} (not modelled)")
        if service == "sts" and resource_kind == "assumed-role" and name_part.count("/") == 1:
            role_name, session = name_part.split("/")
            role = self._role_named(account, role_name)
            if role is not None:
                return self._role_caller(role, session)
            role_arn = f"arn:aws:iam::{account}:role/{role_name}"
            return Caller(Principal(arn, PrincipalKind.ROLE_SESSION, account, role_arn=role_arn), None, account,
                          f"session {session} of role {role_arn} (not modelled)")
        if service == "sts" and resource_kind == "federated-user" and name_part:
            return Caller(Principal(arn, PrincipalKind.FEDERATED, account), None, account, f"federated user {arn}")
        if service == "iam" and resource_kind in ("saml-provider", "oidc-provider") and name_part:
            return Caller(Principal(arn, PrincipalKind.FEDERATED), None, None, f"identity provider {arn}")
        raise UnknownPrincipalError(f"{arn!r} is not a principal ARN (a user, role, assumed-role session, "
                                    "federated user or account root)")

    def _role_named(self, account_id: str, name: str) -> Role | None:
        for role in self.workspace.roles():
            if role.name == name and self.workspace.account_id_of(role.account) == account_id:
                return role
        return None

    def entity_by_arn(self, arn: str) -> Entity | None:
        """The modelled entity whose ARN is ``arn``, or None."""
        if self._arn_index is None:
            ws = self.workspace
            self._arn_index = {ws.arn_of(entity_id): entity_id for entity_id in ws.entities}
        entity_id = self._arn_index.get(arn)
        return self.workspace.entities.get(entity_id) if entity_id else None
