from __future__ import annotations

import math

import pytest
import torch

from musevae.models.layers import (
    MLP,
    Gaussian,
    GaussianHead,
    activation,
    activation_backward,
    bernoulli_log_prob,
    gaussian_kl,
    reverse_padded,
    shift_right,
    std_from_raw,
)


def test_activation_is_a_clipped_leaky_relu() -> None:
    x = torch.tensor([-12.0, -6.0, -3.0, 0.0, 2.0, 5.0])
    # slope 1/3 below zero, identity above, clipped to [-3, 3]
    assert activation(x).tolist() == pytest.approx([-3.0, -2.0, -1.0, 0.0, 2.0, 3.0])


def test_activation_backward_matches_autograd() -> None:
    x = torch.tensor([-12.0, -6.0, -1.0, 0.5, 2.0, 5.0], requires_grad=True)
    grad = torch.arange(1.0, 7.0)
    activation(x).backward(grad)
    by_hand = activation_backward(grad, activation(x).detach())
    assert torch.equal(by_hand, x.grad)
    assert by_hand.tolist() == pytest.approx([0.0, 2 / 3, 1.0, 4.0, 5.0, 0.0])


def test_shift_right_feeds_the_previous_frame_with_x0_zero() -> None:
    x = torch.tensor([[[1.0], [2.0], [3.0]]])
    assert shift_right(x).flatten().tolist() == [0.0, 1.0, 2.0]


def test_reverse_padded_reverses_only_real_steps() -> None:
    x = torch.arange(8.0).view(2, 4, 1)
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    out = reverse_padded(x, mask)
    assert out[..., 0].tolist() == [[2.0, 1.0, 0.0, 3.0], [7.0, 6.0, 5.0, 4.0]]
    assert torch.equal(reverse_padded(out, mask), x)


def test_reverse_padded_gradient() -> None:
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
    x = torch.randn(2, 3, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: reverse_padded(v, mask), (x,))


def test_mlp_with_split_first_layer_equals_one_on_the_concatenation() -> None:
    torch.manual_seed(0)
    net = MLP([3, 2], [5, 4])
    a, b = torch.randn(6, 3), torch.randn(6, 2)
    weight = torch.cat([net.inputs[0].weight, net.inputs[1].weight], dim=1)
    first = activation(torch.cat([a, b], 1) @ weight.t() + net.inputs[0].bias)
    expected = activation(net.layers[0](first))
    assert torch.allclose(net(a, b), expected, atol=1e-6)
    assert net.inputs[1].bias is None  # one bias for the whole first layer


def test_mlp_rejects_a_wrong_number_of_inputs() -> None:
    with pytest.raises(ValueError, match="takes 2 inputs"):
        MLP([3, 2], [4])(torch.randn(1, 3))


def test_std_has_a_floor() -> None:
    std = std_from_raw(torch.tensor([-1e4, 0.0]), var_floor=1e-6)
    assert std[0].item() == pytest.approx(1e-3)
    assert std[1].item() == pytest.approx(math.sqrt(math.log(2.0) + 1e-6))


def test_an_exp_link_reads_the_raw_output_as_a_log_variance() -> None:
    std = std_from_raw(torch.tensor([-1e4, 0.0, 2.0]), var_floor=1e-6, link="exp")
    assert std.tolist() == pytest.approx([1e-3, math.sqrt(1.0 + 1e-6), math.sqrt(math.e**2 + 1e-6)])
    with pytest.raises(ValueError, match="variance link"):
        GaussianHead(4, 3, 1e-6, link="square")


def test_gaussian_head_splits_mean_and_variance() -> None:
    head = GaussianHead(4, 3, var_floor=1e-6)
    out = head(torch.randn(2, 5, 4))
    assert out.mean.shape == out.std.shape == (2, 5, 3)
    assert (out.std > 0).all()


def test_log_prob_matches_torch_distributions() -> None:
    torch.manual_seed(1)
    g = Gaussian(torch.randn(4, 3), torch.rand(4, 3) + 0.1)
    z = torch.randn(4, 3)
    expected = torch.distributions.Normal(g.mean, g.std).log_prob(z).sum(-1)
    assert torch.allclose(g.log_prob(z), expected, atol=1e-5)


def test_kl_of_identical_gaussians_is_zero_and_a_hand_case() -> None:
    g = Gaussian(torch.tensor([[0.5, -1.0]]), torch.tensor([[2.0, 0.3]]))
    assert gaussian_kl(g, g).item() == pytest.approx(0.0, abs=1e-7)
    # KL(N(1, 1) || N(0, 4)) = log 2 + (1 + 1) / 8 - 1/2
    q = Gaussian(torch.tensor([[1.0]]), torch.tensor([[1.0]]))
    p = Gaussian(torch.tensor([[0.0]]), torch.tensor([[2.0]]))
    assert gaussian_kl(q, p).item() == pytest.approx(math.log(2.0) + 0.25 - 0.5)


def test_closed_form_kl_equals_a_monte_carlo_estimate() -> None:
    torch.manual_seed(2)
    q = Gaussian(torch.randn(1, 4), torch.rand(1, 4) + 0.5)
    p = Gaussian(torch.randn(1, 4), torch.rand(1, 4) + 0.5)
    z = q.mean + q.std * torch.randn(200_000, 4)  # samples of q
    monte_carlo = (q.log_prob(z) - p.log_prob(z)).mean()
    assert gaussian_kl(q, p).item() == pytest.approx(monte_carlo.item(), abs=0.02)


def test_bernoulli_log_prob_by_hand() -> None:
    logits = torch.tensor([[0.0, math.log(3.0)]])  # p = 1/2, 3/4
    x = torch.tensor([[1.0, 0.0]])
    assert bernoulli_log_prob(logits, x).item() == pytest.approx(math.log(0.5) + math.log(0.25))
