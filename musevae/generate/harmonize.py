"""Harmonising a melody: the model fills the voices below a given top line.

The melody is the top voice. At a step where it sounds note m, key m is given as on and
every key above m as off; the keys below are drawn from the model conditioned on those
(:mod:`musevae.generate.given`), and the model's state reads the whole conditioned
frame, so the harmony that follows hears the melody too. At a rest of the melody nothing
is fixed. With independent keys that is exact per frame; under a NADE with high-to-low
key order the given keys are drawn first, so it is exact too, and under low-to-high it
is a clamped draw (:attr:`Harmonisation.exact` says which).

Each frame is conditioned on the melody so far, not on the melody still to come: the
latents are drawn from their prior given the past (as in :func:`sample`), not from their
posterior given the whole melody.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from musevae.data.pianoroll import KEY_COUNT, PianoRoll
from musevae.generate.given import Given
from musevae.generate.musical import Controls
from musevae.generate.sampler import Generation, collect, resolve_seed, sample
from musevae.models.base import SequenceModel


@dataclasses.dataclass(frozen=True)
class Harmonisation:
    """Candidates under one melody: each roll holds the melody and the voices below it."""

    generation: Generation  # rolls, probs and lanes, as generate's
    melody: PianoRoll
    exact: bool  # every given frame conditioned exactly under the model's emission


def top_line(roll: PianoRoll) -> PianoRoll:
    """The highest sounding key of each step (a rest where nothing sounds): the soprano."""
    keys = roll.keys
    top = KEY_COUNT - 1 - keys[:, ::-1].argmax(1)  # (T,) highest key on
    line = np.zeros_like(keys)
    sounding = keys.any(1)
    line[np.flatnonzero(sounding), top[sounding]] = True
    return roll.with_keys(line)


def melody_given(melody: PianoRoll) -> Given:
    """The melody as the top voice: its key on and every key above it off, per step."""
    line = top_line(melody).keys
    above = np.cumsum(line, axis=1) > 0  # (T, 88): the melody's key and every key above
    return Given(known=above, keys=line)


def harmonize(
    model: SequenceModel,
    melody: PianoRoll,
    n: int = 1,
    *,
    controls: Controls = Controls(),
    seed: int | None = None,
    prime: PianoRoll | None = None,
    precision: str = "auto",
) -> Harmonisation:
    """``n`` harmonisations of ``melody`` (in the output key; its top line is used), one
    step per melody step, after an optional ``prime``."""
    seed = resolve_seed(seed)
    given = melody_given(melody)
    steps = sample(
        model, len(melody), n, controls=controls, seed=seed, prime=prime,
        precision=precision, given=given,
    )  # fmt: skip
    generation = collect(
        steps, n, seed=seed, prime=prime, step_beats=melody.step_beats, tempo=melody.tempo
    )
    return Harmonisation(generation, melody, _exact(model, given, controls))


def _exact(model: SequenceModel, given: Given, controls: Controls) -> bool:
    """Whether the emission conditions exactly on every distinct frame of ``given``."""
    weight = next(model.parameters())
    on, off = given.in_model_key(controls.shift, weight.device)
    known = torch.unique(on | off, dim=0)
    return all(model.emission.conditions_exactly(row) for row in known)
