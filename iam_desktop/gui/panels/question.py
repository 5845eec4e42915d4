"""The question dock: choose who, what and on which resource, ask, read the answer; path highlight and overlays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QMainWindow,
    QPushButton,
    QScrollArea, QSizePolicy, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from iam_desktop.gui.busy import busy
from iam_desktop.gui.document import Document
from iam_desktop.gui.highlight import Highlight
from iam_desktop.gui.panels.actions_input import ActionsInput, suggested_actions
from iam_desktop.gui.panels.answer_view import AnswerView, decision_text
from iam_desktop.gui.panels.context_inputs import ContextInputs, condition_keys
from iam_desktop.gui.panels.overlay_runner import OverlayRequest, OverlayRunner
from iam_desktop.gui.panels.overlays import OverlayResult, answer_highlight
from iam_desktop.gui.panels.policy_slots import policy_slots, slot_document, slot_policy_type
from iam_desktop.model import (
    Account, Change, ChangeKind, Entity, Group, Resource, Role, ServicePrincipal, User,
)
from iam_desktop.model.callers import AuthorizationError

if TYPE_CHECKING:
    from iam_desktop.graph import AccessAnswer, AccessGraph

REFRESH_DELAY_MS = 300


def is_principal(entity: Entity) -> bool:
    """True for entities that can make requests (users, roles, services, accounts, compute resources)."""
    return isinstance(entity, (User, Role, ServicePrincipal, Account)) or (
        isinstance(entity, Resource) and entity.runs_as is not None)


def is_target(entity: Entity) -> bool:
    """True for entities a question can be about (resources, and roles for sts:AssumeRole)."""
    return isinstance(entity, (Resource, Role))


class SearchableCombo(QComboBox):
    """An editable combo box whose typed text filters its entries (matching anywhere in the name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_entries(self, entries: list[tuple[str, str]]) -> None:
        """Show (entity id, label) entries, keeping the current id chosen when it is still there."""
        current = self.current_id()
        self.blockSignals(True)
        self.clear()
        for entity_id, label in entries:
            self.addItem(label, entity_id)
        self.setCurrentIndex(self.findData(current) if current is not None else -1)
        self.blockSignals(False)
        if self.current_id() != current:
            self.currentIndexChanged.emit(self.currentIndex())

    def current_id(self) -> str | None:
        """The id of the chosen entity (None: nothing chosen)."""
        index = self.currentIndex()
        return self.itemData(index) if index >= 0 else None

    def choose(self, entity_id: str) -> bool:
        """Choose the entry with this id; False when there is none."""
        index = self.findData(entity_id)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0


class QuestionPanel(QWidget):
    """Asks "can this principal do these actions on this resource?" and shows the explained answer.

    Parameters
    ----------
    document
        The open document: the model asked about, where the highlight goes, the selection used.
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._graph: AccessGraph | None = None
        self._own_highlight: Highlight | None = None
        self._overlay: OverlayRequest | None = None
        self._overlays = OverlayRunner(document, self)
        self._overlays.computed.connect(self._on_overlay_computed)
        self._asked = False
        self._split_sized = False
        self.principal_combo = SearchableCombo()
        self.principal_combo.setToolTip("Who makes the request (type to search)")
        self.resource_combo = SearchableCombo()
        self.resource_combo.setToolTip("The resource (or role) the request is about (type to search)")
        self.resource_combo.currentIndexChanged.connect(self._on_resource_chosen)
        self.use_selection_button = QPushButton("Use selection")
        self.use_selection_button.setToolTip("Take the principal and the resource selected on the canvas")
        self.use_selection_button.clicked.connect(self.use_selection)
        self.ask_on_selection = QCheckBox("Ask at once when two nodes are selected")
        self.actions = ActionsInput()
        self.actions.extra_edit.returnPressed.connect(self.ask)
        self.context_inputs = ContextInputs()
        self.context_inputs.changed.connect(self._on_inputs_changed)
        self.ask_button = QPushButton("Ask")
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        self.clear_button = QPushButton("Clear highlight")
        self.clear_button.setToolTip("Remove the highlight from the canvas (Esc)")
        self.clear_button.clicked.connect(self.clear_highlight)
        self.what_can_button = QPushButton("What can it reach?")
        self.what_can_button.setToolTip("Colour every resource the selected principal can (green) or cannot (red) reach")
        self.what_can_button.clicked.connect(self.show_what_can)
        self.who_can_button = QPushButton("Who can reach it?")
        self.who_can_button.setToolTip("Colour every principal that can (green) or cannot (red) reach the selected resource")
        self.who_can_button.clicked.connect(self.show_who_can)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.answer_view = AnswerView(document)
        self._build_layout()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh_results)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.activated.connect(self.clear_highlight)
        self._escape.setEnabled(False)
        document.changed.connect(self._on_changed)
        document.selection_changed.connect(self._on_selection_changed)
        document.highlight_changed.connect(self._on_highlight_changed)
        self._fill_choices()

    def _build_layout(self) -> None:
        """Who/what and the buttons in one column, actions and context as tabs beside it, the answer at the right."""
        who = QFormLayout()
        who.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        who.addRow("&Principal", self.principal_combo)
        who.addRow("&Resource", self.resource_combo)
        selection_row = QHBoxLayout()
        selection_row.addWidget(self.use_selection_button)
        selection_row.addStretch(1)
        buttons = QGridLayout()
        buttons.addWidget(self.ask_button, 0, 0)
        buttons.addWidget(self.clear_button, 0, 1)
        buttons.addWidget(self.what_can_button, 1, 0)
        buttons.addWidget(self.who_can_button, 1, 1)
        left = QVBoxLayout()
        left.addLayout(who)
        left.addLayout(selection_row)
        left.addWidget(self.ask_on_selection)
        left.addLayout(buttons)
        left.addWidget(self.status_label)
        left.addStretch(1)
        self.input_tabs = QTabWidget()
        self.input_tabs.addTab(self.actions, "Actions")
        context_scroll = QScrollArea()
        context_scroll.setWidgetResizable(True)
        context_scroll.setFrameShape(QFrame.Shape.NoFrame)
        context_scroll.setWidget(self.context_inputs)
        self.input_tabs.addTab(context_scroll, "Context (optional)")
        self.input_tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)  # fill, never push
        self.input_tabs.setMinimumHeight(150)
        self.input_tabs.setTabToolTip(1, "Request context for conditions: source IP, time, MFA, tags and other keys")
        inputs = QWidget()
        inputs.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        inputs_layout = QHBoxLayout(inputs)
        inputs_layout.setContentsMargins(6, 6, 6, 6)
        inputs_layout.addLayout(left, 1)
        inputs_layout.addWidget(self.input_tabs, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inputs)
        scroll.setMinimumWidth(260)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.answer_view)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.ask_button.setToolTip("Answer the question and highlight the path on the canvas (Ctrl+Return)")
        ask_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        ask_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ask_shortcut.activated.connect(self.ask)
        self.ask_on_selection.setToolTip("Select a principal, then Ctrl+click a resource: the answer appears at once")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        size = event.size()
        wide = size.width() > 1.2 * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation() or not self._split_sized:
            self._split_sized = True
            self.splitter.setOrientation(orientation)
            length = size.width() if wide else size.height()
            first = min(length * 2 // 5, 620) if wide else length * 2 // 5
            self.splitter.setSizes([first, length - first])
        super().resizeEvent(event)

    # ----- graph -----------------------------------------------------------------------------------------
    @property
    def graph(self) -> AccessGraph:
        """The access graph over the document's model (it follows model changes itself)."""
        if self._graph is None:
            from iam_desktop.graph import AccessGraph  # networkx loads on first use, not at start-up
            self._graph = AccessGraph(self.document.workspace)
        return self._graph

    # ----- choices ---------------------------------------------------------------------------------------
    @staticmethod
    def _label(entity: Entity) -> str:
        return f"{entity.name} ({entity.kind.value.replace('_', ' ')})"

    def _fill_choices(self) -> None:
        entities = list(self.document.workspace.entities.values())
        self.principal_combo.set_entries([(e.id, self._label(e)) for e in entities if is_principal(e)])
        self.resource_combo.set_entries([(e.id, self._label(e)) for e in entities if is_target(e)])

    def _on_resource_chosen(self, _index: int) -> None:
        resource_id = self.resource_combo.current_id()
        if resource_id is None or resource_id not in self.document.workspace:
            self.actions.set_suggestions([], [])
            return
        self.actions.set_suggestions(*suggested_actions(self.document.workspace.get(resource_id)))
        self._update_key_suggestions([])

    def choose(self, principal_id: str, resource_id: str, actions: list[str] | None = None) -> bool:
        """Choose the principal, the resource and (optionally) exactly these suggested actions."""
        chosen = self.principal_combo.choose(principal_id) and self.resource_combo.choose(resource_id)
        if chosen and actions is not None:
            self.actions.set_checked(actions)
        return chosen

    def use_selection(self) -> bool:
        """Take the two selected nodes as principal and resource; False (with a hint) when that is not possible."""
        ids = self.document.selected_ids()
        workspace = self.document.workspace
        if len(ids) == 2:
            first, second = (workspace.get(i) for i in ids)
            orders = [(first, second), (second, first)]
            orders.sort(key=lambda pair: not isinstance(pair[1], Resource))
            for principal, target in orders:
                if is_principal(principal) and is_target(target) and self.choose(principal.id, target.id):
                    self.status_label.setText("")
                    return True
        self.status_label.setText("Select two nodes on the canvas: a principal (user, role, service) and a "
                                  "resource (or a role).")
        return False

    # ----- asking ----------------------------------------------------------------------------------------
    def ask(self) -> bool:
        """Answer the question in the form, show it, and highlight the allowing paths; False on a problem."""
        principal_id, resource_id = self.principal_combo.current_id(), self.resource_combo.current_id()
        workspace = self.document.workspace
        if principal_id not in workspace or resource_id not in workspace:
            self.status_label.setText("Choose a principal and a resource first.")
            return False
        actions = self.actions.actions()
        if not actions:
            self.status_label.setText("Choose or type at least one action.")
            return False
        target = workspace.get(resource_id)
        context = self.context_inputs.context() or None
        try:
            with busy(self, f"Asking about {len(actions)} action(s)…"):
                answers = [self.graph.can(principal_id, action, self._arn_for(target, action), context)
                           for action in actions]
        except AuthorizationError as error:
            self.status_label.setText(f"Cannot answer: {error}")
            return False
        self._asked = True
        self._overlay = None
        self.status_label.setText("")
        self.answer_view.show_answers(answers)
        self._update_key_suggestions(answers)
        self._set_highlight(answer_highlight(workspace, answers, resource_id))
        self._announce(answers)
        return True

    def _announce(self, answers: list[AccessAnswer]) -> None:
        """Say the outcome in the main window's status bar (the panel may be hidden behind a tab)."""
        window = self.window()
        if isinstance(window, QMainWindow) and answers:
            first = answers[0]
            name = self.document.workspace.get(first.principal_id).name
            outcome = ", ".join(f"{a.action}: {decision_text(a.decision)}" for a in answers[:3])
            more = f" (+{len(answers) - 3} more)" if len(answers) > 3 else ""
            window.statusBar().showMessage(f"{name} → {first.resource} — {outcome}{more}", 15000)

    def show_answer(self, answer: AccessAnswer) -> None:
        """Show one answer computed elsewhere (a matrix cell) with its path highlight."""
        resource = self.document.workspace.find(answer.resource) or self.document.workspace.find(
            answer.resource.removesuffix("/*"))
        self._asked = False
        self.answer_view.show_answers([answer])
        if resource is not None:
            self.choose(answer.principal_id, resource.id)
            self._set_highlight(answer_highlight(self.document.workspace, [answer], resource.id))

    def _arn_for(self, target: Entity, action: str) -> str:
        from iam_desktop.graph import resource_arn_for
        return resource_arn_for(target, action) if isinstance(target, Resource) else \
            self.document.workspace.arn_of(target.id)

    def _documents_of(self, entity_ids: list[str]) -> list[tuple[Mapping[str, Any], str]]:
        workspace = self.document.workspace
        seen: set[str] = set()
        documents: list[tuple[Mapping[str, Any], str]] = []
        queue = list(entity_ids)
        while queue:
            entity_id = queue.pop()
            if entity_id in seen or entity_id not in workspace:
                continue
            seen.add(entity_id)
            entity = workspace.get(entity_id)
            for slot, _label in policy_slots(entity):
                document = slot_document(entity, slot)
                if document is not None:
                    documents.append((document, slot_policy_type(entity, slot)))
            if isinstance(entity, (User, Group, Role)):
                queue += [*entity.managed_policies, *getattr(entity, "groups", ())]
                queue += [p for p in (getattr(entity, "permission_boundary", None),) if p]
            if isinstance(entity, Resource) and entity.runs_as:
                queue.append(entity.runs_as)
        return documents

    def _update_key_suggestions(self, answers: list[AccessAnswer]) -> None:
        ids = [i for i in (self.principal_combo.current_id(), self.resource_combo.current_id()) if i]
        ids += [hop.target_id for a in answers for p in a.paths for hop in p.hops]
        self.context_inputs.set_suggestions(condition_keys(self._documents_of(ids)))

    # ----- overlays --------------------------------------------------------------------------------------
    def show_what_can(self) -> bool:
        """Colour every resource by whether the selected principal can reach it; follows model changes."""
        ids = self.document.selected_ids()
        principal_id = ids[0] if len(ids) == 1 else self.principal_combo.current_id()
        if principal_id is None or principal_id not in self.document.workspace or \
                not is_principal(self.document.workspace.get(principal_id)):
            self.status_label.setText("Select one principal (user, role, service) first.")
            return False
        self._overlay = ("what", principal_id)
        return self._show_overlay()

    def show_who_can(self) -> bool:
        """Colour every principal by whether it can reach the selected resource; follows model changes."""
        ids = self.document.selected_ids()
        resource_id = ids[0] if len(ids) == 1 else self.resource_combo.current_id()
        if resource_id is None or resource_id not in self.document.workspace or \
                not isinstance(self.document.workspace.get(resource_id), Resource):
            self.status_label.setText("Select one resource first.")
            return False
        self._overlay = ("who", resource_id)
        return self._show_overlay()

    def _show_overlay(self) -> bool:
        assert self._overlay is not None
        if self._overlay[1] not in self.document.workspace:
            self._overlay = None
            return False
        self.status_label.setText("Computing the overlay…")
        self._overlays.request(self._overlay)
        return True

    def is_computing(self) -> bool:
        """True while an overlay is computed in the background."""
        return self._overlays.is_running()

    def _on_overlay_computed(self, request: OverlayRequest, result: OverlayResult | str) -> None:
        if request != self._overlay:  # cleared, or replaced by a question or another highlight meanwhile
            return
        if isinstance(result, str):
            self.status_label.setText(result)
            return
        self._asked = False
        self.status_label.setText(result.summary)
        self._set_highlight(result.highlight)

    # ----- highlight -------------------------------------------------------------------------------------
    def _set_highlight(self, highlight: Highlight) -> None:
        self._own_highlight = highlight
        self.document.set_highlight(highlight)

    def clear_highlight(self) -> None:
        """Remove the highlight and stop following the model with an overlay."""
        if self._overlay is not None:
            self.status_label.clear()
        self._overlay = None
        self._overlays.forget()
        self._asked = False
        self._own_highlight = None
        self.document.set_highlight(None)

    def _on_highlight_changed(self, highlight: object) -> None:
        self._escape.setEnabled(highlight is not None)
        if highlight is not None and highlight != self._own_highlight:
            self._overlay, self._asked = None, False

    # ----- notifications ---------------------------------------------------------------------------------
    def _on_changed(self, change: Change) -> None:
        if change.kind is ChangeKind.PLACED:
            return
        self._fill_choices()
        if self._asked or self._overlay is not None:
            self._refresh_timer.start()

    def _on_inputs_changed(self) -> None:
        if self._asked:
            self._refresh_timer.start()

    def _refresh_results(self) -> None:
        if self._overlay is not None:
            self._show_overlay()
        elif self._asked:
            self.ask()

    def _on_selection_changed(self, ids: list[str]) -> None:
        if self.ask_on_selection.isChecked() and len(ids) == 2 and self.use_selection():
            self.ask()
