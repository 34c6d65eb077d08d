"""The recurrent cell every model's recurrences use: a GRU or an LSTM (``config.rnn``).

Why a choice: on the CPU PyTorch runs ``nn.LSTM`` (not ``nn.GRU``) through oneDNN, so a
fused LSTM trains about twice as fast as a fused GRU of the same width, and the peer
toolkits' music models are LSTMs. GRU stays the default, so older cards load unchanged.

A recurrent state is a tuple of ``(B, H)`` tensors: ``(h,)`` for a GRU, ``(h, c)`` for an
LSTM, the output h first. Models put it first in their generation state (z_t last).
"""

from __future__ import annotations

from torch import Tensor, nn

Recurrent = tuple[Tensor, ...]  # (h,) or (h, c), each (B, H)

FUSED: dict[str, type[nn.RNNBase]] = {"gru": nn.GRU, "lstm": nn.LSTM}  # whole sequences
CELLS: dict[str, type[nn.RNNCellBase]] = {"gru": nn.GRUCell, "lstm": nn.LSTMCell}  # one step
GATES = {"gru": 3, "lstm": 4}  # gate blocks stacked in the weights: (r, u, n) / (i, f, g, o)


def fused(kind: str, inputs: int, hidden: int) -> nn.RNNBase:
    """A batch-first whole-sequence recurrence of ``kind``: (B, T, inputs) -> (B, T, hidden)."""
    return FUSED[kind](inputs, hidden, batch_first=True)


def zero_state(kind: str, like: Tensor, batch: int, hidden: int) -> Recurrent:
    """The all-zero start state, on ``like``'s device and dtype."""
    h = like.new_zeros(batch, hidden)
    return (h,) if kind == "gru" else (h, h.clone())


def as_hx(state: Recurrent) -> Tensor | tuple[Tensor, Tensor]:
    """A state as ``nn.GRU`` (h) or ``nn.LSTM`` ((h, c)) takes it, each (1, B, H)."""
    layers = [s[None] for s in state]
    return layers[0] if len(layers) == 1 else (layers[0], layers[1])


def from_hx(last: Tensor | tuple[Tensor, ...]) -> Recurrent:
    """What ``nn.GRU`` / ``nn.LSTM`` return as their final state, as a state tuple."""
    return (last[0],) if isinstance(last, Tensor) else tuple(s[0] for s in last)


def cell_step(cell: nn.RNNCellBase, x: Tensor, state: Recurrent) -> Recurrent:
    """One step of a ``GRUCell`` (returns h) or an ``LSTMCell`` (returns (h, c))."""
    out = cell(x, state[0] if len(state) == 1 else (state[0], state[1]))
    return (out,) if isinstance(out, Tensor) else tuple(out)
