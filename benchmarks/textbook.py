"""Textbook versions of the four models, the yardstick of ``train_speed.py``.

Each is what a straightforward implementation from the paper looks like: one Python
loop over time, a ``GRUCell`` (or ``LSTMCell``) and the MLPs called once per step,
autograd for everything. The layers and sizes are musevae's own (the same configs), so
the two do the same arithmetic and a ratio of their times measures only how it is
organised. No model here is trained or shipped: they exist to be timed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from musevae.models.config import ModelConfig

KEYS = 88


def _act(x: Tensor) -> Tensor:
    """The models' clipped leaky ReLU (slope 1/3, clipped to +-3)."""
    return F.leaky_relu(x, 1.0 / 3.0).clamp(-3.0, 3.0)


class _MLP(nn.Module):
    """``act(Linear(cat(inputs)))`` then further ``act(Linear)`` layers."""

    def __init__(self, in_dim: int, widths: Sequence[int]) -> None:
        super().__init__()
        dims = [in_dim, *widths]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, *inputs: Tensor) -> Tensor:
        h = torch.cat(inputs, dim=-1)
        for layer in self.layers:
            h = _act(layer(h))
        return h


class _Head(nn.Module):
    """Mean and std of a diagonal Gaussian, from one or two hidden layers ("separate")."""

    def __init__(self, width: int, z_dim: int, separate: bool) -> None:
        super().__init__()
        self.separate = separate
        self.mean = nn.Linear(width // 2 if separate else width, z_dim)
        self.var = nn.Linear(width // 2 if separate else width, z_dim)

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        h_mean, h_var = h.chunk(2, -1) if self.separate else (h, h)
        return self.mean(h_mean), (F.softplus(self.var(h_var)) + 1e-6).sqrt()


def _kl(q: tuple[Tensor, Tensor], p: tuple[Tensor, Tensor]) -> Tensor:
    (mq, sq), (mp, sp) = q, p
    return (torch.log(sp / sq) + (sq**2 + (mq - mp) ** 2) / (2 * sp**2) - 0.5).sum(-1)


def _log_px(logits: Tensor, x_t: Tensor) -> Tensor:
    return -F.binary_cross_entropy_with_logits(logits, x_t, reduction="none").sum(-1)


def _cell(kind: str, inputs: int, hidden: int) -> nn.Module:
    return nn.LSTMCell(inputs, hidden) if kind == "lstm" else nn.GRUCell(inputs, hidden)


def _step(cell: nn.Module, x: Tensor, state: Tensor | tuple[Tensor, Tensor]) -> tuple[Tensor, object]:
    """One cell step: (output h, state to carry) for a GRUCell or an LSTMCell."""
    if isinstance(cell, nn.LSTMCell):
        h, c = cell(x, state)
        return h, (h, c)
    h = cell(x, state)
    return h, h


def _zeros(cell: nn.Module, x: Tensor) -> object:
    h = x.new_zeros(x.shape[0], cell.hidden_size)
    return (h, h.clone()) if isinstance(cell, nn.LSTMCell) else h


class TextbookRNN(nn.Module):
    def __init__(self, c: ModelConfig, rnn: str = "gru") -> None:
        super().__init__()
        self.cell = _cell(rnn, KEYS, c.hidden)
        self.out = nn.Linear(c.hidden, KEYS)

    def loss(self, x: Tensor) -> Tensor:
        state, x_prev, total = _zeros(self.cell, x[:, 0]), torch.zeros_like(x[:, 0]), 0.0
        for t in range(x.shape[1]):
            h, state = _step(self.cell, x_prev, state)
            total = total - _log_px(self.out(h), x[:, t]).mean()
            x_prev = x[:, t]
        return total


class TextbookSTORN(nn.Module):
    def __init__(self, c: ModelConfig, rnn: str = "gru") -> None:
        super().__init__()
        self.recognition = _cell(rnn, KEYS, c.hidden)
        self.post = _Head(c.hidden, c.z_dim, separate=False)
        self.generator = _cell(rnn, c.z_dim + KEYS, c.hidden)
        self.out = nn.Linear(c.hidden, KEYS)

    def loss(self, x: Tensor) -> Tensor:
        g_state, h_state = _zeros(self.recognition, x[:, 0]), _zeros(self.generator, x[:, 0])
        x_prev, total = torch.zeros_like(x[:, 0]), 0.0
        for t in range(x.shape[1]):
            g, g_state = _step(self.recognition, x[:, t], g_state)
            mean, std = self.post(g)
            z = mean + std * torch.randn_like(std)
            h, h_state = _step(self.generator, torch.cat([z, x_prev], -1), h_state)
            kl = _kl((mean, std), (torch.zeros_like(mean), torch.ones_like(std)))
            total = total + (kl - _log_px(self.out(h), x[:, t])).mean()
            x_prev = x[:, t]
        return total


class TextbookVRNN(nn.Module):
    def __init__(self, c: ModelConfig, rnn: str = "gru") -> None:
        super().__init__()
        self.phi_x = _MLP(KEYS, [c.hidden, c.hidden])
        self.phi_z = _MLP(c.z_dim, [c.hidden])
        self.prior = _MLP(c.h_dim, [c.hidden])
        self.prior_head = _Head(c.hidden, c.z_dim, separate=False)
        self.enc = _MLP(c.hidden + c.h_dim, [c.hidden])
        self.enc_head = _Head(c.hidden, c.z_dim, separate=False)
        self.dec = _MLP(c.hidden + c.h_dim, [c.hidden])
        self.out = nn.Linear(c.hidden, KEYS)
        self.cell = _cell(rnn, 2 * c.hidden, c.h_dim)

    def loss(self, x: Tensor) -> Tensor:
        state, total = _zeros(self.cell, x[:, 0]), 0.0
        for t in range(x.shape[1]):
            h = state[0] if isinstance(state, tuple) else state
            phi_x = self.phi_x(x[:, t])
            prior = self.prior_head(self.prior(h))
            mean, std = self.enc_head(self.enc(phi_x, h))
            z = mean + std * torch.randn_like(std)
            phi_z = self.phi_z(z)
            logits = self.out(self.dec(phi_z, h))
            total = total + (_kl((mean, std), prior) - _log_px(logits, x[:, t])).mean()
            _, state = _step(self.cell, torch.cat([phi_x, phi_z], -1), state)
        return total


class TextbookSRNN(nn.Module):
    def __init__(self, c: ModelConfig, rnn: str = "gru") -> None:
        super().__init__()
        separate = c.heads == "separate"
        width = 2 * c.hidden if separate else c.hidden
        self.resq = c.resq
        self.embed = _MLP(KEYS, [c.hidden, c.hidden])
        self.d_cell = _cell(rnn, c.hidden, c.d_dim)
        self.a_cell = _cell(rnn, c.d_dim + c.hidden, c.a_dim)
        self.prior = _MLP(c.d_dim + c.z_dim, [width])
        self.prior_head = _Head(width, c.z_dim, separate)
        self.post = _MLP(c.a_dim + c.z_dim, [width])
        self.post_head = _Head(width, c.z_dim, separate)
        self.dec = _MLP(c.d_dim + c.z_dim, [c.hidden])
        self.out = nn.Linear(c.hidden, KEYS)
        self.z_dim = c.z_dim

    def loss(self, x: Tensor) -> Tensor:
        steps = x.shape[1]
        e_x = [self.embed(x[:, t]) for t in range(steps)]
        d_state, ds, e_prev = _zeros(self.d_cell, x[:, 0]), [], self.embed(torch.zeros_like(x[:, 0]))
        for t in range(steps):  # d_t = GRU(d_{t-1}, e(x_{t-1}))
            d, d_state = _step(self.d_cell, e_prev, d_state)
            ds.append(d)
            e_prev = e_x[t]
        a_state, a_s = _zeros(self.a_cell, x[:, 0]), [None] * steps
        for t in reversed(range(steps)):  # a_t = GRU(a_{t+1}, [d_t, e(x_t)])
            a_s[t], a_state = _step(self.a_cell, torch.cat([ds[t], e_x[t]], -1), a_state)
        z, total = x.new_zeros(x.shape[0], self.z_dim), 0.0
        for t in range(steps):
            prior = self.prior_head(self.prior(ds[t], z))
            mean, std = self.post_head(self.post(a_s[t], z))
            if self.resq:
                mean = prior[0] + mean
            z = mean + std * torch.randn_like(std)
            logits = self.out(self.dec(ds[t], z))
            total = total + (_kl((mean, std), prior) - _log_px(logits, x[:, t])).mean()
        return total


TEXTBOOK: dict[str, type[nn.Module]] = {
    "rnn": TextbookRNN, "storn": TextbookSTORN, "vrnn": TextbookVRNN, "srnn": TextbookSRNN,
}  # fmt: skip


def parameter_count(module: nn.Module) -> int:
    return sum(math.prod(p.shape) for p in module.parameters())
