"""The VRNN rollout's hand-written backward pass against autograd."""

from __future__ import annotations

import pytest
import torch

from musevae.models.vrnn import VRNN, VRNNConfig
from musevae.models.vrnn_rollout import RolloutWeights, run_rollout
from tests.models.conftest import roll

GATES = {"gru": 3, "lstm": 4}


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_gradients_match_finite_differences(rnn: str) -> None:
    torch.manual_seed(0)
    steps, batch, h, hd, z, g = 4, 2, 3, 5, 2, GATES[rnn] * 3
    dense = lambda *shape: (0.5 * torch.randn(*shape, dtype=torch.float64)).requires_grad_()  # noqa: E731
    weights = RolloutWeights(dense(hd, h), dense(g, h), dense(g), dense(2 * z, hd), dense(2 * z),
                             dense(hd, z), dense(hd), dense(g, hd))  # fmt: skip
    start = tuple(dense(batch, h) for _ in range(1 if rnn == "gru" else 2))
    enc_x, gate_x = dense(steps, batch, hd), dense(steps, batch, g)
    eps = torch.randn(steps, batch, z, dtype=torch.float64)

    def outputs(enc_x, gate_x, *rest):  # the four differentiable outputs
        out = run_rollout(tuple(rest[8:]), enc_x, gate_x, eps, RolloutWeights(*rest[:8]), 1e-3)
        return out.h_prev, out.raw_q, out.z, out.phi_z

    assert torch.autograd.gradcheck(outputs, (enc_x, gate_x, *weights, *start))


def _naive_rollout(model: VRNN, x: torch.Tensor, eps: torch.Tensor) -> list[torch.Tensor]:
    """The VRNN's definition under autograd: h, q and z step by step."""
    state, outs = model._start(x), []
    for t in range(x.shape[1]):
        q = model.enc_head(model.enc_net(model.phi_x(x[:, t]), state[0]))
        z = q.mean + q.std * eps[t]
        outs += [state[0], q.mean, q.std, z, model.phi_z(z)]
        state = model._update(state, x[:, t], z)
    return outs


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_model_gradients_equal_the_definition(rnn: str) -> None:
    torch.manual_seed(0)
    model = VRNN(VRNNConfig(h_dim=4, z_dim=3, hidden=5, rnn=rnn)).double()
    x = roll(2, 6).double()
    torch.manual_seed(1)
    fast = model._rollout(x)
    torch.manual_seed(1)
    eps = torch.randn(6, 2, 3, dtype=torch.float64)
    naive = _naive_rollout(model, x, eps)
    fast_outs = [t for step in range(6) for t in (
        fast.h_prev[:, step], fast.posterior.mean[:, step], fast.posterior.std[:, step],
        fast.z[:, step], fast.phi_z[:, step])]  # fmt: skip
    torch.manual_seed(2)
    probes = [torch.randn_like(t) for t in naive]  # a random linear function of every output
    params = [p for p in model.parameters() if p.requires_grad]

    def grads(outs: list[torch.Tensor]) -> list[torch.Tensor]:
        loss = sum((o * p).sum() for o, p in zip(outs, probes))
        return torch.autograd.grad(loss, params, allow_unused=True, materialize_grads=True)

    for name, a, b in zip([n for n, _ in model.named_parameters()], grads(fast_outs), grads(naive)):
        assert torch.allclose(a, b, atol=1e-10), name
