from __future__ import annotations

import math

import pytest
import torch

from musevae.models import build_model
from musevae.models.rnn import RNN, RNNConfig


def _roll(steps: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(1, steps, 88, generator=generator) < 0.1).float()


def test_log_likelihood_of_a_history_blind_rnn_by_hand() -> None:
    model = RNN(RNNConfig(hidden=2))
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.emission.bias.fill_(math.log(3.0))  # every key sounds with p = 3/4
    x = torch.zeros(1, 3, 88)
    x[0, 0, :5] = 1.0
    x[0, 2, 40] = 1.0  # 6 of the 264 key-steps sound
    expected = 6 * math.log(0.75) + 258 * math.log(0.25)
    assert model.log_likelihood(x, torch.ones(1, 3)).item() == pytest.approx(expected, rel=1e-6)
    terms = model.elbo(x, torch.ones(1, 3))
    assert terms.loss.item() == pytest.approx(-expected / 3, rel=1e-6)  # nats per frame
    assert torch.equal(terms.kl, torch.zeros(1, 3))


def test_exact_log_likelihood_equals_the_gru_equations_written_out() -> None:
    torch.manual_seed(0)
    model = RNN(RNNConfig(hidden=3))
    x = _roll(4)
    w_ih, w_hh = model.rnn.weight_ih_l0, model.rnn.weight_hh_l0
    b_ih, b_hh = model.rnn.bias_ih_l0, model.rnn.bias_hh_l0
    h, u, total = torch.zeros(3), torch.zeros(88), 0.0
    for t in range(4):  # h_t = GRU(h_{t-1}, x_{t-1}), x_0 = 0 (PyTorch's GRU equations)
        gi, gh = w_ih @ u + b_ih, w_hh @ h + b_hh
        r = torch.sigmoid(gi[:3] + gh[:3])
        z = torch.sigmoid(gi[3:6] + gh[3:6])
        n = torch.tanh(gi[6:] + r * gh[6:])
        h = (1 - z) * n + z * h
        p = torch.sigmoid(model.emission.weight @ h + model.emission.bias)
        total += (x[0, t] * p.log() + (1 - x[0, t]) * (1 - p).log()).sum().item()
        u = x[0, t]
    assert model.log_likelihood(x, torch.ones(1, 4)).item() == pytest.approx(total, rel=1e-5)


def test_padding_contributes_nothing() -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=4)
    x = _roll(5).repeat(2, 1, 1)
    mask = torch.tensor([[1.0] * 5, [1.0, 1.0, 1.0, 0.0, 0.0]])
    terms = model.elbo(x, mask)
    assert terms.log_px.shape == terms.kl.shape == (2, 5)
    assert torch.equal(terms.log_px[1, 3:], torch.zeros(2))
    assert terms.loss.item() == pytest.approx(-terms.log_px.sum().item() / 8)
    noisy = x.clone()
    noisy[1, 3:] = 1.0
    assert torch.equal(model.elbo(noisy, mask).log_px, terms.log_px)
    # the padded sequence scores exactly what its 3 real steps score alone
    alone = model.log_likelihood(x[1:, :3], torch.ones(1, 3))
    assert model.log_likelihood(x, mask)[1].item() == pytest.approx(alone.item(), rel=1e-6)


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_stepping_gives_the_same_log_probs_as_elbo(rnn: str) -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=5, rnn=rnn)
    x = _roll(6)
    expected = model.elbo(x, torch.ones(1, 6)).log_px[0]
    state, x_prev = model.prime(None, batch_size=1), torch.zeros(1, 88)
    for t in range(6):
        out = model.step(state, x_prev)
        log_p = -torch.nn.functional.binary_cross_entropy_with_logits(
            out.params, x[:, t], reduction="sum"
        )
        assert log_p.item() == pytest.approx(expected[t].item(), rel=1e-5)
        assert out.latent_std is None
        state, x_prev = out.state, x[:, t]


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_prime_equals_stepping_through_the_prime(rnn: str) -> None:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=5, rnn=rnn)
    x = _roll(3)
    state = model.prime(None, batch_size=1)
    for t in range(3):
        state = model.step(state, torch.zeros(1, 88) if t == 0 else x[:, t - 1]).state
    primed = model.prime(x, batch_size=1)
    after = model.step(primed, x[:, -1]).params
    stepped = model.step(state, x[:, -1]).params
    assert torch.allclose(after, stepped, atol=1e-6)
    assert all(s.shape == (1, 5) for s in primed)
    assert not torch.equal(primed[0], model.prime(None, 1)[0])


def test_empty_prime_is_the_start_state() -> None:
    model = build_model("rnn", hidden=5)
    assert torch.equal(model.prime(torch.zeros(2, 0, 88), 2)[0], model.prime(None, 2)[0])


def test_dropout_acts_in_training_only() -> None:
    torch.manual_seed(0)
    model = RNN(RNNConfig(hidden=8, dropout=0.5))
    x, mask = _roll(6).repeat(3, 1, 1), torch.ones(3, 6)
    model.train()
    first, second = model.elbo(x, mask).log_px, model.elbo(x, mask).log_px
    assert not torch.allclose(first, second)  # fresh masks each pass
    model.eval()
    plain = RNN(RNNConfig(hidden=8))
    plain.load_state_dict(model.state_dict())  # dropout adds no parameters
    plain.eval()
    assert torch.equal(model.elbo(x, mask).log_px, plain.elbo(x, mask).log_px)


def test_dropout_is_a_rate() -> None:
    from musevae.models.config import ConfigError

    with pytest.raises(ConfigError, match="dropout must be a number from 0 up to"):
        RNNConfig(dropout=1.0)
