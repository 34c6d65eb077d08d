"""The piano roll: notes as bars over time, coloured by the model's probability.

Painting is proportional to what is on screen, never to the piece: the visible step
range is cut out of the arrays, merged into pixel-wide bins when zoomed out
(``paint_data.visible_runs``), and drawn with one ``drawRects`` call per colour level —
one QPainter pass, no QGraphicsItem per note — so a 10,000-step piece scrolls smoothly.
Notes being played on a MIDI keyboard (``show_live``) are drawn over the piece in green.
"""

from __future__ import annotations

import numpy as np
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE
from musevae.gui.generate.state import GenerationState
from musevae.gui.roll.paint_data import Runs, steps_per_bin, visible_runs
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.key_axis import KeyAxis
from musevae.gui.roll.keyboard import is_black
from musevae.gui.roll.timeline import TimeAxis

LEVELS = 8  # probability shades; one drawRects call each
LOW, HIGH = QColor("#f0a030"), QColor("#1f4e96")  # unlikely notes orange, sure ones deep blue
LIVE = QColor(40, 170, 70, 200)  # notes played on the keyboard
EMPTY_TEXT = (
    "No piece yet.\nChoose a model in the Library, then press Generate (Ctrl+G).\n"
    "No model? Train one in the Train tab."
)


def shade(level: int) -> QColor:
    """Colour of probability level ``level`` of LEVELS: hue and opacity both rise."""
    f = level / (LEVELS - 1)
    color = QColor.fromRgbF(
        LOW.redF() + f * (HIGH.redF() - LOW.redF()),
        LOW.greenF() + f * (HIGH.greenF() - LOW.greenF()),
        LOW.blueF() + f * (HIGH.blueF() - LOW.blueF()),
    )
    color.setAlphaF(0.5 + 0.5 * f)
    return color


class PianoRollWidget(QWidget):
    """Draws the shown candidate over the axes' visible range; ``seekRequested(step)``
    on a click; the wheel scrolls time, Ctrl+wheel zooms it, Shift+wheel scrolls keys."""

    seekRequested = Signal(float)

    def __init__(
        self,
        generation: GenerationState,
        axis: TimeAxis,
        keys: KeyAxis,
        playback: PlaybackState,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.generation, self.axis, self.keys, self.playback = generation, axis, keys, playback
        self._shades = [shade(level) for level in range(LEVELS)]
        self._live: Any = None  # has notes() -> (T, 88) and takeChanged
        self.setMinimumHeight(200)
        # the window's resting place for the focus: keys typed here change no setting
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for signal in (generation.started, generation.grown, generation.candidateChanged,
                       generation.edited, axis.changed, keys.changed, playback.positionChanged):  # fmt: skip
            signal.connect(self.update)

    def show_live(self, take: Any) -> None:
        """Draw ``take.notes()`` (what the keyboard plays) too, redrawn on ``takeChanged``."""
        self._live = take
        take.takeChanged.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(800, int(KEY_COUNT * 6))

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint_rows(painter)
        steps = self.generation.steps
        live = self._live.notes() if self._live is not None else np.zeros((0, KEY_COUNT), bool)
        if steps == 0 and len(live) == 0:
            painter.setPen(QColor("#666666"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            painter.end()
            return
        self._paint_grid(painter)
        self._paint_notes(painter)
        self._paint_live(painter, live)
        end_x = self.axis.x_of(steps)
        if end_x < self.width():
            unsampled = QRectF(end_x, 0, self.width() - end_x, self.height())
            painter.fillRect(unsampled, QColor(0, 0, 0, 18))
        x = self.axis.x_of(self.playback.position)
        painter.setPen(QPen(QColor("#d62728"), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.end()

    def _paint_rows(self, painter: QPainter) -> None:
        width, height, keys = self.width(), self.height(), self.keys
        painter.fillRect(self.rect(), QColor("#fbfbfb"))
        h = keys.row_height(height)
        for key in range(keys.low, keys.high + 1):
            if is_black(key):
                painter.fillRect(QRectF(0, keys.row_top(key, height), width, h), QColor("#eeeeee"))
        painter.setPen(QColor("#d0d0d0"))
        for key in range(keys.low, keys.high + 1):
            if (key + LOWEST_NOTE) % 12 == 0:  # octave lines under every C
                y = keys.row_top(key, height) + h
                painter.drawLine(QPointF(0, y), QPointF(width, y))

    def _paint_grid(self, painter: QPainter) -> None:
        """Beat lines (when a beat is at least 6 px wide) and darker bar lines (4 beats)."""
        steps_per_beat = 1.0 / self.generation.step_beats
        px_per_beat = self.axis.px_per_step * steps_per_beat
        every = 1 if px_per_beat >= 6 else 4 if px_per_beat * 4 >= 6 else 0
        if not every:
            return
        t0, t1 = self.axis.visible(self.width())
        first_beat = int(np.floor(t0 / steps_per_beat / every) * every)
        last_beat = int(np.ceil(t1 / steps_per_beat))
        for beat in range(first_beat, last_beat + 1, every):
            x = self.axis.x_of(beat * steps_per_beat)
            painter.setPen(QColor("#c4c4c4" if beat % 4 == 0 else "#e4e4e4"))
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def _runs(self, notes: np.ndarray, probs: np.ndarray) -> tuple[Runs, list[QRectF]]:
        """The visible runs of ``notes`` and their rectangles on screen."""
        t0, t1 = self.axis.visible(self.width())
        runs = visible_runs(notes, probs, t0, t1, steps_per_bin(self.axis.px_per_step))
        px, h = self.axis.px_per_step, self.keys.row_height(self.height())
        xs = self.axis.x_of(runs.starts.astype(np.float64))
        ws = np.maximum(runs.lengths * px - (1.0 if px >= 4 else 0.0), 1.0)
        ys = (self.keys.high - runs.keys) * h
        return runs, [QRectF(x, y + 0.5, w, h - 1) for x, y, w in zip(xs, ys, ws)]

    def _paint_notes(self, painter: QPainter) -> None:
        runs, rects = self._runs(self.generation.notes(), self.generation.probs())
        levels = np.minimum((runs.strength * LEVELS).astype(int), LEVELS - 1)
        outline = self.axis.px_per_step >= 4 and self.keys.row_height(self.height()) >= 5
        for level in range(LEVELS):
            chosen = np.flatnonzero(levels == level)
            if chosen.size == 0:
                continue
            painter.setBrush(self._shades[level])
            edge = self._shades[level].darker(140)
            painter.setPen(QPen(edge, 1) if outline else Qt.PenStyle.NoPen)
            painter.drawRects([rects[i] for i in chosen])

    def _paint_live(self, painter: QPainter, live: np.ndarray) -> None:
        _, rects = self._runs(live, live.astype(np.float32))
        if rects:
            painter.setBrush(LIVE)
            painter.setPen(QPen(LIVE.darker(150), 1))
            painter.drawRects(rects)

    # --- interaction ----------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.keys.scroll(3 if delta > 0 else -3)
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.axis.zoom(1.25 if delta > 0 else 0.8, event.position().x())
        else:
            self.axis.scroll_to(self.axis.first - delta / 120 * 40 / self.axis.px_per_step)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.generation.steps:
            step = min(max(0.0, self.axis.step_at(event.position().x())), self.generation.steps)
            self.seekRequested.emit(float(int(step)))
