"""Building blocks every model shares, each written once: MLP, Gaussian head, KL, Bernoulli.

The activation is the SRNN authors' clipped "very leaky" ReLU (slope 1/3, clipped to
+-3): it keeps gradients alive for negative inputs and bounds activations, which keeps the
Gaussian heads' variances sane early in training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

LEAKY_SLOPE = 1.0 / 3.0
ACTIVATION_CLIP = 3.0
LOG_2PI = math.log(2.0 * math.pi)


def activation(x: Tensor, inplace: bool = False) -> Tensor:
    """Clipped leaky ReLU used after every hidden layer (``inplace`` overwrites ``x``)."""
    if inplace:
        return F.leaky_relu_(x, LEAKY_SLOPE).clamp_(-ACTIVATION_CLIP, ACTIVATION_CLIP)
    return F.leaky_relu(x, LEAKY_SLOPE).clamp(-ACTIVATION_CLIP, ACTIVATION_CLIP)


def activation_backward(grad: Tensor, h: Tensor, out: Tensor | None = None) -> Tensor:
    """Gradient through :func:`activation` from its OUTPUT ``h``; clipped units get none.

    For hand-written backward passes that keep h instead of the pre-activation.
    """
    grad = torch.ops.aten.hardtanh_backward(grad, h, -ACTIVATION_CLIP, ACTIVATION_CLIP)
    if out is None:
        return torch.ops.aten.leaky_relu_backward(grad, h, LEAKY_SLOPE, True)
    return torch.ops.aten.leaky_relu_backward.grad_input(
        grad, h, LEAKY_SLOPE, True, grad_input=out
    )


def shift_right(x: Tensor) -> Tensor:
    """``u_t = x_{t-1}`` with ``x_0 = 0``: the model's input at step t.  (B, T, D) -> same."""
    return F.pad(x[:, :-1], (0, 0, 1, 0))


def reverse_padded(x: Tensor, mask: Tensor) -> Tensor:
    """Reverse each sequence's real steps, leaving its padding at the end.  (B, T, D)

    Running a forward RNN on this and reversing its output again gives a backward RNN
    whose state at a real step never saw the padding (``mask`` must be a prefix mask).
    """
    batch, steps = mask.shape
    t = torch.arange(steps, device=mask.device)  # (T,)
    lengths = mask.sum(1, keepdim=True).long()  # (B, 1)
    index = torch.where(t < lengths, lengths - 1 - t, t)  # (B, T) source step
    rows = index + steps * torch.arange(batch, device=mask.device)[:, None]
    return _Involution.apply(x, rows.flatten())


class _Involution(torch.autograd.Function):
    """Row permutation that is its own inverse, so its backward is the same cheap gather
    (autograd's own gather backward is a slow scatter-add)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, rows: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(rows)
        return x.flatten(0, 1).index_select(0, rows).view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        (rows,) = ctx.saved_tensors
        return grad.flatten(0, 1).index_select(0, rows).view(grad.shape), None


class MLP(nn.Module):
    """Feed-forward net whose first layer takes several inputs without concatenating them.

    ``f([a, b]) = layers(act(W_a a + W_b b + bias))``. Keeping the first layer split lets a
    model apply ``W_d`` to a whole sequence ``d_{1:T}`` in one matmul before a per-step
    loop and add only the small per-step part (``W_z z_{t-1}``) inside it.
    """

    def __init__(self, in_dims: Sequence[int], hidden: Sequence[int]) -> None:
        super().__init__()
        if not in_dims or not hidden:
            raise ValueError("an MLP needs at least one input and one hidden layer")
        self.inputs = nn.ModuleList(
            nn.Linear(dim, hidden[0], bias=i == 0) for i, dim in enumerate(in_dims)
        )
        self.layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(hidden[:-1], hidden[1:])
        )
        self.out_dim = hidden[-1]

    def project(self, index: int, part: Tensor) -> Tensor:
        """First-layer contribution of input ``index`` (the bias rides on input 0)."""
        return self.inputs[index](part)

    def finish(self, pre: Tensor) -> Tensor:
        """Everything after the first layer's sum of projections."""
        h = activation(pre)
        for layer in self.layers:
            h = activation(layer(h))
        return h

    def forward(self, *parts: Tensor) -> Tensor:
        if len(parts) != len(self.inputs):
            raise ValueError(f"this MLP takes {len(self.inputs)} inputs, got {len(parts)}")
        pre = self.project(0, parts[0])
        for index, part in enumerate(parts[1:], start=1):
            pre = pre + self.project(index, part)
        return self.finish(pre)


class Gaussian(NamedTuple):
    """A diagonal Gaussian N(mean, diag std^2); both (..., Z)."""

    mean: Tensor
    std: Tensor

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        """One reparameterised draw (differentiable in mean and std)."""
        eps = torch.randn(
            self.std.shape, generator=generator, dtype=self.std.dtype, device=self.std.device
        )
        return torch.addcmul(self.mean, self.std, eps)

    def log_prob(self, z: Tensor) -> Tensor:
        """log N(z; mean, std^2) summed over the last axis, in nats.  (...)"""
        scaled = (z - self.mean) / self.std
        return -(0.5 * scaled.square() + self.std.log() + 0.5 * LOG_2PI).sum(-1)


# How a Gaussian head's raw output becomes a variance (before the floor is added):
# "softplus" is smooth and grows only linearly; "exp" reads it as a log-variance, as the
# SRNN authors' code does.
VARIANCE_LINKS = ("softplus", "exp")


def variance_from_raw(raw: Tensor, link: str = "softplus") -> Tensor:
    """The variance before the floor: ``softplus(raw)`` or ``exp(raw)``."""
    return F.softplus(raw) if link == "softplus" else raw.exp()


def variance_slope(raw: Tensor, link: str) -> Tensor:
    """d variance / d raw, for hand-written backward passes."""
    return torch.sigmoid(raw) if link == "softplus" else raw.exp()


def std_from_raw(raw: Tensor, var_floor: float, link: str = "softplus") -> Tensor:
    """``sqrt(variance + floor)``: positive, smooth, never collapsing to zero."""
    return (variance_from_raw(raw, link) + var_floor).sqrt()


class GaussianHead(nn.Module):
    """Linear map from features to a diagonal Gaussian (mean, variance + floor; the
    variance through ``link``, see ``VARIANCE_LINKS``).

    ``separate=True`` reads the mean from the first half of the features and the
    variance from the second half only (a block-diagonal weight): fed by an MLP twice as
    wide, that is exactly two MLPs, one per parameter, as in the SRNN authors' code.
    """

    def __init__(
        self, in_dim: int, z_dim: int, var_floor: float, separate: bool = False, link: str = "softplus"
    ) -> None:
        super().__init__()
        if link not in VARIANCE_LINKS:
            raise ValueError(f"variance link must be one of {', '.join(VARIANCE_LINKS)}; got {link!r}")
        self.link = link
        self.linear = nn.Linear(in_dim, 2 * z_dim)
        self.z_dim = z_dim
        self.var_floor = var_floor
        self.separate = separate
        if separate:
            if in_dim % 2:
                raise ValueError(f"separate mean and variance features need an even width, got {in_dim}")
            blocks = torch.zeros(2 * z_dim, in_dim)
            blocks[:z_dim, : in_dim // 2] = 1.0
            blocks[z_dim:, in_dim // 2 :] = 1.0
            self.register_buffer("blocks", blocks, persistent=False)
            with torch.no_grad():
                self.linear.weight.mul_(blocks)

    @property
    def weight(self) -> Tensor:
        """The effective weight (2Z, in): block-diagonal when ``separate``."""
        return self.linear.weight * self.blocks if self.separate else self.linear.weight

    def split(self, raw: Tensor) -> Gaussian:
        """Turn the linear output (..., 2Z) into a Gaussian."""
        mean, raw_var = raw.chunk(2, dim=-1)
        return Gaussian(mean, std_from_raw(raw_var, self.var_floor, self.link))

    def forward(self, h: Tensor) -> Gaussian:
        return self.split(F.linear(h, self.weight, self.linear.bias))


@torch.no_grad()
def glorot_orthogonal_(module: nn.Module) -> None:
    """Re-initialise ``module`` as the SRNN authors' Lasagne code did: Glorot-uniform
    dense weights, each GRU gate's input and recurrent blocks orthogonal, zero biases.

    A separate-heads :class:`GaussianHead` gets each of its two blocks initialised on its
    own, as the two dense layers it stands for (the rest stays zero).
    """
    split = [head for head in module.modules() if isinstance(head, GaussianHead) and head.separate]
    for layer in module.modules():
        if isinstance(layer, GaussianHead) and layer.separate:
            z, half = layer.z_dim, layer.linear.in_features // 2
            layer.linear.weight.zero_()
            nn.init.xavier_uniform_(layer.linear.weight[:z, :half])
            nn.init.xavier_uniform_(layer.linear.weight[z:, half:])
        elif isinstance(layer, nn.Linear) and not any(layer is head.linear for head in split):
            nn.init.xavier_uniform_(layer.weight)
        elif isinstance(layer, nn.GRU):
            for name, weight in layer.named_parameters():
                if name.startswith("weight"):
                    for gate in weight.chunk(3):  # reset, update, candidate
                        nn.init.orthogonal_(gate)
        if isinstance(layer, (nn.Linear, nn.GRU)):
            for name, bias in layer.named_parameters():
                if name.startswith("bias"):
                    bias.zero_()


def gaussian_kl(q: Gaussian, p: Gaussian) -> Tensor:
    """KL(q || p) between diagonal Gaussians in closed form, summed over the last axis.

    KL = sum_k log(s_p/s_q) + (s_q^2 + (m_q - m_p)^2) / (2 s_p^2) - 1/2, in nats.  (...)
    """
    var_ratio = (q.std / p.std).square()
    mean_term = ((q.mean - p.mean) / p.std).square()
    return 0.5 * (var_ratio + mean_term - 1.0 - var_ratio.log()).sum(-1)


def bernoulli_log_prob(logits: Tensor, x: Tensor) -> Tensor:
    """log p(x) under independent Bernoullis with these logits, summed over keys.  (...)"""
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
