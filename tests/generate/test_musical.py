from __future__ import annotations

import numpy as np
import pytest

from musevae.generate import Controls, generate


def _runs(keys: np.ndarray) -> list[int]:
    """Lengths of every note (maximal run of True in a key's column), excluding the last."""
    lengths = []
    for column in keys.T:
        edges = np.diff(np.concatenate([[0], column.astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        lengths += [e - s for s, e in zip(starts, ends) if e < len(column)]
    return lengths


def test_temperature_orders_the_entropy(two_style_rnn) -> None:
    entropy = [
        generate(two_style_rnn, 64, n=4, seed=0, controls=Controls(temperature=t)).entropy.mean()
        for t in (0.5, 1.0, 2.0)
    ]
    assert entropy[0] < entropy[1] < entropy[2]


def test_max_polyphony_caps_the_sounding_keys(untrained_rnn) -> None:
    free = generate(untrained_rnn, 50, seed=0)
    capped = generate(untrained_rnn, 50, seed=0, controls=Controls(max_polyphony=3))
    assert free.rolls[0].polyphony.max() > 3  # untrained: about 44 keys a step
    assert capped.rolls[0].polyphony.max() == 3


def test_key_range_bounds_the_notes(untrained_rnn) -> None:
    result = generate(untrained_rnn, 50, seed=0, controls=Controls(lowest_note=60, highest_note=72))
    assert result.rolls[0].key_range() == (60, 72)
    assert (result.probs[0][:, : 60 - 21] == 0).all() and (result.probs[0][:, 72 - 21 + 1 :] == 0).all()


def test_min_note_length_holds_every_note(untrained_rnn) -> None:
    free = generate(untrained_rnn, 80, seed=0)
    held = generate(untrained_rnn, 80, seed=0, controls=Controls(min_note_steps=4))
    assert min(_runs(free.rolls[0].keys)) == 1
    assert min(_runs(held.rolls[0].keys)) >= 4


def test_key_transposes_the_same_draws(untrained_rnn) -> None:
    # With the allowed keys the same in the model's space, a key of D (+2) is the
    # untransposed music moved up two semitones, draw for draw.
    in_c = generate(untrained_rnn, 30, seed=5, controls=Controls(highest_note=100))
    in_d = generate(untrained_rnn, 30, seed=5, controls=Controls(highest_note=102, key=2))
    assert in_d.rolls[0] == in_c.rolls[0].transpose(2)
    in_a = Controls(key=9)
    assert in_a.shift == -3  # A is closer below C than above


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"temperature": 0}, "temperature"),
        ({"max_polyphony": 0}, "polyphony"),
        ({"lowest_note": 80, "highest_note": 70}, "key range"),
        ({"min_note_steps": 0}, "minimum note length"),
        ({"key": 12}, "pitch class"),
    ],
)
def test_bad_controls_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        Controls(**kwargs)
