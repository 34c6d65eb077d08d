from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.generate import Generation, generate
from musevae.models import build_model
from musevae.models.base import SequenceModel

LOW_TUNE = [[48, 52, 55], [48, 52, 55], [50, 53, 57], [50, 53, 57]]  # C and Dm, low
HIGH_TUNE = [[84], [86], [88], [89], [91], [93], [95], [96]]  # a C scale run, high


def tune_roll(tune: list[list[int]], repeats: int) -> np.ndarray:
    x = np.zeros((len(tune) * repeats, 88), dtype=np.float32)
    for t, notes in enumerate(tune * repeats):
        x[t, [n - 21 for n in notes]] = 1.0
    return x


def same_seed_same_music(model: SequenceModel, steps: int) -> Generation:
    """Two candidates with seed 7, twice, and with seed 8: the same seed must give the same
    rolls and lanes, another seed other music. Returns the first seed-7 result."""
    first = generate(model, steps, n=2, seed=7)
    again = generate(model, steps, n=2, seed=7)
    other = generate(model, steps, n=2, seed=8)
    assert all(a == b for a, b in zip(first.rolls, again.rolls))
    np.testing.assert_array_equal(first.probs, again.probs)
    assert first.rolls[0] != other.rolls[0]
    return first


def fit(model: SequenceModel, pieces: list[np.ndarray], updates: int) -> SequenceModel:
    """Train with plain Adam on whole pieces: enough for a tiny model to learn a style."""
    torch.manual_seed(0)
    x = torch.from_numpy(np.stack(pieces))
    mask = torch.ones(x.shape[:2])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(updates):
        optimiser.zero_grad()
        model.elbo(x, mask).loss.backward()
        optimiser.step()
    return model.eval()


@pytest.fixture(scope="session")
def two_style_rnn() -> SequenceModel:
    """A tiny RNN that knows a low chord tune and a high scale run."""
    torch.manual_seed(0)
    model = build_model("rnn", hidden=48)
    return fit(model, [tune_roll(LOW_TUNE, 16), tune_roll(HIGH_TUNE, 8)], updates=600)


@pytest.fixture()
def untrained_rnn() -> SequenceModel:
    torch.manual_seed(0)
    return build_model("rnn", hidden=16).eval()
