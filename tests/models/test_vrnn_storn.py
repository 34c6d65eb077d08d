"""VRNN's lean loop and STORN's loop-free pass against their definitions."""

from __future__ import annotations

import torch

from musevae.models.layers import shift_right
from musevae.models.storn import STORN, STORNConfig
from musevae.models.vrnn import VRNN, VRNNConfig, _gru_gates
from tests.models.conftest import roll


def _vrnn() -> VRNN:
    torch.manual_seed(0)
    return VRNN(VRNNConfig(h_dim=4, z_dim=3, hidden=5)).double()


def test_hand_fused_gates_equal_grucell() -> None:
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(6, 4).double()
    x, h = torch.randn(3, 6, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    gate_in = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
    gate_h = torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh)
    assert torch.allclose(_gru_gates(gate_in, gate_h, h), cell(x, h))


def test_vrnn_rollout_equals_the_naive_loop() -> None:
    model = _vrnn()
    x = roll(2, 5).double()
    torch.manual_seed(1)
    fast = model._rollout(x)
    torch.manual_seed(1)
    eps = torch.randn(5, 2, 3, dtype=torch.float64)
    h = model._update(x.new_zeros(2, 4), x.new_zeros(2, 88), x.new_zeros(2, 3))  # h_0
    for t in range(5):
        assert torch.allclose(fast.h_prev[:, t], h)
        q = model.enc_head(model.enc_net(model.phi_x(x[:, t]), h))
        z = q.mean + q.std * eps[t]
        assert torch.allclose(fast.posterior.mean[:, t], q.mean)
        assert torch.allclose(fast.posterior.std[:, t], q.std)
        assert torch.allclose(fast.z[:, t], z)
        h = model._update(h, x[:, t], z)


def test_vrnn_step_continues_the_rollout() -> None:
    model = _vrnn()
    x = roll(2, 5).double()
    torch.manual_seed(2)
    h_before, z_last = model.prime(x, batch_size=2)
    torch.manual_seed(2)
    rollout = model._rollout(x)
    assert torch.equal(z_last, rollout.z[:, -1])
    out = model.step((h_before, z_last), x[:, -1])
    assert torch.allclose(out.state[0], model._update(rollout.h_prev[:, -1], x[:, -1], z_last))


def test_storn_posterior_reads_only_the_past_and_the_prior_is_standard() -> None:
    torch.manual_seed(0)
    model = STORN(STORNConfig(hidden=4, z_dim=3)).double()
    x = roll(1, 6).double()
    later = x.clone()
    later[0, 4:] = 1.0 - later[0, 4:]
    torch.manual_seed(3)
    out = model.latent_pass(x, torch.ones(1, 6))
    torch.manual_seed(3)
    out_later = model.latent_pass(later, torch.ones(1, 6))
    assert torch.equal(out.posterior.mean[:, :4], out_later.posterior.mean[:, :4])
    assert not torch.equal(out.posterior.mean[:, 4:], out_later.posterior.mean[:, 4:])
    assert torch.equal(out.prior.mean, torch.zeros(1, 6, 3, dtype=torch.float64))
    assert torch.equal(out.prior.std, torch.ones(1, 6, 3, dtype=torch.float64))


def test_storn_prime_state_is_the_generator_state() -> None:
    torch.manual_seed(0)
    model = STORN(STORNConfig(hidden=4, z_dim=3)).double()
    x = roll(2, 5).double()
    torch.manual_seed(4)
    (h_last,) = model.prime(x, batch_size=2)
    torch.manual_seed(4)
    z = model.latent_pass(x, torch.ones(2, 5)).z
    h, _ = model.generator(torch.cat([z, shift_right(x)], dim=-1))
    assert torch.allclose(h_last, h[:, -1])
