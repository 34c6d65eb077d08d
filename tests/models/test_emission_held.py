"""Held keys (a minimum note length, a melody being harmonised) under either emission:
they sound, and the draw reports them as what they are given it, certain."""

from __future__ import annotations

import pytest
import torch

from musevae.models import build_model
from musevae.models.emission.base import FrameRules, bernoulli_entropy


@pytest.mark.parametrize("emission", ["bernoulli", "nade"])
def test_held_keys_sound_with_probability_one_and_no_entropy(emission: str) -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=8, emission=emission, nade_hidden=8).eval()
    params = model.emission(torch.randn(6, 8) * 3)  # some keys very unlikely
    held = torch.zeros(6, 88, dtype=torch.bool)
    held[:, [20, 50, 80]] = True
    for rules in (FrameRules(), FrameRules(temperature=0.5, max_on=4)):
        free = model.emission.sampler(rules)(params, None, torch.Generator().manual_seed(1))
        draw = model.emission.sampler(rules)(params, held, torch.Generator().manual_seed(1))
        assert draw.notes[held].all()
        assert (draw.probs[held] == 1.0).all()
        assert (free.probs[held] < 1.0).all()  # it was the holding that made them certain


def test_bernoulli_held_keys_leave_the_other_keys_draws_alone() -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=8).eval()
    params = model.emission(torch.randn(4, 8))
    held = torch.zeros(4, 88, dtype=torch.bool)
    held[:, 40] = True
    sampler = model.emission.sampler(FrameRules())
    free = sampler(params, None, torch.Generator().manual_seed(3))
    draw = sampler(params, held, torch.Generator().manual_seed(3))
    others = ~held
    assert torch.equal(draw.notes[others], free.notes[others])  # same seed, same music
    assert torch.equal(draw.probs[others], free.probs[others])
    assert torch.allclose(draw.entropy, free.entropy - bernoulli_entropy(params[:, 40:41]))
