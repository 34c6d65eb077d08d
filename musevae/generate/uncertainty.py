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

import torch
from torch import Tensor
from torch.nn import functional as F


def bernoulli_entropy(logits: Tensor) -> Tensor:
    """Total entropy of independent Bernoullis, from logits for numerical safety.  (B,)

    H(p) = softplus(l) - p * l with p = sigmoid(l); keys masked to +-inf are certain and
    contribute exactly 0.
    """
    finite = torch.isfinite(logits)
    safe = logits.where(finite, 0.0)
    per_key = F.softplus(safe) - safe.sigmoid() * safe
    return per_key.where(finite, 0.0).sum(-1)


def sample_disagreement(probs: Tensor) -> Tensor:
    """Mean over keys of the variance across candidates of the key probability.  ()

    ``probs (N, 88)`` for the N candidates at one step; needs N >= 2.
    """
    if probs.shape[0] < 2:
        raise ValueError("sample disagreement needs at least two candidates")
    return probs.var(dim=0, unbiased=False).mean()
