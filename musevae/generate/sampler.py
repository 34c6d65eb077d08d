"""Sampling: a generator that yields each step so callers can draw and play as it runs.

The loop holds only the model's recurrent state and a few ``(N, 88)`` tensors, so it can
run forever in constant memory (endless live play); :func:`generate` collects a finite
run into arrays for export.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterable, Iterator

import numpy as np
import torch

from musevae.data.pianoroll import KEY_COUNT, PianoRoll
from musevae.generate.given import Given, condition, shift_keys
from musevae.generate.musical import Controls, frame_rules, held_keys, update_holds
from musevae.generate.uncertainty import sample_disagreement
from musevae.models.base import SequenceModel
from musevae.models.step_kernels import resolve_precision


@dataclasses.dataclass(frozen=True)
class GeneratedStep:
    """One sampled step for N candidates, in the output key."""

    index: int  # 0 for the first step after the prime
    notes: np.ndarray  # (N, 88) bool
    # (N, 88) float32: each key's probability of sounding as it was drawn, after the
    # controls; under a NADE, conditional on the keys drawn before it in this frame
    probs: np.ndarray
    entropy: np.ndarray  # (N,) nats; under a NADE an unbiased estimate (uncertainty.py)
    latent_spread: np.ndarray | None  # (N,) mean prior std of z_t; None for the RNN
    disagreement: float | None  # variance across candidates; None when N == 1


@dataclasses.dataclass(frozen=True)
class Generation:
    """A finished run: the candidates as rolls plus their per-step lanes."""

    rolls: list[PianoRoll]  # N rolls of T steps (the continuation, without the prime)
    probs: np.ndarray  # (N, T, 88)
    entropy: np.ndarray  # (N, T)
    latent_spread: np.ndarray | None  # (N, T)
    disagreement: np.ndarray | None  # (T,)
    seed: int
    prime: PianoRoll | None = None


def sample(
    model: SequenceModel,
    steps: int | None,
    n: int = 1,
    *,
    controls: Controls = Controls(),
    seed: int | None = None,
    prime: PianoRoll | None = None,
    precision: str = "auto",
    given: Given | None = None,
) -> Iterator[GeneratedStep]:
    """Yield ``steps`` sampled steps (forever if ``None``) for ``n`` candidates.

    ``prime`` (in the output key) is read by the model first; the candidates then share
    its ending and diverge. The same ``seed`` gives the same music on the same device
    and ``precision`` ("auto", "float32" or "bfloat16": that of the large multiplies of
    the step, see :func:`musevae.models.step_kernels.resolve_precision`). ``given``
    fixes keys of the first ``len(given)`` steps, conditioned on inside each draw
    (:mod:`musevae.generate.given`).
    """
    if n < 1:
        raise ValueError(f"need at least one candidate; got {n}")
    if steps is not None and steps < 0:
        raise ValueError(f"steps must be 0 or more; got {steps}")
    weight = next(model.parameters())
    multiplies = resolve_precision(precision, weight)
    device = weight.device
    generator = torch.Generator(device=device)
    generator.manual_seed(resolve_seed(seed))
    shift = controls.shift
    counter = itertools.count() if steps is None else range(steps)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            state, x_prev = _start(model, prime, n, shift, generator)
            hold_left = torch.zeros(n, x_prev.shape[1], dtype=torch.long, device=device)
            previous, step = x_prev.bool(), model.stepper(multiplies)
            draw = model.emission.sampler(frame_rules(controls, controls.allowed_keys(device)))
            on, off = (None, None) if given is None else given.in_model_key(shift, device)
            for index in counter:
                out = step(state, x_prev, generator)
                params, held = out.params, held_keys(controls, hold_left)
                if on is not None and index < len(on):
                    params, held = condition(model.emission, params, held, on[index], off[index])
                frame = draw(params, held, generator)
                notes = frame.notes
                hold_left = update_holds(controls, notes, previous, hold_left)
                state, x_prev, previous = out.state, notes.to(out.params.dtype), notes
                probs_out = frame.probs.float().cpu().numpy()
                yield GeneratedStep(
                    index=index,
                    notes=shift_keys(notes.cpu().numpy(), shift),
                    probs=shift_keys(probs_out, shift),
                    entropy=frame.entropy.float().cpu().numpy(),
                    latent_spread=None
                    if out.latent_std is None
                    else out.latent_std.float().cpu().numpy(),
                    disagreement=sample_disagreement(probs_out) if n > 1 else None,
                )
    finally:
        model.train(was_training)


def generate(
    model: SequenceModel,
    steps: int,
    n: int = 1,
    *,
    controls: Controls = Controls(),
    seed: int | None = None,
    prime: PianoRoll | None = None,
    step_beats: float = 0.5,
    tempo: float = 120.0,
    precision: str = "auto",
) -> Generation:
    """Run :func:`sample` to the end and collect rolls and lanes."""
    seed = resolve_seed(seed)
    produced = sample(
        model, steps, n, controls=controls, seed=seed, prime=prime, precision=precision
    )
    return collect(produced, n, seed=seed, prime=prime, step_beats=step_beats, tempo=tempo)


def collect(
    steps: Iterable[GeneratedStep],
    n: int,
    *,
    seed: int,
    prime: PianoRoll | None = None,
    step_beats: float = 0.5,
    tempo: float = 120.0,
) -> Generation:
    """Gather streamed steps (say, behind a progress bar) into a :class:`Generation`."""
    produced = list(steps)
    notes = _stack([s.notes for s in produced], (n, 0, KEY_COUNT), bool)
    spreads = [s.latent_spread for s in produced]
    return Generation(
        rolls=[PianoRoll(notes[i], step_beats, tempo) for i in range(n)],
        probs=_stack([s.probs for s in produced], (n, 0, KEY_COUNT), np.float32),
        entropy=_stack([s.entropy for s in produced], (n, 0), np.float32),
        latent_spread=None if any(s is None for s in spreads) else _stack(spreads, (n, 0), np.float32),
        disagreement=None if n == 1 else np.array([s.disagreement for s in produced]),
        seed=seed,
        prime=prime,
    )


def _stack(frames: list[np.ndarray], empty: tuple[int, ...], dtype: type) -> np.ndarray:
    """Per-step ``(N, ...)`` arrays -> ``(N, T, ...)``; an empty run gives ``empty``."""
    return np.stack(frames, 1).astype(dtype, copy=False) if frames else np.zeros(empty, dtype)


def resolve_seed(seed: int | None) -> int:
    """The seed to use; a fresh random one (reported back) when none was asked for."""
    return random.SystemRandom().randrange(2**31) if seed is None else int(seed)


def _start(
    model: SequenceModel, prime: PianoRoll | None, n: int, shift: int, generator: torch.Generator
) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
    """Model state after the prime (moved into the model's key) and the last frame read.

    The prime's latents are drawn with the run's ``generator``, so a seed fixes them too.
    """
    weight = next(model.parameters())
    if prime is None or len(prime) == 0:
        return model.prime(None, n, generator), weight.new_zeros(n, KEY_COUNT)
    keys = prime.transpose(-shift, clip=True).keys
    x = torch.from_numpy(keys.astype(np.float32)).to(weight)[None].expand(n, -1, -1)
    return model.prime(x.contiguous(), n, generator), x[:, -1].contiguous()
