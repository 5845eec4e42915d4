"""Policy variables (``${aws:username}``, ``${key, 'default'}``, ``${*}``) parsed into templates and substituted.

Rules from reference_policies_variables.md: variables are replaced only in documents with
``"Version": "2012-10-17"``, in the Resource element and in condition values; ``${*}``, ``${?}`` and
``${$}`` stand for the literal characters; a default (``${aws:PrincipalTag/team, 'company-wide'}``)
is used when the key is missing; a key that is missing without a default, or that has several values,
makes that entry not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Variable:
    """A ``${key}`` reference; ``key`` is lower-cased (context keys are case-insensitive)."""

    key: str
    default: str | None
    text: str


@dataclass(frozen=True)
class Literal:
    """Text that must match literally, even ``*`` and ``?`` (from ``${*}`` or a substituted value)."""

    text: str


TemplatePart = str | Variable | Literal
"""A piece of a value: plain policy text (wildcards keep their meaning), a variable, or literal text."""


def parse_template(text: str) -> tuple[TemplatePart, ...]:
    """Split ``text`` into plain text, ``${...}`` variables and ``${*}``-style literals.

    Parameters
    ----------
    text
        A Resource entry or condition value from a 2012-10-17 document.

    Returns
    -------
    tuple
        The parts in order; a text without ``${`` gives a single ``str`` part.
    """
    if "${" not in text:
        return (text,)
    parts: list[TemplatePart] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            parts.append(text[position : found.start()])
        body = found.group(1)
        if body in _SPECIAL:
            parts.append(Literal(_SPECIAL[body]))
        else:
            with_default = _DEFAULT.match(body)
            if with_default:
                parts.append(Variable(with_default.group(1).lower(), with_default.group(2), found.group(0)))
            else:
                parts.append(Variable(body.strip().lower(), None, found.group(0)))
        position = found.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def has_variables(parts: tuple[TemplatePart, ...]) -> bool:
    """Tell whether any part needs substitution or literal escaping."""
    return any(not isinstance(part, str) for part in parts)


def variable_keys(parts: tuple[TemplatePart, ...]) -> tuple[str, ...]:
    """Return the (lower-cased) context keys the template refers to."""
    return tuple(part.key for part in parts if isinstance(part, Variable))


def substitute(
    parts: tuple[TemplatePart, ...], context: Mapping[str, tuple[str, ...]]
) -> tuple[str | Literal, ...] | None:
    """Replace each variable with its single context value (or default) as literal text.

    Returns ``None`` when a variable's key is missing without a default or has several values:
    AWS then treats the entry as not matching.
    """
    resolved: list[str | Literal] = []
    for part in parts:
        if isinstance(part, Variable):
            values = context.get(part.key)
            if values is None or len(values) == 0:
                if part.default is None:
                    return None
                resolved.append(Literal(part.default))
            elif len(values) == 1:
                resolved.append(Literal(values[0]))
            else:
                return None
        else:
            resolved.append(part)
    return tuple(resolved)


def joined_text(parts: tuple[str | Literal, ...]) -> str:
    """Join substituted parts into the plain value (for operators without wildcards)."""
    return "".join(part.text if isinstance(part, Literal) else part for part in parts)
