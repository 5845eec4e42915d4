"""The edge legend: a sample of every edge style with what it means."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QHBoxLayout, QWidget

from iam_desktop.gui.items.edge import EDGE_STYLES, EdgeStyle


class _Sample(QWidget):
    """A short line drawn in one edge style."""

    def __init__(self, style: EdgeStyle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._style = style
        self.setFixedSize(QSize(56, 18))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the sample line with its head (Qt override)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(self._style.color)
        painter.setPen(QPen(color, 2.0, self._style.dash))
        y = self.height() / 2
        painter.drawLine(QPointF(4, y), QPointF(self.width() - 12, y))
        painter.setPen(QPen(color, 1.6))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base) if self._style.head == "open" else color)
        tip = QPointF(self.width() - 3, y)
        if self._style.head == "diamond":
            points = [tip, QPointF(tip.x() - 7, y - 4), QPointF(tip.x() - 14, y), QPointF(tip.x() - 7, y + 4)]
        else:
            points = [tip, QPointF(tip.x() - 10, y - 5), QPointF(tip.x() - 10, y + 5)]
        painter.drawPolygon(QPolygonF(points))
        painter.end()


class EdgeLegend(QWidget):
    """One row per edge kind: its style sample and its meaning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        for kind, style in EDGE_STYLES.items():
            row = QHBoxLayout()
            row.addWidget(_Sample(style))
            label = QLabel(style.label)
            label.setObjectName(f"legend-{kind.value}")
            row.addWidget(label, 1)
            layout.addLayout(row)
        hint = QLabel("Connect: drag a node's round handle,\nor Shift+drag, or press C.")
        hint.setToolTip("Drag from a node's round handle, hold Shift and drag, or press C for the Connect tool")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.setMinimumHeight(layout.sizeHint().height())
