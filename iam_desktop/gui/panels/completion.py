"""The words the policy editor completes: action names and condition keys from the catalog, element names."""

from __future__ import annotations

from functools import lru_cache

from iam_desktop.catalog import default_catalog
from iam_desktop.gui.panels.json_highlighter import POLICY_ELEMENTS

CONDITION_OPERATORS: tuple[str, ...] = tuple(
    f"{base}{suffix}"
    for base in (
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
        "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
        "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
        "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
    )
    for suffix in ("", "IfExists")
) + ("Null",)

_WORD_VALUES = ("Allow", "Deny", "2012-10-17", "AWS", "Service", "Federated")


def string_prefix(line_before_cursor: str) -> str | None:
    """The part of the JSON string the cursor is in, typed so far; ``None`` outside a string.

    Parameters
    ----------
    line_before_cursor
        The text of the cursor's line up to the cursor.
    """
    quotes = [i for i, ch in enumerate(line_before_cursor) if ch == '"' and (i == 0 or line_before_cursor[i - 1] != "\\")]
    if len(quotes) % 2 == 0:
        return None
    return line_before_cursor[quotes[-1] + 1:]


@lru_cache(maxsize=64)
def _service_words(service: str) -> tuple[str, ...]:
    catalog = default_catalog()
    if service == "aws":
        return tuple(sorted(catalog.condition_keys(), key=str.lower))
    if not catalog.is_known_service(service):
        return ()
    actions = [f"{service}:{name}" for name in catalog.actions(service)]
    keys = [key for key in catalog.condition_keys(service) if key.lower().startswith(f"{service}:")]
    return tuple(sorted(set(actions) | set(keys), key=str.lower))


@lru_cache(maxsize=1)
def _top_words() -> tuple[str, ...]:
    prefixes = [f"{prefix}:" for prefix in default_catalog().service_prefixes()]
    words = set(POLICY_ELEMENTS) | set(CONDITION_OPERATORS) | set(_WORD_VALUES) | set(prefixes) | {"aws:"}
    return tuple(sorted(words, key=str.lower))


def completions(prefix: str) -> tuple[str, ...]:
    """The candidate words for what was typed so far inside a JSON string.

    With a ``service:`` prefix: that service's actions (``s3:GetObject``) and condition keys, or the global
    ``aws:`` condition keys; otherwise policy element names, condition operators, common values and
    service prefixes. The completer filters the list by the typed prefix.
    """
    service, colon, _ = prefix.partition(":")
    if colon:
        return _service_words(service.lower())
    return _top_words()
