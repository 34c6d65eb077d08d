"""VRNN's generation step with its weights laid out once, for long sampling runs.

Besides the shared kernels (:mod:`musevae.models.step_kernels`): everything that reads
h_{t-1} is one multiply (its share of the prior's and the decoder's first layers, and the
RNN's recurrent terms for the next step), the phi_x and phi_z terms of the RNN's input
gates are summed by the multiplies themselves (no concatenated input), and phi_z(z_t),
computed for the decoder, is kept for the next step's GRU input instead of being
computed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from musevae.models.base import State, StepOutput
from musevae.models.step_kernels import (
    Dense,
    Fanout,
    GaussianDraw,
    MLPStep,
    MLPTail,
    Precision,
    CELL_UPDATES,
)

if TYPE_CHECKING:
    from musevae.models.vrnn import VRNN


class VRNNStepper:
    """``step(state, x_prev, generator)`` of a VRNN, from a snapshot of its weights.

    Equal to :meth:`VRNN.step` up to float rounding; take a new one after the weights
    change. Continuing from the state it returned last (the usual loop) reuses that
    step's phi_z(z_t) and RNN terms; any other state is read in full. The state is
    ``(h, z)``, with an LSTM ``(h, c, z)``.
    """

    def __init__(self, model: VRNN, precision: Precision = "float32") -> None:
        c, p = model.config, precision  # p: of the large multiplies (step_kernels)
        with torch.no_grad():
            self._phi_x, self._phi_z = MLPStep(model.phi_x, p), MLPStep(model.phi_z, p)
            w_ih = model.cell.weight_ih  # (G H, 2 hidden): [phi_x | phi_z] columns
            self._update = CELL_UPDATES[c.rnn]
            self._gate_x = Dense(w_ih[:, : c.hidden], model.cell.bias_ih, p)
            self._gate_z = Dense(w_ih[:, c.hidden :], None, p)
            prior_h, decoder_h = model.prior_net.inputs[0], model.dec_net.inputs[1]
            self._h_reads = Fanout(  # the decoder's phi_z bias rides here, on h's term
                [
                    (prior_h.weight, prior_h.bias),
                    (decoder_h.weight, model.dec_net.inputs[0].bias),
                    (model.cell.weight_hh, model.cell.bias_hh),
                ],
                p,
            )
            self._prior_tail = MLPTail(model.prior_net, p)
            self._draw = GaussianDraw(model.prior_head, p)
            self._decoder_phi_z = Dense(model.dec_net.inputs[0].weight, None, p)
            self._decoder_tail = MLPTail(model.dec_net, p)
            self._emission = Dense.of(model.emission, p)
        # the last state returned, with its phi_z(z_t) and its h's RNN terms
        self._ahead: tuple[State, Tensor, Tensor] | None = None

    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        before, z_prev = state[:-1], state[-1]  # (h,) or (h, c) before the update; z_{t-1}
        ahead = self._ahead
        if ahead is not None and ahead[0] is state:
            phi_z_prev, gate_h = ahead[1], ahead[2]
        else:
            phi_z_prev, gate_h = self._phi_z(z_prev), self._h_reads(before[0])[2]
        gate_in = self._gate_z(phi_z_prev, self._gate_x(self._phi_x(x_prev)))
        recurrent = self._update(gate_in, gate_h, before)
        h = recurrent[0]  # h_{t-1}
        prior_pre, decoder_pre, next_gate_h = self._h_reads(h)
        z, spread = self._draw(self._prior_tail(prior_pre), generator)
        phi_z = self._phi_z(z)
        decoder_h = self._decoder_tail(self._decoder_phi_z(phi_z, decoder_pre))
        out = StepOutput(self._emission(decoder_h), (*recurrent, z), spread)
        self._ahead = (out.state, phi_z, next_gate_h)
        return out
