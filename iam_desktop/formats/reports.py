"""Reports without Qt: access matrices as CSV / JSON, explained decisions and answers as Markdown / HTML.

Every string that comes from a model or a policy (names, ARNs, Sids, condition values, reasons) is escaped:
HTML-escaped in HTML, backslash-escaped in Markdown, and defused in CSV against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from iam_desktop.model import Workspace
from iam_desktop.policy.explanation import (
    ConditionResult, Decision, Evaluation, MatchOutcome, StageResult, StatementResult,
)

DECISION_LABELS = {Decision.ALLOW: "Allowed", Decision.EXPLICIT_DENY: "Denied (explicit deny)",
                   Decision.IMPLICIT_DENY: "Denied (implicit: nothing allows it)"}
STAGE_LABELS = {"explicit_deny": "Explicit denies", "scp": "Service control policies (SCPs)",
                "rcp": "Resource control policies (RCPs)", "resource_policy": "Resource-based policy",
                "identity": "Identity-based policies", "permission_boundary": "Permission boundary",
                "session": "Session policies", "default": "Default (implicit deny)"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class MatrixLike(Protocol):
    """What the reports need of an access matrix (``graph.answers.AccessMatrix`` is one)."""

    @property
    def principal_ids(self) -> tuple[str, ...]: ...
    @property
    def resource_ids(self) -> tuple[str, ...]: ...
    @property
    def actions(self) -> tuple[str, ...]: ...
    @property
    def cells(self) -> Mapping[tuple[str, str, str], Decision]: ...
    @property
    def complete(self) -> bool: ...


class HopLike(Protocol):
    """One step of an access path (``graph.answers.Hop`` is one)."""

    @property
    def source_id(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...


class PathLike(Protocol):
    """An assume-role chain and the final explained decision (``graph.answers.AccessPath`` is one)."""

    @property
    def hops(self) -> Sequence[HopLike]: ...
    @property
    def final(self) -> Evaluation: ...


class AnswerLike(Protocol):
    """What the reports need of an access answer (``graph.answers.AccessAnswer`` is one)."""

    @property
    def principal_id(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def evaluation(self) -> Evaluation: ...
    @property
    def paths(self) -> Sequence[PathLike]: ...
    @property
    def decision(self) -> Decision: ...


def md(text: object) -> str:
    """Markdown-escape a user-provided string (punctuation backslash-escaped, newlines flattened)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")


def h(text: object) -> str:
    """HTML-escape a user-provided string (quotes included)."""
    return html.escape(str(text), quote=True)


def _labeller(workspace: Workspace | None) -> Callable[[str], str]:
    def label(entity_id: str) -> str:
        if workspace is not None and entity_id in workspace:
            return workspace.get(entity_id).name
        return entity_id
    return label


# ----- matrices ------------------------------------------------------------------------------------------
def matrix_rows(matrix: MatrixLike, workspace: Workspace | None = None) -> list[tuple[str, str, str, str, str, str]]:
    """One row per computed cell: (principal id, principal name, resource id, resource name, action, decision).

    Rows follow the matrix's principal, resource and action order; names come from ``workspace`` when given.
    """
    label = _labeller(workspace)
    rows = []
    for principal in matrix.principal_ids:
        for resource in matrix.resource_ids:
            for action in matrix.actions:
                decision = matrix.cells.get((principal, resource, action))
                if decision is not None:
                    rows.append((principal, label(principal), resource, label(resource), action,
                                 Decision(decision).value))
    return rows


def _defuse(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (prefixed with ' when it starts like one)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def matrix_to_csv(matrix: MatrixLike, workspace: Workspace | None = None) -> str:
    """The matrix as CSV with a header row: principal_id, principal, resource_id, resource, action, decision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("principal_id", "principal", "resource_id", "resource", "action", "decision"))
    for row in matrix_rows(matrix, workspace):
        writer.writerow([_defuse(cell) for cell in row])
    return buffer.getvalue()


def matrix_to_json(matrix: MatrixLike, workspace: Workspace | None = None) -> str:
    """The matrix as JSON: its axes, whether it is complete, and one object per computed cell."""
    cells = [{"principal_id": p, "principal": pn, "resource_id": r, "resource": rn, "action": a, "decision": d}
             for p, pn, r, rn, a, d in matrix_rows(matrix, workspace)]
    return json.dumps({"principals": list(matrix.principal_ids), "resources": list(matrix.resource_ids),
                       "actions": list(matrix.actions), "complete": matrix.complete, "cells": cells},
                      indent=2, ensure_ascii=False) + "\n"


# ----- explanations as lines of words --------------------------------------------------------------------
def _values(values: Sequence[str] | None) -> str:
    if values is None:
        return "(not in the request)"
    return ", ".join(repr(v) for v in values) or "(none)"


def condition_text(condition: ConditionResult) -> str:
    """One condition test in words: operator, key, the values compared, and the outcome."""
    text = (f"{condition.operator} {condition.key}: policy {_values(condition.policy_values)} vs request "
            f"{_values(condition.request_values)} -> {condition.outcome.value}"
            f"{'' if condition.holds else ' (does not hold)'}")
    return f"{text}; {condition.message}" if condition.message else text


def statement_title(statement: StatementResult) -> str:
    """``policy name, statement #n (Sid "x")`` for a statement."""
    sid = f' (Sid "{statement.sid}")' if statement.sid else ""
    return f"{statement.policy_name}, statement #{statement.index + 1}{sid}"


def _element(outcome: MatchOutcome) -> str:
    return {MatchOutcome.MATCH: "matches", MatchOutcome.NO_MATCH: "does not match",
            MatchOutcome.NOT_APPLICABLE: "n/a"}[outcome]


def _stage_title(stage: StageResult) -> str:
    return f"{STAGE_LABELS.get(stage.stage.value, stage.stage.value)}: {stage.outcome.value.replace('_', ' ')}"


# ----- Markdown ------------------------------------------------------------------------------------------
def _statement_markdown(statement: StatementResult) -> list[str]:
    lines = [f"- **{md(statement_title(statement))}** ({md(statement.effect)}, "
             f"{'applies' if statement.applies else 'does not apply'}) from {md(statement.policy_source)}",
             f"  - action {_element(statement.action)}, resource {_element(statement.resource)}, "
             f"principal {_element(statement.principal)}"]
    lines += [f"  - condition {md(condition_text(c))}" for c in statement.conditions]
    if statement.error:
        lines.append(f"  - could not be evaluated: {md(statement.error)}")
    return lines


def evaluation_markdown_lines(evaluation: Evaluation, heading: str = "##") -> list[str]:
    """The Markdown lines of an explained decision (headings start at ``heading``)."""
    lines = [f"**Decision: {DECISION_LABELS[evaluation.decision]}** "
             f"(decided by: {STAGE_LABELS.get(evaluation.deciding_stage.value, evaluation.deciding_stage.value)})",
             "", md(evaluation.reason), ""]
    if evaluation.deciding_statements:
        lines += [f"{heading} Deciding statements", ""]
        for statement in evaluation.deciding_statements:
            lines += _statement_markdown(statement)
        lines.append("")
    lines += [f"{heading} Evaluation stages", ""]
    for stage in evaluation.stages:
        lines += [f"{heading}# {md(_stage_title(stage))}", ""]
        if stage.note:
            lines += [md(stage.note), ""]
        for statement in stage.statements:
            lines += _statement_markdown(statement)
        lines.append("")
    if evaluation.errors:
        lines += [f"{heading} Errors", ""] + [f"- {md(error)}" for error in evaluation.errors] + [""]
    return lines


def evaluation_to_markdown(evaluation: Evaluation, title: str = "Access decision") -> str:
    """An explained decision as a Markdown report; ``title`` is the top heading (escaped)."""
    return "\n".join([f"# {md(title)}", "", *evaluation_markdown_lines(evaluation)]).rstrip() + "\n"


def _question(answer: AnswerLike, label: Callable[[str], str]) -> str:
    return f"Can {label(answer.principal_id)} do {answer.action} on {answer.resource}?"


def answer_to_markdown(answer: AnswerLike, workspace: Workspace | None = None) -> str:
    """An access answer (the principal's own decision and its assume-role paths) as a Markdown report."""
    label = _labeller(workspace)
    lines = [f"# {md(_question(answer, label))}", "", f"**Answer: {DECISION_LABELS[answer.decision]}**", "",
             "## Directly", "", *evaluation_markdown_lines(answer.evaluation, "###")]
    for number, path in enumerate(answer.paths, 1):
        chain = " -> ".join([label(path.hops[0].source_id), *(label(hop.target_id) for hop in path.hops)])
        lines += [f"## Path {number}: {md(chain)}", ""]
        lines += [f"- {md(label(hop.source_id))} {md(hop.kind.replace('_', ' '))} {md(label(hop.target_id))}: "
                  f"{md(hop.reason)}" for hop in path.hops]
        lines += ["", *evaluation_markdown_lines(path.final, "###")]
    return "\n".join(lines).rstrip() + "\n"


# ----- HTML ----------------------------------------------------------------------------------------------
_STYLE = ("body{font-family:sans-serif;margin:1.5em;line-height:1.4}table{border-collapse:collapse;margin:.5em 0}"
          "td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"
          ".allow{color:#1a7f37}.explicit_deny{color:#cf222e}.implicit_deny{color:#9a6700}"
          "tr.applies{background:#f0f7ff}")


def _statement_rows(statements: Iterable[StatementResult]) -> str:
    rows = []
    for s in statements:
        conditions = "<br>".join(h(condition_text(c)) for c in s.conditions) or "&mdash;"
        if s.error:
            conditions += f"<br><strong>could not be evaluated:</strong> {h(s.error)}"
        rows.append(f"<tr class=\"{'applies' if s.applies else 'skipped'}\"><td>{h(statement_title(s))}<br>"
                    f"<small>{h(s.policy_source)}</small></td><td>{h(s.effect)}</td><td>{_element(s.action)}</td>"
                    f"<td>{_element(s.resource)}</td><td>{_element(s.principal)}</td><td>{conditions}</td>"
                    f"<td>{'yes' if s.applies else 'no'}</td></tr>")
    header = ("<tr><th>Statement</th><th>Effect</th><th>Action</th><th>Resource</th><th>Principal</th>"
              "<th>Conditions</th><th>Applies</th></tr>")
    return f"<table>{header}{''.join(rows)}</table>" if rows else "<p>No statements.</p>"


def evaluation_html_fragment(evaluation: Evaluation, level: int = 2) -> str:
    """The HTML of an explained decision, without page wrapper (headings start at ``<h{level}>``)."""
    decision = evaluation.decision.value
    parts = [f"<p class=\"{decision}\"><strong>Decision: {DECISION_LABELS[evaluation.decision]}</strong> "
             f"(decided by: {h(STAGE_LABELS.get(evaluation.deciding_stage.value, evaluation.deciding_stage.value))})"
             f"</p>", f"<p>{h(evaluation.reason)}</p>"]
    if evaluation.deciding_statements:
        parts += [f"<h{level}>Deciding statements</h{level}>", _statement_rows(evaluation.deciding_statements)]
    parts.append(f"<h{level}>Evaluation stages</h{level}>")
    for stage in evaluation.stages:
        parts.append(f"<h{level + 1}>{h(_stage_title(stage))}</h{level + 1}>")
        if stage.note:
            parts.append(f"<p>{h(stage.note)}</p>")
        parts.append(_statement_rows(stage.statements))
    if evaluation.errors:
        items = "".join(f"<li>{h(error)}</li>" for error in evaluation.errors)
        parts += [f"<h{level}>Errors</h{level}>", f"<ul>{items}</ul>"]
    return "\n".join(parts)


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{h(title)}</title>"
            f"<style>{_STYLE}</style></head>\n<body>\n<h1>{h(title)}</h1>\n{body}\n</body></html>\n")


def evaluation_to_html(evaluation: Evaluation, title: str = "Access decision") -> str:
    """An explained decision as a standalone HTML page (every user string escaped)."""
    return _page(title, evaluation_html_fragment(evaluation))


def answer_to_html(answer: AnswerLike, workspace: Workspace | None = None) -> str:
    """An access answer (own decision and assume-role paths) as a standalone HTML page."""
    label = _labeller(workspace)
    parts = [f"<p class=\"{answer.decision.value}\"><strong>Answer: {DECISION_LABELS[answer.decision]}</strong></p>",
             "<h2>Directly</h2>", evaluation_html_fragment(answer.evaluation, 3)]
    for number, path in enumerate(answer.paths, 1):
        chain = " → ".join(h(label(x)) for x in [path.hops[0].source_id, *(hop.target_id for hop in path.hops)])
        hops = "".join(f"<li>{h(label(hop.source_id))} {h(hop.kind.replace('_', ' '))} {h(label(hop.target_id))}: "
                       f"{h(hop.reason)}</li>" for hop in path.hops)
        parts += [f"<h2>Path {number}: {chain}</h2>", f"<ul>{hops}</ul>", evaluation_html_fragment(path.final, 3)]
    return _page(_question(answer, label), "\n".join(parts))

