"""The answer to an authorization question as data: decision, deciding stage and every statement's trace."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Decision(str, Enum):
    """The three outcomes of an AWS authorization decision."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


class Stage(str, Enum):
    """The evaluation stages, in the order AWS documents them (policy evaluation logic page)."""

    EXPLICIT_DENY = "explicit_deny"
    SCP = "scp"
    RCP = "rcp"
    RESOURCE_POLICY = "resource_policy"
    IDENTITY = "identity"
    PERMISSION_BOUNDARY = "permission_boundary"
    SESSION = "session"
    DEFAULT = "default"


class ConditionOutcome(str, Enum):
    """How one condition key test of a statement came out."""

    TRUE = "true"
    FALSE = "false"
    MISSING_KEY = "missing_key"
    ERROR = "error"


class MatchOutcome(str, Enum):
    """How a statement element (Action, Resource, Principal) compared with the request."""

    MATCH = "match"
    NO_MATCH = "no_match"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ConditionResult:
    """One ``operator: {key: values}`` test, with the values compared.

    ``holds`` is the truth value the statement used (a missing key under ``...IfExists`` holds, for example);
    ``outcome`` says why; ``message`` explains errors and missing keys in words.
    """

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    outcome: ConditionOutcome
    holds: bool
    message: str = ""


@dataclass(frozen=True)
class StatementResult:
    """One statement as the engine saw it for this request.

    ``applies`` is True when every element matched and every condition held: the statement's Effect counts.
    ``error`` is set when the statement could not be evaluated (it then does not apply, and says why).
    """

    policy_name: str
    policy_source: str
    policy_ref: str | None
    index: int
    sid: str | None
    effect: str
    action: MatchOutcome
    resource: MatchOutcome
    principal: MatchOutcome
    conditions: tuple[ConditionResult, ...]
    applies: bool
    error: str | None = None


class StageOutcome(str, Enum):
    """What a stage contributed to the decision."""

    ALLOW = "allow"
    DENY = "deny"
    NO_MATCH = "no_match"
    NOT_PRESENT = "not_present"


@dataclass(frozen=True)
class StageResult:
    """A stage with its policies' statements and what the stage concluded.

    ``note`` says in words why the stage mattered or not (e.g. "cross-account: the resource policy alone
    does not allow; the identity policy must allow too").
    """

    stage: Stage
    outcome: StageOutcome
    statements: tuple[StatementResult, ...]
    note: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The explained decision.

    ``deciding_stage`` is the stage that produced the decision; ``deciding_statements`` are the
    statements that determined it (the denying statements for an explicit deny, the allowing ones for
    an allow, empty for an implicit deny that nothing matched). ``errors`` lists statements that could
    not be evaluated, in words.
    """

    decision: Decision
    deciding_stage: Stage
    deciding_statements: tuple[StatementResult, ...]
    stages: tuple[StageResult, ...]
    reason: str
    errors: tuple[str, ...] = ()
