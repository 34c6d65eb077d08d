"""Streamed steps gathered into growing arrays, and a Generation for export."""

from __future__ import annotations

import numpy as np

from musevae.generate.sampler import GeneratedStep
from musevae.gui.generate.step_buffer import StepBuffer


def step(index: int, n: int, spread: bool) -> GeneratedStep:
    notes = np.zeros((n, 88), bool)
    notes[:, index % 88] = True
    return GeneratedStep(
        index=index,
        notes=notes,
        probs=np.full((n, 88), 0.25, np.float32),
        entropy=np.full(n, float(index), np.float32),
        latent_spread=np.full(n, 0.5, np.float32) if spread else None,
        disagreement=0.01 * index if n > 1 else None,
    )


def test_appending_past_the_capacity_grows_and_keeps_every_step():
    buffer = StepBuffer(2, capacity=4)
    for i in range(10):
        buffer.append(step(i, 2, spread=True))
    assert buffer.steps == 10 and buffer.notes.shape[1] == 16  # 4 -> 8 -> 16
    assert buffer.candidate_notes(1)[9, 9] and buffer.candidate_notes(1).sum() == 10
    lanes = buffer.candidate_lanes(0)
    assert lanes["entropy"].tolist() == list(range(10))
    assert np.allclose(lanes["disagreement"], 0.01 * np.arange(10))


def test_lanes_a_model_does_not_produce_are_left_out():
    buffer = StepBuffer(1)
    buffer.append(step(0, 1, spread=False))
    assert set(buffer.candidate_lanes(0)) == {"entropy"}


def test_generation_holds_the_steps_so_far():
    buffer = StepBuffer(2)
    for i in range(3):
        buffer.append(step(i, 2, spread=False))
    result = buffer.generation(seed=5, step_beats=0.5, tempo=90.0)
    assert len(result.rolls) == 2 and len(result.rolls[0]) == 3 and result.rolls[0].tempo == 90.0
    assert result.probs.shape == (2, 3, 88) and result.latent_spread is None
    assert np.allclose(result.disagreement, [0.0, 0.01, 0.02]) and result.seed == 5
