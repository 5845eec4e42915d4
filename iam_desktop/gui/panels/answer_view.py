"""The answer view: one row per action with its decision, and the explanation as an expandable tree."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy, QStyledItemDelegate,
    QStyleOptionViewItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from iam_desktop.formats.reports import answer_to_html, answer_to_markdown
from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.policy_slots import resolve_policy_ref
from iam_desktop.gui.settings import is_dark
from iam_desktop.policy import (
    ConditionOutcome, ConditionResult, Decision, Evaluation, MatchOutcome, Stage, StageOutcome, StageResult,
    StatementResult,
)

if TYPE_CHECKING:
    from iam_desktop.graph import AccessAnswer, AccessPath, Hop

DECISION_TEXT = {Decision.ALLOW: "✔ Allow", Decision.EXPLICIT_DENY: "✖ Explicit deny",
                 Decision.IMPLICIT_DENY: "○ Implicit deny"}
DECISION_COLOR = {Decision.ALLOW: "#2e7d32", Decision.EXPLICIT_DENY: "#c62828", Decision.IMPLICIT_DENY: "#8d6e00"}
STAGE_TEXT = {
    Stage.EXPLICIT_DENY: "Explicit deny check", Stage.SCP: "Service control policies (SCPs)",
    Stage.RCP: "Resource control policies (RCPs)", Stage.RESOURCE_POLICY: "Resource-based policy",
    Stage.IDENTITY: "Identity-based policies", Stage.PERMISSION_BOUNDARY: "Permissions boundary",
    Stage.SESSION: "Session policies", Stage.DEFAULT: "Default: nothing allows",
}
BUILT_IN_RULE_TEXT = "Built-in rule"
STAGE_OUTCOME_TEXT = {StageOutcome.ALLOW: "allows", StageOutcome.DENY: "denies", StageOutcome.NO_MATCH: "nothing matches",
                      StageOutcome.NOT_PRESENT: "not present"}
MATCH_TEXT = {MatchOutcome.MATCH: "✓", MatchOutcome.NO_MATCH: "✗", MatchOutcome.NOT_APPLICABLE: "–"}
CONDITION_TEXT = {ConditionOutcome.TRUE: "✓ holds", ConditionOutcome.FALSE: "✗ fails",
                  ConditionOutcome.MISSING_KEY: "? missing key", ConditionOutcome.ERROR: "⚠ error"}
STATEMENT_ROLE = Qt.ItemDataRole.UserRole + 1
WHY_COLUMN = 2
EMPTY_TEXT = ("Ask a question to see the decision here: select a principal on the canvas, right-click a "
              "resource and choose “Ask: can … access …?”, or fill in the form and press Ask.")


def decision_color(decision: Decision) -> QColor:
    """The decision's colour, lightened when the application draws light text on dark backgrounds."""
    color = QColor(DECISION_COLOR[decision])
    return color.lighter(170) if is_dark(QGuiApplication.palette()) else color


def stage_text(stage: Stage, allows: bool) -> str:
    """The stage's name; the default stage reads by what it decided (a built-in rule allows, or nothing does)."""
    return BUILT_IN_RULE_TEXT if stage is Stage.DEFAULT and allows else STAGE_TEXT[stage]


def decision_text(decision: Decision) -> str:
    """The decision in words with its symbol (``✔ Allow``)."""
    return DECISION_TEXT[decision]


class _WrappingDelegate(QStyledItemDelegate):
    """Gives the "Why" column rows the height its text needs when wrapped to the column's width."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Taller rows for long reasons (Qt override)."""
        size = super().sizeHint(option, index)
        if index.column() != WHY_COLUMN:
            return size
        width = max(60, self._tree.columnWidth(WHY_COLUMN) - 8)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bound = QFontMetrics(option.font).boundingRect(QRect(0, 0, width, 100000),
                                                       int(Qt.TextFlag.TextWordWrap), text)
        return QSize(size.width(), max(size.height(), bound.height() + 4))


class AnswerView(QWidget):
    """Shows explained answers; clicking a statement opens it in the policy editor.

    Parameters
    ----------
    document
        The open document (names of entities; ``open_in_editor`` for clicked statements).
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._answers: list[AccessAnswer] = []
        self.summary_label = QLabel(EMPTY_TEXT)
        self.summary_label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Action / step", "Decision", "Why"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegateForColumn(WHY_COLUMN, _WrappingDelegate(self.tree))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().sectionResized.connect(self._on_section_resized)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemClicked.connect(self._on_item_clicked)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.tree.itemExpanded.connect(self._fit_first_column)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.detail_label.setStyleSheet("padding: 4px; border: 1px solid palette(mid); border-radius: 3px;")
        self.detail_label.hide()
        self.copy_button = QPushButton("Copy as Markdown")
        self.copy_button.setToolTip("Copy the answer as text / Markdown (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.copy_button.setEnabled(False)
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+C"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.copy_to_clipboard)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail_label)
        layout.addLayout(bottom)

    # ----- public API ------------------------------------------------------------------------------------
    def answers(self) -> list[AccessAnswer]:
        """The answers shown."""
        return list(self._answers)

    def clear(self) -> None:
        """Show nothing."""
        self._answers = []
        self.tree.clear()
        self.detail_label.hide()
        self.summary_label.setText(EMPTY_TEXT)
        self.copy_button.setEnabled(False)

    def show_answers(self, answers: list[AccessAnswer]) -> None:
        """Show one top row per answer (action) with its explanation underneath."""
        self._answers = list(answers)
        self.tree.clear()
        self.detail_label.hide()
        for answer in answers:
            self.tree.addTopLevelItem(self._answer_item(answer))
        if answers:
            first = answers[0]
            allowed = sum(1 for a in answers if a.decision is Decision.ALLOW)
            self.summary_label.setText(f"{self._name(first.principal_id)} → {first.resource}: "
                                       f"{allowed} of {len(answers)} action(s) allowed.")
        for index in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(index).setExpanded(len(answers) == 1)
        self.tree.resizeColumnToContents(1)
        self._fit_first_column()
        self.copy_button.setEnabled(bool(answers))
        if answers:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))  # its full reason shows below the tree

    def row_texts(self) -> list[tuple[str, str, str]]:
        """The top rows as (action, decision, why) texts."""
        return [tuple(self.tree.topLevelItem(i).text(c) for c in range(3))  # type: ignore[misc]
                for i in range(self.tree.topLevelItemCount())]

    def markdown(self) -> str:
        """The answers as one Markdown report (``formats.reports.answer_to_markdown`` for each action)."""
        return "\n".join(answer_to_markdown(a, self.document.workspace) for a in self._answers)

    def copy_to_clipboard(self) -> None:
        """Put the answer on the clipboard as Markdown (plain text) and HTML."""
        if self._answers:
            mime = QMimeData()
            mime.setText(self.markdown())
            mime.setHtml("".join(answer_to_html(a, self.document.workspace) for a in self._answers))
            QGuiApplication.clipboard().setMimeData(mime)

    # ----- tree building ---------------------------------------------------------------------------------
    def _name(self, entity_id: str) -> str:
        workspace = self.document.workspace
        return workspace.get(entity_id).name if entity_id in workspace else entity_id

    def _answer_item(self, answer: AccessAnswer) -> QTreeWidgetItem:
        if answer.evaluation.decision is Decision.ALLOW or not answer.paths:
            evaluation = answer.evaluation
            why = (f"{stage_text(evaluation.deciding_stage, evaluation.decision is Decision.ALLOW)}: "
                   f"{evaluation.reason}")
        else:
            path = answer.paths[0]
            why = f"Through {self._path_text(answer.principal_id, path)}: {path.final.reason}"
        item = self._item(None, answer.action, answer.decision, why)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        own = self._item(item, f"Directly as {self._name(answer.principal_id)}", answer.evaluation.decision,
                         answer.evaluation.reason)
        self._evaluation_children(own, answer.evaluation)
        for path in answer.paths:
            self._path_item(item, answer.principal_id, path)
        return item

    def _path_text(self, principal_id: str, path: AccessPath) -> str:
        return " → ".join([self._name(principal_id), *(self._name(h.target_id) for h in path.hops)])

    def _path_item(self, parent: QTreeWidgetItem, principal_id: str, path: AccessPath) -> None:
        item = self._item(parent, f"Via {self._path_text(principal_id, path)}", path.decision,
                          f"{len(path.hops)} step(s); then the session of {self._name(path.role_id)} makes the request")
        for hop in path.hops:
            self._hop_item(item, hop)
        final = self._item(item, f"{self._name(path.role_id)} session makes the request", path.final.decision,
                           path.final.reason)
        self._evaluation_children(final, path.final)

    def _hop_item(self, parent: QTreeWidgetItem, hop: Hop) -> None:
        verb = "assumes" if hop.kind == "assume_role" else "runs as"
        decision = hop.evaluation.decision if hop.evaluation is not None else Decision.ALLOW
        item = self._item(parent, f"{self._name(hop.source_id)} {verb} {self._name(hop.target_id)}", decision,
                          hop.reason)
        if hop.evaluation is not None:
            self._evaluation_children(item, hop.evaluation)

    def _evaluation_children(self, parent: QTreeWidgetItem, evaluation: Evaluation) -> None:
        for error in evaluation.errors:
            error_item = QTreeWidgetItem(parent, ["⚠ Could not evaluate", "", error])
            error_item.setForeground(2, QBrush(decision_color(Decision.EXPLICIT_DENY)))
        for stage in evaluation.stages:
            self._stage_item(parent, stage, stage.stage is evaluation.deciding_stage)

    def _stage_item(self, parent: QTreeWidgetItem, stage: StageResult, deciding: bool) -> None:
        label = stage_text(stage.stage, stage.outcome is StageOutcome.ALLOW)
        label += "  ◀ decided here" if deciding else ""
        item = QTreeWidgetItem(parent, [label, STAGE_OUTCOME_TEXT[stage.outcome], stage.note])
        item.setToolTip(2, stage.note)
        if deciding:
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
        if stage.outcome is StageOutcome.NOT_PRESENT:
            for column in range(3):
                item.setForeground(column, QBrush(QColor("#888888")))
        for (name, source), statements in groupby(stage.statements, key=lambda s: (s.policy_name, s.policy_source)):
            policy = QTreeWidgetItem(item, [f"Policy {name}", "", source])
            for statement in statements:
                self._statement_item(policy, statement)

    def _statement_item(self, parent: QTreeWidgetItem, statement: StatementResult) -> None:
        label = f"Statement {statement.index + 1}" + (f" ({statement.sid})" if statement.sid else "") + \
            f" — {statement.effect}"
        if statement.error:
            result, why = "⚠ not evaluated", statement.error
        else:
            result = f"applies ({statement.effect})" if statement.applies else "does not apply"
            why = (f"action {MATCH_TEXT[statement.action]}  resource {MATCH_TEXT[statement.resource]}  "
                   f"principal {MATCH_TEXT[statement.principal]}")
            if statement.conditions:
                held = sum(1 for c in statement.conditions if c.holds)
                why += f"  conditions {held}/{len(statement.conditions)} hold"
        item = QTreeWidgetItem(parent, [label, result, why])
        item.setData(0, STATEMENT_ROLE, statement)
        item.setToolTip(0, "Click to open this statement in the policy editor")
        font = item.font(0)
        font.setUnderline(True)
        item.setFont(0, font)
        if statement.applies:
            color = decision_color(Decision.ALLOW if statement.effect == "Allow" else Decision.EXPLICIT_DENY)
            item.setForeground(1, QBrush(color))
        for condition in statement.conditions:
            self._condition_item(item, condition)

    @staticmethod
    def _condition_item(parent: QTreeWidgetItem, condition: ConditionResult) -> None:
        policy_values = ", ".join(condition.policy_values)
        if condition.request_values is None:
            request = "the request has no value for this key" + (" (the test holds because of …IfExists / Null)"
                                                                 if condition.holds else "")
        else:
            request = "request: " + (", ".join(condition.request_values) or "(empty)")
        why = f"policy: {policy_values}; {request}" + (f" — {condition.message}" if condition.message else "")
        item = QTreeWidgetItem(parent, [f"{condition.operator} {condition.key}", CONDITION_TEXT[condition.outcome], why])
        item.setToolTip(2, why)
        color = decision_color(Decision.ALLOW if condition.holds else Decision.EXPLICIT_DENY)
        item.setForeground(1, QBrush(color))

    @staticmethod
    def _item(parent: QTreeWidgetItem | None, label: str, decision: Decision, why: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label, DECISION_TEXT[decision], why])
        if parent is not None:
            parent.addChild(item)
        color = decision_color(decision)
        item.setForeground(1, QBrush(color))
        background = QColor(color)
        background.setAlpha(28)
        item.setBackground(1, QBrush(background))
        font = item.font(1)
        font.setWeight(QFont.Weight.DemiBold)
        item.setFont(1, font)
        item.setToolTip(2, why)
        return item

    def _fit_first_column(self, _item: QTreeWidgetItem | None = None) -> None:
        """Widen the first column to its contents (up to about 40 % of the tree) and the decision column to its own."""
        limit = max(220, self.tree.viewport().width() * 2 // 5)
        self.tree.setColumnWidth(0, min(max(self.tree.sizeHintForColumn(0) + 12, 180), limit))
        self.tree.setColumnWidth(1, max(self.tree.sizeHintForColumn(1) + 16, 90))

    def _on_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index == WHY_COLUMN:
            self.tree.doItemsLayout()  # rewrap the reasons to the new width

    def _on_current_item_changed(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if item is None:
            self.detail_label.hide()
            return
        head = " — ".join(t for t in (item.text(0), item.text(1)) if t)
        self.detail_label.setText(f"{head}\n{item.text(2)}" if item.text(2) else head)
        self.detail_label.show()

    # ----- clicks ----------------------------------------------------------------------------------------
    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        statement = item.data(0, STATEMENT_ROLE)
        if not isinstance(statement, StatementResult) or statement.policy_ref is None:
            return
        target = resolve_policy_ref(self.document.workspace, statement.policy_ref, statement.policy_name,
                                    statement.policy_source)
        if target is not None:
            self.document.open_in_editor(target[0], target[1], statement.index)
