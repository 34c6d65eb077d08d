"""The policy is the model's own generative process: paths (x_{1:T}, z_{1:T}) it samples,
and their per-step log p(x_t, z_t | history) under any model.

Sampling runs without autograd through the model's fast stepper, with no generation
controls (temperature 1, every key allowed), so the frames are drawn from exactly the
distribution that :meth:`SequenceModel.path_log_prob` then scores with gradients.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import SequenceModel
from musevae.models.emission import FrameRules


class Path(NamedTuple):
    """``batch`` sampled paths of ``T`` steps, from the start (no prime)."""

    x: Tensor  # (B, T, 88) float 0/1
    z: Tensor | None  # (B, T, Z) the latents each step drew; None without latents

    @property
    def mask(self) -> Tensor:
        return self.x.new_ones(self.x.shape[:2])  # (B, T): every step is real


@torch.no_grad()
def sample_paths(
    model: SequenceModel, batch: int, steps: int, generator: torch.Generator
) -> Path:
    """Draw ``batch`` paths of ``steps`` steps with ``generator`` (model in eval mode)."""
    weight = next(model.parameters())
    state = model.prime(None, batch, generator)
    x_prev = weight.new_zeros(batch, KEY_COUNT)
    step, draw = model.stepper("float32"), model.emission.sampler(FrameRules())
    xs: list[Tensor] = []
    zs: list[Tensor] = []
    for _ in range(steps):
        out = step(state, x_prev, generator)
        state, x_prev = out.state, draw(out.params, None, generator).notes.to(weight.dtype)
        xs.append(x_prev)
        z_t = model.step_latent(state)
        if z_t is not None:
            zs.append(z_t)
    return Path(torch.stack(xs, 1), torch.stack(zs, 1) if zs else None)


def log_ratio(tuned: SequenceModel, base: SequenceModel, path: Path) -> tuple[Tensor, Tensor]:
    """``(log p_tuned, log p_tuned - log p_base)``, each (B, T) nats per step, of ``path``.

    The first carries gradients (the score function of the policy), the second not: it
    is part of the reward. Its mean over the tuned model's own paths estimates
    KL(p_tuned || p_base) per step, over the notes and latents together.
    """
    log_p = tuned.path_log_prob(path.x, path.z, path.mask)
    with torch.no_grad():
        log_base = base.path_log_prob(path.x, path.z, path.mask)
    return log_p, log_p.detach() - log_base
