from __future__ import annotations

import numpy as np
import pytest

from musevae.data.pianoroll import PianoRoll
from musevae.generate.metrics import (
    compare,
    note_length_histogram,
    pitch_class_histogram,
    polyphony_histogram,
    total_variation,
)


def _roll(*notes: tuple[int, int, int]) -> PianoRoll:
    """A roll from (MIDI note, start, length) triples, 8 steps long."""
    keys = np.zeros((8, 88), dtype=bool)
    for note, start, length in notes:
        keys[start : start + length, note - 21] = True
    return PianoRoll(keys)


def test_histograms_by_hand() -> None:
    roll = _roll((60, 0, 2), (64, 0, 1), (72, 4, 4))  # C4 (2 steps), E4 (1), C5 (4)
    # polyphony per step: 2, 1, 0, 0, 1, 1, 1, 1 -> 2 silent, 5 single, 1 double
    np.testing.assert_allclose(polyphony_histogram([roll])[:3], [2 / 8, 5 / 8, 1 / 8])
    pitch = pitch_class_histogram([roll])
    assert pitch[0] == pytest.approx(2 / 3) and pitch[4] == pytest.approx(1 / 3)
    lengths = note_length_histogram([roll])
    assert lengths[0] == lengths[1] == lengths[3] == pytest.approx(1 / 3)


def test_distance_is_zero_for_the_same_statistics_and_one_for_disjoint() -> None:
    c_major = [_roll((60, 0, 1), (64, 2, 1), (67, 4, 1))]
    transposed = [_roll((61, 0, 1), (65, 2, 1), (68, 4, 1))]  # every pitch class moved
    same = compare(c_major, c_major)
    assert same.polyphony == same.pitch_class == same.note_length == 0.0
    moved = compare(transposed, c_major)
    assert moved.pitch_class == pytest.approx(1.0)
    assert moved.polyphony == 0.0 and moved.note_length == 0.0


def test_total_variation_by_hand() -> None:
    assert total_variation(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == pytest.approx(0.5)


def test_empty_sets_are_refused() -> None:
    with pytest.raises(ValueError):
        compare([], [_roll()])
