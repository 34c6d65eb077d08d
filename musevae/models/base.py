"""The interface every sequence model offers to the trainer, the evaluator and the sampler.

All models end in an emission over the 88 keys (``self.emission``, see
:mod:`musevae.models.emission`: independent Bernoullis or a NADE) and read batch-first
piano rolls ``x (B, T, 88)`` with a prefix ``mask (B, T)`` (1 for real steps, then 0 for
padding).
Step t's input is ``u_t = x_{t-1}`` with ``x_0 = 0``. Models keep no per-call state on
``self``: everything a caller needs comes back in the returned tuples.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, NamedTuple, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from musevae.models.config import ModelConfig
from musevae.models.emission import Emission
from musevae.models.layers import Gaussian, gaussian_kl
from musevae.models.step_kernels import Precision

State = tuple[Tensor, ...]  # a model's recurrent state; plain tensors, constant size

# Importance sampling replicates a batch K times; keep chunk * B * T under this many frames
# (about 130 MB for the widest (rows, T, 1000) activation of SRNN at its default sizes).
# A GPU pass costs the same kernel launches per step however wide it is, so there the
# budget is 16x (about 2 GB): 100 samples of a long MuseData batch take 7 passes, not 100.
IS_FRAME_BUDGET = 32_768
IS_FRAME_BUDGET_GPU = 16 * IS_FRAME_BUDGET


class ElboTerms(NamedTuple):
    """Per-step terms of the evidence lower bound, in nats; zero on padding steps."""

    log_px: Tensor  # (B, T) log p(x_t | ...) for the sampled latent path
    kl: Tensor  # (B, T) KL(q || p) of step t's latent (zeros for the RNN)
    loss: Tensor  # () -(sum log_px - kl_weight * sum kl) / sum mask: nats per frame


@runtime_checkable
class CarriesState(Protocol):
    """A model that can train on consecutive chunks of a stream, carrying its state
    across each cut (SRNN: the authors' training on their data)."""

    def elbo_from(
        self, start: State | None, x: Tensor, mask: Tensor, kl_weight: float = 1.0
    ) -> tuple[ElboTerms, State]:
        """ELBO terms of a chunk that continues the chunk whose end state is ``start``."""
        ...


class StepOutput(NamedTuple):
    """One generation step: the next frame's emission params and the state after it."""

    params: Tensor  # (B, P) of p(x_t | ...) for ``model.emission`` (Bernoulli: 88 logits)
    state: State
    latent_std: Tensor | None  # (B,) mean prior std over latent dims; None without latents


Stepper = Callable[[State, Tensor, torch.Generator | None], StepOutput]


def masked_loss(log_px: Tensor, kl: Tensor, mask: Tensor, kl_weight: float) -> Tensor:
    """Negative ELBO per real frame; ``log_px`` and ``kl`` are already zero on padding."""
    frames = mask.sum().clamp_min(1.0)
    return -(log_px.sum() - kl_weight * kl.sum()) / frames


class SequenceModel(nn.Module, ABC):
    """A probabilistic model of piano-roll sequences p(x_{1:T})."""

    kind: ClassVar[str]  # registry name, e.g. "srnn"
    config_type: ClassVar[type[ModelConfig]]
    emission: Emission  # the output layer: p(x_t | the model's features of step t)

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        if not isinstance(config, self.config_type):
            raise TypeError(
                f"{type(self).__name__} needs a {self.config_type.__name__}, "
                f"got {type(config).__name__}"
            )
        self.config = config

    @abstractmethod
    def elbo(self, x: Tensor, mask: Tensor, kl_weight: float = 1.0) -> ElboTerms:
        """Per-step ELBO terms with one reparameterised latent sample.

        ``x (B, T, 88)`` float 0/1, ``mask (B, T)`` float prefix mask.
        """

    @abstractmethod
    def log_likelihood(
        self, x: Tensor, mask: Tensor, samples: int = 100, chunk: int | None = None
    ) -> Tensor:
        """Per-sequence total log p(x) over the real steps, in nats.  (B,)"""

    @abstractmethod
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """State after reading the prime ``x (B, P, 88)``; ``None`` or P = 0: the start.

        Latent models draw the prime's latents from q(z | x) with ``generator`` (the global
        RNG if None). Pass the prime's last frame (or zeros after an empty prime) as
        ``x_prev`` to the first :meth:`step`.
        """

    @abstractmethod
    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """p(x_t | past) for the step after ``x_prev (B, 88)``; latents drawn from the prior."""

    def stepper(self, precision: Precision = "float32") -> Stepper:
        """The step function for a generation run: call it instead of :meth:`step` in a loop.

        A model whose step gets faster with its weights laid out once (fused, transposed)
        returns a function holding that layout; it is valid while the weights are unchanged,
        so take a new one after training or loading. ``precision`` is that of its large
        multiplies (:func:`musevae.models.step_kernels.resolve_precision`). By default it
        is :meth:`step`, in the model's own dtype.
        """
        return self.step

    def path_log_prob(self, x: Tensor, z: Tensor | None, mask: Tensor) -> Tensor:
        """log p(x_t, z_t | x_{<t}, z_{<t}) of every step of a given path, in nats.  (B, T)

        Differentiable in the weights: what a policy gradient needs of a path the model
        sampled itself (:mod:`musevae.tune`). ``z (B, T, Z)`` are the path's latents, as
        :meth:`step_latent` reads them off the steps (None without latents); zero on
        padding. Without latents this is the exact log p(x_t | x_{<t}): the ELBO's log_px.
        """
        return self.elbo(x, mask).log_px

    def step_latent(self, state: State) -> Tensor | None:
        """The latent z_t ``(B, Z)`` drawn by the step that returned ``state``; None
        for a model without latents."""
        return None

    def _empty(self, batch_size: int) -> Tensor:
        """A (batch_size, 0) tensor on the model's device and dtype, for initial states."""
        weight = next(self.parameters())
        return weight.new_zeros(batch_size, 0)


class LatentPass(NamedTuple):
    """What one pass of a latent model produces; the base class turns it into bounds."""

    log_px: Tensor  # (B, T) log p(x_t | z, x_{<t}), unmasked
    prior: Gaussian  # (B, T, Z) p(z_t | ...)
    posterior: Gaussian  # (B, T, Z) q(z_t | ...)
    z: Tensor  # (B, T, Z) the reparameterised sample from q


class LatentSequenceModel(SequenceModel):
    """A model with per-step Gaussian latents: ELBO and importance sampling written once."""

    @abstractmethod
    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        """Run inference and generative networks with one sample z ~ q(z | x)."""

    @abstractmethod
    def generative_pass(self, x: Tensor, z: Tensor) -> tuple[Tensor, Gaussian]:
        """The generative networks along a given path ``x (B, T, 88)``, ``z (B, T, Z)``:
        log p(x_t | z_{<=t}, x_{<t}) ``(B, T)`` (unmasked) and the prior p(z_t | z_{<t},
        x_{<t}) ``(B, T, Z)``. No inference network runs."""

    def path_log_prob(self, x: Tensor, z: Tensor | None, mask: Tensor) -> Tensor:
        if z is None:
            raise ValueError(f"a {type(self).__name__} path needs its latents z")
        log_px, prior = self.generative_pass(x, z)
        return (log_px + prior.log_prob(z)) * mask

    def step_latent(self, state: State) -> Tensor:
        """Latent models keep z_t last in their state."""
        return state[-1]

    def elbo(self, x: Tensor, mask: Tensor, kl_weight: float = 1.0) -> ElboTerms:
        return self.elbo_terms(self.latent_pass(x, mask), mask, kl_weight)

    @staticmethod
    def elbo_terms(out: LatentPass, mask: Tensor, kl_weight: float) -> ElboTerms:
        """The masked ELBO terms of one latent pass."""
        log_px = out.log_px * mask
        kl = gaussian_kl(out.posterior, out.prior) * mask
        return ElboTerms(log_px, kl, masked_loss(log_px, kl, mask, kl_weight))

    @torch.no_grad()
    def log_likelihood(
        self, x: Tensor, mask: Tensor, samples: int = 100, chunk: int | None = None
    ) -> Tensor:
        """Importance-sampled log p(x) with q as proposal: logsumexp_k w_k - log K.  (B,)

        ``chunk`` samples are drawn per pass (default: as many as keep the replicated batch
        under ``IS_FRAME_BUDGET`` frames, or ``IS_FRAME_BUDGET_GPU`` on a GPU), which
        bounds memory for long pieces.
        """
        if samples < 1:
            raise ValueError(f"importance sampling needs at least one sample, got {samples}")
        batch, steps = mask.shape
        if chunk is None:
            budget = IS_FRAME_BUDGET if x.device.type == "cpu" else IS_FRAME_BUDGET_GPU
            chunk = max(1, budget // max(1, batch * steps))
        chunk = max(1, min(chunk, samples))
        weights = [
            self._log_weights(x, mask, min(chunk, samples - start))
            for start in range(0, samples, chunk)
        ]
        return torch.logsumexp(torch.cat(weights, dim=1), dim=1) - math.log(samples)

    def _log_weights(self, x: Tensor, mask: Tensor, k: int) -> Tensor:
        """log p(x, z) - log q(z | x) for k samples per sequence.  (B, k)"""
        out = self.latent_pass(x.repeat_interleave(k, 0), mask.repeat_interleave(k, 0))
        per_step = out.log_px + out.prior.log_prob(out.z) - out.posterior.log_prob(out.z)
        total = (per_step * mask.repeat_interleave(k, 0)).sum(1)  # (B * k,)
        return total.view(mask.shape[0], k)
