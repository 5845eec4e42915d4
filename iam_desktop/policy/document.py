"""A parsed IAM policy document: statements with their elements normalised to tuples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class PolicyIssue:
    """An error or warning about a policy document, with the place it concerns.

    ``path`` is the JSON path (``Statement[1].Condition.StringEquals``); ``line`` / ``column`` are
    1-based positions in the source text when the document was parsed from text.
    """

    severity: str  # "error" or "warning"
    message: str
    path: str = ""
    statement_index: int | None = None
    sid: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        place = self.path or "document"
        if self.sid:
            place += f" (Sid {self.sid!r})"
        if self.line is not None:
            place += f" at line {self.line}, column {self.column or 1}"
        return f"{self.severity}: {place}: {self.message}"


class PolicyParseError(ValueError):
    """A policy document AWS would reject; ``issues`` holds every error found, each with its place."""

    def __init__(self, issues: tuple[PolicyIssue, ...]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


@dataclass(frozen=True)
class PrincipalSpec:
    """The value of a Principal or NotPrincipal element.

    ``wildcard`` is True for ``"*"`` and ``{"AWS": "*"}``. ``entries`` maps the principal type
    (``AWS``, ``Service``, ``Federated``, ``CanonicalUser``) to its values as written.
    """

    wildcard: bool
    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConditionClause:
    """One key test inside a Condition block: ``{operator: {key: values}}``."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of each pair (actions / not_actions, ...) is set when present."""

    index: int
    sid: str | None
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    conditions: tuple[ConditionClause, ...] = ()


@dataclass(frozen=True)
class PolicyDocument:
    """A validated policy: its statements, the JSON it came from, and warnings that did not stop it."""

    version: str | None
    statements: tuple[Statement, ...]
    raw: Mapping[str, Any]
    policy_id: str | None = None
    warnings: tuple[PolicyIssue, ...] = ()
