"""Choosing the actions of a question: suggestions for the resource type, and a free field with wildcards."""

from __future__ import annotations

import fnmatch
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from iam_desktop.catalog import default_catalog
from iam_desktop.model import Entity, Resource, Role
from iam_desktop.model.resource_types import resource_type

MAX_EXPANDED = 40
ROLE_ACTIONS = ("sts:AssumeRole", "sts:TagSession")


def suggested_actions(entity: Entity) -> tuple[list[str], list[str]]:
    """The (default, further) actions to offer for a resource or role: its type's defaults, then the catalog's."""
    if isinstance(entity, Role):
        return list(ROLE_ACTIONS), []
    if not isinstance(entity, Resource):
        return [], []
    defaults = [a for a in resource_type(entity.resource_type).default_actions if a != "*"]
    catalog = default_catalog()
    further: list[str] = list(catalog.suggested_actions(entity.arn))
    if entity.resource_type == "s3_bucket":
        further += catalog.suggested_actions(f"{entity.arn}/*")
    known = {a.lower() for a in defaults}
    extra = sorted({a for a in further if a.lower() not in known}, key=str.lower)
    return defaults, extra


def expand_actions(text: str) -> tuple[list[str], list[str]]:
    """Split typed actions at commas or spaces and expand wildcards with the catalog.

    Returns
    -------
    tuple
        The actions, and messages for the person (unknown service, too many matches, ...).
    """
    actions: list[str] = []
    notes: list[str] = []
    catalog = default_catalog()
    for word in filter(None, re.split(r"[\s,]+", text.strip())):
        service, colon, name = word.partition(":")
        if not colon or not name:
            notes.append(f"{word!r} is not an action (write service:Action, e.g. s3:GetObject)")
            continue
        if not any(ch in word for ch in "*?"):
            actions.append(word)
            continue
        if any(ch in service for ch in "*?") or not catalog.is_known_service(service):
            notes.append(f"{word!r}: name a known service before the wildcard")
            continue
        matches = [f"{service.lower()}:{a}" for a in catalog.actions(service) if fnmatch.fnmatchcase(a.lower(), name.lower())]
        if not matches:
            notes.append(f"{word!r} matches no {service} action")
        if len(matches) > MAX_EXPANDED:
            notes.append(f"{word!r} matches {len(matches)} actions; asking about the first {MAX_EXPANDED}")
        actions += sorted(matches, key=str.lower)[:MAX_EXPANDED]
    return list(dict.fromkeys(actions)), notes


class ActionsInput(QWidget):
    """A checkable list of suggested actions and a field for more (wildcards allowed).

    Signals
    -------
    changed()
        The chosen actions changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion_list = QListWidget()
        self.suggestion_list.setMinimumHeight(70)
        self.suggestion_list.itemChanged.connect(lambda _item: self.changed.emit())
        self.extra_edit = QLineEdit()
        self.extra_edit.setPlaceholderText("More actions: s3:Get*, kms:Decrypt …")
        self.extra_edit.setToolTip("Actions separated by commas or spaces; * and ? expand to the catalog's actions")
        self.extra_edit.editingFinished.connect(self.changed)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: #8d6e00;")
        self.hint_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.suggestion_list, 1)
        layout.addWidget(self.extra_edit)
        layout.addWidget(self.hint_label)

    def set_suggestions(self, defaults: list[str], further: list[str]) -> None:
        """List ``defaults`` then ``further``; the first default starts checked."""
        self.suggestion_list.blockSignals(True)
        self.suggestion_list.clear()
        for index, action in enumerate([*defaults, *further]):
            item = QListWidgetItem(action)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if index == 0 and defaults else Qt.CheckState.Unchecked)
            if index < len(defaults):
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.suggestion_list.addItem(item)
        self.suggestion_list.blockSignals(False)

    def set_checked(self, actions: list[str]) -> None:
        """Check exactly the listed suggestions."""
        wanted = {a.lower() for a in actions}
        for index in range(self.suggestion_list.count()):
            item = self.suggestion_list.item(index)
            item.setCheckState(Qt.CheckState.Checked if item.text().lower() in wanted else Qt.CheckState.Unchecked)

    def actions(self) -> list[str]:
        """The checked suggestions and the typed actions (wildcards expanded); notes are shown under the field."""
        checked = [self.suggestion_list.item(i).text() for i in range(self.suggestion_list.count())
                   if self.suggestion_list.item(i).checkState() == Qt.CheckState.Checked]
        typed, notes = expand_actions(self.extra_edit.text())
        self.hint_label.setText("\n".join(notes))
        self.hint_label.setVisible(bool(notes))
        return list(dict.fromkeys([*checked, *typed]))
