"""Wildcard matching of actions, ARNs and strings, compiled once per pattern and cached.

Actions (reference_policies_elements_action.md): case-insensitive, ``*`` and ``?`` anywhere.
Resources (reference_policies_elements_resource.md, reference_identifiers.md): case-sensitive; an ARN
is ``arn:partition:service:region:account:resource`` and wildcards in the first five segments do not
cross a ``:``, while the resource part may itself contain ``:`` and ``/`` and wildcards span them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from iam_desktop.policy.variables import Literal

Matcher = Callable[[str], bool]
"""A compiled test of one value against one pattern."""

_ARN_PREFIX_SEGMENTS = 5


def _always(_value: str) -> bool:
    return True


def _regex_body(parts: tuple[str | Literal, ...], arn_segments: bool) -> str:
    """Translate pattern parts to a regex body: ``*``/``?`` are wildcards in plain text only."""
    pieces: list[str] = []
    colons = 0
    for part in parts:
        if isinstance(part, Literal):
            pieces.append(re.escape(part.text))
            colons += part.text.count(":")
            continue
        for char in part:
            bounded = arn_segments and colons < _ARN_PREFIX_SEGMENTS
            if char == "*":
                pieces.append("[^:]*" if bounded else ".*")
            elif char == "?":
                pieces.append("[^:]" if bounded else ".")
            else:
                if char == ":":
                    colons += 1
                pieces.append(re.escape(char))
    return "".join(pieces)


@lru_cache(maxsize=65536)
def _regex_matcher(body: str, ignore_case: bool) -> Matcher:
    fullmatch = re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL).fullmatch
    return lambda value: fullmatch(value) is not None


def parts_matcher(parts: tuple[str | Literal, ...], *, arn_segments: bool, ignore_case: bool) -> Matcher:
    """Compile substituted pattern parts into a matcher (exact comparison when there is no wildcard)."""
    if len(parts) == 1 and isinstance(parts[0], str):
        return wildcard_matcher(parts[0], arn_segments=arn_segments, ignore_case=ignore_case)
    return _regex_matcher(_regex_body(parts, arn_segments), ignore_case)


@lru_cache(maxsize=65536)
def wildcard_matcher(pattern: str, *, arn_segments: bool, ignore_case: bool) -> Matcher:
    """Compile one wildcard pattern (no variables) into a cached matcher.

    With ``ignore_case`` the matcher expects the value already lower-cased when the pattern has no
    wildcard (exact comparison against the lower-cased pattern).
    """
    if pattern == "*":
        return _always
    if "*" not in pattern and "?" not in pattern:
        expected = pattern.lower() if ignore_case else pattern
        return expected.__eq__
    trailing_star_only = pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern
    if trailing_star_only and (not arn_segments or pattern.count(":") >= _ARN_PREFIX_SEGMENTS):
        # "s3:Get*" or "arn:aws:s3:::bucket/*": the star sits where it may span anything, a prefix test does
        prefix = pattern[:-1].lower() if ignore_case else pattern[:-1]
        return lambda value: value.startswith(prefix)
    return _regex_matcher(_regex_body((pattern,), arn_segments), ignore_case)


def action_matcher(pattern: str) -> Matcher:
    """Return a matcher of lower-cased action names (``s3:getobject``) for an Action entry."""
    return wildcard_matcher(pattern.lower(), arn_segments=False, ignore_case=True)


def action_matches(pattern: str, action: str) -> bool:
    """Tell whether an Action entry matches an action, as IAM compares them.

    Parameters
    ----------
    pattern
        An Action / NotAction entry: ``"*"``, ``"s3:Get*"``, ``"iam:?etUser"``.
    action
        The requested action, e.g. ``"s3:GetObject"``.

    Returns
    -------
    bool
        True when they match (case-insensitively; ``*`` any run of characters, ``?`` one character).
    """
    return action_matcher(pattern)(action.lower())


def arn_matcher(pattern: str) -> Matcher:
    """Return a matcher of ARNs for one Resource entry (or ArnLike value) without variables."""
    return wildcard_matcher(pattern, arn_segments=True, ignore_case=False)


def arn_matches(pattern: str, arn: str) -> bool:
    """Tell whether a Resource entry (or ``ArnLike`` value) matches an ARN, segment by segment.

    Parameters
    ----------
    pattern
        ``"*"``, or an ARN that may hold ``*`` / ``?``: ``"arn:aws:s3:::bucket/*"``, ``"arn:aws:iam::*:role/x"``.
    arn
        The resource's ARN.

    Returns
    -------
    bool
        True when every segment matches; case-sensitive. Wildcards in partition, service, region and
        account stay within their segment; in the resource part they also span ``:`` and ``/``.
    """
    return arn_matcher(pattern)(arn)
