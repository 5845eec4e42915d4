"""The access matrix dock: principals x (resource, action) decisions, computed off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QThread, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
    QSizePolicy, QTableView, QVBoxLayout, QWidget,
)

from iam_desktop.formats.reports import matrix_to_csv
from iam_desktop.gui.document import Document
from iam_desktop.gui.panels.actions_input import expand_actions
from iam_desktop.gui.panels.answer_view import decision_color
from iam_desktop.gui.panels.question import is_principal
from iam_desktop.gui.workers import start_kept
from iam_desktop.model import Account, Change, ChangeKind, Entity, Workspace
from iam_desktop.policy import Decision

if TYPE_CHECKING:
    from iam_desktop.graph import AccessAnswer, AccessMatrix

CELL_TEXT = {Decision.ALLOW: "✔ Allow", Decision.EXPLICIT_DENY: "✖ Deny", Decision.IMPLICIT_DENY: "○ No"}
CELL_TOOLTIP = {Decision.ALLOW: "Allowed", Decision.EXPLICIT_DENY: "Explicitly denied",
                Decision.IMPLICIT_DENY: "Implicitly denied: nothing allows it"}
ALL, SELECTED = "all", "selected"
Index = QModelIndex | QPersistentModelIndex


class MatrixModel(QAbstractTableModel):
    """Rows are principals, columns (resource, action) pairs, cells the decision in words and colour."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix: AccessMatrix | None = None
        self._names: dict[str, str] = {}
        self._columns: list[tuple[str, str]] = []

    def set_matrix(self, matrix: AccessMatrix | None, workspace: Workspace) -> None:
        """Show ``matrix`` (names read from ``workspace``); None empties the table."""
        self.beginResetModel()
        self.matrix = matrix
        self._names = {i: workspace.get(i).name for i in workspace.entities}
        self._columns = [] if matrix is None else matrix.computed_columns()
        self.endResetModel()

    def cell_key(self, index: Index) -> tuple[str, str, str] | None:
        """The (principal, resource, action) of a cell (None when outside the table)."""
        if self.matrix is None or not index.isValid():
            return None
        resource, action = self._columns[index.column()]
        return self.matrix.principal_ids[index.row()], resource, action

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if self.matrix is None or parent.isValid() else len(self.matrix.principal_ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        key = self.cell_key(index)
        if key is None or self.matrix is None:
            return None
        decision = self.matrix.decision(*key)
        if role == Qt.ItemDataRole.DisplayRole:
            return CELL_TEXT[decision] if decision is not None else "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            principal, resource, action = key
            what = CELL_TOOLTIP[decision] if decision is not None else "Not computed"
            return f"{self._names.get(principal, principal)} → {action} on {self._names.get(resource, resource)}: " \
                   f"{what}. Double-click for the explanation."
        if role == Qt.ItemDataRole.ForegroundRole and decision is not None:
            return QBrush(decision_color(decision))
        if role == Qt.ItemDataRole.BackgroundRole and decision is not None:
            color = decision_color(decision)
            color.setAlpha(40 if decision is Decision.ALLOW else 22)
            return QBrush(color)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt override)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or self.matrix is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            principal = self.matrix.principal_ids[section]
            return self._names.get(principal, principal)
        resource, action = self._columns[section]
        return f"{self._names.get(resource, resource)}\n{action}"


class MatrixWorker(QThread):
    """Computes a matrix on a snapshot of the model in its own thread (and, for a big one, on every core).

    Signals
    -------
    progressed(int, int)
        Cells done and the total (at most about a hundred times per run).
    computed(object)
        The AccessMatrix (``complete`` False when cancelled).
    """

    progressed = Signal(int, int)
    computed = Signal(object)

    def __init__(self, workspace: Workspace, principal_ids: list[str], resource_ids: list[str],
                 actions: list[str] | None) -> None:
        super().__init__()
        from iam_desktop.graph import AccessGraph  # loaded here, in the GUI thread: importing in run() can hang
        from iam_desktop.graph.parallel import matrix_in_parallel

        self._graph_type = AccessGraph
        self._compute = matrix_in_parallel
        self._workspace = workspace
        self._request = (principal_ids, resource_ids, actions)
        self._cancel = threading.Event()
        self._next_report = 0

    def cancel(self) -> None:
        """Ask the computation to stop after the row it is on (each worker process too)."""
        self._cancel.set()

    def _progress(self, done: int, total: int) -> None:
        if done >= self._next_report or done == total:
            self._next_report = done + max(1, total // 100)
            self.progressed.emit(done, total)

    def run(self) -> None:
        """Compute (Qt override; runs in the worker thread)."""
        graph = self._graph_type(self._workspace)
        principal_ids, resource_ids, actions = self._request
        matrix = self._compute(graph, principal_ids, resource_ids, actions, progress=self._progress,
                               cancelled=self._cancel.is_set)
        self.computed.emit(matrix)


class MatrixPanel(QWidget):
    """Chooses principals, resources and actions, computes their access matrix with progress and Cancel.

    Signals
    -------
    answer_requested(object)
        A cell was double-clicked: its explained AccessAnswer.
    """

    answer_requested = Signal(object)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._worker: MatrixWorker | None = None
        self.actions_edit = QLineEdit()
        self.actions_edit.setPlaceholderText("Actions, e.g. s3:Get* (empty: usual actions of each type)")
        self.principal_scope = QComboBox()
        self.principal_scope.addItem("All principals", ALL)
        self.principal_scope.addItem("Selected principals", SELECTED)
        self.resource_scope = QComboBox()
        self.resource_scope.addItem("All resources", ALL)
        self.resource_scope.addItem("Selected resources", SELECTED)
        self.run_button = QPushButton("Compute")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.export_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.status_label = QLabel("Choose what to compute and press Compute.")
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = MatrixModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.horizontalHeader().setDefaultSectionSize(110)
        rows = self.view.verticalHeader()  # one line of text a row: sizing rows to their contents would read every cell
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        scopes = QHBoxLayout()
        scopes.addWidget(self.principal_scope, 1)
        scopes.addWidget(self.resource_scope, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.actions_edit)
        layout.addLayout(scopes)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.view, 1)
        document.changed.connect(self._on_changed)

    # ----- public API ------------------------------------------------------------------------------------
    def is_running(self) -> bool:
        """True while a computation runs."""
        return self._worker is not None

    def run(self) -> bool:
        """Start computing the matrix for the chosen principals, resources and actions; False on a problem."""
        if self._worker is not None:
            return False
        workspace = self.document.workspace
        selected = set(self.document.selected_ids())
        principals = [e.id for e in workspace.entities.values() if _is_caller(e)
                      and (self.principal_scope.currentData() == ALL or e.id in selected)]
        resources = [r.id for r in workspace.resources()
                     if self.resource_scope.currentData() == ALL or r.id in selected]
        actions, notes = expand_actions(self.actions_edit.text())
        if notes or not principals or not resources:
            problem = "; ".join(notes) or "There is no principal or no resource to compute."
            self.status_label.setText(problem)
            return False
        self._worker = worker = MatrixWorker(workspace.copy(), principals, resources, actions or None)
        worker.progressed.connect(self._on_progress)
        worker.computed.connect(self._on_computed)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.status_label.setText(f"Computing {len(principals)} principal(s) × {len(resources)} resource(s)…")
        start_kept(worker)
        return True

    def cancel(self) -> None:
        """Stop the running computation (the cells computed so far are shown)."""
        if self._worker is not None:
            self._worker.cancel()
            self.status_label.setText("Cancelling…")

    def export_csv(self, path: Path) -> None:
        """Write the computed cells to ``path`` as CSV (one row per principal, resource and action)."""
        if self.model.matrix is not None:
            path.write_text(matrix_to_csv(self.model.matrix, self.document.workspace), encoding="utf-8")

    # ----- worker ----------------------------------------------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _on_computed(self, matrix: AccessMatrix) -> None:
        self._worker = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress_bar.hide()
        self.model.set_matrix(matrix, self.document.workspace)
        self._fit_columns()
        self.export_button.setEnabled(True)
        counts = matrix.decision_counts()
        done = f"{sum(counts.values()):,} cell(s), {counts[Decision.ALLOW]:,} allowed."
        self.status_label.setText(done if matrix.complete else f"Cancelled: {done} (not all cells were computed)")

    def _fit_columns(self) -> None:
        """Size each column to its two-line header and the widest cell text, reading the headers only (sizing to
        contents would read every cell)."""
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        padding = 2 * metrics.averageCharWidth() + 8
        least = max(metrics.horizontalAdvance(text) for text in CELL_TEXT.values()) + padding
        for column in range(self.model.columnCount()):
            lines = str(self.model.headerData(column, Qt.Orientation.Horizontal)).split("\n")
            header.resizeSection(column, max(least, *(metrics.horizontalAdvance(line) + padding for line in lines)))

    # ----- interaction -----------------------------------------------------------------------------------
    def _on_double_clicked(self, index: QModelIndex) -> None:
        key = self.model.cell_key(index)
        if key is None or self.model.matrix is None or key not in self.model.matrix.cells:
            return
        answer: AccessAnswer = self.model.matrix.answer(*key)
        self.answer_requested.emit(answer)

    def _on_export_clicked(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, "Export access matrix", "access-matrix.csv",
                                                    "CSV files (*.csv)")
        if name:
            self.export_csv(Path(name))

    def _on_changed(self, change: Change) -> None:
        if change.kind is not ChangeKind.PLACED and self.model.matrix is not None and self._worker is None:
            self.status_label.setText("The model changed since this matrix was computed: press Compute again.")



def _is_caller(entity: Entity) -> bool:
    """Users, roles, service principals and compute resources with a run-as role (the graph's callers)."""
    return is_principal(entity) and not isinstance(entity, Account)
