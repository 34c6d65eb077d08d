"""VRNN's lean loop and STORN's loop-free pass against their definitions."""

from __future__ import annotations

import pytest
import torch

from musevae.models.layers import shift_right
from musevae.models.recurrence import from_hx
from musevae.models.storn import STORN, STORNConfig
from musevae.models import step_kernels
from musevae.models.vrnn import VRNN, VRNNConfig
from tests.models.conftest import roll


def _vrnn(emission: str = "bernoulli", rnn: str = "gru") -> VRNN:
    torch.manual_seed(0)
    config = VRNNConfig(h_dim=4, z_dim=3, hidden=5, emission=emission, nade_hidden=4, rnn=rnn)
    return VRNN(config).double()


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_vrnn_rollout_equals_the_naive_loop(rnn: str) -> None:
    model = _vrnn(rnn=rnn)
    x = roll(2, 5).double()
    torch.manual_seed(1)
    fast = model._rollout(x)
    torch.manual_seed(1)
    eps = torch.randn(5, 2, 3, dtype=torch.float64)
    state = model._start(x)  # h_0 (, c_0)
    for t in range(5):
        h = state[0]
        assert torch.allclose(fast.h_prev[:, t], h)
        q = model.enc_head(model.enc_net(model.phi_x(x[:, t]), h))
        z = q.mean + q.std * eps[t]
        assert torch.allclose(fast.posterior.mean[:, t], q.mean)
        assert torch.allclose(fast.posterior.std[:, t], q.std)
        assert torch.allclose(fast.z[:, t], z)
        state = model._update(state, x[:, t], z)


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_vrnn_step_continues_the_rollout(rnn: str) -> None:
    model = _vrnn(rnn=rnn)
    x = roll(2, 5).double()
    torch.manual_seed(2)
    *before, z_last = model.prime(x, batch_size=2)
    torch.manual_seed(2)
    rollout = model._rollout(x)
    assert torch.equal(z_last, rollout.z[:, -1]) and torch.equal(before[0], rollout.h_prev[:, -1])
    out = model.step((*before, z_last), x[:, -1])
    expected = model._update(tuple(before), x[:, -1], z_last)
    assert all(torch.allclose(a, b) for a, b in zip(out.state[:-1], expected, strict=True))


def _vrnn_step_written_out(
    model: VRNN, h_before: torch.Tensor, z_prev: torch.Tensor, x_prev: torch.Tensor, seed: int
) -> tuple[torch.Tensor, ...]:
    """VRNN.step as its definition reads, with the noise drawn from ``seed``."""
    h = model.cell(torch.cat([model.phi_x(x_prev), model.phi_z(z_prev)], -1), h_before)
    prior = model.prior_head(model.prior_net(h))
    eps = torch.randn(prior.mean.shape, generator=torch.Generator().manual_seed(seed), dtype=h.dtype)
    z = prior.mean + prior.std * eps
    return model.emission(model.dec_net(model.phi_z(z), h)), h, z, prior.std.mean(-1)


@pytest.mark.parametrize("emission", ["bernoulli", "nade"])
def test_vrnn_stepper_equals_the_model_written_out_also_when_continuing(emission: str) -> None:
    model = _vrnn(emission)
    x_prev = roll(3, 1)[:, 0].double()
    state = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    stepper = model.stepper()
    for seed in range(3):  # the later calls continue from the returned state (cached phi_z)
        out = stepper(state, x_prev, torch.Generator().manual_seed(seed))
        logits, h, z, spread = _vrnn_step_written_out(model, *state, x_prev, seed)
        assert torch.allclose(out.params, logits) and torch.allclose(out.latent_std, spread)
        assert torch.allclose(out.state[0], h) and torch.allclose(out.state[1], z)
        state, x_prev = out.state, model.emission.predict(out.params).double()
    other = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    out = stepper(other, x_prev, torch.Generator().manual_seed(9))  # not the last state
    assert torch.allclose(out.params, _vrnn_step_written_out(model, *other, x_prev, 9)[0])
    assert not out.params.requires_grad


@pytest.mark.parametrize("min_weights", [0, 10**9], ids=["onednn-if-built", "addmm"])
def test_vrnn_float32_steps_match_on_every_kernel_path(
    min_weights: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step_kernels, "ONEDNN_MIN_WEIGHTS", min_weights)
    torch.manual_seed(0)
    model = VRNN(VRNNConfig(h_dim=24, z_dim=6, hidden=20))
    x_prev = roll(4, 1)[:, 0].float()
    state = torch.randn(4, 24), torch.randn(4, 6)
    out = model.stepper()(state, x_prev, torch.Generator().manual_seed(1))
    logits, h, _, _ = _vrnn_step_written_out(model, *state, x_prev, 1)
    assert torch.allclose(out.params, logits, atol=1e-5) and torch.allclose(out.state[0], h, atol=1e-5)


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


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_storn_prime_state_is_the_generator_state(rnn: str) -> None:
    torch.manual_seed(0)
    model = STORN(STORNConfig(hidden=4, z_dim=3, rnn=rnn)).double()
    x = roll(2, 5).double()
    torch.manual_seed(4)
    *last, z_last = model.prime(x, batch_size=2)  # (h,) or (h, c), then z
    torch.manual_seed(4)
    z = model.latent_pass(x, torch.ones(2, 5)).z
    h, final = model.generator(torch.cat([z, shift_right(x)], dim=-1))
    assert torch.allclose(last[0], h[:, -1])
    assert all(torch.allclose(a, b) for a, b in zip(last, from_hx(final), strict=True))
    assert torch.equal(z_last, z[:, -1])  # the last latent, kept last in the state
