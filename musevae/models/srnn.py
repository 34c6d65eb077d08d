"""SRNN (Fraccaro et al. 2016): a deterministic RNN layer d_t with a stochastic layer z_t on top.

Generative model:  d_t = RNN(d_{t-1}, e(u_t)),  p(z_t | z_{t-1}, d_t),  p(x_t | z_t, d_t).
Inference:         a_t = backward RNN over [d_t, e(x_t)] ("smooth") or an MLP of it
                   ("filter"), q(z_t | z_{t-1}, a_t); with Resq its mean is mu_p + delta.
``e`` is the shared embedding MLP of the authors' music code (e(u_t) = e(x_{t-1})).
The RNNs are GRUs, as the authors', or LSTMs (``rnn``).

Speed: d_{1:T} and a_{1:T} do not depend on z, so they are whole-sequence fused RNN calls,
and the d-/a-dependent parts of the prior and posterior first layers are one matmul each
before the loop. The loop is only the z-chain, run by ``zchain`` without per-step autograd.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import ElboTerms, LatentPass, LatentSequenceModel, State, StepOutput
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import (
    MLP,
    Gaussian,
    VARIANCE_LINKS,
    GaussianHead,
    glorot_orthogonal_,
    reverse_padded,
    shift_right,
)
from musevae.models.recurrence import Recurrent, as_hx, from_hx, fused, zero_state
from musevae.models.srnn_step import SRNNStepper
from musevae.models.step_kernels import Precision
from musevae.models.zchain import ChainWeights, run_chain


@dataclasses.dataclass(frozen=True)
class SRNNConfig(ModelConfig):
    """Sizes and variant; defaults are the authors' music settings."""

    d_dim: int = 300  # deterministic RNN state d_t
    z_dim: int = 100  # latent z_t
    a_dim: int = 300  # inference state a_t
    hidden: int = 500  # embedding width and every MLP's hidden layer
    inference: str = "smooth"  # "smooth": backward RNN a_t; "filter": MLP of [d_t, x_t]
    resq: bool = True  # posterior mean = prior mean + learned residual
    var_floor: float = 1e-6  # added to every variance
    # "separate": the mean and the variance of the prior and of the posterior each come
    # from their own hidden layer, as in the authors' code (on their JSB this is worth
    # 0.4 nats of test ELBO); "shared": one hidden layer feeds both (cheaper).
    heads: str = "separate"
    # "torch": PyTorch's default initialisation; "glorot-orthogonal": the authors' Lasagne
    # one (see layers.glorot_orthogonal_). Only the starting point of training.
    init: str = "torch"
    # How the Gaussian heads' raw outputs become variances (layers.VARIANCE_LINKS):
    # "softplus", or "exp" of a log-variance as in the authors' code.
    variance: str = "softplus"
    # Dropout on the non-recurrent paths, as the authors' code offers: the embeddings of
    # u_t and x_t and every use of d_t except its own recurrence. A regulariser for small
    # sets; 0 (their setting) is off.
    dropout: float = 0.0

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "inference": ("smooth", "filter"),
        "heads": ("shared", "separate"),
        "init": ("torch", "glorot-orthogonal"),
        "variance": VARIANCE_LINKS,
    }
    RATES: ClassVar[tuple[str, ...]] = ("dropout",)
    STORED_DEFAULTS: ClassVar[dict[str, Any]] = {"heads": "shared"}  # before the option


class _Chain(NamedTuple):
    """The sampled z-chain and its distributions, each (B, T, .)."""

    z: Tensor
    prior: Gaussian
    posterior: Gaussian


class SRNN(LatentSequenceModel):
    """Parameterises p(x_{1:T}, z_{1:T} | u_{1:T}) and the smoothing posterior q(z | x)."""

    kind: ClassVar[str] = "srnn"
    config_type: ClassVar[type[ModelConfig]] = SRNNConfig

    def __init__(self, config: SRNNConfig) -> None:
        super().__init__(config)
        c = config
        self.embed = MLP([KEY_COUNT], [c.hidden, c.hidden])  # e(x_t), shared with u_t
        self.d_rnn = fused(c.rnn, c.hidden, c.d_dim)
        if c.inference == "smooth":
            self.a_net: nn.Module = fused(c.rnn, c.d_dim + c.hidden, c.a_dim)
        else:
            self.a_net = MLP([c.d_dim, c.hidden], [c.a_dim])
        separate = c.heads == "separate"
        width = 2 * c.hidden if separate else c.hidden
        self.prior_net = MLP([c.d_dim, c.z_dim], [width])  # p(z_t | d_t, z_{t-1})
        self.prior_head = GaussianHead(width, c.z_dim, c.var_floor, separate, c.variance)
        self.post_net = MLP([c.a_dim, c.z_dim], [width])  # q(z_t | a_t, z_{t-1})
        self.post_head = GaussianHead(width, c.z_dim, c.var_floor, separate, c.variance)
        self.decoder = MLP([c.d_dim, c.z_dim], [c.hidden])  # p(x_t | d_t, z_t)
        self.emission = build_emission(c, c.hidden)
        # identity in eval mode (evaluation, sampling), and without drawing noise at 0
        self.drop = nn.Dropout(c.dropout) if c.dropout else nn.Identity()
        if c.init == "glorot-orthogonal":
            glorot_orthogonal_(self)

    def _deterministic(
        self, x: Tensor, mask: Tensor, start: State | None = None
    ) -> tuple[Tensor, Tensor, Tensor, Recurrent]:
        """d_{1:T} (B, T, D), d_{1:T} as the rest of the model reads it (after dropout),
        a_{1:T} (B, T, A), each from whole-sequence calls, and the d-RNN's state after
        step T ((d_T,) or (d_T, c_T)).

        ``start`` (see :meth:`elbo_from`) continues d from the previous chunk, whose last
        frame is then u_1; a_t looks ahead only within the chunk.
        """
        e_x = self.embed(x)  # (B, T, H)
        if start is None:
            e_0, d_0 = self.embed(x.new_zeros(x.shape[0], 1, KEY_COUNT)), None  # x_0 = 0
        else:
            e_0, d_0 = self.embed(start[-1][:, None]), as_hx(start[:-2])
        e_u = torch.cat([e_0, e_x[:, :-1]], dim=1)  # e(u_t) = e(x_{t-1})
        d, d_last = self.d_rnn(self.drop(e_u), d_0)  # (B, T, D)
        d_read, e_x = self.drop(d), self.drop(e_x)
        if isinstance(self.a_net, nn.RNNBase):
            a_rev, _ = self.a_net(reverse_padded(torch.cat([d_read, e_x], dim=-1), mask))
            return d, d_read, reverse_padded(a_rev, mask), from_hx(d_last)
        return d, d_read, self.a_net(d_read, e_x), from_hx(d_last)

    def _z_chain(
        self,
        d: Tensor,
        a: Tensor,
        generator: torch.Generator | None = None,
        z_0: Tensor | None = None,
    ) -> _Chain:
        """Sample z_t ~ q(z_t | z_{t-1}, a_t) for t = 1..T (reparameterised), z_0 = 0 or given.

        Only the recurrence runs step by step (see ``zchain``); the d- and a-dependent
        first-layer terms go in as one matmul each, and so does a given z_0's (the chain
        itself always starts from zero).
        """
        c = self.config
        pre_seq = torch.cat(  # (T, B, 2H): [prior | posterior] first layers, minus z_{t-1}
            [self.prior_net.project(0, d).transpose(0, 1),
             self.post_net.project(0, a).transpose(0, 1)], dim=-1
        )
        eps = torch.randn(  # (T, B, Z)
            d.shape[1], d.shape[0], c.z_dim, generator=generator, dtype=d.dtype, device=d.device
        )
        weights = ChainWeights(
            w_z=torch.cat([self.prior_net.inputs[1].weight, self.post_net.inputs[1].weight]),
            prior_w=self.prior_head.weight,
            prior_b=self.prior_head.linear.bias,
            post_w=self.post_head.weight,
            post_b=self.post_head.linear.bias,
        )
        if z_0 is not None:
            pre_seq[0] += F.linear(z_0, weights.w_z)  # z_0's share of step 1's first layers
        out = run_chain(pre_seq, eps, weights, c.resq, c.var_floor, c.variance)  # time-major
        return _Chain(
            out.z.transpose(0, 1),
            self.prior_head.split(out.prior.transpose(0, 1)),
            self.post_head.split(out.posterior.transpose(0, 1)),
        )

    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        return self._pass(x, mask)[0]

    def generative_pass(self, x: Tensor, z: Tensor) -> tuple[Tensor, Gaussian]:
        """d_{1:T} as in training; given z, the prior is one MLP call for all steps."""
        d, _ = self.d_rnn(self.drop(self.embed(shift_right(x))))  # (B, T, D), u_t = x_{t-1}
        d_read = self.drop(d)
        prior = self.prior_head(self.prior_net(d_read, shift_right(z)))  # z_0 = 0
        params = self.emission(self.decoder(d_read, z))  # (B, T, P)
        return self.emission.log_prob(x, params), prior

    def elbo_from(
        self, start: State | None, x: Tensor, mask: Tensor, kl_weight: float = 1.0
    ) -> tuple[ElboTerms, State]:
        """ELBO terms of a chunk that continues the one ``start`` ended, and its own end.

        How the authors trained on their data: consecutive 100-step chunks of each piece
        stream, d_t and z_t carried across the cut (detached), so the model learns from
        context longer than a chunk. The state is ``(d_T, z_T, x_T)``, with an LSTM
        ``(d_T, c_T, z_T, x_T)``; ``None`` starts fresh. Every row must be a whole chunk
        (mask all ones) for its end to mean much.
        """
        out, end = self._pass(x, mask, start)
        return self.elbo_terms(out, mask, kl_weight), end

    def _pass(self, x: Tensor, mask: Tensor, start: State | None = None) -> tuple[LatentPass, State]:
        _, d_read, a, d_last = self._deterministic(x, mask, start)
        chain = self._z_chain(d_read, a, z_0=None if start is None else start[-2])
        params = self.emission(self.decoder(d_read, chain.z))  # (B, T, P), all steps at once
        out = LatentPass(self.emission.log_prob(x, params), chain.prior, chain.posterior, chain.z)
        return out, (*(s.detach() for s in d_last), chain.z[:, -1].detach(), x[:, -1])

    @torch.no_grad()
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """(d_P, z_P), with an LSTM (d_P, c_P, z_P): the d-RNN's state and a posterior
        sample of the last latent of the prime."""
        c = self.config
        if x is None or x.shape[1] == 0:
            empty = self._empty(batch_size)
            return (*zero_state(c.rnn, empty, batch_size, c.d_dim),
                    empty.new_zeros(batch_size, c.z_dim))  # fmt: skip
        mask = x.new_ones(x.shape[:2])
        _, d_read, a, d_last = self._deterministic(x, mask)
        return (*d_last, self._z_chain(d_read, a, generator).z[:, -1])

    def stepper(self, precision: Precision = "float32") -> SRNNStepper:
        return SRNNStepper(self, precision)

    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """d_t from x_{t-1}, z_t ~ p(z_t | z_{t-1}, d_t), then the emission's params for x_t.

        One-off calls lay the weights out each time; loops should use :meth:`stepper`.
        """
        return self.stepper()(state, x_prev, generator)
