"""Access paths over a model (the only networkx user): can, who-can, what-can, matrix, escalations."""

from iam_desktop.graph.access import AccessGraph, resource_arn_for
from iam_desktop.graph.answers import AccessAnswer, AccessMatrix, AccessPath, EscalationFinding, Hop
from iam_desktop.graph.assume import DEFAULT_MAX_DEPTH
from iam_desktop.graph.escalation import PATTERNS

__all__ = [
    "DEFAULT_MAX_DEPTH", "PATTERNS", "AccessAnswer", "AccessGraph", "AccessMatrix", "AccessPath",
    "EscalationFinding", "Hop", "resource_arn_for",
]
