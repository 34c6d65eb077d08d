"""VRNN's generation step with its weights laid out once, for long sampling runs.

Besides the shared kernels (:mod:`musevae.models.step_kernels`): h_{t-1}'s first-layer
terms of the prior and of the decoder are stacked into one multiply, the phi_x and phi_z
terms of the GRU's input gates are summed by the multiplies themselves (no concatenated
input), and phi_z(z_t), computed for the decoder, is kept for the next step's GRU input
instead of being computed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from musevae.models.base import State, StepOutput
from musevae.models.step_kernels import Dense, GaussianDraw, MLPStep, MLPTail, gru_update

if TYPE_CHECKING:
    from musevae.models.vrnn import VRNN


class VRNNStepper:
    """``step(state, x_prev, generator)`` of a VRNN, from a snapshot of its weights.

    Equal to :meth:`VRNN.step` up to float rounding; take a new one after the weights
    change. Continuing from the state it returned last (the usual loop) reuses that
    step's phi_z(z_t); any other state is computed in full.
    """

    def __init__(self, model: VRNN) -> None:
        c = model.config
        with torch.no_grad():
            self._phi_x, self._phi_z = MLPStep(model.phi_x), MLPStep(model.phi_z)
            w_ih = model.cell.weight_ih  # (3H, 2 hidden): [phi_x | phi_z] columns
            self._gate_x = Dense(w_ih[:, : c.hidden], model.cell.bias_ih)
            self._gate_z = Dense(w_ih[:, c.hidden :], None)
            self._gate_h = Dense(model.cell.weight_hh, model.cell.bias_hh)
            prior_h, decoder_h = model.prior_net.inputs[0], model.dec_net.inputs[1]
            self._h_terms = Dense(  # h's share of both first layers (the decoder's bias rides on phi_z)
                torch.cat([prior_h.weight, decoder_h.weight]),
                torch.cat([prior_h.bias, model.dec_net.inputs[0].bias]),
            )
            self._split = prior_h.out_features
            self._prior_tail = MLPTail(model.prior_net)
            self._draw = GaussianDraw(model.prior_head)
            self._decoder_phi_z = Dense(model.dec_net.inputs[0].weight, None)
            self._decoder_tail = MLPTail(model.dec_net)
            self._emission = Dense.of(model.emission)
        self._last: tuple[Tensor, Tensor] | None = None  # (z_t, phi_z(z_t)) of the last call

    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        h_before, z_prev = state
        last = self._last
        phi_z_prev = last[1] if last is not None and last[0] is z_prev else self._phi_z(z_prev)
        gate_in = self._gate_z(phi_z_prev, self._gate_x(self._phi_x(x_prev)))
        h = gru_update(gate_in, self._gate_h(h_before), h_before)  # h_{t-1}
        h_terms = self._h_terms(h)
        prior_pre, decoder_pre = h_terms[:, : self._split], h_terms[:, self._split :]
        z, spread = self._draw(self._prior_tail(prior_pre), generator)
        phi_z = self._phi_z(z)
        decoder_h = self._decoder_tail(self._decoder_phi_z(phi_z, decoder_pre))
        self._last = (z, phi_z)
        return StepOutput(self._emission(decoder_h), (h, z), spread)
