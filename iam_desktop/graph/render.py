"""Access answers rendered as JSON-ready data and as readable text (for the CLI and for reports)."""

from __future__ import annotations

from typing import Any

from iam_desktop.graph.answers import AccessAnswer, AccessPath, EscalationFinding, Hop
from iam_desktop.model.workspace import Workspace
from iam_desktop.policy import (
    ConditionOutcome, ConditionResult, Evaluation, MatchOutcome, StageOutcome, StatementResult,
)


def _label(workspace: Workspace, entity_id: str) -> str:
    entity = workspace.entities.get(entity_id)
    return f"{entity.kind.value.replace('_', ' ')} {entity.name}" if entity is not None else entity_id


def _arn(workspace: Workspace, entity_id: str) -> str:
    return workspace.arn_of(entity_id) if entity_id in workspace else entity_id


def condition_json(condition: ConditionResult) -> dict[str, Any]:
    """One condition test as data."""
    return {"operator": condition.operator, "key": condition.key, "policy_values": list(condition.policy_values),
            "request_values": None if condition.request_values is None else list(condition.request_values),
            "outcome": condition.outcome.value, "holds": condition.holds, "message": condition.message}


def statement_json(statement: StatementResult) -> dict[str, Any]:
    """One statement's trace as data."""
    return {"policy": statement.policy_name, "source": statement.policy_source, "ref": statement.policy_ref,
            "index": statement.index, "sid": statement.sid, "effect": statement.effect,
            "action": statement.action.value, "resource": statement.resource.value,
            "principal": statement.principal.value, "applies": statement.applies, "error": statement.error,
            "conditions": [condition_json(c) for c in statement.conditions]}


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """An explained decision as data: decision, deciding stage and statements, every stage's statements."""
    return {"decision": evaluation.decision.value, "deciding_stage": evaluation.deciding_stage.value,
            "reason": evaluation.reason,
            "deciding_statements": [statement_json(s) for s in evaluation.deciding_statements],
            "stages": [{"stage": stage.stage.value, "outcome": stage.outcome.value, "note": stage.note,
                        "statements": [statement_json(s) for s in stage.statements]} for stage in evaluation.stages],
            "errors": list(evaluation.errors)}


def hop_json(hop: Hop, workspace: Workspace) -> dict[str, Any]:
    """One step of a path as data."""
    return {"source": hop.source_id, "source_arn": _arn(workspace, hop.source_id), "target": hop.target_id,
            "target_arn": _arn(workspace, hop.target_id), "kind": hop.kind, "edge_key": hop.edge_key,
            "reason": hop.reason,
            "decision": hop.evaluation.decision.value if hop.evaluation is not None else None}


def path_json(path: AccessPath, workspace: Workspace) -> dict[str, Any]:
    """An access path as data: its hops and the final request's decision and explanation."""
    return {"hops": [hop_json(h, workspace) for h in path.hops], "decision": path.decision.value,
            "reason": path.final.reason, "explanation": evaluation_json(path.final)}


def answer_json(answer: AccessAnswer, workspace: Workspace) -> dict[str, Any]:
    """An answer as one JSON object: the own decision, ``allowed`` (own or any path), paths, explanation."""
    return {"principal": answer.principal_id, "principal_arn": _arn(workspace, answer.principal_id),
            "action": answer.action, "resource": answer.resource,
            "decision": answer.evaluation.decision.value, "allowed": answer.allowed,
            "best_decision": answer.decision.value, "reason": answer.evaluation.reason,
            "explanation": evaluation_json(answer.evaluation),
            "paths": [path_json(p, workspace) for p in answer.paths]}


def finding_json(finding: EscalationFinding, workspace: Workspace) -> dict[str, Any]:
    """An escalation finding as data."""
    return {"principal": finding.principal_id, "principal_arn": _arn(workspace, finding.principal_id),
            "pattern": finding.pattern, "description": finding.description, "target": finding.target_id,
            "target_arn": _arn(workspace, finding.target_id), "actions": list(finding.actions),
            "reason": finding.edge_reason}


_MARKS = {MatchOutcome.MATCH: "matches", MatchOutcome.NO_MATCH: "does not match", MatchOutcome.NOT_APPLICABLE: "n/a"}


def _condition_text(condition: ConditionResult) -> str:
    given = "missing" if condition.request_values is None else ", ".join(condition.request_values) or "(empty)"
    verdict = {ConditionOutcome.TRUE: "true", ConditionOutcome.FALSE: "false",
               ConditionOutcome.MISSING_KEY: "key missing", ConditionOutcome.ERROR: "error"}[condition.outcome]
    text = (f"{condition.operator} {condition.key}: policy {list(condition.policy_values)} vs request [{given}] "
            f"-> {verdict}{'' if condition.holds else ' (does not hold)'}")
    return f"{text}; {condition.message}" if condition.message else text


def statement_lines(statement: StatementResult, indent: str = "    ") -> list[str]:
    """A statement's trace in a few readable lines."""
    sid = f" Sid {statement.sid}" if statement.sid else ""
    state = "APPLIES" if statement.applies else "does not apply"
    lines = [f"{indent}{statement.effect} statement {statement.index}{sid} of {statement.policy_source or statement.policy_name}"
             f": {state}"]
    parts = [f"action {_MARKS[statement.action]}", f"resource {_MARKS[statement.resource]}"]
    if statement.principal is not MatchOutcome.NOT_APPLICABLE:
        parts.append(f"principal {_MARKS[statement.principal]}")
    lines.append(f"{indent}  " + ", ".join(parts))
    lines += [f"{indent}  condition {_condition_text(c)}" for c in statement.conditions]
    if statement.error:
        lines.append(f"{indent}  could not be evaluated: {statement.error}")
    return lines


def evaluation_lines(evaluation: Evaluation, indent: str = "  ") -> list[str]:
    """An explained decision as text: decision, deciding stage, reason, then each stage's statements."""
    lines = [f"{indent}decision: {evaluation.decision.value} (decided at stage {evaluation.deciding_stage.value})",
             f"{indent}reason: {evaluation.reason}"]
    for stage in evaluation.stages:
        if stage.outcome is StageOutcome.NOT_PRESENT and not stage.statements:
            continue
        note = f" - {stage.note}" if stage.note else ""
        lines.append(f"{indent}stage {stage.stage.value}: {stage.outcome.value}{note}")
        for statement in stage.statements:
            lines += statement_lines(statement, indent + "  ")
    lines += [f"{indent}error: {error}" for error in evaluation.errors]
    return lines


def answer_text(answer: AccessAnswer, workspace: Workspace) -> str:
    """A full answer as text: the verdict, the own explanation, then each path with its hops."""
    verdict = "ALLOWED" if answer.allowed else "DENIED"
    via = " (through an assume-role path)" if answer.allowed and not answer.evaluation.decision.value == "allow" else ""
    lines = [f"{verdict}{via}: {_label(workspace, answer.principal_id)} -> {answer.action} on {answer.resource}",
             "own decision:", *evaluation_lines(answer.evaluation)]
    for number, path in enumerate(answer.paths, 1):
        chain = " -> ".join([_label(workspace, path.hops[0].source_id),
                             *(_label(workspace, h.target_id) for h in path.hops)])
        lines.append(f"path {number}: {chain}: {path.decision.value}")
        for hop in path.hops:
            lines.append(f"  step {hop.kind}: {hop.reason}")
            if hop.evaluation is not None:
                lines += evaluation_lines(hop.evaluation, "    ")
        lines.append(f"  final request by the session of {_label(workspace, path.role_id)}:")
        lines += evaluation_lines(path.final, "    ")
    return "\n".join(lines)
