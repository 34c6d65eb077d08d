"""VRNN (Chung et al. 2015): a GRU whose every step is fed a latent drawn from its own state.

    prior    p(z_t | h_{t-1})              from an MLP of h_{t-1}
    encoder  q(z_t | x_t, h_{t-1})         from an MLP of [phi_x(x_t), h_{t-1}]
    decoder  p(x_t | z_t, h_{t-1})         from an MLP of [phi_z(z_t), h_{t-1}]
    update   h_t = GRU(h_{t-1}, [phi_x(x_t), phi_z(z_t)])

h_t depends on the sampled z_t, so training needs a per-step loop. The loop is kept lean:
everything that depends on x alone (phi_x, its share of the encoder's first layer and of
the GRU's input gates) is computed for all steps before it; both h_{t-1} matmuls are one;
the prior, decoder and emission run for all steps after it.

Initial state: like every model here, step t reads x_{t-1} with x_0 = 0; for the VRNN
that means h_0 = GRU(0, [phi_x(0), phi_z(0)]) with z_0 = 0, a learned start state that
lets generation use the same (h_{t-2}, z_{t-1}) state from the very first step.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.base import LatentPass, LatentSequenceModel, State, StepOutput
from musevae.models.config import ModelConfig
from musevae.models.emission import build_emission
from musevae.models.layers import (
    MLP,
    Gaussian,
    GaussianHead,
    activation,
    std_from_raw,
)
from musevae.models.step_kernels import Precision, gru_update
from musevae.models.vrnn_step import VRNNStepper


@dataclasses.dataclass(frozen=True)
class VRNNConfig(ModelConfig):
    """Sizes; defaults match SRNN's music sizes (the VRNN paper's music models differ)."""

    h_dim: int = 300  # GRU state h_t
    z_dim: int = 100
    hidden: int = 500  # phi_x and phi_z widths, every MLP's hidden layer
    var_floor: float = 1e-6  # added to every variance


class _Rollout(NamedTuple):
    """The sampled sequence, each (B, T, .): states before each step, q, z_t, phi_z(z_t)."""

    h_prev: Tensor
    posterior: Gaussian
    z: Tensor
    phi_z: Tensor


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
        self.cell = nn.GRUCell(2 * c.hidden, c.h_dim)  # input [phi_x(x_t), phi_z(z_t)]

    def _update(self, h_prev: Tensor, x_t: Tensor, z_t: Tensor) -> Tensor:
        """h_t = GRU(h_{t-1}, [phi_x(x_t), phi_z(z_t)]) for one step.  (B, H)"""
        return self.cell(torch.cat([self.phi_x(x_t), self.phi_z(z_t)], dim=-1), h_prev)

    def _rollout(self, x: Tensor, generator: torch.Generator | None = None) -> _Rollout:
        """Run the recurrence over x with z_t ~ q(z_t | x_t, h_{t-1}) (reparameterised)."""
        c, batch = self.config, x.shape[0]
        w_h = torch.cat([self.enc_net.inputs[1].weight, self.cell.weight_hh]).t()
        b_h = torch.cat([x.new_zeros(c.hidden), self.cell.bias_hh])  # (Hd + 3H,)
        w_gate_z = self.cell.weight_ih[:, c.hidden :].t()  # phi_z(z_t) -> input gates
        phi_x = self.phi_x(x).transpose(0, 1)  # (T, B, Hd)
        enc_x = self.enc_net.project(0, phi_x)  # (T, B, Hd)
        gate_x = F.linear(phi_x, self.cell.weight_ih[:, : c.hidden], self.cell.bias_ih)
        eps = torch.randn(  # (T, B, Z)
            x.shape[1], batch, c.z_dim, generator=generator, dtype=x.dtype, device=x.device
        )
        zeros = x.new_zeros(batch, c.z_dim)
        h = self._update(x.new_zeros(batch, c.h_dim), x.new_zeros(batch, KEY_COUNT), zeros)
        hs, means, stds, zs, phi_zs = [], [], [], [], []
        for enc_t, gate_t, eps_t in zip(enc_x.unbind(0), gate_x.unbind(0), eps.unbind(0)):
            hs.append(h)
            from_h = torch.addmm(b_h, h, w_h)  # (B, Hd + 3H) encoder part | GRU hidden gates
            enc = activation(enc_t + from_h[:, : c.hidden])  # (B, Hd)
            mean, raw_var = self.enc_head.linear(enc).chunk(2, -1)
            std = std_from_raw(raw_var, c.var_floor)
            z = torch.addcmul(mean, std, eps_t)
            phi_z = self.phi_z(z)  # (B, Hd)
            h = gru_update(torch.addmm(gate_t, phi_z, w_gate_z), from_h[:, c.hidden :], h)
            means.append(mean)
            stds.append(std)
            zs.append(z)
            phi_zs.append(phi_z)
        stack = lambda items: torch.stack(items, dim=1)  # noqa: E731  list of (B, .) -> (B, T, .)
        return _Rollout(stack(hs), Gaussian(stack(means), stack(stds)), stack(zs), stack(phi_zs))

    def latent_pass(self, x: Tensor, mask: Tensor) -> LatentPass:
        r = self._rollout(x)
        prior = self.prior_head(self.prior_net(r.h_prev))  # all steps at once
        params = self.emission(self.dec_net(r.phi_z, r.h_prev))  # (B, T, P)
        return LatentPass(self.emission.log_prob(x, params), prior, r.posterior, r.z)

    def generative_pass(self, x: Tensor, z: Tensor) -> tuple[Tensor, Gaussian]:
        """The recurrence over the given (x_t, z_t), then prior and decoder for all steps."""
        c, batch = self.config, x.shape[0]
        h = self._update(x.new_zeros(batch, c.h_dim), x.new_zeros(batch, KEY_COUNT),
                         x.new_zeros(batch, c.z_dim))  # h_0, as in _rollout  # fmt: skip
        hs = []
        for x_t, z_t in zip(x.unbind(1), z.unbind(1)):
            hs.append(h)
            h = self._update(h, x_t, z_t)
        h_prev = torch.stack(hs, dim=1)  # (B, T, H) the state before each step
        prior = self.prior_head(self.prior_net(h_prev))
        params = self.emission(self.dec_net(self.phi_z(z), h_prev))  # (B, T, P)
        return self.emission.log_prob(x, params), prior

    @torch.no_grad()
    def prime(
        self, x: Tensor | None, batch_size: int, generator: torch.Generator | None = None
    ) -> State:
        """(h_{P-1}, z_P): the inputs of the next update, latents drawn from q."""
        if x is None or x.shape[1] == 0:
            empty = self._empty(batch_size)
            return (
                empty.new_zeros(batch_size, self.config.h_dim),
                empty.new_zeros(batch_size, self.config.z_dim),
            )
        r = self._rollout(x, generator)
        return r.h_prev[:, -1], r.z[:, -1]

    def stepper(self, precision: Precision = "float32") -> VRNNStepper:
        return VRNNStepper(self, precision)

    def step(
        self, state: State, x_prev: Tensor, generator: torch.Generator | None = None
    ) -> StepOutput:
        """h_{t-1} from (x_{t-1}, z_{t-1}), z_t ~ p(z_t | h_{t-1}), then the emission's params for x_t.

        One-off calls lay the weights out each time; loops should use :meth:`stepper`.
        """
        return self.stepper()(state, x_prev, generator)
