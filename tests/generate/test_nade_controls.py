"""Every generation control under the NADE emission, through the sampler."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from musevae.data.pianoroll import PianoRoll
from musevae.generate import Controls, generate, sample
from musevae.models import build_model
from musevae.models.base import SequenceModel
from musevae.models.emission.nade_frame import conditional_logits
from tests.generate.conftest import HIGH_TUNE, LOW_TUNE, fit, same_seed_same_music, tune_roll


@pytest.fixture(scope="module")
def untrained_nade() -> SequenceModel:
    """An untrained RNN-NADE: about half the keys sound, so every cap bites."""
    torch.manual_seed(0)
    return build_model("rnn", hidden=16, emission="nade", nade_hidden=16).eval()


@pytest.fixture(scope="module")
def two_style_nade() -> SequenceModel:
    """A tiny RNN-NADE that knows a low chord tune and a high scale run."""
    torch.manual_seed(0)
    model = build_model("rnn", hidden=48, emission="nade", nade_hidden=24)
    return fit(model, [tune_roll(LOW_TUNE, 16), tune_roll(HIGH_TUNE, 8)], updates=600)


def _conditionals(model: SequenceModel, notes: np.ndarray, prime: PianoRoll | None,
                  temperature: float = 1.0) -> np.ndarray:
    """Each key's conditional of a generated roll, read off the model teacher-forced:
    the RNN's params of each step given the frames before, then the NADE's logits.  (T, 88)"""
    frames = notes.astype(np.float32)
    if prime is not None:
        frames = np.concatenate([prime.keys.astype(np.float32), frames])
    x = torch.from_numpy(frames)[None]
    with torch.no_grad():
        h, _ = model.rnn(torch.nn.functional.pad(x[:, :-1], (0, 0, 1, 0)))
        b, c = model.emission.split(model.emission(h))
        v = model.emission.V / temperature
        logits = conditional_logits(x, b / temperature, c, model.emission.W, v)
    return torch.sigmoid(logits)[0, -len(notes):].numpy()


def test_same_seed_same_music_and_the_lanes_are_the_drawn_conditionals(untrained_nade) -> None:
    first = same_seed_same_music(untrained_nade, 30)
    for i, roll in enumerate(first.rolls):
        expected = _conditionals(untrained_nade, roll.keys, None)
        np.testing.assert_allclose(first.probs[i], expected, atol=1e-5)
    p = first.probs.astype(np.float64)
    entropy = -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)
                + np.where(p < 1, (1 - p) * np.log(np.where(p < 1, 1 - p, 1)), 0)).sum(-1)
    np.testing.assert_allclose(first.entropy, entropy, atol=1e-3)


def test_temperature_scales_every_conditional_and_orders_the_entropy(untrained_nade) -> None:
    entropy = []
    for t in (0.5, 1.0, 2.0):
        result = generate(untrained_nade, 40, n=3, seed=0, controls=Controls(temperature=t))
        expected = _conditionals(untrained_nade, result.rolls[0].keys, None, temperature=t)
        np.testing.assert_allclose(result.probs[0], expected, atol=1e-5)
        entropy.append(result.entropy.mean())
    assert entropy[0] < entropy[1] < entropy[2]


def test_polyphony_cap_is_exact_the_keys_after_it_are_off(untrained_nade) -> None:
    free = generate(untrained_nade, 40, seed=0)
    capped = generate(untrained_nade, 40, seed=0, controls=Controls(max_polyphony=3))
    assert free.rolls[0].polyphony.min() > 10  # untrained: about half the keyboard
    assert (capped.rolls[0].polyphony == 3).all()
    keys = capped.rolls[0].keys
    third = np.array([np.flatnonzero(frame)[2] for frame in keys])  # low to high
    after = np.arange(88)[None] > third[:, None]
    assert (capped.probs[0][after] == 0).all()  # once the cap is reached, the rest are off
    before = ~after & ~keys
    assert (capped.probs[0][before] > 0).all()  # the keys before were drawn, and were off


def test_key_range_conditions_the_draw(untrained_nade) -> None:
    controls = Controls(lowest_note=60, highest_note=72)
    result = generate(untrained_nade, 40, seed=0, controls=controls)
    low, high = result.rolls[0].key_range()
    assert 60 <= low and high <= 72
    outside = np.r_[0 : 60 - 21, 72 - 21 + 1 : 88]
    assert (result.probs[0][:, outside] == 0).all()
    # inside the range each key's probability is its conditional given the keys outside
    # the range off, i.e. the model's conditionals of the drawn frames: not a filter
    expected = _conditionals(untrained_nade, result.rolls[0].keys, None)
    inside = np.r_[60 - 21 : 72 - 21 + 1]
    np.testing.assert_allclose(result.probs[0][:, inside], expected[:, inside], atol=1e-5)


def test_min_note_length_holds_every_note(untrained_nade) -> None:
    held = generate(untrained_nade, 60, seed=0, controls=Controls(min_note_steps=4, max_polyphony=6))
    keys = held.rolls[0].keys
    assert (keys.sum(1) <= 6).all()
    for column in keys.T:
        edges = np.diff(np.concatenate([[0], column.astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        assert all(e - s >= 4 for s, e in zip(starts, ends) if e < len(column))


def test_key_transposes_the_same_draws(untrained_nade) -> None:
    in_c = generate(untrained_nade, 20, seed=5, controls=Controls(highest_note=100))
    in_d = generate(untrained_nade, 20, seed=5, controls=Controls(highest_note=102, key=2))
    assert in_d.rolls[0] == in_c.rolls[0].transpose(2)


def test_prime_continuation_sets_the_style_and_endless_play_streams(two_style_nade) -> None:
    def mean_pitch(prime_tune: list[list[int]]) -> float:
        prime = PianoRoll(tune_roll(prime_tune, 2))
        result = generate(two_style_nade, 24, n=4, seed=3, prime=prime)
        keys = np.concatenate([roll.keys for roll in result.rolls])
        expected = _conditionals(two_style_nade, result.rolls[0].keys, prime)
        np.testing.assert_allclose(result.probs[0], expected, atol=1e-4)  # read after the prime
        return float(np.nonzero(keys)[1].mean()) + 21

    low, high = mean_pitch(LOW_TUNE), mean_pitch(HIGH_TUNE)
    assert low < 62 and high > 78, (low, high)
    stream = sample(two_style_nade, None, n=2, seed=0, prime=PianoRoll(tune_roll(LOW_TUNE, 1)))
    assert [step.index for step in itertools.islice(stream, 300)] == list(range(300))
    stream.close()
