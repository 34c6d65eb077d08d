"""STORN (Bayer & Osendorfer 2014): an RNN driven by independent N(0, I) latents.

Generative model:  z_t ~ N(0, I),  h_t = RNN(h_{t-1}, [z_t, x_{t-1}]),  p(x_t | h_t).
Inference:         a recognition RNN g_t over x_{1:t} gives q(z_t | x_{1:t}).
Both RNNs are GRUs or both LSTMs (``rnn``). Neither recurrence depends on the other's
per-step output in training (z_t is drawn from q given g_t, which only reads x), so both
are whole-sequence fused calls: no loop.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import torch
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import LatentPass, LatentSequenceModel, State, StepOutput
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import Gaussian, GaussianHead, shift_right
from musevae.models.recurrence import as_hx, from_hx, fused, zero_state


@dataclasses.dataclass(frozen=True)
class STORNConfig(ModelConfig):
    """Sizes; defaults match SRNN's music sizes (STORN's paper gives none for music)."""

    hidden: int = 300  # generative RNN h_t and recognition RNN g_t
    z_dim: int = 100
    var_floor: float = 1e-6  # added to every posterior variance


class STORN(LatentSequenceModel):
    """Parameterises p(x_t | z_{<=t}, x_{<t}) with a N(0, I) prior and q(z_t | x_{1:t})."""

    kind: ClassVar[str] = "storn"
    config_type: ClassVar[type[ModelConfig]] = STORNConfig

    def __init__(self, config: STORNConfig) -> None:
        super().__init__(config)
        c = config
        self.recognition = fused(c.rnn, KEY_COUNT, c.hidden)
        self.post_head = GaussianHead(c.hidden, c.z_dim, c.var_floor)  # q(z_t | x_{1:t})
        self.generator = fused(c.rnn, c.z_dim + KEY_COUNT, c.hidden)
        self.emission = build_emission(c, c.hidden)  # p(x_t | h_t)

    def _posterior_and_states(
        self, x: Tensor, generator: torch.Generator | None = None
    ) -> tuple[Gaussian, Tensor, Tensor, State]:
        """q(z_t | x_{1:t}), a sample z (B, T, Z), the generative outputs h (B, T, H) and
        the generator's recurrent state after the last step."""
        g, _ = self.recognition(x)  # (B, T, H)
        posterior = self.post_head(g)
        z = posterior.sample(generator)
        h, last = self.generator(torch.cat([z, shift_right(x)], dim=-1))
        return posterior, z, h, from_hx(last)

    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        posterior, z, h, _ = self._posterior_and_states(x)
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
        """(h_P, z_P) or (h_P, c_P, z_P): the generator's recurrent state after the prime,
        its latents drawn from q, and the last latent (kept last in the state, as every
        latent model's; unused by step)."""
        c = self.config
        if x is None or x.shape[1] == 0:
            empty = self._empty(batch_size)
            return (*zero_state(c.rnn, empty, batch_size, c.hidden),
                    empty.new_zeros(batch_size, c.z_dim))  # fmt: skip
        _, z, _, last = self._posterior_and_states(x, generator)
        return (*last, z[:, -1])

    @torch.no_grad()
    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """z_t ~ N(0, I), h_t from [z_t, x_{t-1}], then the emission's params for x_t."""
        batch = x_prev.shape[0]
        z = torch.randn(
            batch, self.config.z_dim, generator=generator, dtype=x_prev.dtype,
            device=x_prev.device,
        )
        h, last = self.generator(torch.cat([z, x_prev], dim=-1)[:, None], as_hx(state[:-1]))
        return StepOutput(self.emission(h[:, 0]), (*from_hx(last), z), x_prev.new_ones(batch))
