"""The policy JSON editor: highlighting, validation as you type, issue list, templates, Apply and Revert."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QSizePolicy, QSplitter, QStyle,
    QToolButton, QVBoxLayout, QWidget,
)

from iam_desktop.gui.panels.code_editor import ERROR_COLOR, WARNING_COLOR, Annotation, CodeEditor
from iam_desktop.gui.panels.policy_slots import statement_span
from iam_desktop.gui.panels.templates import templates_for
from iam_desktop.policy import PolicyIssue, PolicyParseError, parse_policy

VALIDATION_DELAY_MS = 300

_TEMPLATE_KIND = {"trust": "trust", "resource": "resource", "scp": "scp", "rcp": "scp"}


class PolicyEditor(QWidget):
    """Edits one policy document as JSON text and validates it for its policy type.

    Signals
    -------
    apply_requested(object)
        The person applied a valid document: the decoded JSON, or None for an emptied optional policy.
    """

    apply_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._policy_type = "identity"
        self._baseline = ""
        self._issues: list[PolicyIssue] = []
        self._valid = False
        self._optional = False
        self.title_label = QLabel("No policy open")
        self.title_label.setWordWrap(True)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.templates_button = QToolButton()
        self.templates_button.setText("Templates")
        self.templates_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.templates_button.setMenu(QMenu(self.templates_button))
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Apply the policy to the model (Ctrl+Enter)")
        self.apply_button.clicked.connect(self.apply)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Throw away the changes and show the policy as the model holds it")
        self.revert_button.clicked.connect(self.revert)
        self.editor = CodeEditor()
        self.editor.setPlaceholderText('{"Version": "2012-10-17", "Statement": [...]}')
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.submit_requested.connect(self.apply)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.issue_list = QListWidget()
        self.issue_list.setWordWrap(True)
        self.issue_list.itemClicked.connect(self._on_issue_clicked)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATION_DELAY_MS)
        self._timer.timeout.connect(self.validate)

        buttons = QHBoxLayout()
        buttons.addWidget(self.templates_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.status_label)
        lower_layout.addWidget(self.issue_list)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.editor)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.set_source("", "identity", "No policy open", enabled=False)

    # ----- state -----------------------------------------------------------------------------------------
    @property
    def policy_type(self) -> str:
        """The ``parse_policy`` type the text is validated as."""
        return self._policy_type

    def text(self) -> str:
        """The JSON text as typed."""
        return self.editor.toPlainText()

    def is_modified(self) -> bool:
        """True when the text differs from what was loaded (or last applied)."""
        return self.text() != self._baseline

    def is_valid(self) -> bool:
        """True when the last validation found no error."""
        return self._valid

    def issues(self) -> list[PolicyIssue]:
        """The errors and warnings of the last validation."""
        return list(self._issues)

    def set_source(self, text: str, policy_type: str, title: str, enabled: bool = True,
                   optional: bool = False) -> None:
        """Show ``text`` as the unmodified policy of type ``policy_type``, titled ``title``; validate it now.

        ``optional`` policies (a resource's policy) may be emptied: applying empty text removes the policy.
        """
        self._policy_type = policy_type
        self._optional = optional
        self._baseline = text
        self._fill_templates_menu()
        self.title_label.setText(title)
        self.editor.setReadOnly(not enabled)
        self.templates_button.setEnabled(enabled)
        self.editor.clear_statement_selection()
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.editor.document().setModified(False)
        self.validate()

    def mark_applied(self) -> None:
        """Take the current text as the unmodified state (after the model accepted it)."""
        self._baseline = self.text()
        self._update_buttons()

    def select_statement(self, index: int) -> bool:
        """Select and highlight the text of statement ``index``; False when it cannot be found."""
        span = statement_span(self.text(), index)
        if span is None:
            return False
        self.editor.set_statement_selection(*span)
        return True

    # ----- actions ---------------------------------------------------------------------------------------
    def apply(self) -> None:
        """Validate now and, when valid and modified, emit ``apply_requested`` with the decoded document."""
        self._timer.stop()
        self.validate()
        if self._valid and self.is_modified() and not self.editor.isReadOnly():
            document: dict[str, Any] | None = json.loads(self.text()) if self.text().strip() else None
            self.apply_requested.emit(document)

    def revert(self) -> None:
        """Put back the text that was loaded."""
        cursor = QTextCursor(self.editor.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(self._baseline)
        self._timer.stop()
        self.validate()

    def insert_template(self, text: str) -> None:
        """Replace the text by a template (one step of the editor's own Ctrl+Z)."""
        cursor = QTextCursor(self.editor.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)

    def validate(self) -> None:
        """Parse the text for its policy type and show every error and warning."""
        text = self.text()
        issues: list[PolicyIssue]
        if not text.strip():
            issues = []
            self._valid = self._optional
        else:
            try:
                issues = list(parse_policy(text, policy_type=self._policy_type).warnings)
                self._valid = True
            except PolicyParseError as error:
                issues = list(error.issues)
                self._valid = False
        self._issues = issues
        self._show_issues()
        self._update_buttons()

    # ----- display ---------------------------------------------------------------------------------------
    def _show_issues(self) -> None:
        self.issue_list.clear()
        annotations: list[Annotation] = []
        style = self.style()
        for issue in self._issues:
            place = f"Line {issue.line}, column {issue.column or 1}: " if issue.line is not None else ""
            where = f" ({issue.path})" if issue.path else ""
            item = QListWidgetItem(f"{issue.severity.capitalize()}: {place}{issue.message}{where}")
            error = issue.severity == "error"
            item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical if error
                                            else QStyle.StandardPixmap.SP_MessageBoxWarning))
            item.setForeground(QBrush(ERROR_COLOR if error else WARNING_COLOR.darker(130)))
            item.setData(Qt.ItemDataRole.UserRole, (issue.line, issue.column))
            item.setToolTip(str(issue))
            self.issue_list.addItem(item)
            if issue.line is not None:
                annotations.append(Annotation(issue.line, issue.column or 1, issue.severity, issue.message))
        self.editor.set_annotations(annotations)
        errors = sum(1 for i in self._issues if i.severity == "error")
        warnings = len(self._issues) - errors
        if not self.text().strip():
            self.status_label.setText("Empty: applying removes the policy." if self._optional
                                      else "Empty: type a policy or choose a template.")
        elif errors:
            self.status_label.setText(f"✖ Not valid: {errors} error(s), {warnings} warning(s).")
        else:
            self.status_label.setText(f"✔ Valid {self._policy_type} policy" + (f", {warnings} warning(s)." if warnings else "."))
        self.issue_list.setVisible(bool(self._issues))

    def _update_buttons(self) -> None:
        editable = not self.editor.isReadOnly()
        self.apply_button.setEnabled(editable and self._valid and self.is_modified())
        self.revert_button.setEnabled(editable and self.is_modified())

    def _on_text_changed(self) -> None:
        self._valid = False
        self._update_buttons()
        self._timer.start()

    def _on_issue_clicked(self, item: QListWidgetItem) -> None:
        line, column = item.data(Qt.ItemDataRole.UserRole)
        if line is None:
            return
        block = self.editor.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=min(max((column or 1) - 1, 0), block.length() - 1))
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _fill_templates_menu(self) -> None:
        menu = self.templates_button.menu()
        menu.clear()
        for template in templates_for(_TEMPLATE_KIND.get(self._policy_type, "identity")):
            action = menu.addAction(template.name)
            action.triggered.connect(lambda _=False, t=template: self.insert_template(t.text()))
