"""Small learnable pieces for the GUI tests and the GUI benchmark (no pytest needed)."""

from __future__ import annotations

import numpy as np

from musevae.data.pianoroll import PianoRoll


def chord_piece(offset: int, steps: int) -> PianoRoll:
    """Three chords in turn, moved by ``offset`` semitones (a learnable toy piece)."""
    chords = ([60, 64, 67], [62, 65, 69], [59, 62, 67])
    keys = np.zeros((steps, 88), bool)
    for t in range(steps):
        keys[t, [n + offset - 21 for n in chords[t % 3]]] = True
    return PianoRoll(keys, 0.5, 100.0)
