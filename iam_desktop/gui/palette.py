"""The node palette: every kind of node, grouped, with its icon; drag an entry onto the canvas to create it."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from iam_desktop.gui.creation import MIME_TYPE, PALETTE, PaletteEntry
from iam_desktop.gui.icons import kind_icon

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class NodePalette(QTreeWidget):
    """A list of palette entries in sections.

    Signals
    -------
    entry_activated(str)
        An entry was double-clicked or chosen with Enter: create it (at the centre of the canvas).
    """

    entry_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(6)
        self.setIconSize(QSize(24, 24))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        sections: dict[str, QTreeWidgetItem] = {}
        for entry in PALETTE:
            section = sections.get(entry.section)
            if section is None:
                section = QTreeWidgetItem(self, [entry.section])
                section.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = section.font(0)
                font.setBold(True)
                section.setFont(0, font)
                sections[entry.section] = section
            self._add_entry(section, entry)
        self.expandAll()
        self.itemActivated.connect(self._on_item_activated)

    @staticmethod
    def _add_entry(section: QTreeWidgetItem, entry: PaletteEntry) -> None:
        item = QTreeWidgetItem(section, [entry.label])
        item.setIcon(0, kind_icon(entry.style_key, 24))
        item.setData(0, _KEY_ROLE, entry.key)
        item.setToolTip(0, f"Drag onto the canvas to add a {entry.label} (or double-click to add it in the middle)")
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)

    def entry_item(self, key: str) -> QTreeWidgetItem | None:
        """The row of the palette entry ``key``."""
        for index in range(self.topLevelItemCount()):
            section = self.topLevelItem(index)
            for row in range(section.childCount()):
                if section.child(row).data(0, _KEY_ROLE) == key:
                    return section.child(row)
        return None

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        key = item.data(0, _KEY_ROLE)
        if key:
            self.entry_activated.emit(str(key))

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        """The palette's drag format (Qt override)."""
        return [MIME_TYPE]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        """The dragged entry's key (Qt override)."""
        data = QMimeData()
        keys = [str(i.data(0, _KEY_ROLE)) for i in items if i.data(0, _KEY_ROLE)]
        if keys:
            data.setData(MIME_TYPE, keys[0].encode())
            data.setText(keys[0])
        return data
