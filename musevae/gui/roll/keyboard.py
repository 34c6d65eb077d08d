"""The keyboard at the left of the piano roll: one row per key shown by the KeyAxis,
the highest at the top, drawn as a piano is: white keys, black keys short and dark on
them, the edges between white keys, and every C named in the app's own font size."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE
from musevae.gui.roll.key_axis import KeyAxis

BLACK_PITCH_CLASSES = frozenset({1, 3, 6, 8, 10})
NO_BLACK_BELOW = frozenset({0, 5})  # C and F: the white key below meets them directly
BLACK_SHARE = 0.58  # of the strip's width, as on a piano
WHITE, BLACK, EDGE, LABEL = (QColor(c) for c in ("#ffffff", "#2b2b2b", "#b4b4b4", "#444444"))


def is_black(key: int) -> bool:
    """Whether roll key ``key`` (0 = A0) is a black key."""
    return (key + LOWEST_NOTE) % 12 in BLACK_PITCH_CLASSES


def note_name(key: int) -> str:
    """Scientific pitch name of roll key ``key``: 39 -> C4 (middle C, MIDI 60)."""
    names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    midi = key + LOWEST_NOTE
    return f"{names[midi % 12]}{midi // 12 - 1}"


class KeyboardWidget(QWidget):
    """Paints the key rows; wide enough for "C8" beside the black keys."""

    def __init__(self, keys: KeyAxis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self.setMinimumWidth(self.sizeHint().width())
        keys.changed.connect(self.update)

    def label_font(self) -> QFont:
        return self.font()  # the size of the text around it: readable at any scale

    def sizeHint(self) -> QSize:
        label = self.fontMetrics().horizontalAdvance("C8") + 6
        return QSize(max(48, int(label / (1 - BLACK_SHARE)) + 1), int(KEY_COUNT * 6))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width, height, axis = self.width(), self.height(), self.keys
        h, black_w = axis.row_height(height), width * BLACK_SHARE
        painter.fillRect(self.rect(), WHITE)
        painter.setPen(EDGE)
        for key in range(axis.low, axis.high + 1):
            top = axis.row_top(key, height)
            if is_black(key):
                painter.fillRect(QRectF(0, top, black_w, h), BLACK)
                # the two white keys beside a black key meet behind its middle
                painter.drawLine(QPointF(black_w, top + h / 2), QPointF(width, top + h / 2))
            elif (key + LOWEST_NOTE) % 12 in NO_BLACK_BELOW:
                painter.drawLine(QPointF(0, top + h), QPointF(width, top + h))
        self._paint_labels(painter, width, height)
        painter.setPen(QColor("#999999"))
        painter.drawLine(width - 1, 0, width - 1, height)
        painter.end()

    def _paint_labels(self, painter: QPainter, width: int, height: int) -> None:
        """Each C's name at the right of its white key, resting on the B below it; when
        an octave is lower than the text, no names."""
        axis = self.keys
        painter.setFont(self.label_font())
        metrics = painter.fontMetrics()
        h = axis.row_height(height)
        if 12 * h < metrics.height():
            return
        painter.setPen(LABEL)
        for key in range(axis.low, axis.high + 1):
            if (key + LOWEST_NOTE) % 12 == 0:
                bottom = axis.row_top(key, height) + h
                rect = QRectF(0, bottom - metrics.height(), width - 4, metrics.height())
                align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                text = note_name(key)
                box = QRectF(rect.right() - metrics.horizontalAdvance(text) - 1, rect.top(),
                             metrics.horizontalAdvance(text) + 2, rect.height())  # fmt: skip
                painter.fillRect(box, WHITE)  # over the edge line behind C#
                painter.drawText(rect, align, text)
