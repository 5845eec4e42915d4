"""A plain-text JSON editor with catalog completion, squiggly issue marks with tooltips, and Ctrl+Enter."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from iam_desktop.gui.panels.completion import completions, string_prefix
from iam_desktop.gui.panels.json_highlighter import JsonHighlighter

ERROR_COLOR = QColor("#d32f2f")
WARNING_COLOR = QColor("#e69500")


@dataclass(frozen=True)
class Annotation:
    """A mark on the text: 1-based ``line`` and ``column``, a severity (``error``/``warning``) and a message."""

    line: int
    column: int
    severity: str
    message: str


class CodeEditor(QPlainTextEdit):
    """The text area of the policy editor.

    Signals
    -------
    submit_requested
        Ctrl+Enter (or Ctrl+Return) was pressed outside the completion popup.
    """

    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)
        self.highlighter = JsonHighlighter(self.document())
        self._annotations: list[Annotation] = []
        self._statement_selection: QTextEdit.ExtraSelection | None = None
        self.completer = QCompleter(QStringListModel([], self), self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[str].connect(self._on_completion_chosen)

    # ----- completion ------------------------------------------------------------------------------------
    def _typed_prefix(self) -> str | None:
        cursor = self.textCursor()
        return string_prefix(cursor.block().text()[:cursor.positionInBlock()])

    def _on_completion_chosen(self, word: str) -> None:
        prefix = self._typed_prefix() or ""
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix))
        cursor.insertText(word)
        self.setTextCursor(cursor)

    def show_completions(self, forced: bool = False) -> None:
        """Offer completions for the string being typed (from two characters on, or at once when forced)."""
        prefix = self._typed_prefix()
        popup = self.completer.popup()
        if prefix is None or (len(prefix) < 2 and not forced):
            popup.hide()
            return
        model = self.completer.model()
        assert isinstance(model, QStringListModel)
        words = list(completions(prefix))
        if model.stringList() != words:
            model.setStringList(words)
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0 or (
                self.completer.completionCount() == 1 and self.completer.currentCompletion() == prefix):
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self.completer.complete(rect)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        popup_keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        if self.completer.popup().isVisible() and event.key() in popup_keys:
            event.ignore()
            return
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if control and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit_requested.emit()
            return
        if control and event.key() == Qt.Key.Key_Space:
            self.show_completions(forced=True)
            return
        super().keyPressEvent(event)
        if event.text() and (event.text().isprintable() or event.key() == Qt.Key.Key_Backspace):
            self.show_completions()
        else:
            self.completer.popup().hide()

    # ----- annotations -----------------------------------------------------------------------------------
    def annotations(self) -> list[Annotation]:
        """The issue marks shown now."""
        return list(self._annotations)

    def set_annotations(self, annotations: list[Annotation]) -> None:
        """Underline each annotated place (wavy red for errors, amber for warnings)."""
        self._annotations = list(annotations)
        self._refresh_selections()

    def set_statement_selection(self, start: int, end: int) -> None:
        """Highlight the characters ``start`` to ``end`` (a statement's text) and select them."""
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format.setBackground(QColor(255, 235, 59, 90))
        self._statement_selection = selection
        self._refresh_selections()
        self.setTextCursor(cursor)
        self.centerCursor()

    def clear_statement_selection(self) -> None:
        """Drop the statement highlight."""
        self._statement_selection = None
        self._refresh_selections()

    def annotation_range(self, annotation: Annotation) -> tuple[int, int]:
        """The character positions an annotation underlines: its token, or the rest of the line."""
        block = self.document().findBlockByNumber(max(annotation.line - 1, 0))
        text = block.text()
        column = min(max(annotation.column - 1, 0), len(text))
        end = column
        while end < len(text) and not text[end].isspace() and (end == column or text[end] not in ",:]}"):
            end += 1
        if end == column:
            column, end = (len(text) - len(text.lstrip()), len(text)) if text.strip() else (column, column + 1)
        return block.position() + column, block.position() + end

    def _refresh_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        if self._statement_selection is not None:
            selections.append(self._statement_selection)
        for annotation in self._annotations:
            start, end = self.annotation_range(annotation)
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(start, self.document().characterCount() - 1))
            cursor.setPosition(min(end, self.document().characterCount() - 1), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(ERROR_COLOR if annotation.severity == "error" else WARNING_COLOR)
            fmt.setToolTip(annotation.message)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def annotations_at_line(self, line: int) -> list[Annotation]:
        """The annotations on a 1-based line."""
        return [a for a in self._annotations if a.line == line]

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ToolTip:
            cursor = self.cursorForPosition(event.pos())  # type: ignore[attr-defined]
            found = self.annotations_at_line(cursor.blockNumber() + 1)
            if found:
                QToolTip.showText(event.globalPos(), "\n".join(  # type: ignore[attr-defined]
                    f"{a.severity.capitalize()}: {a.message}" for a in found), self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)
