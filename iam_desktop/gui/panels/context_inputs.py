"""The request context of a question: quick toggles (MFA, source IP, time) and a table of condition keys."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from iam_desktop.gui.panels.tags_editor import KeyValueTable
from iam_desktop.policy import PolicyParseError, parse_policy

MFA_KEY = "aws:MultiFactorAuthPresent"
SOURCE_IP_KEY = "aws:SourceIp"
CURRENT_TIME_KEY = "aws:CurrentTime"
NOT_SET = "not set"
_SUGGESTION_HINT = "Add a key the policies test…"


def condition_keys(documents: Iterable[tuple[Mapping[str, Any], str]]) -> list[str]:
    """The condition keys the given (document, policy type) pairs test, sorted, each once (documents that
    do not parse are skipped)."""
    found: dict[str, str] = {}
    for document, policy_type in documents:
        try:
            parsed = parse_policy(document, policy_type=policy_type)
        except PolicyParseError:
            continue
        for statement in parsed.statements:
            for clause in statement.conditions:
                found.setdefault(clause.key.lower(), clause.key)
    return sorted(found.values(), key=str.lower)


class ContextInputs(QWidget):
    """Edits the context values of a question.

    Signals
    -------
    changed()
        Any value changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mfa_combo = QComboBox()
        self.mfa_combo.addItems([NOT_SET, "true", "false"])
        self.mfa_combo.setToolTip(f"{MFA_KEY}: whether the caller signed in with MFA")
        self.mfa_combo.currentIndexChanged.connect(self.changed)
        self.source_ip_edit = QLineEdit()
        self.source_ip_edit.setPlaceholderText("e.g. 203.0.113.10 (empty: not set)")
        self.source_ip_edit.setToolTip(SOURCE_IP_KEY)
        self.source_ip_edit.editingFinished.connect(self.changed)
        self.time_edit = QLineEdit()
        self.time_edit.setPlaceholderText("e.g. 2026-01-01T12:00:00Z (empty: not set)")
        self.time_edit.setToolTip(CURRENT_TIME_KEY)
        self.time_edit.editingFinished.connect(self.changed)
        self.now_button = QPushButton("Now")
        self.now_button.clicked.connect(self._on_now)
        self.table = KeyValueTable("Condition key", "Value(s), comma-separated")
        self.table.edited.connect(lambda _values: self.changed.emit())
        self.suggestions = QComboBox()
        self.suggestions.addItem(_SUGGESTION_HINT)
        self.suggestions.activated.connect(self._on_suggestion_chosen)
        time_row = QHBoxLayout()
        time_row.addWidget(self.time_edit, 1)
        time_row.addWidget(self.now_button)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("MFA present", self.mfa_combo)
        form.addRow("Source IP", self.source_ip_edit)
        form.addRow("Current time", time_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.suggestions)
        layout.addWidget(self.table)

    def context(self) -> dict[str, tuple[str, ...]]:
        """The context values: the table's keys (values split at commas) and the quick fields."""
        values: dict[str, tuple[str, ...]] = {}
        for key, text in self.table.values().items():
            values[key] = tuple(part.strip() for part in text.split(",") if part.strip())
        if self.mfa_combo.currentText() != NOT_SET:
            values[MFA_KEY] = (self.mfa_combo.currentText(),)
        if self.source_ip_edit.text().strip():
            values[SOURCE_IP_KEY] = (self.source_ip_edit.text().strip(),)
        if self.time_edit.text().strip():
            values[CURRENT_TIME_KEY] = (self.time_edit.text().strip(),)
        return values

    def set_suggestions(self, keys: Iterable[str]) -> None:
        """Offer these keys (those the involved policies test) in the "Add a key" list."""
        quick = {MFA_KEY.lower(), SOURCE_IP_KEY.lower(), CURRENT_TIME_KEY.lower()}
        wanted = [key for key in keys if key.lower() not in quick]
        current = [self.suggestions.itemText(i) for i in range(1, self.suggestions.count())]
        if wanted == current:
            return
        self.suggestions.clear()
        self.suggestions.addItem(_SUGGESTION_HINT if wanted else "No other keys tested by the policies")
        self.suggestions.addItems(wanted)

    def suggested_keys(self) -> list[str]:
        """The keys offered now."""
        return [self.suggestions.itemText(i) for i in range(1, self.suggestions.count())]

    def _on_suggestion_chosen(self, index: int) -> None:
        if index > 0:
            self.table.add_entry(self.suggestions.itemText(index))
        self.suggestions.setCurrentIndex(0)

    def _on_now(self) -> None:
        self.time_edit.setText(datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.changed.emit()
