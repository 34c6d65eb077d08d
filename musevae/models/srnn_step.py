"""SRNN's generation step with its weights laid out once, for long sampling runs.

Besides the shared kernels (:mod:`musevae.models.step_kernels`): d_t's first-layer terms
of the prior and of the decoder are stacked into one matrix (one multiply instead of
two), and the z_{t-1} and z_t terms are added by the multiplies that compute them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from musevae.models.base import State, StepOutput
from musevae.models.step_kernels import Dense, GaussianDraw, MLPStep, MLPTail, gru_update

if TYPE_CHECKING:
    from musevae.models.srnn import SRNN


class SRNNStepper:
    """``step(state, x_prev, generator)`` of an SRNN, from a snapshot of its weights.

    Equal to :meth:`SRNN.step` up to float rounding; take a new one after the weights
    change.
    """

    def __init__(self, model: SRNN) -> None:
        with torch.no_grad():
            self._embed = MLPStep(model.embed)
            w_ih, w_hh, b_ih, b_hh = model.d_rnn.all_weights[0]
            self._gru_in, self._gru_rec = Dense(w_ih, b_ih), Dense(w_hh, b_hh)
            prior_d, decoder_d = model.prior_net.inputs[0], model.decoder.inputs[0]
            self._d_terms = Dense.stacked([prior_d, decoder_d])  # d_t's share of both first layers
            self._split = prior_d.out_features
            self._prior_z = Dense(model.prior_net.inputs[1].weight, None)
            self._prior_tail = MLPTail(model.prior_net)
            self._draw = GaussianDraw(model.prior_head)
            self._decoder_z = Dense(model.decoder.inputs[1].weight, None)
            self._decoder_tail = MLPTail(model.decoder)
            self._emission = Dense.of(model.emission)

    def __call__(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        d_prev, z_prev = state
        e_u = self._embed(x_prev)  # e(u_t) = e(x_{t-1})
        d = gru_update(self._gru_in(e_u), self._gru_rec(d_prev), d_prev)  # (B, D)
        d_terms = self._d_terms(d)
        prior_pre, decoder_pre = d_terms[:, : self._split], d_terms[:, self._split :]
        prior_h = self._prior_tail(self._prior_z(z_prev, prior_pre))
        z, spread = self._draw(prior_h, generator)  # z_t ~ p(z_t | z_{t-1}, d_t)
        decoder_h = self._decoder_tail(self._decoder_z(z, decoder_pre))
        return StepOutput(self._emission(decoder_h), (d, z), spread)
