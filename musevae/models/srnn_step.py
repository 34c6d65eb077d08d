"""SRNN's generation step with its weights laid out once, for long sampling runs.

Besides the shared kernels (:mod:`musevae.models.step_kernels`): everything that reads
d_t is one multiply (its share of the prior's and the decoder's first layers, and the
RNN's recurrent terms for the next step), and the z_{t-1} and z_t terms are added by the
multiplies that compute them.
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
    from musevae.models.srnn import SRNN


class SRNNStepper:
    """``step(state, x_prev, generator)`` of an SRNN, from a snapshot of its weights.

    Equal to :meth:`SRNN.step` up to float rounding; take a new one after the weights
    change. Continuing from the state it returned last (the usual loop) reuses the RNN
    terms computed with that state; any other state is read in full. The state is
    ``(d, z)``, with an LSTM ``(d, c, z)``.
    """

    def __init__(self, model: SRNN, precision: Precision = "float32") -> None:
        p = precision  # of the large multiplies (see step_kernels.resolve_precision)
        with torch.no_grad():
            self._embed = MLPStep(model.embed, p)
            w_ih, w_hh, b_ih, b_hh = model.d_rnn.all_weights[0]
            self._gate_in = Dense(w_ih, b_ih, p)
            self._update = CELL_UPDATES[model.config.rnn]
            prior_d, decoder_d = model.prior_net.inputs[0], model.decoder.inputs[0]
            self._d_reads = Fanout(
                [(prior_d.weight, prior_d.bias), (decoder_d.weight, decoder_d.bias), (w_hh, b_hh)],
                p,
            )
            self._prior_z = Dense(model.prior_net.inputs[1].weight, None, p)
            self._prior_tail = MLPTail(model.prior_net, p)
            self._draw = GaussianDraw(model.prior_head, p)
            self._decoder_z = Dense(model.decoder.inputs[1].weight, None, p)
            self._decoder_tail = MLPTail(model.decoder, p)
            self._emission = Dense.of(model.emission, p)
        self._ahead: tuple[State, Tensor] | None = None  # the last state and its RNN terms

    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        recurrent, z_prev = state[:-1], state[-1]  # (d,) or (d, c); z_{t-1}
        ahead = self._ahead
        if ahead is not None and ahead[0] is state:
            gate_h = ahead[1]
        else:
            gate_h = self._d_reads(recurrent[0])[2]
        e_u = self._embed(x_prev)  # e(u_t) = e(x_{t-1})
        recurrent = self._update(self._gate_in(e_u), gate_h, recurrent)
        d = recurrent[0]  # (B, D)
        prior_pre, decoder_pre, next_gate_h = self._d_reads(d)
        prior_h = self._prior_tail(self._prior_z(z_prev, prior_pre))
        z, spread = self._draw(prior_h, generator)  # z_t ~ p(z_t | z_{t-1}, d_t)
        decoder_h = self._decoder_tail(self._decoder_z(z, decoder_pre))
        out = StepOutput(self._emission(decoder_h), (*recurrent, z), spread)
        self._ahead = (out.state, next_gate_h)
        return out
