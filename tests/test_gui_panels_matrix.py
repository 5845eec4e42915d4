"""The access matrix dock: compute in the background with progress, cancel, read cells, explain a cell, CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from PySide6.QtWidgets import QDockWidget, QMainWindow

from iam_desktop.gui.document import Document
from iam_desktop.gui.panels import create_panels
from iam_desktop.gui.panels.matrix import MatrixPanel
from iam_desktop.gui.panels.question import QuestionPanel
from iam_desktop.model import Account, InlinePolicy, Resource, User, Workspace

READ_A = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-a/*"},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-b/*"}]}


def _workspace(users: int, buckets: int, bucket_policies: bool = False) -> Workspace:
    """Users who may read bucket-a; with ``bucket_policies`` every bucket has its own policy (slower to decide)."""
    workspace = Workspace()
    workspace.add(Account("acct", "prod", "111122223333"))
    for index in range(users):
        workspace.add(User(f"u{index}", f"user{index}", "acct", inline_policies=(InlinePolicy("read", READ_A),)))
    names = ["bucket-a", "bucket-b"] + [f"bucket-{n}" for n in range(2, buckets)]
    for name in names[:buckets]:
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::111122223333:user/user{len(name) % users}"},
            "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{name}"}]} if bucket_policies else None
        workspace.add(Resource(name, name, "acct", "s3_bucket", f"arn:aws:s3:::{name}", policy=policy))
    return workspace


@pytest.fixture
def small(qtbot) -> tuple[MatrixPanel, Document]:
    document = Document(_workspace(2, 2))
    panel = MatrixPanel(document)
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    return panel, document


def _cell(panel: MatrixPanel, row: int, header: str) -> str:
    model = panel.model
    columns = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, columns.index(header)).data()


def test_compute_shows_decisions_and_exports_csv(qtbot, small, tmp_path: Path) -> None:
    panel, _document = small
    qtbot.keyClicks(panel.actions_edit, "s3:GetObject")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    assert panel.model.rowCount() == 2 and panel.model.columnCount() == 2
    assert panel.model.headerData(0, Qt.Orientation.Vertical) == "user0"
    assert _cell(panel, 0, "bucket-a\ns3:GetObject") == "✔ Allow"
    assert _cell(panel, 1, "bucket-b\ns3:GetObject") == "✖ Deny"
    assert panel.status_label.text() == "4 cell(s), 2 allowed."
    target = tmp_path / "matrix.csv"
    panel.export_csv(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "principal_id,principal,resource_id,resource,action,decision"
    assert "u0,user0,bucket-a,bucket-a,s3:GetObject,allow" in lines


def test_double_click_a_cell_requests_its_explanation(qtbot, small) -> None:
    panel, _document = small
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    headers = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]
    assert "bucket-a\ns3:ListBucket" in headers
    column = headers.index("bucket-b\ns3:GetObject")
    panel.view.scrollTo(panel.model.index(1, column))
    rect = panel.view.visualRect(panel.model.index(1, column))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(panel.answer_requested, timeout=5000) as signal:
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    answer = signal.args[0]
    assert (answer.principal_id, answer.action, answer.resource) == ("u1", "s3:GetObject", "arn:aws:s3:::bucket-b/*")
    assert answer.evaluation.decision.value == "explicit_deny"


def test_progress_and_cancel(qtbot) -> None:
    document = Document(_workspace(600, 400, bucket_policies=True))  # long enough to cancel on any machine
    panel = MatrixPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    seen: list[tuple[int, int]] = []
    panel.progress_bar.valueChanged.connect(lambda value: seen.append((value, panel.progress_bar.maximum())))
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.progress_bar.isVisible()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=20000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=20000)
    total = 600 * 400 * 4
    assert seen[0][1] == total and 0 < seen[-1][0] < total
    assert panel.status_label.text().startswith("Cancelled:")
    assert not panel.progress_bar.isVisible() and panel.run_button.isEnabled()
    assert 0 < len(panel.model.matrix.cells) < total


def test_columns_fit_long_headers(qtbot, small) -> None:
    panel, _document = small
    qtbot.keyClicks(panel.actions_edit, "s3:GetObjectVersionTagging, s3:GetObject")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    header = panel.view.horizontalHeader()
    assert panel.model.columnCount() == 4
    for column in range(panel.model.columnCount()):  # no header line or cell text is cut off
        texts = [*panel.model.headerData(column, Qt.Orientation.Horizontal).split("\n"), "✔ Allow", "✖ Deny"]
        assert all(header.sectionSize(column) > header.fontMetrics().horizontalAdvance(text) for text in texts)
    assert header.sectionSize(0) > header.sectionSize(1)  # the long action's column is wider


def test_nothing_selected_is_refused(qtbot, small) -> None:
    panel, document = small
    panel.principal_scope.setCurrentIndex(panel.principal_scope.findData("selected"))
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert not panel.is_running()
    assert "no principal" in panel.status_label.text()
    document.select(["u0", "bucket-a"])
    panel.resource_scope.setCurrentIndex(panel.resource_scope.findData("selected"))
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    assert panel.model.rowCount() == 1 and panel.model.matrix.resource_ids == ("bucket-a",)


def test_create_panels_wires_matrix_cells_to_the_answer_view(qtbot) -> None:
    document = Document(_workspace(2, 2))
    window = QMainWindow()
    qtbot.addWidget(window)
    panels = create_panels(document, window)
    assert [title for title, _widget, _area in panels] == ["Inspector", "Policy editor", "Question", "Access matrix"]
    for title, widget, area in panels:
        dock = QDockWidget(title, window)
        dock.setWidget(widget)
        window.addDockWidget(area, dock)
    window.resize(1200, 800)
    window.show()
    widgets = {title: widget for title, widget, _area in panels}
    matrix, question = widgets["Access matrix"], widgets["Question"]
    assert isinstance(matrix, MatrixPanel) and isinstance(question, QuestionPanel)
    qtbot.keyClicks(matrix.actions_edit, "s3:GetObject")
    qtbot.mouseClick(matrix.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not matrix.is_running(), timeout=10000)
    rect = matrix.view.visualRect(matrix.model.index(0, 0))
    qtbot.mouseClick(matrix.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(matrix.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert question.answer_view.row_texts()[0][:2] == ("s3:GetObject", "✔ Allow")
    assert (question.principal_combo.current_id(), question.resource_combo.current_id()) == ("u0", "bucket-a")
    assert document.highlight.node_colors == {"bucket-a": "allow"}
