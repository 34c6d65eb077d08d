"""The shared pieces of the generation steppers against torch's own layers."""

from __future__ import annotations

import pytest
import torch

from musevae.models import step_kernels
from musevae.models.layers import MLP, GaussianHead
from musevae.models.step_kernels import Dense, Fanout, GaussianDraw, MLPTail, gru_update


def test_gru_update_equals_grucell_and_leaves_its_inputs_alone() -> None:
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(6, 4).double()
    x, h = torch.randn(3, 6, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    gate_in = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
    gate_h = torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh)
    before = gate_in.clone(), gate_h.clone(), h.clone()
    assert torch.allclose(gru_update(gate_in, gate_h, h), cell(x, h))
    assert all(torch.equal(a, b) for a, b in zip(before, (gate_in, gate_h, h)))


@pytest.mark.parametrize("min_weights", [0, 10**9], ids=["onednn-if-built", "addmm"])
@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("bias", [True, False])
def test_dense_is_the_linear_layer_plus_base_on_every_path(
    batch: int, bias: bool, min_weights: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step_kernels, "ONEDNN_MIN_WEIGHTS", min_weights)
    torch.manual_seed(0)
    layer = torch.nn.Linear(7, 9, bias=bias)
    dense = Dense(layer.weight, layer.bias)
    x, base = torch.randn(batch, 7), torch.randn(batch, 9)
    with torch.no_grad():
        expected = layer(x)
    for _ in range(2):  # the second call reuses the weight packed for this batch size
        assert torch.allclose(dense(x), expected, atol=1e-6)
        assert torch.allclose(dense(x, base), expected + base, atol=1e-6)


def test_a_fanout_is_each_layer_of_the_same_input() -> None:
    torch.manual_seed(0)
    a, b, c = torch.nn.Linear(5, 3), torch.nn.Linear(5, 4, bias=False), torch.nn.Linear(5, 2)
    x = torch.randn(2, 5)
    outputs = Fanout.of([a, b, c])(x)
    with torch.no_grad():
        assert all(torch.allclose(out, layer(x), atol=1e-6) for out, layer in zip(outputs, (a, b, c), strict=True))


def test_mlp_tail_finishes_the_mlp() -> None:
    torch.manual_seed(0)
    mlp = MLP([5], [6, 7, 8])
    x = torch.randn(3, 5)
    with torch.no_grad():
        assert torch.allclose(MLPTail(mlp)(mlp.project(0, x)), mlp(x), atol=1e-6)


@pytest.mark.parametrize("min_weights", [0, 10**9], ids=["onednn-if-built", "addmm"])
@pytest.mark.parametrize(("separate", "link"), [(False, "softplus"), (True, "softplus"), (True, "exp")])
def test_gaussian_draw_samples_the_heads_gaussian(
    separate: bool, link: str, min_weights: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step_kernels, "ONEDNN_MIN_WEIGHTS", min_weights)
    torch.manual_seed(0)
    head = GaussianHead(8, 3, 1e-6, separate=separate, link=link)
    h = torch.randn(4, 8)
    z, spread = GaussianDraw(head)(h, torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = head(h)
    eps = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(z, expected.mean + expected.std * eps, atol=1e-6)
    assert torch.allclose(spread, expected.std.mean(-1), atol=1e-6)


needs_bf16 = pytest.mark.skipif(
    not step_kernels.BF16_MULTIPLIES, reason="this CPU has no native bfloat16 multiplies"
)


def test_auto_precision_takes_bfloat16_only_where_the_cpu_multiplies_it_natively(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolve = step_kernels.resolve_precision
    weight = torch.zeros(2, 2)
    native = "bfloat16" if step_kernels.BF16_MULTIPLIES else "float32"
    assert resolve("auto", weight) == native
    assert resolve("auto", weight.double()) == "float32"
    assert resolve("float32", weight) == "float32"
    with pytest.raises(ValueError, match="must be one of auto, float32, bfloat16"):
        resolve("half", weight)
    monkeypatch.setattr(step_kernels, "BF16_MULTIPLIES", False)
    assert resolve("auto", weight) == "float32"
    with pytest.raises(ValueError, match="natively"):
        resolve("bfloat16", weight)


@needs_bf16
def test_bfloat16_multiplies_stay_near_float32_and_return_float32(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(step_kernels, "ONEDNN_MIN_WEIGHTS", 0)
    torch.manual_seed(0)
    layer = torch.nn.Linear(300, 200)
    exact, fast = Dense.of(layer), Dense.of(layer, "bfloat16")
    x, base = torch.randn(16, 300), torch.randn(16, 200)
    with torch.no_grad():
        expected = layer(x) + base
    y = fast(x, base)
    assert y.dtype == torch.float32
    assert torch.allclose(y, expected, atol=0.05) and not torch.allclose(y, expected, atol=1e-5)
    assert torch.equal(fast(x[:1], base[:1]), exact(x[:1], base[:1]))  # batch 1: addmm, float32
