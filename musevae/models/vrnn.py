"""VRNN (Chung et al. 2015): an RNN whose every step is fed a latent drawn from its own state.

    prior    p(z_t | h_{t-1})              from an MLP of h_{t-1}
    encoder  q(z_t | x_t, h_{t-1})         from an MLP of [phi_x(x_t), h_{t-1}]
    decoder  p(x_t | z_t, h_{t-1})         from an MLP of [phi_z(z_t), h_{t-1}]
    update   h_t = RNN(h_{t-1}, [phi_x(x_t), phi_z(z_t)])   (a GRU or an LSTM: ``rnn``)

h_t depends on the sampled z_t, so training needs a per-step loop. The loop is kept lean:
everything that depends on x alone (phi_x, its share of the encoder's first layer and of
the RNN's input gates) is computed for all steps before it; the loop itself is one
autograd Function with a hand-written backward pass (``vrnn_rollout.py``), whose weight
gradients are one matmul each over all steps; the prior, decoder and emission run for
all steps after it.

Initial state: like every model here, step t reads x_{t-1} with x_0 = 0; for the VRNN
that means h_0 = RNN(0, [phi_x(0), phi_z(0)]) with z_0 = 0, a learned start state that
lets generation use the same (h_{t-2}, z_{t-1}) state from the very first step. With an
LSTM the recurrent state is (h, c) wherever the GRU's is h.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import LatentPass, LatentSequenceModel, State, StepOutput
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import MLP, Gaussian, GaussianHead
from musevae.models.recurrence import CELLS, Recurrent, cell_step, zero_state
from musevae.models.step_kernels import Precision
from musevae.models.vrnn_rollout import RolloutWeights, run_rollout
from musevae.models.vrnn_step import VRNNStepper


@dataclasses.dataclass(frozen=True)
class VRNNConfig(ModelConfig):
    """Sizes; defaults match SRNN's music sizes (the VRNN paper's music models differ)."""

    h_dim: int = 300  # RNN state h_t
    z_dim: int = 100
    hidden: int = 500  # phi_x and phi_z widths, every MLP's hidden layer
    var_floor: float = 1e-6  # added to every variance


class _Rollout(NamedTuple):
    """The sampled sequence, each (B, T, .): outputs h before each step, q, z_t, phi_z(z_t);
    and the recurrent state before the last step ((h,) or (h, c), each (B, H))."""

    h_prev: Tensor
    posterior: Gaussian
    z: Tensor
    phi_z: Tensor
    last_before: Recurrent


class VRNN(LatentSequenceModel):
    """Parameterises p(x_t, z_t | h_{t-1}) and q(z_t | x_t, h_{t-1})."""

    kind: ClassVar[str] = "vrnn"
    config_type: ClassVar[type[ModelConfig]] = VRNNConfig

    def __init__(self, config: VRNNConfig) -> None:
        super().__init__(config)
        c = config
        self.phi_x = MLP([KEY_COUNT], [c.hidden, c.hidden])
        self.phi_z = MLP([c.z_dim], [c.hidden])
        self.prior_net = MLP([c.h_dim], [c.hidden])
        self.prior_head = GaussianHead(c.hidden, c.z_dim, c.var_floor)
        self.enc_net = MLP([c.hidden, c.h_dim], [c.hidden])  # [phi_x(x_t), h_{t-1}]
        self.enc_head = GaussianHead(c.hidden, c.z_dim, c.var_floor)
        self.dec_net = MLP([c.hidden, c.h_dim], [c.hidden])  # [phi_z(z_t), h_{t-1}]
        self.emission = build_emission(c, c.hidden)
        self.cell = CELLS[c.rnn](2 * c.hidden, c.h_dim)  # input [phi_x(x_t), phi_z(z_t)]

    def _update(self, state: Recurrent, x_t: Tensor, z_t: Tensor) -> Recurrent:
        """h_t = RNN(h_{t-1}, [phi_x(x_t), phi_z(z_t)]) for one step: the new (h,) or (h, c)."""
        return cell_step(self.cell, torch.cat([self.phi_x(x_t), self.phi_z(z_t)], dim=-1), state)

    def _start(self, x: Tensor) -> Recurrent:
        """The state h_0 (and c_0) after the update from x_0 = 0, z_0 = 0 (see above)."""
        c, batch = self.config, x.shape[0]
        zeros = zero_state(c.rnn, x, batch, c.h_dim)
        return self._update(zeros, x.new_zeros(batch, KEY_COUNT), x.new_zeros(batch, c.z_dim))

    def _rollout(self, x: Tensor, generator: torch.Generator | None = None) -> _Rollout:
        """Run the recurrence over x with z_t ~ q(z_t | x_t, h_{t-1}) (reparameterised)."""
        c, batch = self.config, x.shape[0]
        phi_x = self.phi_x(x).transpose(0, 1)  # (T, B, Hd)
        enc_x = self.enc_net.project(0, phi_x)  # (T, B, Hd)
        gate_x = F.linear(phi_x, self.cell.weight_ih[:, : c.hidden], self.cell.bias_ih)
        eps = torch.randn(  # (T, B, Z)
            x.shape[1], batch, c.z_dim, generator=generator, dtype=x.dtype, device=x.device
        )
        weights = RolloutWeights(
            self.enc_net.inputs[1].weight, self.cell.weight_hh, self.cell.bias_hh,
            self.enc_head.linear.weight, self.enc_head.linear.bias,
            self.phi_z.inputs[0].weight, self.phi_z.inputs[0].bias,
            self.cell.weight_ih[:, c.hidden :],
        )  # fmt: skip
        out = run_rollout(self._start(x), enc_x, gate_x, eps, weights, c.var_floor)
        batch_first = lambda t: t.transpose(0, 1)  # noqa: E731  (T, B, .) -> (B, T, .)
        posterior = self.enc_head.split(batch_first(out.raw_q))
        return _Rollout(batch_first(out.h_prev), posterior, batch_first(out.z),
                        batch_first(out.phi_z), out.last_before)  # fmt: skip

    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        r = self._rollout(x)
        prior = self.prior_head(self.prior_net(r.h_prev))  # all steps at once
        params = self.emission(self.dec_net(r.phi_z, r.h_prev))  # (B, T, P)
        return LatentPass(self.emission.log_prob(x, params), prior, r.posterior, r.z)

    def generative_pass(self, x: Tensor, z: Tensor) -> tuple[Tensor, Gaussian]:
        """The recurrence over the given (x_t, z_t), then prior and decoder for all steps."""
        state, hs = self._start(x), []  # h_0, as in _rollout
        for x_t, z_t in zip(x.unbind(1), z.unbind(1)):
            hs.append(state[0])
            state = self._update(state, x_t, z_t)
        h_prev = torch.stack(hs, dim=1)  # (B, T, H) the state before each step
        prior = self.prior_head(self.prior_net(h_prev))
        params = self.emission(self.dec_net(self.phi_z(z), h_prev))  # (B, T, P)
        return self.emission.log_prob(x, params), prior

    @torch.no_grad()
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """(h_{P-1}, z_P), with an LSTM (h_{P-1}, c_{P-1}, z_P): the inputs of the next
        update, latents drawn from q."""
        c = self.config
        if x is None or x.shape[1] == 0:
            empty = self._empty(batch_size)
            return (*zero_state(c.rnn, empty, batch_size, c.h_dim),
                    empty.new_zeros(batch_size, c.z_dim))  # fmt: skip
        r = self._rollout(x, generator)
        return (*r.last_before, r.z[:, -1])

    def stepper(self, precision: Precision = "float32") -> VRNNStepper:
        return VRNNStepper(self, precision)

    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """h_{t-1} from (x_{t-1}, z_{t-1}), z_t ~ p(z_t | h_{t-1}), then the emission's params for x_t.

        One-off calls lay the weights out each time; loops should use :meth:`stepper`.
        """
        return self.stepper()(state, x_prev, generator)
