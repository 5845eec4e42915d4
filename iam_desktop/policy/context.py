"""The request context a policy sees: the caller's keys plus the keys AWS derives from the principal.

Derived keys follow reference_policies_condition-keys.md and reference_policies_variables.md:
``aws:username`` (IAM users only), ``aws:userid``, ``aws:PrincipalArn`` (for a role session the ARN of
the role, not of the session), ``aws:PrincipalAccount``, ``aws:PrincipalTag/<key>``, ``aws:PrincipalType``,
``aws:PrincipalIsAWSService`` and ``aws:PrincipalServiceName``. Values follow the "Principal key values"
table of the variables page (root: userid is the account id; federated user: ``account:name``;
anonymous: userid and PrincipalAccount are ``anonymous``). Keys given in the request win.
"""

from __future__ import annotations

from typing import Mapping

from iam_desktop.policy.request import Principal, PrincipalKind, Request

Context = dict[str, tuple[str, ...]]

_PRINCIPAL_TYPES = {
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE: "AssumedRole",
    PrincipalKind.ROLE_SESSION: "AssumedRole",
    PrincipalKind.ACCOUNT_ROOT: "Account",
    PrincipalKind.ANONYMOUS: "Anonymous",
}

_derived_cache: dict[int, tuple[Principal, Mapping[str, tuple[str, ...]]]] = {}
_DERIVED_CACHE_LIMIT = 4096


def is_federated_user_session(principal: Principal) -> bool:
    """Tell whether the caller is an STS federated user session (``GetFederationToken``)."""
    return principal.kind is PrincipalKind.FEDERATED and ":federated-user/" in principal.arn


def derived_keys(principal: Principal) -> Mapping[str, tuple[str, ...]]:
    """Return the context keys AWS derives from ``principal`` (lower-cased keys), cached per principal."""
    cached = _derived_cache.get(id(principal))
    if cached is not None and cached[0] is principal:
        return cached[1]
    keys: Context = {}
    kind = principal.kind
    if kind is PrincipalKind.USER:
        keys["aws:username"] = (principal.arn.rsplit("/", 1)[-1],)
    if principal.user_id:
        keys["aws:userid"] = (principal.user_id,)
    elif kind is PrincipalKind.ACCOUNT_ROOT and principal.account:
        keys["aws:userid"] = (principal.account,)
    elif kind is PrincipalKind.ANONYMOUS:
        keys["aws:userid"] = ("anonymous",)
    elif is_federated_user_session(principal) and principal.account:
        keys["aws:userid"] = (f"{principal.account}:{principal.arn.rsplit('/', 1)[-1]}",)
    if kind is PrincipalKind.ROLE_SESSION and principal.role_arn:
        keys["aws:principalarn"] = (principal.role_arn,)
    elif kind in (PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ACCOUNT_ROOT) or is_federated_user_session(
        principal
    ):
        keys["aws:principalarn"] = (principal.arn,)
    if principal.account:
        keys["aws:principalaccount"] = (principal.account,)
    elif kind is PrincipalKind.ANONYMOUS:
        keys["aws:principalaccount"] = ("anonymous",)
    for tag_key, tag_value in principal.tags.items():
        keys[f"aws:principaltag/{tag_key.lower()}"] = (tag_value,)
    if kind in _PRINCIPAL_TYPES:
        keys["aws:principaltype"] = (_PRINCIPAL_TYPES[kind],)
    elif is_federated_user_session(principal):
        keys["aws:principaltype"] = ("FederatedUser",)
    if kind is PrincipalKind.SERVICE:
        keys["aws:principalisawsservice"] = ("true",)
        keys["aws:principalservicename"] = (principal.arn,)
    elif kind is not PrincipalKind.ANONYMOUS:
        keys["aws:principalisawsservice"] = ("false",)
    if len(_derived_cache) >= _DERIVED_CACHE_LIMIT:
        _derived_cache.clear()
    _derived_cache[id(principal)] = (principal, keys)
    return keys


def request_context(request: Request) -> Context:
    """Build the full context of ``request``: given keys (lower-cased) over derived ones.

    A value given as a bare string (instead of a tuple of strings) counts as one value.
    """
    context: Context = dict(derived_keys(request.principal))
    for key, values in request.context.items():
        context[key.lower()] = (values,) if isinstance(values, str) else tuple(values)
    return context
