"""The keyboard at the left of the piano roll: one row per key shown by the KeyAxis,
the highest at the top, black keys short and dark, every C named."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE
from musevae.gui.key_axis import KeyAxis

BLACK_PITCH_CLASSES = frozenset({1, 3, 6, 8, 10})


def is_black(key: int) -> bool:
    """Whether roll key ``key`` (0 = A0) is a black key."""
    return (key + LOWEST_NOTE) % 12 in BLACK_PITCH_CLASSES


def note_name(key: int) -> str:
    """Scientific pitch name of roll key ``key``: 39 -> C4 (middle C, MIDI 60)."""
    names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    midi = key + LOWEST_NOTE
    return f"{names[midi % 12]}{midi // 12 - 1}"


class KeyboardWidget(QWidget):
    """Paints 88 key rows; black keys are shorter and dark, every C is labelled."""

    def __init__(self, keys: KeyAxis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self.setMinimumWidth(44)
        keys.changed.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(48, int(KEY_COUNT * 6))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width, height, axis = self.width(), self.height(), self.keys
        h = axis.row_height(height)
        painter.fillRect(self.rect(), QColor("#f4f4f4"))
        painter.setPen(QColor("#c8c8c8"))
        for key in range(axis.low, axis.high + 1):
            top = axis.row_top(key, height)
            if is_black(key):
                painter.fillRect(QRectF(0, top, width * 0.62, h), QColor("#2b2b2b"))
            elif (key + LOWEST_NOTE) % 12 in (0, 5):  # a white key with no white key below
                painter.drawLine(0, int(top + h), width, int(top + h))
        if h >= 6:
            font = painter.font()
            font.setPixelSize(int(min(h + 1, 11)))
            painter.setFont(font)
            painter.setPen(QColor("#555555"))
            for key in range(axis.low, axis.high + 1):
                if (key + LOWEST_NOTE) % 12 == 0:
                    rect = QRectF(0, axis.row_top(key, height), width - 3, h)
                    align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    painter.drawText(rect, align, note_name(key))
        painter.setPen(QColor("#999999"))
        painter.drawLine(width - 1, 0, width - 1, height)
        painter.end()
