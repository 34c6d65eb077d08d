"""The shared time axis: how many pixels a step takes and which step is at the left edge.

The piano roll, the uncertainty lane and the scroll bar all follow one TimeAxis, so
zooming or scrolling any of them moves them all.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

MIN_PX_PER_STEP = 0.02  # 50 steps a pixel: 50,000 steps on a 1000-pixel roll
MAX_PX_PER_STEP = 64.0


class TimeAxis(QObject):
    changed = Signal()

    def __init__(self, px_per_step: float = 8.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.px_per_step = px_per_step
        self.first = 0.0  # step at x = 0

    def x_of(self, step: float) -> float:
        return (step - self.first) * self.px_per_step

    def step_at(self, x: float) -> float:
        return self.first + x / self.px_per_step

    def visible(self, width: int) -> tuple[int, int]:
        """First step on screen and one past the last (partly visible steps included)."""
        t0 = max(0, math.floor(self.first))
        return t0, max(t0, math.ceil(self.step_at(width)))

    def zoom(self, factor: float, anchor_x: float = 0.0) -> None:
        """Scale by ``factor``, keeping the step under ``anchor_x`` where it is."""
        anchor = self.step_at(anchor_x)
        px = min(MAX_PX_PER_STEP, max(MIN_PX_PER_STEP, self.px_per_step * factor))
        if px == self.px_per_step:
            return
        self.px_per_step = px
        self.first = max(0.0, anchor - anchor_x / px)
        self.changed.emit()

    def fit(self, steps: int, width: int) -> None:
        """Show ``steps`` steps across ``width`` pixels."""
        px = min(MAX_PX_PER_STEP, max(MIN_PX_PER_STEP, width / max(1, steps)))
        self.px_per_step, self.first = px, 0.0
        self.changed.emit()

    def scroll_to(self, first: float) -> None:
        first = max(0.0, first)
        if first != self.first:
            self.first = first
            self.changed.emit()

    def follow(self, step: float, width: int) -> None:
        """Scroll just enough that ``step`` is on screen (a page at a time, not jittering)."""
        x = self.x_of(step)
        if x < 0 or x > width:
            self.scroll_to(step - 0.1 * width / self.px_per_step)
