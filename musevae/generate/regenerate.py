"""Regenerating a passage: new steps [a, b) that follow the music before a *and* lead
into the music after b.

Method: sampling-importance-resampling with the model as its own proposal. K passages
are sampled continuing from the prefix x_{<a}, exactly as :func:`sample` continues a
prime, so proposal k has probability p(x^k_{a:b} | x_{<a}). The target is the model's
posterior over the passage given both sides,

    p(x_{a:b} | x_{<a}, x_{>=b})  proportional to  p(x_{<a}) p(x_{a:b} | x_{<a}) p(x_{>=b} | x_{<b}),

so the importance weight of proposal k is the likelihood of the music after b given
everything before it: w_k = p(x_{>=b} | x_{<a}, x^k_{a:b}) = p(whole_k) / p(x_{<a}, x^k_{a:b}).
Both terms are the model's log-likelihood of a piece (``model.log_likelihood``: exact
for the RNN, importance-sampled with ``samples`` draws for latent models), so one batch
of 2K sequences scores every proposal. The n passages returned are drawn from the K
with probabilities proportional to w_k; the effective sample size 1 / sum(w_k^2) (of
normalised weights) says how many proposals really count. Weighting by p(whole_k) alone
would square the proposal's own probability into the target and favour the dullest
passage. Under non-neutral controls the proposal is the controlled model, and the
result is the controlled passage reweighted by how well the rest follows from it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from musevae.data.pianoroll import PianoRoll
from musevae.generate.musical import Controls
from musevae.generate.sampler import Generation, generate, resolve_seed
from musevae.models.base import SequenceModel


@dataclasses.dataclass(frozen=True)
class Regeneration:
    """The K proposals for steps [start, stop), their weights, and the n drawn."""

    piece: PianoRoll
    start: int
    stop: int
    proposals: Generation  # K passages of stop - start steps, with their lanes
    log_weights: np.ndarray  # (K,) normalised: logsumexp = 0
    chosen: np.ndarray  # (n,) indices into the proposals, drawn by weight

    @property
    def effective_sample_size(self) -> float:
        return float(1.0 / np.square(np.exp(self.log_weights)).sum())

    def pieces(self) -> list[PianoRoll]:
        """The n whole pieces, each with its chosen passage in [start, stop)."""
        return [_splice(self.piece, self.start, self.proposals.rolls[k]) for k in self.chosen]

    def as_generation(self) -> Generation:
        """The n whole pieces as a :class:`Generation`, to export like ``generate``'s.

        Outside the passage the music is given: probability 1 for its notes and 0 for
        the rest, entropy 0, and no latent spread or disagreement (NaN)."""
        rolls, lanes, k = self.pieces(), self.proposals, self.chosen
        inside = slice(self.start, self.stop)
        probs = np.repeat(self.piece.keys[None].astype(np.float32), len(k), 0)
        probs[:, inside] = lanes.probs[k]
        entropy = np.zeros(probs.shape[:2], np.float32)
        entropy[:, inside] = lanes.entropy[k]
        spread = None
        if lanes.latent_spread is not None:
            spread = np.full(probs.shape[:2], np.nan, np.float32)
            spread[:, inside] = lanes.latent_spread[k]
        disagreement = None
        if len(k) > 1 and lanes.disagreement is not None:
            disagreement = np.full(len(self.piece), np.nan)
            disagreement[inside] = lanes.disagreement
        return Generation(rolls, probs, entropy, spread, disagreement, lanes.seed)


def regenerate(
    model: SequenceModel,
    piece: PianoRoll,
    start: int,
    stop: int,
    n: int = 1,
    *,
    proposals: int = 16,
    samples: int = 20,
    controls: Controls = Controls(),
    seed: int | None = None,
    precision: str = "auto",
) -> Regeneration:
    """Resample steps ``[start, stop)`` of ``piece`` (in the output key): ``proposals``
    candidates scored with ``samples`` importance samples each, ``n`` drawn by weight."""
    if not 0 <= start < stop <= len(piece):
        raise ValueError(f"the passage {start}:{stop} must lie within the piece's {len(piece)} steps")
    if n < 1 or proposals < 1:
        raise ValueError(f"need at least one proposal and one result; got {proposals} and {n}")
    seed = resolve_seed(seed)
    prefix = piece[:start] if start > 0 else None
    drawn = generate(
        model, stop - start, proposals, controls=controls, seed=seed, prime=prefix,
        step_beats=piece.step_beats, tempo=piece.tempo, precision=precision,
    )  # fmt: skip
    log_w = _log_weights(model, piece, start, stop, drawn.rolls, samples, seed)
    log_w = log_w - np.logaddexp.reduce(log_w)
    chosen = np.random.default_rng(seed).choice(proposals, size=n, p=np.exp(log_w))
    return Regeneration(piece, start, stop, drawn, log_w, chosen)


def _log_weights(
    model: SequenceModel, piece: PianoRoll, start: int, stop: int,
    passages: list[PianoRoll], samples: int, seed: int,
) -> np.ndarray:  # fmt: skip
    """log p(x_{>=stop} | x_{<start}, passage_k) for each passage.  (K,)"""
    k = len(passages)
    if stop == len(piece):
        return np.zeros(k)  # nothing after the passage to join: every proposal is as good
    wholes = np.stack([_splice(piece, start, p).keys for p in passages]).astype(np.float32)
    weight = next(model.parameters())
    x = torch.from_numpy(np.concatenate([wholes, wholes])).to(weight)  # (2K, T, 88)
    mask = x.new_ones(x.shape[:2])
    mask[k:, stop:] = 0.0  # the second half stops at the passage's end
    was_training = model.training
    model.eval()
    try:
        with torch.random.fork_rng(devices=[] if weight.device.type == "cpu" else [weight.device]):
            torch.manual_seed(seed)  # the importance samples too are fixed by the seed
            log_p = model.log_likelihood(x, mask, samples=samples).double().cpu().numpy()
    finally:
        model.train(was_training)
    return log_p[:k] - log_p[k:]


def _splice(piece: PianoRoll, start: int, passage: PianoRoll) -> PianoRoll:
    """``piece`` with ``passage`` written over its steps from ``start``."""
    keys = piece.keys.copy()
    keys[start : start + len(passage)] = passage.keys
    return piece.with_keys(keys)
