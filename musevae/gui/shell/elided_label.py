"""A one-line label that shortens its text with "…" to the width it is given.

A plain QLabel is as wide as its text: a long prime file name or run name widened the
dock's form past its edge, clipping the buttons and spin boxes beside it. This one asks
for little width and elides in the middle, where file names differ least; ``text()``
stays the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARS, MAX_CHARS = 6, 30  # the width it asks for, at least and at most, in characters


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * MIN_CHARS, metrics.height())

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self.text()), metrics.averageCharWidth() * MAX_CHARS)
        return QSize(max(width, self.minimumSizeHint().width()), metrics.height())

    def shown_text(self) -> str:
        """The text as drawn at the current width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        text, palette, role = self.shown_text(), self.palette(), self.foregroundRole()
        self.style().drawItemText(painter, self.contentsRect(), align, palette, self.isEnabled(),
                                  text, role)  # fmt: skip
        painter.end()
