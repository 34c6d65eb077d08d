"""The plain RNN baseline: h_t = RNN(h_{t-1}, x_{t-1}), p(x_t | x_{<t}) the emission of h_t.

It has no latent variables, so its log-likelihood is exact; it is the yardstick the
latent models must beat. With the NADE emission it is RNN-NADE (Boulanger-Lewandowski et
al. 2012), the yardstick of the NADE models.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import torch
from torch import Tensor, nn

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import ElboTerms, SequenceModel, State, StepOutput, masked_loss
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import shift_right
from musevae.models.recurrence import as_hx, from_hx, fused, zero_state


@dataclasses.dataclass(frozen=True)
class RNNConfig(ModelConfig):
    """Sizes of the baseline: one recurrent layer of ``hidden`` units (``rnn``: GRU or LSTM)."""

    hidden: int = 300
    # Dropout on the recurrence's input x_{t-1} and output h_t, not on its own state
    # (Zaremba et al. 2014): the small sets (JSB) overfit without it. 0 is off.
    dropout: float = 0.0

    RATES: ClassVar[tuple[str, ...]] = ("dropout",)

    # the cell was this model's own setting "cell" before every model had "rnn"
    RENAMED: ClassVar[dict[str, str]] = {"cell": "rnn"}


class RNN(SequenceModel):
    """Parameterises p(x_t | x_{<t}) = p(x_t | h_t): Bernoulli, prod_k sigmoid(W h_t + b)_k,
    or a NADE whose biases are maps of h_t."""

    kind: ClassVar[str] = "rnn"
    config_type: ClassVar[type[ModelConfig]] = RNNConfig

    def __init__(self, config: RNNConfig) -> None:
        super().__init__(config)
        self.rnn = fused(config.rnn, KEY_COUNT, config.hidden)
        self.emission = build_emission(config, config.hidden)
        # identity in eval mode (evaluation, sampling), and without drawing noise at 0
        self.drop = nn.Dropout(config.dropout) if config.dropout else nn.Identity()

    def _log_px(self, x: Tensor, mask: Tensor) -> Tensor:
        """Masked log p(x_t | x_{<t}) for every step.  (B, T)"""
        h, _ = self.rnn(self.drop(shift_right(x)))  # (B, T, H)
        return self.emission.log_prob(x, self.emission(self.drop(h))) * mask

    def elbo(self, x: Tensor, mask: Tensor, kl_weight: float = 1.0) -> ElboTerms:
        """The exact log-likelihood, in the ELBO's clothes (the KL terms are zero)."""
        log_px = self._log_px(x, mask)
        kl = torch.zeros_like(log_px)
        return ElboTerms(log_px, kl, masked_loss(log_px, kl, mask, kl_weight))

    @torch.no_grad()
    def log_likelihood(
        self, x: Tensor, mask: Tensor, samples: int = 100, chunk: int | None = None
    ) -> Tensor:
        """Exact per-sequence log p(x) in nats; ``samples`` and ``chunk`` are unused.  (B,)"""
        return self._log_px(x, mask).sum(1)

    @torch.no_grad()
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """Hidden state after reading the prime: (h,) for a GRU, (h, c) for an LSTM; (B, H)."""
        start = zero_state(self.config.rnn, self._empty(batch_size), batch_size, self.config.hidden)
        if x is None or x.shape[1] == 0:
            return start
        _, last = self.rnn(shift_right(x), as_hx(start))
        return from_hx(last)

    @torch.no_grad()
    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        h, last = self.rnn(x_prev[:, None], as_hx(state))  # h (B, 1, H)
        return StepOutput(self.emission(h[:, 0]), from_hx(last), None)
