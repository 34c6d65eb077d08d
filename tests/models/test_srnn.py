"""SRNN's fast paths against the model written out step by step."""

from __future__ import annotations

import pytest
import torch

from musevae.models import step_kernels
from musevae.models.config import ConfigError
from musevae.models.layers import Gaussian
from musevae.models.srnn import SRNN, SRNNConfig
from musevae.models.zchain import ChainWeights, run_chain
from tests.models.conftest import roll


def _model(**overrides: object) -> SRNN:
    torch.manual_seed(0)
    sizes = {"d_dim": 5, "z_dim": 3, "a_dim": 4, "hidden": 6, **overrides}
    return SRNN(SRNNConfig(**sizes)).double()


def _naive_chain(model: SRNN, d: torch.Tensor, a: torch.Tensor, eps: torch.Tensor):
    """z_t ~ q(z_t | z_{t-1}, a_t) one step at a time, straight from the definitions."""
    z = d.new_zeros(d.shape[0], model.config.z_dim)
    zs, priors, posteriors = [], [], []
    for t in range(d.shape[1]):
        prior = model.prior_head(model.prior_net(d[:, t], z))
        post = model.post_head(model.post_net(a[:, t], z))
        mean = post.mean + prior.mean if model.config.resq else post.mean
        z = mean + post.std * eps[t]
        zs.append(z)
        priors.append(prior)
        posteriors.append(Gaussian(mean, post.std))
    stack = lambda items: torch.stack(items, 1)  # noqa: E731
    return (
        stack(zs),
        Gaussian(stack([p.mean for p in priors]), stack([p.std for p in priors])),
        Gaussian(stack([q.mean for q in posteriors]), stack([q.std for q in posteriors])),
    )


@pytest.mark.parametrize(
    ("resq", "heads", "variance"),
    [(True, "shared", "softplus"), (False, "shared", "softplus"), (True, "separate", "softplus"),
     (True, "separate", "exp")],
)  # fmt: skip
def test_fused_chain_equals_the_naive_loop_in_value_and_gradient(
    resq: bool, heads: str, variance: str
) -> None:
    model = _model(resq=resq, heads=heads, variance=variance)
    d = torch.randn(2, 7, 5, dtype=torch.float64, requires_grad=True)
    a = torch.randn(2, 7, 4, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(1)
    fast = model._z_chain(d, a)
    torch.manual_seed(1)
    eps = torch.randn(7, 2, 3, dtype=torch.float64)  # the chain draws (T, B, Z) noise
    slow = _naive_chain(model, d, a, eps)
    fast_parts = [fast.z, *fast.prior, *fast.posterior]
    slow_parts = [slow[0], *slow[1], *slow[2]]
    for f, s in zip(fast_parts, slow_parts):
        assert torch.allclose(f, s, atol=1e-12)
    weights = [torch.randn_like(s) for s in slow_parts]
    inputs = [d, a, *model.parameters()]

    def grads(parts: list[torch.Tensor]) -> list[torch.Tensor | None]:
        total = sum((p * w).sum() for p, w in zip(parts, weights))
        return list(torch.autograd.grad(total, inputs, allow_unused=True))

    for f, s in zip(grads(fast_parts), grads(slow_parts)):
        if s is None:
            assert f is None or not f.any()
        else:
            assert f is not None and torch.allclose(f, s, atol=1e-10)


@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_chain_function_passes_gradcheck(link: str) -> None:
    torch.manual_seed(0)
    t, b, h, z = 4, 2, 3, 2
    def rand(*shape: int) -> torch.Tensor:
        return (0.5 * torch.randn(*shape, dtype=torch.float64)).requires_grad_()
    pre_seq, eps = rand(t, b, 2 * h), torch.randn(t, b, z, dtype=torch.float64)
    weights = ChainWeights(rand(2 * h, z), rand(2 * z, h), rand(2 * z), rand(2 * z, h), rand(2 * z))

    def chain(pre: torch.Tensor, *w: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(run_chain(pre, eps, ChainWeights(*w), resq=True, var_floor=1e-6, link=link))

    assert torch.autograd.gradcheck(chain, (pre_seq, *weights))


def test_smoothing_state_ignores_padding_and_filtering_ignores_the_future() -> None:
    smooth, filtering = _model(), _model(inference="filter")
    x = roll(1, 6).double()
    padded = torch.cat([x, torch.ones(1, 3, 88, dtype=torch.float64)], dim=1)
    mask = torch.tensor([[1.0] * 6 + [0.0] * 3], dtype=torch.float64)
    d, _, a, _ = smooth._deterministic(x, torch.ones(1, 6, dtype=torch.float64))
    d_pad, _, a_pad, _ = smooth._deterministic(padded, mask)
    assert torch.allclose(d_pad[:, :6], d) and torch.allclose(a_pad[:, :6], a)
    later = x.clone()
    later[0, 4:] = 1.0 - later[0, 4:]
    ones = torch.ones(1, 6, dtype=torch.float64)
    for model, sees_future in ((smooth, True), (filtering, False)):
        _, _, a, _ = model._deterministic(x, ones)
        _, _, a_later, _ = model._deterministic(later, ones)
        assert torch.equal(a[:, :4], a_later[:, :4]) is not sees_future


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_prime_continues_the_deterministic_state(rnn: str) -> None:
    model = _model(rnn=rnn)
    x = roll(2, 5).double()
    d, _, _, last = model._deterministic(x, torch.ones(2, 5, dtype=torch.float64))
    *d_last, z_last = model.prime(x, batch_size=2)
    assert all(torch.allclose(a, b) for a, b in zip(d_last, last, strict=True))
    assert torch.allclose(d_last[0], d[:, -1]) and z_last.shape == (2, 3)
    out = model.step((*d_last, z_last), x[:, -1])
    d_next, _, _, _ = model._deterministic(
        torch.cat([x, torch.zeros(2, 1, 88, dtype=torch.float64)], 1),
        torch.ones(2, 6, dtype=torch.float64),
    )
    assert torch.allclose(out.state[0], d_next[:, -1])  # d_{P+1} = GRU(d_P, e(x_P))


@pytest.mark.parametrize("emission", ["bernoulli", "nade"])
def test_generation_step_equals_the_model_written_out(emission: str) -> None:
    model = _model(emission=emission, nade_hidden=4)
    x_prev = roll(3, 1)[:, 0].double()
    d_prev, z_prev = torch.randn(3, 5, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    out = model.stepper()((d_prev, z_prev), x_prev, torch.Generator().manual_seed(4))

    _, d = model.d_rnn(model.embed(x_prev)[:, None], d_prev[None])
    d = d[0]
    prior = model.prior_head(model.prior_net(d, z_prev))
    eps = torch.randn(3, 3, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    z = prior.mean + prior.std * eps
    logits = model.emission(model.decoder(d, z))

    assert torch.allclose(out.state[0], d) and torch.allclose(out.state[1], z)
    assert torch.allclose(out.params, logits)
    assert torch.allclose(out.latent_std, prior.std.mean(-1))
    assert torch.equal(model.step((d_prev, z_prev), x_prev, torch.Generator().manual_seed(4)).params, out.params)


def test_a_stepper_continuing_from_its_own_state_equals_the_model_written_out() -> None:
    model = _model()
    x_prev = roll(3, 1)[:, 0].double()
    state = torch.randn(3, 5, dtype=torch.float64), torch.randn(3, 3, dtype=torch.float64)
    stepper = model.stepper()
    for seed in range(3):  # the later calls reuse the GRU terms read with the returned d_t
        out = stepper(state, x_prev, torch.Generator().manual_seed(seed))
        written_out = model.step(state, x_prev, torch.Generator().manual_seed(seed))  # a fresh stepper
        assert torch.allclose(out.params, written_out.params)
        assert all(torch.allclose(a, b) for a, b in zip(out.state, written_out.state, strict=True))
        state, x_prev = out.state, (out.params > 0).double()
    other = torch.randn(3, 5, dtype=torch.float64), state[1]  # not the last state: read in full
    out = stepper(other, x_prev, torch.Generator().manual_seed(9))
    assert torch.allclose(out.params, model.step(other, x_prev, torch.Generator().manual_seed(9)).params)


def test_a_stepper_is_a_snapshot_of_the_weights() -> None:
    model = _model()
    state, x_prev = model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64)
    before = model.stepper()
    with torch.no_grad():
        model.emission.bias.add_(1.0)
    seeded = lambda: torch.Generator().manual_seed(0)  # noqa: E731
    after = model.stepper()(state, x_prev, seeded()).params
    assert torch.allclose(after - before(state, x_prev, seeded()).params, torch.ones(2, 88, dtype=torch.float64))


def test_a_stepper_records_no_graph_outside_no_grad() -> None:
    model = _model()
    assert all(p.requires_grad for p in model.parameters())
    out = model.stepper()(model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64))
    assert not out.params.requires_grad and not any(s.requires_grad for s in out.state)


@pytest.mark.parametrize("emission", ["bernoulli", "nade"])
@pytest.mark.parametrize("min_weights", [0, 10**9], ids=["onednn-if-built", "addmm"])
@pytest.mark.parametrize("batch", [1, 4])
def test_float32_steps_match_the_written_out_model_on_every_kernel_path(
    batch: int, min_weights: int, emission: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step_kernels, "ONEDNN_MIN_WEIGHTS", min_weights)  # layers by size
    model = _model(d_dim=40, z_dim=8, a_dim=4, hidden=32, emission=emission).float()  # batch 4 may take oneDNN
    x_prev = roll(batch, 1)[:, 0].float()
    d_prev, z_prev = torch.randn(batch, 40), torch.randn(batch, 8)
    stepper = model.stepper()
    for _ in range(2):  # the second call reuses the weights packed for this batch size
        out = stepper((d_prev, z_prev), x_prev, torch.Generator().manual_seed(1))
    _, d = model.d_rnn(model.embed(x_prev)[:, None], d_prev[None])
    prior = model.prior_head(model.prior_net(d[0], z_prev))
    z = prior.mean + prior.std * torch.randn(batch, 8, generator=torch.Generator().manual_seed(1))
    logits = model.emission(model.decoder(d[0], z))
    assert torch.allclose(out.params, logits, atol=1e-5)
    assert torch.allclose(out.state[0], d[0], atol=1e-5)


def test_separate_heads_are_one_mlp_per_gaussian_parameter() -> None:
    model = _model(heads="separate")  # hidden 6: prior and posterior MLPs 12 wide
    head = model.prior_head
    h = torch.randn(4, 12, dtype=torch.float64, requires_grad=True)
    mean, std = head(h)
    mean_grad, = torch.autograd.grad(mean.sum(), h, retain_graph=True)
    std_grad, = torch.autograd.grad(std.sum(), h)
    assert not mean_grad[:, 6:].any() and mean_grad[:, :6].any()  # the mean's MLP only
    assert not std_grad[:, :6].any() and std_grad[:, 6:].any()  # the variance's MLP only
    step = model.stepper()(model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64), None)
    assert step.params.shape == (2, 88)


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_elbo_from_a_fresh_start_is_the_elbo(rnn: str) -> None:
    model = _model(rnn=rnn)
    x, mask = roll(2, 6).double(), torch.ones(2, 6, dtype=torch.float64)
    torch.manual_seed(3)
    plain = model.elbo(x, mask, 0.5)
    torch.manual_seed(3)
    carried, end = model.elbo_from(None, x, mask, 0.5)
    assert torch.equal(plain.loss, carried.loss) and torch.equal(plain.kl, carried.kl)
    assert torch.equal(end[-1], x[:, -1]) and end[-2].shape == (2, 3)  # x_T, z_T
    assert [s.shape for s in end[:-2]] == [(2, 5)] * (1 if rnn == "gru" else 2)  # d_T (, c_T)


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_a_carried_state_continues_d_and_starts_the_chain_from_z(rnn: str) -> None:
    model = _model(rnn=rnn)
    x, ones = roll(2, 9).double(), torch.ones(2, 9, dtype=torch.float64)
    d_whole, _, _, _ = model._deterministic(x, ones)
    _, first_end = model.elbo_from(None, x[:, :4], ones[:, :4])
    d_first, _, _, _ = model._deterministic(x[:, :4], ones[:, :4])
    assert torch.allclose(first_end[0], d_first[:, -1]) and not first_end[0].requires_grad
    d_rest, _, a_rest, _ = model._deterministic(x[:, 4:], ones[:, 4:], first_end)
    assert torch.allclose(d_rest, d_whole[:, 4:])  # d runs on as if never cut

    z_0 = torch.randn(2, 3, dtype=torch.float64)
    chain = model._z_chain(d_rest, a_rest, z_0=z_0)
    prior_1 = model.prior_head(model.prior_net(d_rest[:, 0], z_0))
    assert torch.allclose(chain.prior.mean[:, 0], prior_1.mean)
    assert torch.allclose(chain.prior.std[:, 0], prior_1.std)
    weight = model.prior_net.inputs[1].weight
    (grad,) = torch.autograd.grad(chain.prior.mean[:, 0].sum(), weight)
    assert grad.abs().sum() > 0  # z_0's term trains W_z too


def test_the_authors_initialisation_is_glorot_orthogonal_with_zero_biases() -> None:
    torch.manual_seed(0)
    model = SRNN(SRNNConfig(d_dim=6, z_dim=3, a_dim=4, hidden=5, init="glorot-orthogonal"))
    for gate in model.d_rnn.weight_hh_l0.detach().chunk(3):  # (6, 6) blocks: orthogonal
        assert torch.allclose(gate @ gate.T, torch.eye(6), atol=1e-5)
    for gate in model.d_rnn.weight_ih_l0.detach().chunk(3):  # (6, 5): orthonormal columns
        assert torch.allclose(gate.T @ gate, torch.eye(5), atol=1e-5)
    assert all(not p.any() for name, p in model.named_parameters() if "bias" in name)
    bound = (6 / (5 + 88)) ** 0.5  # Glorot-uniform for the emission (5 -> 88)
    assert model.emission.weight.abs().max() <= bound and model.emission.weight.std() > bound / 3
    head = model.prior_head.linear.weight.detach()  # separate heads: (6, 10), two blocks
    assert not head[:3, 5:].any() and not head[3:, :5].any()
    assert head[:3, :5].abs().max() <= (6 / (5 + 3)) ** 0.5 and head[:3, :5].any()
    plain = SRNN(SRNNConfig(d_dim=6, z_dim=3, a_dim=4, hidden=5))
    assert plain.emission.bias.any()  # the default keeps torch's own initialisation


def test_dropout_acts_in_training_only_and_never_on_the_recurrence() -> None:
    model = _model(dropout=0.5)
    x, mask = roll(2, 6).double(), torch.ones(2, 6, dtype=torch.float64)
    model.eval()
    d, d_read, _, _ = model._deterministic(x, mask)
    assert torch.equal(d, d_read)
    model.train()
    d_train, d_read, _, _ = model._deterministic(x, mask)
    dropped = d_read == 0
    assert dropped.any() and torch.allclose(d_read[~dropped], 2 * d_train[~dropped])
    assert not (d_train == 0).all(-1).any()  # the recurrence itself keeps every unit
    with pytest.raises(ConfigError, match="dropout must be a number from 0 up to"):
        SRNNConfig(dropout=1.0)
    assert isinstance(_model().drop, torch.nn.Identity)  # off: no noise drawn at all


@pytest.mark.skipif(not step_kernels.BF16_MULTIPLIES, reason="no native bfloat16 multiplies")
def test_a_bfloat16_stepper_keeps_the_probabilities_of_a_paper_size_srnn() -> None:
    torch.manual_seed(0)
    model = SRNN(SRNNConfig()).eval()  # large enough for oneDNN: the bfloat16 path
    exact, fast = model.stepper(), model.stepper("bfloat16")
    with torch.no_grad():
        state, x_prev = model.prime(None, 16), torch.zeros(16, 88)
        for seed in range(5):
            a = exact(state, x_prev, torch.Generator().manual_seed(seed))
            b = fast(state, x_prev, torch.Generator().manual_seed(seed))
            gap = (a.params.sigmoid() - b.params.sigmoid()).abs().max()
            assert 0 < gap < 0.02
            state, x_prev = a.state, (a.params > 0).float()
