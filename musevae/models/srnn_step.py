"""SRNN's generation step with its weights laid out once, for long sampling runs.

Generation runs one small step at a time, so its cost is the number of kernel calls
and the reading of the weights, more than the arithmetic. Done once per run rather than
per step: every weight is transposed into the ``(in, out)`` layout ``addmm`` takes, and
d_t's first-layer terms of the prior and of the decoder are stacked into one matrix (one
multiply instead of two). Per step, the z_{t-1} and z_t terms are accumulated by the
multiply that computes them, the GRU gates are computed without the copies of torch's
``gru_cell``, and activations work in place on fresh buffers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from musevae.models.base import State, StepOutput
from musevae.models.layers import MLP, activation

if TYPE_CHECKING:
    from musevae.models.srnn import SRNN


class _Dense(NamedTuple):
    """A linear layer as ``addmm(bias, x, weight_t)``."""

    weight_t: Tensor  # (in, out), contiguous
    bias: Tensor  # (out,)


def _dense(layer: nn.Linear) -> _Dense:
    return _Dense(layer.weight.detach().t().contiguous(), layer.bias.detach().clone())


def _hidden(mlp: MLP) -> list[_Dense]:
    """The layers after an MLP's first one."""
    return [_dense(layer) for layer in mlp.layers]


def _finish(pre: Tensor, layers: list[_Dense]) -> Tensor:
    """:meth:`MLP.finish` in place: the activation and the layers after the first."""
    h = activation(pre, inplace=True)
    for layer in layers:
        h = activation(torch.addmm(layer.bias, h, layer.weight_t), inplace=True)
    return h


def _gru_cell(x: Tensor, h: Tensor, inputs: _Dense, recurrent: _Dense) -> Tensor:
    """``torch.gru_cell`` (gates r, u, n in that order), from pre-transposed weights."""
    gi = torch.addmm(inputs.bias, x, inputs.weight_t)  # (B, 3H)
    gh = torch.addmm(recurrent.bias, h, recurrent.weight_t)
    width = h.shape[1]
    gates = (gi[:, : 2 * width] + gh[:, : 2 * width]).sigmoid_()
    reset, update = gates[:, :width], gates[:, width:]
    candidate = torch.addcmul(gi[:, 2 * width :], reset, gh[:, 2 * width :]).tanh_()
    return torch.lerp(candidate, h, update)  # (1 - u) n + u h


class SRNNStepper:
    """``step(state, x_prev, generator)`` of an SRNN, from a snapshot of its weights.

    Equal to :meth:`SRNN.step` up to float rounding; take a new one after the weights
    change.
    """

    def __init__(self, model: SRNN) -> None:
        c = model.config
        with torch.no_grad():
            self._embed_in = _dense(model.embed.inputs[0])
            self._embed_layers = _hidden(model.embed)
            w_ih, w_hh, b_ih, b_hh = model.d_rnn.all_weights[0]
            self._gru_in = _Dense(w_ih.detach().t().contiguous(), b_ih.detach().clone())
            self._gru_rec = _Dense(w_hh.detach().t().contiguous(), b_hh.detach().clone())
            prior_d, decoder_d = model.prior_net.inputs[0], model.decoder.inputs[0]
            self._d_terms = _Dense(  # d_t's share of both first layers, side by side
                torch.cat([prior_d.weight, decoder_d.weight]).t().contiguous(),
                torch.cat([prior_d.bias, decoder_d.bias]),
            )
            self._split = prior_d.out_features
            self._prior_z = model.prior_net.inputs[1].weight.detach().t().contiguous()
            self._prior_layers = _hidden(model.prior_net)
            self._prior_head = _dense(model.prior_head.linear)
            self._decoder_z = model.decoder.inputs[1].weight.detach().t().contiguous()
            self._decoder_layers = _hidden(model.decoder)
            self._emission = _dense(model.emission)
        self._z_dim, self._var_floor = c.z_dim, c.var_floor

    @torch.no_grad()
    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        d_prev, z_prev = state
        embed_pre = torch.addmm(self._embed_in.bias, x_prev, self._embed_in.weight_t)
        e_u = _finish(embed_pre, self._embed_layers)  # e(u_t) = e(x_{t-1})
        d = _gru_cell(e_u, d_prev, self._gru_in, self._gru_rec)  # (B, D)
        d_terms = torch.addmm(self._d_terms.bias, d, self._d_terms.weight_t)
        prior_pre, decoder_pre = d_terms[:, : self._split], d_terms[:, self._split :]
        prior_h = _finish(torch.addmm(prior_pre, z_prev, self._prior_z), self._prior_layers)
        raw = torch.addmm(self._prior_head.bias, prior_h, self._prior_head.weight_t)
        mean = raw[:, : self._z_dim]
        std = F.softplus(raw[:, self._z_dim :]).add_(self._var_floor).sqrt_()  # std_from_raw
        eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
        z = torch.addcmul(mean, std, eps)  # z_t ~ p(z_t | z_{t-1}, d_t)
        decoder_h = _finish(torch.addmm(decoder_pre, z, self._decoder_z), self._decoder_layers)
        logits = torch.addmm(self._emission.bias, decoder_h, self._emission.weight_t)
        return StepOutput(logits, (d, z), std.mean(-1))

