"""The uncertainty lane under the roll: entropy, latent spread and sample disagreement.

Each measure is drawn between its own smallest and largest value in the piece (their
units differ: nats, a standard deviation, a variance), so their shapes can be compared;
the exact numbers appear in the hover read-out. ``musevae.generate.uncertainty`` says what each
measure means to a musician.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from musevae.gui.generate.state import GenerationState
from musevae.gui.roll.paint_data import lane_envelope, steps_per_bin
from musevae.gui.playback.state import PlaybackState
from musevae.gui.roll.timeline import TimeAxis

# lane name -> (label, unit, colour)
STYLE = {
    "entropy": ("entropy", "nats", QColor("#e377c2")),
    "latent_spread": ("latent spread", "std", QColor("#2ca02c")),
    "disagreement": ("disagreement", "var", QColor("#9467bd")),
}
MARGIN = 4


class UncertaintyLane(QWidget):
    """Per-step uncertainty of the shown candidate; ``hovered(text)`` as the mouse moves."""

    hovered = Signal(str)

    def __init__(
        self,
        generation: GenerationState,
        axis: TimeAxis,
        playback: PlaybackState,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.generation, self.axis, self.playback = generation, axis, playback
        self.hover_step: int | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(60)
        for signal in (generation.started, generation.grown, generation.candidateChanged,
                       generation.edited, axis.changed, playback.positionChanged):  # fmt: skip
            signal.connect(self.update)
        generation.started.connect(self._forget_hover)  # a new piece: the old line is stale
        generation.candidateChanged.connect(self._show_hover)  # the same step, this candidate

    def sizeHint(self) -> QSize:
        return QSize(800, 90)

    def readout(self, step: int) -> str:
        """``step 12 · entropy 3.41 nats · ...`` for the shown candidate at ``step``."""
        parts = [f"step {step}"]
        for name, values in self.generation.lanes().items():
            if 0 <= step < len(values) and not math.isnan(values[step]):
                label, unit, _ = STYLE[name]
                parts.append(f"{label} {values[step]:.3g} {unit}")
        return " · ".join(parts)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        lanes = self.generation.lanes()
        t0, t1 = self.axis.visible(self.width())
        size = steps_per_bin(self.axis.px_per_step)
        for name, values in lanes.items():
            self._paint_lane(painter, values, t0, t1, size, STYLE[name][2])
        self._paint_legend(painter, list(lanes))
        if self.generation.steps:
            x = self.axis.x_of(self.playback.position)
            painter.setPen(QPen(QColor("#d62728"), 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        if self.hover_step is not None:
            painter.setPen(QPen(QColor("#444444"), 1, Qt.PenStyle.DashLine))
            hx = self.axis.x_of(self.hover_step + 0.5)
            painter.drawLine(QPointF(hx, 0), QPointF(hx, self.height()))
        painter.setPen(QColor("#bbbbbb"))
        painter.drawLine(0, 0, self.width(), 0)
        painter.end()

    def _paint_lane(
        self, painter: QPainter, values: np.ndarray, t0: int, t1: int, size: int, color: QColor
    ) -> None:
        steps, peaks = lane_envelope(values, t0, t1 + 1, size)
        if len(steps) == 0 or not np.isfinite(values).any():
            return
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        span = high - low if high > low else 1.0
        xs = self.axis.x_of(steps + size / 2)
        usable = self.height() - 2 * MARGIN - 16  # room for the legend
        ys = self.height() - MARGIN - (peaks - low) / span * usable
        painter.setPen(QPen(color, 1.5))
        for segment in np.split(np.arange(len(xs)), np.flatnonzero(np.isnan(ys)) + 1):
            points = [QPointF(xs[i], ys[i]) for i in segment if not math.isnan(ys[i])]
            if len(points) > 1:
                painter.drawPolyline(QPolygonF(points))

    def _paint_legend(self, painter: QPainter, names: list[str]) -> None:
        x = MARGIN
        font = painter.font()
        font.setPixelSize(11)
        painter.setFont(font)
        if not names:
            painter.setPen(QColor("#888888"))
            painter.drawText(x, 13, "uncertainty lane: appears while a piece is generated")
            return
        for name in names:
            label, unit, color = STYLE[name]
            painter.setPen(color)
            text = f"■ {label} ({unit})"
            painter.drawText(x, 13, text)
            x += painter.fontMetrics().horizontalAdvance(text) + 12

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        steps = self.generation.steps
        step = int(self.axis.step_at(event.position().x()))
        self.hover_step = step if 0 <= step < steps else None
        if self.hover_step is not None:
            text = self.readout(self.hover_step)
            self.hovered.emit(text)
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        self.update()

    def leaveEvent(self, event: object) -> None:
        self._forget_hover()

    def _forget_hover(self) -> None:
        self.hover_step = None
        self.update()

    def _show_hover(self) -> None:
        if self.hover_step is not None:
            self.hovered.emit(self.readout(self.hover_step))
