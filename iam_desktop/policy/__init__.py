"""The policy engine's public API: parse IAM policies, match, and evaluate requests with explanations."""

from iam_desktop.policy.compiled import CompiledPolicySet, compile_policies
from iam_desktop.policy.document import (
    ConditionClause,
    PolicyDocument,
    PolicyIssue,
    PolicyParseError,
    PrincipalSpec,
    Statement,
)
from iam_desktop.policy.engine import decide, evaluate
from iam_desktop.policy.explanation import (
    ConditionOutcome,
    ConditionResult,
    Decision,
    Evaluation,
    MatchOutcome,
    Stage,
    StageOutcome,
    StageResult,
    StatementResult,
)
from iam_desktop.policy.matching import action_matches, arn_matches
from iam_desktop.policy.parse import POLICY_TYPES, parse_policy
from iam_desktop.policy.request import (
    NamedPolicy,
    PolicyRole,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    ResourcePolicyRule,
)
from iam_desktop.policy.size import size_issues

__all__ = [
    "POLICY_TYPES",
    "CompiledPolicySet",
    "ConditionClause",
    "ConditionOutcome",
    "ConditionResult",
    "Decision",
    "Evaluation",
    "MatchOutcome",
    "NamedPolicy",
    "PolicyDocument",
    "PolicyIssue",
    "PolicyParseError",
    "PolicyRole",
    "PolicySet",
    "Principal",
    "PrincipalKind",
    "PrincipalSpec",
    "Request",
    "ResourcePolicyRule",
    "Stage",
    "StageOutcome",
    "StageResult",
    "Statement",
    "StatementResult",
    "action_matches",
    "arn_matches",
    "compile_policies",
    "decide",
    "evaluate",
    "parse_policy",
    "size_issues",
]
