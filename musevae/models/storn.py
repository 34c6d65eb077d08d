"""STORN (Bayer & Osendorfer 2014): an RNN driven by independent N(0, I) latents.

Generative model:  z_t ~ N(0, I),  h_t = GRU(h_{t-1}, [z_t, x_{t-1}]),  p(x_t | h_t).
Inference:         a recognition GRU g_t over x_{1:t} gives q(z_t | x_{1:t}).
Neither recurrence depends on the other's per-step output in training (z_t is drawn from
q given g_t, which only reads x), so both are whole-sequence fused GRU calls: no loop.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import torch
from torch import Tensor, nn

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import LatentPass, LatentSequenceModel, State, StepOutput
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import Gaussian, GaussianHead, shift_right


@dataclasses.dataclass(frozen=True)
class STORNConfig(ModelConfig):
    """Sizes; defaults match SRNN's music sizes (STORN's paper gives none for music)."""

    hidden: int = 300  # generative GRU h_t and recognition GRU g_t
    z_dim: int = 100
    var_floor: float = 1e-6  # added to every posterior variance


class STORN(LatentSequenceModel):
    """Parameterises p(x_t | z_{<=t}, x_{<t}) with a N(0, I) prior and q(z_t | x_{1:t})."""

    kind: ClassVar[str] = "storn"
    config_type: ClassVar[type[ModelConfig]] = STORNConfig

    def __init__(self, config: STORNConfig) -> None:
        super().__init__(config)
        c = config
        self.recognition = nn.GRU(KEY_COUNT, c.hidden, batch_first=True)
        self.post_head = GaussianHead(c.hidden, c.z_dim, c.var_floor)  # q(z_t | x_{1:t})
        self.generator = nn.GRU(c.z_dim + KEY_COUNT, c.hidden, batch_first=True)
        self.emission = build_emission(c, c.hidden)  # p(x_t | h_t)

    def _posterior_and_states(
        self, x: Tensor, generator: torch.Generator | None = None
    ) -> tuple[Gaussian, Tensor, Tensor]:
        """q(z_t | x_{1:t}), a sample z (B, T, Z) and the generative states h (B, T, H)."""
        g, _ = self.recognition(x)  # (B, T, H)
        posterior = self.post_head(g)
        z = posterior.sample(generator)
        h, _ = self.generator(torch.cat([z, shift_right(x)], dim=-1))
        return posterior, z, h

    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        posterior, z, h = self._posterior_and_states(x)
        prior = Gaussian(torch.zeros_like(z), torch.ones_like(z))
        log_px = self.emission.log_prob(x, self.emission(h))
        return LatentPass(log_px, prior, posterior, z)

    def generative_pass(self, x: Tensor, z: Tensor) -> tuple[Tensor, Gaussian]:
        h, _ = self.generator(torch.cat([z, shift_right(x)], dim=-1))  # (B, T, H)
        prior = Gaussian(torch.zeros_like(z), torch.ones_like(z))
        return self.emission.log_prob(x, self.emission(h)), prior

    @torch.no_grad()
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """(h_P, z_P): the generative state after the prime, its latents drawn from q, and
        the last latent (kept last in the state, as every latent model's; unused by step)."""
        if x is None or x.shape[1] == 0:
            empty = self._empty(batch_size)
            return (empty.new_zeros(batch_size, self.config.hidden),
                    empty.new_zeros(batch_size, self.config.z_dim))  # fmt: skip
        _, z, h = self._posterior_and_states(x, generator)
        return h[:, -1], z[:, -1]

    @torch.no_grad()
    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """z_t ~ N(0, I), h_t from [z_t, x_{t-1}], then the emission's params for x_t."""
        h_prev = state[0]
        batch = x_prev.shape[0]
        z = torch.randn(
            batch, self.config.z_dim, generator=generator, dtype=x_prev.dtype,
            device=x_prev.device,
        )
        _, h = self.generator(torch.cat([z, x_prev], dim=-1)[:, None], h_prev[None])
        return StepOutput(self.emission(h[0]), (h[0], z), x_prev.new_ones(batch))
