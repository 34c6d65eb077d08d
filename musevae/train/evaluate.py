"""Scores of a model on whole pieces: ELBO, log-likelihood and frame accuracy.

Two averaging conventions are in use in the literature and they differ, so both are
reported, always labelled:

* **frame-weighted** — total nats over all pieces / total frames. The dataset authors'
  protocol (Boulanger-Lewandowski et al. 2012) and most later papers.
* **sequence mean** — each piece's nats per frame, averaged over pieces. What the SRNN
  reference code computes; short pieces weigh as much as long ones.

Frame accuracy follows Bay et al. (2009): sum over frames of TP / sum of (TP + FP + FN),
where the predicted notes at step t are the keys with p(x_t,k | x_{<t}) > 0.5 given the
*true* past (under a NADE emission, whose keys depend on each other: each key whose
conditional, given the predicted keys before it, exceeds 0.5). Latent models predict with the model's own ``step``, i.e. one sample of
the latent path drawn from the prior (no posterior: the prediction may not peek at
x_t). For the RNN this is its exact predictive distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from musevae.data.batching import epoch_batches
from musevae.models.base import LatentSequenceModel, SequenceModel
from musevae.train.distributed import SINGLE, Distributed

# Positions in the vector of per-process totals that are summed across processes.
SEQS, FRAMES, ELBO, ELBO_SEQ, LL, LL_SEQ, TP, FP, FN, KL = range(10)


class Averages(NamedTuple):
    """One score under both conventions, in nats per frame."""

    frame_weighted: float
    sequence_mean: float


@dataclass(frozen=True)
class Evaluation:
    """Scores on one split; ``log_likelihood`` and ``accuracy`` are None when skipped."""

    split: str
    sequences: int
    frames: int
    elbo: Averages
    log_likelihood: Averages | None
    samples: int  # importance samples per piece behind log_likelihood
    accuracy: float | None  # NaN when no frame of the split has or predicts a note
    exact: bool = False  # log_likelihood is exact (no latent), not an IS bound
    # The ELBO's KL(q || p) per frame (frame-weighted; None without latents): how much the
    # latent carries. Near 0 under a strong decoder is posterior collapse.
    kl: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the conventions named, for model cards and results files."""
        data = asdict(self)
        data["elbo"] = self.elbo._asdict()
        if self.log_likelihood is not None:
            data["log_likelihood"] = self.log_likelihood._asdict()
        data["units"] = "nats per frame"
        return data


@torch.no_grad()
def predicted_notes(model: SequenceModel, x: Tensor) -> Tensor:
    """Keys predicted on at each step from the true past, p > 0.5 (see above).  (B, T, 88) bool"""
    batch, steps, keys = x.shape
    state = model.prime(None, batch)
    x_prev = x.new_zeros(batch, keys)
    on, step = [], model.stepper()
    for t in range(steps):
        out = step(state, x_prev, None)
        on.append(model.emission.predict(out.params))
        state, x_prev = out.state, x[:, t]
    return torch.stack(on, dim=1)


@torch.no_grad()
def batch_totals(
    model: SequenceModel, x: Tensor, mask: Tensor, samples: int, accuracy: bool
) -> Tensor:
    """The summable totals of one padded batch, as a float64 vector (see SEQS ...)."""
    totals = torch.zeros(10, dtype=torch.float64, device=x.device)
    frames = mask.sum(1).double()  # (B,)
    terms = model.elbo(x, mask, 1.0)
    elbo = (terms.log_px - terms.kl).sum(1).double()  # (B,) nats per piece
    totals[SEQS], totals[FRAMES] = x.shape[0], frames.sum()
    totals[ELBO], totals[ELBO_SEQ] = elbo.sum(), (elbo / frames).sum()
    totals[KL] = terms.kl.sum()
    if samples:
        ll = model.log_likelihood(x, mask, samples=samples).double()  # (B,)
        totals[LL], totals[LL_SEQ] = ll.sum(), (ll / frames).sum()
    if accuracy:
        on, real = predicted_notes(model, x), (x > 0) & (mask[..., None] > 0)
        on = on & (mask[..., None] > 0)
        totals[TP], totals[FP] = (on & real).sum(), (on & ~real).sum()
        totals[FN] = (~on & real).sum()
    return totals


def evaluate(
    model: SequenceModel,
    sequences: Sequence[np.ndarray],
    split: str = "test",
    *,
    samples: int = 100,
    accuracy: bool = True,
    batch_size: int = 16,
    dist: Distributed = SINGLE,
) -> Evaluation:
    """Score ``model`` on whole ``(T, 88)`` pieces; ``samples=0`` skips the IS estimate.

    Under ``torchrun`` each process scores its share of the pieces and the totals are
    summed, so every process returns the same Evaluation. Empty pieces are ignored.
    """
    device = next(model.parameters()).device
    pieces = [seq for seq in sequences if len(seq)]
    if not pieces:
        raise ValueError(f"the {split} split holds no frames to evaluate on")
    latent = isinstance(model, LatentSequenceModel)
    was_training = model.training
    model.eval()
    try:
        totals = torch.zeros(10, dtype=torch.float64, device=device)
        for x, mask in epoch_batches(dist.shard(pieces), batch_size):
            totals += batch_totals(model, x.to(device), mask.to(device), samples, accuracy)
        t = dist.all_reduce_sum(totals).tolist()
    finally:
        model.train(was_training)
    return Evaluation(
        split=split,
        sequences=int(t[SEQS]),
        frames=int(t[FRAMES]),
        elbo=Averages(t[ELBO] / t[FRAMES], t[ELBO_SEQ] / t[SEQS]),
        log_likelihood=Averages(t[LL] / t[FRAMES], t[LL_SEQ] / t[SEQS]) if samples else None,
        samples=samples,
        accuracy=_ratio(t[TP], t[TP] + t[FP] + t[FN]) if accuracy else None,
        exact=not latent,
        kl=t[KL] / t[FRAMES] if latent else None,
    )


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan
