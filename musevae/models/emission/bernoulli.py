"""The independent-keys emission: p(x_t | f_t) = prod_k Bernoulli(x_tk; sigmoid(W f_t + b)_k)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.emission.base import Emission, FrameDraw, FrameRules, bernoulli_entropy
from musevae.models.layers import bernoulli_log_prob

if TYPE_CHECKING:
    from musevae.models.config import ModelConfig


class Bernoulli(Emission):
    """Parameterises p(x_t | f_t) as 88 independent Bernoullis; the params are their logits."""

    def __init__(self, in_dim: int) -> None:
        super().__init__(in_dim, KEY_COUNT)

    @classmethod
    def from_config(cls, config: ModelConfig, in_dim: int) -> Bernoulli:
        return cls(in_dim)

    def log_prob(self, x: Tensor, params: Tensor) -> Tensor:
        return bernoulli_log_prob(params, x)

    def sampler(self, rules: FrameRules) -> BernoulliSampler:
        return BernoulliSampler(rules)

    def forbid(self, params: Tensor, off: Tensor) -> Tensor:
        return params.masked_fill(off, float("-inf"))

    def conditions_exactly(self, given: Tensor) -> bool:
        return True  # the keys are independent given f_t: fixing some leaves the rest as they were

    def predict(self, params: Tensor) -> Tensor:
        return params > 0  # sigmoid(l) > 1/2  <=>  l > 0


class BernoulliSampler:
    """Every key drawn at once. The controls act on the independent draws: masked keys
    have logit -inf, held keys +inf (they sound, and are reported as certain, as under
    the NADE: probability 1, no entropy), and the polyphony cap keeps the most probable
    keys (held ones first, so a chord is never cut short by its own successor)."""

    def __init__(self, rules: FrameRules) -> None:
        self.rules = rules

    def __call__(
        self, params: Tensor, held: Tensor | None, generator: torch.Generator | None
    ) -> FrameDraw:
        rules, logits = self.rules, params
        if rules.temperature != 1.0:
            logits = logits / rules.temperature
        if rules.allowed is not None:
            logits = logits.masked_fill(~rules.allowed, float("-inf"))
        if held is not None:
            logits = logits.masked_fill(held, float("inf"))
        probs = logits.sigmoid()
        draw = torch.rand(probs.shape, generator=generator, dtype=probs.dtype, device=probs.device)
        notes = draw < probs  # a Bernoulli draw, cheaper than torch.bernoulli; held: p = 1
        if rules.max_on is not None:
            priority = probs if held is None else probs + 2.0 * held
            notes = _cap_polyphony(notes, priority, rules.max_on)
        return FrameDraw(notes, probs, bernoulli_entropy(logits, probs))


def _cap_polyphony(notes: Tensor, priority: Tensor, limit: int) -> Tensor:
    """Keep at most ``limit`` sounding keys per row, those with the highest priority."""
    if limit >= KEY_COUNT or int(notes.sum(-1).max()) <= limit:
        return notes  # the common case: the draw is already within the cap
    ranked = priority.masked_fill(~notes, float("-inf"))
    top = ranked.topk(limit, dim=-1).indices
    keep = torch.zeros_like(notes).scatter_(-1, top, True)
    return notes & keep
