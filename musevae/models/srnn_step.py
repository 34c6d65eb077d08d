"""SRNN's generation step with its weights laid out once, for long sampling runs.

Generation runs one small step at a time, so its cost is the number of kernel calls
and the reading of the weights, more than the arithmetic. Done once per run rather than
per step: every weight is laid out for the multiply that will read it (see ``_Dense``),
and d_t's first-layer terms of the prior and of the decoder are stacked into one matrix
(one multiply instead of two). Per step, the z_{t-1} and z_t terms are accumulated by the
multiply that computes them, the GRU gates are computed without the copies of torch's
``gru_cell``, and activations work in place on fresh buffers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from musevae.models.base import State, StepOutput
from musevae.models.layers import MLP, activation

if TYPE_CHECKING:
    from musevae.models.srnn import SRNN


def _onednn_linear_available() -> bool:
    """Whether oneDNN's linear with prepacked weights (what ``torch.compile`` emits on CPU)
    is in this torch build."""
    ops = torch.ops.mkldnn
    return (
        torch.backends.mkldnn.is_available()
        and hasattr(ops, "_linear_pointwise")
        and hasattr(ops, "_reorder_linear_weight")
    )


ONEDNN_LINEAR = _onednn_linear_available()
ONEDNN_MIN_BATCH = 2  # at batch 1 MKL's matrix-vector product is faster


class _Dense:
    """A linear layer for small batches, computed the fastest way available.

    Float32 CPU batches of 2 or more go through oneDNN with the weight prepacked for that
    batch size (about 20% faster than ``addmm`` at batch 16 on 2 cores); anything else
    (batch 1, other dtypes and devices) through ``addmm`` on the transposed weight.
    """

    def __init__(self, weight: Tensor, bias: Tensor) -> None:
        self.weight = weight.detach().clone()  # (out, in)
        self.weight_t = self.weight.t().contiguous()  # (in, out)
        self.bias = bias.detach().clone()
        self._packed: dict[int, Tensor] = {}  # batch size -> oneDNN weight

    def __call__(self, x: Tensor) -> Tensor:
        batch = x.shape[0]
        onednn = x.dtype == torch.float32 and x.device.type == "cpu"
        if ONEDNN_LINEAR and onednn and batch >= ONEDNN_MIN_BATCH:
            packed = self._packed.get(batch)
            if packed is None:
                packed = torch.ops.mkldnn._reorder_linear_weight(self.weight, batch)
                self._packed[batch] = packed
            return torch.ops.mkldnn._linear_pointwise(x, packed, self.bias, "none", [], "")
        return torch.addmm(self.bias, x, self.weight_t)


def _dense(layer: nn.Linear) -> _Dense:
    return _Dense(layer.weight, layer.bias)


def _hidden(mlp: MLP) -> list[_Dense]:
    """The layers after an MLP's first one."""
    return [_dense(layer) for layer in mlp.layers]


def _finish(pre: Tensor, layers: list[_Dense]) -> Tensor:
    """:meth:`MLP.finish` in place: the activation and the layers after the first."""
    h = activation(pre, inplace=True)
    for layer in layers:
        h = activation(layer(h), inplace=True)
    return h


def _gru_cell(x: Tensor, h: Tensor, inputs: _Dense, recurrent: _Dense) -> Tensor:
    """``torch.gru_cell`` (gates r, u, n in that order) without its copies."""
    gi, gh = inputs(x), recurrent(h)  # (B, 3H) each
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
            self._gru_in, self._gru_rec = _Dense(w_ih, b_ih), _Dense(w_hh, b_hh)
            prior_d, decoder_d = model.prior_net.inputs[0], model.decoder.inputs[0]
            self._d_terms = _Dense(  # d_t's share of both first layers, side by side
                torch.cat([prior_d.weight, decoder_d.weight]),
                torch.cat([prior_d.bias, decoder_d.bias]),
            )
            self._split = prior_d.out_features
            prior_z, decoder_z = model.prior_net.inputs[1].weight, model.decoder.inputs[1].weight
            self._prior_z = _Dense(prior_z, prior_z.new_zeros(prior_z.shape[0]))
            self._prior_layers = _hidden(model.prior_net)
            self._prior_head = _Dense(model.prior_head.weight, model.prior_head.linear.bias)
            self._decoder_z = _Dense(decoder_z, decoder_z.new_zeros(decoder_z.shape[0]))
            self._decoder_layers = _hidden(model.decoder)
            self._emission = _dense(model.emission)
        self._z_dim, self._var_floor = c.z_dim, c.var_floor

    @torch.no_grad()
    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        d_prev, z_prev = state
        e_u = _finish(self._embed_in(x_prev), self._embed_layers)  # e(u_t) = e(x_{t-1})
        d = _gru_cell(e_u, d_prev, self._gru_in, self._gru_rec)  # (B, D)
        d_terms = self._d_terms(d)
        prior_pre, decoder_pre = d_terms[:, : self._split], d_terms[:, self._split :]
        prior_h = _finish(self._prior_z(z_prev).add_(prior_pre), self._prior_layers)
        raw = self._prior_head(prior_h)
        mean = raw[:, : self._z_dim]
        std = F.softplus(raw[:, self._z_dim :]).add_(self._var_floor).sqrt_()  # std_from_raw
        eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
        z = torch.addcmul(mean, std, eps)  # z_t ~ p(z_t | z_{t-1}, d_t)
        decoder_h = _finish(self._decoder_z(z).add_(decoder_pre), self._decoder_layers)
        logits = self._emission(decoder_h)
        return StepOutput(logits, (d, z), std.mean(-1))

