"""A key/value table for editing tags (and other string maps), reporting the whole map after each edit."""

from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)


class KeyValueTable(QWidget):
    """A two-column table of keys and values with Add and Remove buttons.

    Signals
    -------
    edited(dict)
        The rows with a non-empty key, as a dict, after the person changed a cell or removed a row.
    duplicate_key(str)
        The person typed a key that another row has already.
    """

    edited = Signal(dict)
    duplicate_key = Signal(str)

    def __init__(self, key_label: str = "Key", value_label: str = "Value", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filling = False
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([key_label, value_label])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(170)
        self.table.itemChanged.connect(self._on_item_changed)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_values(self, values: Mapping[str, str]) -> None:
        """Show ``values``; rows are rebuilt only when they hold something else (an edit in progress stays)."""
        if dict(values) == self.values():
            return
        self._filling = True
        try:
            self.table.setRowCount(0)
            for key, value in values.items():
                self._append(key, value)
        finally:
            self._filling = False

    def values(self) -> dict[str, str]:
        """The rows with a non-empty key, in table order (a later duplicate key wins)."""
        found: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            key = self._cell(row, 0).strip()
            if key:
                found[key] = self._cell(row, 1)
        return found

    def add_row(self) -> None:
        """Append an empty row and start editing its key (nothing is reported until the key is typed)."""
        self._filling = True
        try:
            self._append("", "")
        finally:
            self._filling = False
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def add_entry(self, key: str) -> None:
        """Append a row with ``key`` (or go to the row that has it) and start editing its value."""
        rows = [row for row in range(self.table.rowCount()) if self._cell(row, 0).strip() == key]
        if not rows:
            self._filling = True
            try:
                self._append(key, "")
            finally:
                self._filling = False
            rows = [self.table.rowCount() - 1]
        self.table.setCurrentCell(rows[0], 1)
        self.table.editItem(self.table.item(rows[0], 1))

    def remove_selected(self) -> None:
        """Remove the selected rows and report the remaining map."""
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows:
            return
        for row in rows:
            self.table.removeRow(row)
        self.edited.emit(self.values())

    def _append(self, key: str, value: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        keys = [self._cell(row, 0).strip() for row in range(self.table.rowCount())]
        key = keys[item.row()]
        if key and keys.count(key) > 1:
            self.duplicate_key.emit(key)
            return
        self.edited.emit(self.values())
