"""The pieces of a fast generation step, shared by the models' steppers.

Generation runs one small step at a time, so its cost is the number of kernel calls
and the reading of the weights, more than the arithmetic. A stepper builds these once
per run: every weight laid out for the multiply that will read it (:class:`Dense`), MLP
tails whose activations work in place on fresh buffers, and the GRU and LSTM updates
without the copies of torch's ``gru_cell`` / ``lstm_cell``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Literal

import torch
from torch import Tensor, nn

from musevae.models.layers import MLP, GaussianHead, activation, variance_from_raw


def _onednn_linear_available() -> bool:
    """Whether oneDNN's linear with prepacked weights (what ``torch.compile`` emits on CPU)
    is in this torch build."""
    ops = torch.ops.mkldnn
    return (
        torch.backends.mkldnn.is_available()
        and hasattr(ops, "_linear_pointwise")
        and hasattr(ops, "_reorder_linear_weight")
    )


ONEDNN_LINEAR = _onednn_linear_available()
ONEDNN_MIN_BATCH = 2  # at batch 1 MKL's matrix-vector product is faster
ONEDNN_MIN_WEIGHTS = 150_000  # below this oneDNN's threading costs more than it saves
# whether oneDNN multiplies bfloat16 natively here (AVX512-BF16, AMX): at batch 16 the
# paper-size SRNN's large multiplies then run 1.6-1.8x faster than in float32
BF16_MULTIPLIES = ONEDNN_LINEAR and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())

Precision = Literal["float32", "bfloat16"]
PRECISIONS = ("auto", "float32", "bfloat16")


def resolve_precision(precision: str, weight: Tensor) -> Precision:
    """The precision of a stepper's large multiplies (those on the oneDNN path).

    "auto" picks bfloat16 where this CPU multiplies it natively and the model is float32
    on the CPU, else float32. Inputs are rounded to bfloat16 and products summed in
    float32, which moves a paper-size SRNN's key probabilities by at most about 0.006.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    native = BF16_MULTIPLIES and weight.dtype == torch.float32 and weight.device.type == "cpu"
    if precision == "bfloat16" and not native:
        raise ValueError(
            "bfloat16 multiplies need a float32 model on a CPU that oneDNN runs bfloat16 "
            "on natively (AVX512-BF16 or AMX); use precision 'auto' or 'float32'"
        )
    if precision == "auto":
        return "bfloat16" if native else "float32"
    return precision  # type: ignore[return-value]


class Dense:
    """A linear layer for small batches, computed the fastest way available.

    Large layers on float32 CPU batches of 2 or more go through oneDNN with the weight
    prepacked for that batch size (20-30% faster than ``addmm`` at batch 16 on 2 cores),
    in ``precision``; anything else (small layers, batch 1, other dtypes and devices)
    through ``addmm`` on the transposed weight in the weight's dtype, which is up to 35%
    faster there. The choice depends only on the shapes and ``precision``, so a seed gives
    the same music on every run. The weights are detached copies, so calls record no autograd graph without
    a ``no_grad`` wrapper (whose entry and exit cost as much as a small kernel).
    """

    def __init__(
        self, weight: Tensor, bias: Tensor | None, precision: Precision = "float32"
    ) -> None:
        self.weight = weight.detach().clone()  # (out, in)
        self.weight_t = self.weight.t().contiguous()  # (in, out)
        self.bias = None if bias is None else bias.detach().clone()
        self._packed: dict[int, Tensor] = {}  # batch size -> oneDNN weight
        self._onednn = (  # decided here: a stepper's inputs share its weights' dtype and device
            ONEDNN_LINEAR
            and self.weight.dtype == torch.float32
            and self.weight.device.type == "cpu"
            and self.weight.numel() >= ONEDNN_MIN_WEIGHTS
        )
        self._bf16 = self._onednn and precision == "bfloat16"
        self._onednn_bias = self.bias
        if self._bf16 and self.bias is not None:
            self._onednn_bias = self.bias.bfloat16()

    @classmethod
    def of(cls, layer: nn.Linear, precision: Precision = "float32") -> Dense:
        return cls(layer.weight, layer.bias, precision)

    def __call__(self, x: Tensor, base: Tensor | None = None) -> Tensor:
        """``x W^T + bias``, plus ``base`` if given (on the ``addmm`` path the multiply
        adds it itself, saving a kernel call)."""
        batch = x.shape[0]
        if self._onednn and batch >= ONEDNN_MIN_BATCH:
            packed = self._packed.get(batch)
            if packed is None:
                weight = self.weight.bfloat16() if self._bf16 else self.weight
                packed = torch.ops.mkldnn._reorder_linear_weight(weight, batch)
                self._packed[batch] = packed
            if self._bf16:
                x = x.bfloat16()
            y = torch.ops.mkldnn._linear_pointwise(x, packed, self._onednn_bias, "none", [], "")
            if self._bf16:
                y = y.float()
            return y if base is None else y.add_(base)
        if base is None:
            base = self.bias
        elif self.bias is not None:
            base = base + self.bias
        return x @ self.weight_t if base is None else torch.addmm(base, x, self.weight_t)


class Fanout:
    """Linear maps of one input as one multiply; returns each map's output (side-by-side
    views of one buffer).

    Besides saving calls, a wider multiply runs nearer the machine's peak: SRNN's three
    maps of d_t at batch 16 take 0.13 ms as one, 0.23 ms as two calls of half the width.
    """

    def __init__(
        self, maps: Sequence[tuple[Tensor, Tensor | None]], precision: Precision = "float32"
    ) -> None:
        weights = [weight for weight, _ in maps]
        biases = [weight.new_zeros(len(weight)) if bias is None else bias for weight, bias in maps]
        self.dense = Dense(torch.cat(weights), torch.cat(biases), precision)
        ends = list(itertools.accumulate(len(weight) for weight in weights))
        self._spans = list(zip([0, *ends], ends))

    @classmethod
    def of(cls, layers: Sequence[nn.Linear], precision: Precision = "float32") -> Fanout:
        return cls([(layer.weight, layer.bias) for layer in layers], precision)

    def __call__(self, x: Tensor) -> list[Tensor]:
        y = self.dense(x)
        return [y[:, start:end] for start, end in self._spans]


class MLPTail:
    """An MLP after its first layer's multiply: the activation and the layers after it,
    in place (the input must be a fresh buffer)."""

    def __init__(self, mlp: MLP, precision: Precision = "float32") -> None:
        self.layers = [Dense.of(layer, precision) for layer in mlp.layers]

    def __call__(self, pre: Tensor) -> Tensor:
        h = activation(pre, inplace=True)
        for layer in self.layers:
            h = activation(layer(h), inplace=True)
        return h


class MLPStep:
    """A one-input MLP (an embedding) as its first multiply and an in-place tail."""

    def __init__(self, mlp: MLP, precision: Precision = "float32") -> None:
        self.first, self.tail = Dense.of(mlp.inputs[0], precision), MLPTail(mlp, precision)

    def __call__(self, x: Tensor) -> Tensor:
        return self.tail(self.first(x))


def gru_pass(
    gate_in: Tensor, gate_h: Tensor, h: Tensor
) -> tuple[Tensor, tuple[Tensor, Tensor, Tensor, Tensor]]:
    """:func:`gru_update` and what a hand-written backward needs of it: ``(h_new, (r, u,
    n, the hidden candidate term))``."""
    width = h.shape[1]
    gates = (gate_in[:, : 2 * width] + gate_h[:, : 2 * width]).sigmoid_()
    reset, update = gates[:, :width], gates[:, width:]
    hidden_n = gate_h[:, 2 * width :]
    candidate = torch.addcmul(gate_in[:, 2 * width :], reset, hidden_n).tanh_()
    return torch.lerp(candidate, h, update), (reset, update, candidate, hidden_n)  # (1 - u) n + u h


def gru_update(gate_in: Tensor, gate_h: Tensor, h: Tensor) -> Tensor:
    """The GRU update from its input and hidden gate terms (r, u, n), each ``(B, 3H)``.

    What ``torch.gru_cell`` computes, without its copies; the inputs are left unchanged,
    so training loops can use it under autograd too.
    """
    return gru_pass(gate_in, gate_h, h)[0]


def lstm_pass(
    gate_in: Tensor, gate_h: Tensor, c: Tensor
) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, ...]]:
    """:func:`lstm_update` and what a hand-written backward needs of it: ``((h, c_new),
    (i, f, g, o, tanh(c_new)))``."""
    width = c.shape[1]
    gates = gate_in + gate_h  # (B, 4H)
    candidate = gates[:, 2 * width : 3 * width].tanh()  # g; saves its output, not gates
    gates.sigmoid_()  # i, f, o (and g's block, unused)
    i, f, o = gates[:, :width], gates[:, width : 2 * width], gates[:, 3 * width :]
    c = torch.addcmul(f * c, i, candidate)  # f c + i g
    tanh_c = c.tanh()
    return (o * tanh_c, c), (i, f, candidate, o, tanh_c)  # h = o tanh(c)


def lstm_update(gate_in: Tensor, gate_h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """The LSTM update ``(h, c)`` from its input and hidden gate terms (i, f, g, o), each
    ``(B, 4H)``, and the previous cell ``c (B, H)``.

    What ``torch.lstm_cell`` computes, in four pointwise calls on one fresh buffer; the
    inputs are left unchanged, so training loops can use it under autograd too.
    """
    return lstm_pass(gate_in, gate_h, c)[0]


def _gru_state(gate_in: Tensor, gate_h: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return (gru_update(gate_in, gate_h, state[0]),)


def _lstm_state(gate_in: Tensor, gate_h: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return lstm_update(gate_in, gate_h, state[1])


# ``config.rnn`` -> the update of a recurrent state ((h,) or (h, c), see models.recurrence)
# from its gate terms: ``update(gate_in, gate_h, state) -> state``.
CELL_UPDATES: dict[str, Callable[[Tensor, Tensor, tuple[Tensor, ...]], tuple[Tensor, ...]]] = {
    "gru": _gru_state,
    "lstm": _lstm_state,
}


class GaussianDraw:
    """z ~ N(mean, std) from a :class:`GaussianHead`'s features, as the head computes it.

    A head with separate mean and variance features (block-diagonal weight) runs as two
    half-size multiplies instead of one that is half zeros.
    """

    def __init__(self, head: GaussianHead, precision: Precision = "float32") -> None:
        z, half = head.z_dim, head.linear.in_features // 2
        weight, bias = head.weight, head.linear.bias
        self.z_dim, self.var_floor, self.half = z, head.var_floor, half if head.separate else 0
        self.link = head.link
        if head.separate:
            self._mean = Dense(weight[:z, :half], bias[:z], precision)
            self._raw_var = Dense(weight[z:, half:], bias[z:], precision)
        else:
            self._both = Dense(weight, bias, precision)
        self._mean_weights = weight.new_full((z,), 1.0 / z)  # a mean as one mv

    def __call__(self, h: Tensor, generator: torch.Generator | None) -> tuple[Tensor, Tensor]:
        """``(z (B, Z), spread (B,))``: the draw and its mean standard deviation."""
        if self.half:
            mean, raw_var = self._mean(h[:, : self.half]), self._raw_var(h[:, self.half :])
        else:
            raw = self._both(h)
            mean, raw_var = raw[:, : self.z_dim], raw[:, self.z_dim :]
        std = variance_from_raw(raw_var, self.link).add_(self.var_floor).sqrt_()  # std_from_raw
        eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
        return torch.addcmul(mean, std, eps), torch.mv(std, self._mean_weights)
