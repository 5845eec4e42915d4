"""Matching a caller against a Principal / NotPrincipal element, with the kind of grant it makes.

Source: reference_policies_elements_principal.md and reference_policies_elements_notprincipal.md.
An account id or ``arn:aws:iam::ID:root`` names the account (it delegates to the account's IAM
policies); a role ARN matches the role's sessions (limited by the role's boundary and session policies,
reference_policies_evaluation-logic.md), and so does the ARN of the IAM user behind a federated user
session (given as its ``role_arn``); a user, session or federated-user ARN, a service, a federated
provider and ``"*"`` name the caller directly; a CanonicalUser id (S3) is compared with the caller's
``arn``. Wildcards never match part of a principal ARN.
For NotPrincipal with Deny, a caller is excluded only when every identity in its chain is listed
(session ARN, role ARN and account for a role session; user ARN and account for a user); with Allow,
naming any identity of the chain excludes the caller (the conservative reading: never more access).
"""

from __future__ import annotations

import re
from enum import IntEnum

from iam_desktop.policy.context import is_federated_user_session
from iam_desktop.policy.document import PrincipalSpec
from iam_desktop.policy.request import Principal, PrincipalKind

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROOT_ARN = re.compile(r"^arn:[^:]+:iam::(\d{12}):root$")
_CACHE_LIMIT = 4096
_SESSION_KINDS = (PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED)
"""Callers whose ``role_arn`` names the identity behind the session (federated: only user sessions get here)."""


class PrincipalMatch(IntEnum):
    """How a Principal element named the caller; a higher value is a more direct grant."""

    NONE = 0
    ACCOUNT = 1
    ROLE = 2
    DIRECT = 3


def account_of(value: str) -> str | None:
    """Return the account id a principal value names as a whole account, or ``None``."""
    if _ACCOUNT_ID.match(value):
        return value
    found = _ROOT_ARN.match(value)
    return found.group(1) if found else None


def _principal_key(principal: Principal) -> tuple[str, str, str | None, str | None]:
    return (principal.arn, principal.kind.value, principal.account, principal.role_arn)


class CompiledPrincipal:
    """A Principal or NotPrincipal element ready to test callers (results cached per caller)."""

    __slots__ = ("spec", "wildcard", "_accounts", "_arns", "_services", "_federated", "_canonical", "_cache")

    def __init__(self, spec: PrincipalSpec) -> None:
        self.spec = spec
        aws_values = spec.entries.get("AWS", ())
        self.wildcard = spec.wildcard or "*" in aws_values
        self._accounts = frozenset(a for a in (account_of(v) for v in aws_values) if a is not None)
        self._arns = frozenset(v for v in aws_values if account_of(v) is None)
        self._services = frozenset(v.lower() for v in spec.entries.get("Service", ()))
        self._federated = frozenset(spec.entries.get("Federated", ()))
        self._canonical = frozenset(spec.entries.get("CanonicalUser", ()))
        self._cache: dict[tuple[str, str, str | None, str | None], PrincipalMatch] = {}

    def match(self, principal: Principal) -> PrincipalMatch:
        """Say whether (and how directly) this Principal element names ``principal``."""
        key = _principal_key(principal)
        found = self._cache.get(key)
        if found is None:
            found = self._match(principal)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _match(self, principal: Principal) -> PrincipalMatch:
        if self.wildcard:
            return PrincipalMatch.DIRECT
        kind = principal.kind
        if kind is PrincipalKind.SERVICE:
            return PrincipalMatch.DIRECT if principal.arn.lower() in self._services else PrincipalMatch.NONE
        if kind is PrincipalKind.ANONYMOUS:
            return PrincipalMatch.NONE
        if principal.arn in self._canonical:
            return PrincipalMatch.DIRECT
        if kind is PrincipalKind.FEDERATED and principal.arn in self._federated:
            return PrincipalMatch.DIRECT
        if kind is PrincipalKind.FEDERATED and not is_federated_user_session(principal):
            return PrincipalMatch.NONE
        if kind is PrincipalKind.ROLE:
            if principal.arn in self._arns:
                return PrincipalMatch.ROLE
        elif principal.arn in self._arns:
            return PrincipalMatch.DIRECT
        if kind in _SESSION_KINDS and principal.role_arn in self._arns:
            # a role session named by its role ARN, or a federated user session named by the ARN of the
            # IAM user who called GetFederationToken: limited by boundary and session policy (evaluation logic)
            return PrincipalMatch.ROLE
        if principal.account is not None and principal.account in self._accounts:
            return PrincipalMatch.DIRECT if kind is PrincipalKind.ACCOUNT_ROOT else PrincipalMatch.ACCOUNT
        return PrincipalMatch.NONE

    def excludes(self, principal: Principal, *, whole_chain: bool) -> bool:
        """For NotPrincipal: tell whether the caller is left out of the statement.

        With ``whole_chain`` (Deny statements) every identity of the caller's chain must be listed, as
        the NotPrincipal page requires; otherwise (Allow statements) one listed identity is enough, so
        an Allow never reaches a caller the element names.
        """
        if self.wildcard:
            return True
        kind = principal.kind
        if kind is PrincipalKind.ANONYMOUS:
            return False
        if kind is PrincipalKind.SERVICE:
            return principal.arn.lower() in self._services
        if kind is PrincipalKind.FEDERATED and not is_federated_user_session(principal):
            return principal.arn in self._federated
        chain_listed = [principal.account is not None and principal.account in self._accounts]
        if kind is not PrincipalKind.ACCOUNT_ROOT:
            chain_listed.append(principal.arn in self._arns)
        if kind is PrincipalKind.ROLE_SESSION or (kind is PrincipalKind.FEDERATED and principal.role_arn is not None):
            chain_listed.append(principal.role_arn is not None and principal.role_arn in self._arns)
        return all(chain_listed) if whole_chain else any(chain_listed)
