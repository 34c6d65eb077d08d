"""Harmonising a melody: the melody's keys are conditioned on inside each draw."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.data.pianoroll import PianoRoll
from musevae.generate import Controls
from musevae.generate.harmonize import harmonize, melody_given, top_line
from musevae.models import build_model
from musevae.models.base import SequenceModel
from musevae.models.emission.nade_frame import conditional_logits

MELODY = [[72], [72], [74], [], [76], [77], [79], [79]]  # a rest at step 3


def melody_roll() -> PianoRoll:
    return PianoRoll.from_notes(MELODY, step_beats=0.5, tempo=100.0)


def teacher_forced_params(model: SequenceModel, keys: np.ndarray) -> torch.Tensor:
    """The RNN's emission params of every step given the frames before it.  (T, P)"""
    x = torch.from_numpy(keys.astype(np.float32))[None]
    with torch.no_grad():
        h, _ = model.rnn(torch.nn.functional.pad(x[:, :-1], (0, 0, 1, 0)))
        return model.emission(h)[0]


def test_top_line_keeps_the_highest_key_and_the_rests() -> None:
    roll = PianoRoll.from_notes([[60, 64, 67], [], [48, 72]])
    assert top_line(roll).to_notes() == [[67], [], [72]]


def test_the_given_frame_fixes_the_melody_key_and_every_key_above() -> None:
    given = melody_given(PianoRoll.from_notes([[60], []]))
    assert given.known[0].tolist() == [k >= 60 - 21 for k in range(88)]  # 60 and above
    assert np.flatnonzero(given.keys[0]).tolist() == [60 - 21]
    assert not given.known[1].any()  # a rest fixes nothing


@pytest.fixture(scope="module")
def untrained_rnn() -> SequenceModel:
    torch.manual_seed(0)
    return build_model("rnn", hidden=16).eval()  # about half the keys sound


def test_bernoulli_melody_sounds_nothing_above_and_free_keys_are_the_models(untrained_rnn) -> None:
    result = harmonize(untrained_rnn, melody_roll(), n=3, seed=4)
    assert result.exact
    for i, roll in enumerate(result.generation.rolls):
        assert len(roll) == len(MELODY)
        assert top_line(roll).to_notes()[:3] == [[72], [72], [74]]
        assert top_line(roll).to_notes()[4:] == [[76], [77], [79], [79]]
        # every free key was drawn with the model's probability given the conditioned
        # frames before it: the state read the melody, it was not written in afterwards
        logits = teacher_forced_params(untrained_rnn, roll.keys)
        free = ~melody_given(melody_roll()).known
        np.testing.assert_allclose(
            result.generation.probs[i][free], torch.sigmoid(logits).numpy()[free], atol=1e-5
        )
    assert result.generation.rolls[0] != result.generation.rolls[1]  # candidates differ
    assert result.generation.disagreement.shape == (len(MELODY),)


def test_the_rest_lets_the_model_sound_above(untrained_rnn) -> None:
    result = harmonize(untrained_rnn, melody_roll(), n=4, seed=1)
    assert any(roll.keys[3, 74 - 21 + 1 :].any() for roll in result.generation.rolls)


def test_melody_in_another_key_is_kept_in_that_key(untrained_rnn) -> None:
    result = harmonize(untrained_rnn, melody_roll(), seed=2, controls=Controls(key=2, highest_note=100))
    assert top_line(result.generation.rolls[0]).to_notes()[0] == [72]


@pytest.mark.parametrize("order", ["high-low", "low-high"])
def test_nade_conditions_the_lower_keys_on_the_top_voice(order: str) -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=16, emission="nade", nade_hidden=16, key_order=order).eval()
    result = harmonize(model, melody_roll(), n=2, seed=3)
    assert result.exact == (order == "high-low")
    free = ~melody_given(melody_roll()).known
    for i, roll in enumerate(result.generation.rolls):
        assert top_line(roll).to_notes()[:3] == [[72], [72], [74]]
        b, c = model.emission.split(teacher_forced_params(model, roll.keys))
        x = model.emission.in_order(torch.from_numpy(roll.keys.astype(np.float32)))
        with torch.no_grad():
            logits = model.emission.in_order(conditional_logits(x, b, c, model.emission.W, model.emission.V))
        expected = torch.sigmoid(logits).numpy()
        if order == "high-low":  # each lower key's conditional given the melody above it
            np.testing.assert_allclose(result.generation.probs[i][free], expected[free], atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "storn", "vrnn", "srnn"])
def test_every_model_kind_keeps_the_melody(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind).eval()
    result = harmonize(model, melody_roll(), n=2, seed=0, controls=Controls(max_polyphony=4))
    for roll in result.generation.rolls:
        assert top_line(roll).to_notes()[4:] == [[76], [77], [79], [79]]
        assert roll.polyphony.max() <= 4
