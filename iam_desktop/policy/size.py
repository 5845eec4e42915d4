"""AWS size limits of policies (non-whitespace characters) and the warnings when a policy exceeds them.

Limits from reference_iam-quotas (IAM and STS quotas) and the Organizations quotas page: inline user
policies 2,048, inline group policies 5,120, inline role policies 10,240, managed policies (and so
permissions boundaries) 6,144, role trust policies 2,048 by default, session policies 2,048, SCPs and
RCPs 5,120 characters. IAM does not count white space.
"""

from __future__ import annotations

import json

from iam_desktop.policy.document import PolicyDocument, PolicyIssue

_IDENTITY_LIMITS = {"user": 2048, "group": 5120, "role": 10240, "managed": 6144}
_TYPE_LIMITS = {"boundary": 6144, "trust": 2048, "session": 2048, "scp": 5120, "rcp": 5120}
_LARGEST_IDENTITY_LIMIT = max(_IDENTITY_LIMITS.values())


def policy_size(document: PolicyDocument) -> int:
    """Count the policy's characters as IAM does: everything except white space outside of strings."""
    compact = json.dumps(document.raw, separators=(",", ":"), ensure_ascii=False)
    return len("".join(compact.split()))  # str.split() splits on exactly the characters isspace() accepts


def size_limit(policy_type: str, attached_to: str | None = None) -> int | None:
    """Return the character limit for a policy type (and, for identity policies, where it is attached).

    ``attached_to`` is ``"user"``, ``"group"``, ``"role"`` (inline policies) or ``"managed"``; for an
    identity policy without it the largest identity limit (inline role policy) is used. Resource-based
    policies have service-specific limits and give ``None``.
    """
    if policy_type == "identity":
        return _IDENTITY_LIMITS.get(attached_to or "", _LARGEST_IDENTITY_LIMIT)
    return _TYPE_LIMITS.get(policy_type)


def size_issues(document: PolicyDocument, policy_type: str, attached_to: str | None = None) -> tuple[PolicyIssue, ...]:
    """Return a warning when the policy is over AWS's size limit for its type and attachment.

    Parameters
    ----------
    document
        The parsed policy.
    policy_type
        One of the :func:`parse_policy` types.
    attached_to
        For identity policies: ``"user"``, ``"group"``, ``"role"`` (inline) or ``"managed"``.

    Returns
    -------
    tuple of PolicyIssue
        Empty when the policy fits (or the type has no general limit).
    """
    limit = size_limit(policy_type, attached_to)
    size = policy_size(document)
    if limit is None or size <= limit:
        return ()
    where = f"{attached_to} " if attached_to else ""
    message = f"the policy has {size} non-whitespace characters; AWS allows {limit} for a {where}{policy_type} policy"
    return (PolicyIssue("warning", message),)
