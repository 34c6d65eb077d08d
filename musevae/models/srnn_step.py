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
ONEDNN_MIN_WEIGHTS = 150_000  # below this oneDNN's threading costs more than it saves


class _Dense:
    """A linear layer for small batches, computed the fastest way available.

    Large layers on float32 CPU batches of 2 or more go through oneDNN with the weight
    prepacked for that batch size (20-30% faster than ``addmm`` at batch 16 on 2 cores);
    anything else (small layers, batch 1, other dtypes and devices) through ``addmm`` on
    the transposed weight, which is up to 35% faster there. The choice depends only on the
    shapes, so a seed gives the same music on every run.
    """

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        self.weight = weight.detach().clone()  # (out, in)
        self.weight_t = self.weight.t().contiguous()  # (in, out)
        self.bias = None if bias is None else bias.detach().clone()
        self._packed: dict[int, Tensor] = {}  # batch size -> oneDNN weight
        self._onednn = (  # decided here: a stepper's inputs share its weights' dtype and device
            ONEDNN_LINEAR
            and self.weight.dtype == torch.float32
            and self.weight.device.type == "cpu"
            and self.weight.numel() >= ONEDNN_MIN_WEIGHTS
        )

    def __call__(self, x: Tensor, base: Tensor | None = None) -> Tensor:
        """``x W^T + bias``, plus ``base`` if given (on the ``addmm`` path the multiply
        adds it itself, saving a kernel call)."""
        batch = x.shape[0]
        if self._onednn and batch >= ONEDNN_MIN_BATCH:
            packed = self._packed.get(batch)
            if packed is None:
                packed = torch.ops.mkldnn._reorder_linear_weight(self.weight, batch)
                self._packed[batch] = packed
            y = torch.ops.mkldnn._linear_pointwise(x, packed, self.bias, "none", [], "")
            return y if base is None else y.add_(base)
        if base is None:
            base = self.bias
        elif self.bias is not None:
            base = base + self.bias
        return x @ self.weight_t if base is None else torch.addmm(base, x, self.weight_t)


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
    change. The snapshot is detached from autograd, so steps record no graph without a
    ``no_grad`` wrapper (whose entry and exit cost as much as a small kernel).
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
            self._prior_z = _Dense(prior_z, None)
            self._prior_layers = _hidden(model.prior_net)
            self._prior_head = _Dense(model.prior_head.weight, model.prior_head.linear.bias)
            self._decoder_z = _Dense(decoder_z, None)
            self._decoder_layers = _hidden(model.decoder)
            self._emission = _dense(model.emission)
        self._z_dim, self._var_floor = c.z_dim, c.var_floor
        self._z_mean = model.emission.weight.new_full((c.z_dim,), 1.0 / c.z_dim)  # mean by mv

    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        d_prev, z_prev = state
        e_u = _finish(self._embed_in(x_prev), self._embed_layers)  # e(u_t) = e(x_{t-1})
        d = _gru_cell(e_u, d_prev, self._gru_in, self._gru_rec)  # (B, D)
        d_terms = self._d_terms(d)
        prior_pre, decoder_pre = d_terms[:, : self._split], d_terms[:, self._split :]
        prior_h = _finish(self._prior_z(z_prev, prior_pre), self._prior_layers)
        raw = self._prior_head(prior_h)
        mean = raw[:, : self._z_dim]
        std = F.softplus(raw[:, self._z_dim :]).add_(self._var_floor).sqrt_()  # std_from_raw
        eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
        z = torch.addcmul(mean, std, eps)  # z_t ~ p(z_t | z_{t-1}, d_t)
        decoder_h = _finish(self._decoder_z(z, decoder_pre), self._decoder_layers)
        logits = self._emission(decoder_h)
        return StepOutput(logits, (d, z), torch.mv(std, self._z_mean))

