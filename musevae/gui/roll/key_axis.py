"""The shared key axis: which keys the roll and the keyboard show, highest at the top.

A piece rarely spans all 88 keys; showing just its range makes each row several times
taller. Both views take their row geometry from one KeyAxis, so they always line up.
A finished piece is fitted (``fit_piece``) unless keys were chosen by hand (Fit, 88,
Shift+wheel) while it was sampled: that view stays.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE

MIN_KEYS = 25  # two octaves and a bit: rows never get absurdly tall


class KeyAxis(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.low, self.high = 0, KEY_COUNT - 1  # roll keys (0 = A0), both shown
        self.chosen = False  # keys chosen by hand since the piece began

    @property
    def count(self) -> int:
        return self.high - self.low + 1

    def row_height(self, height: int) -> float:
        return height / self.count

    def row_top(self, key: int, height: int) -> float:
        return (self.high - key) * self.row_height(height)

    def key_at(self, y: float, height: int) -> int:
        """The key whose row holds ``y`` (clamped to the keys shown)."""
        return min(self.high, max(self.low, self.high - int(y // self.row_height(height))))

    def show(self, low: int, high: int) -> None:
        """Show keys ``low..high``, widened to MIN_KEYS and kept on the keyboard."""
        self.chosen = True
        low, high = max(0, low), min(KEY_COUNT - 1, high)
        missing = MIN_KEYS - (high - low + 1)
        if missing > 0:
            low = max(0, low - missing // 2)
            high = min(KEY_COUNT - 1, low + MIN_KEYS - 1)
            low = high - MIN_KEYS + 1
        if (low, high) != (self.low, self.high):
            self.low, self.high = low, high
            self.changed.emit()

    def fit(self, midi_range: tuple[int, int] | None) -> None:
        """Show a piece's lowest..highest MIDI note, from the C below to the B above."""
        if midi_range is None:
            self.show(0, KEY_COUNT - 1)
            return
        low, high = (note - LOWEST_NOTE for note in midi_range)
        below_c = (low + LOWEST_NOTE) % 12  # keys down to the C at or below
        above_b = 11 - (high + LOWEST_NOTE) % 12  # keys up to the B at or above
        self.show(low - below_c, high + above_b)

    def scroll(self, keys: int) -> None:
        """Move the shown range ``keys`` up (positive) or down, within the keyboard."""
        self.chosen = True
        shift = max(-self.low, min(KEY_COUNT - 1 - self.high, keys))
        if shift:
            self.low, self.high = self.low + shift, self.high + shift
            self.changed.emit()

    def new_piece(self) -> None:
        self.chosen = False

    def fit_piece(self, midi_range: tuple[int, int] | None) -> None:
        """Fit a finished piece, unless keys were chosen since it began."""
        if not self.chosen:
            self.fit(midi_range)
            self.chosen = False
