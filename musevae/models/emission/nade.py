"""The NADE emission (Larochelle & Murray 2011) over the 88 keys, as in RNN-NADE.

With the keys in drawing order o (low to high, or high to low: the top voice first),
    a_k = c + sum_{j<k} x_oj W_j              (H,) hidden pre-activation before key k
    p(x_ok = 1 | x_o<k, f_t) = sigmoid(b_k + V_k . sigmoid(a_k))
The biases b (88,) and c (H,) are this layer's map of the model's features f_t, so they
change every frame; W and V (88 x H each) are shared over time (Boulanger-Lewandowski et
al. 2012). log p(x_t | f_t) is the exact sum of the 88 conditionals' log-probabilities.

Teacher-forced, a_k is a cumulative sum over the keys that moves only at keys that are
on: a frame with n keys on has n + 1 distinct values a^(0..n), computed for many frames
by one multiply, and each key reads the value of its segment (the count of keys on
before it).
There is no loop over keys, and the work grows with the polyphony, not with 88
(:func:`~musevae.models.emission.nade_frame.conditional_logits`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.emission.base import Emission, FrameRules
from musevae.models.emission.nade_frame import NADESampler, conditional_logits
from musevae.models.layers import bernoulli_log_prob

if TYPE_CHECKING:
    from musevae.models.config import ModelConfig

KEY_ORDERS = ("low-high", "high-low")


class NADE(Emission):
    """Parameterises p(x_t | f_t) = prod_k p(x_ok | x_o<k, f_t); the params of a frame are
    ``[b (88, in drawing order) | c (H)]``."""

    def __init__(self, in_dim: int, hidden: int, order: str = "low-high") -> None:
        if order not in KEY_ORDERS:
            raise ValueError(f"key order must be one of {', '.join(KEY_ORDERS)}; got {order!r}")
        super().__init__(in_dim, KEY_COUNT + hidden)
        self.hidden = hidden
        self.reverse = order == "high-low"
        bound = math.sqrt(6.0 / (KEY_COUNT + hidden))  # Glorot-uniform for both
        # row j: how key o_j, once on, moves the hidden pre-activation of the keys after it
        self.W = nn.Parameter(torch.empty(KEY_COUNT, hidden).uniform_(-bound, bound))
        # row k: key o_k's logit from the hidden state before it
        self.V = nn.Parameter(torch.empty(KEY_COUNT, hidden).uniform_(-bound, bound))

    @classmethod
    def from_config(cls, config: ModelConfig, in_dim: int) -> NADE:
        return cls(in_dim, config.nade_hidden, config.key_order)

    def in_order(self, keys: Tensor) -> Tensor:
        """Key axis (last) from keyboard order to drawing order, or back (an involution)."""
        return keys.flip(-1) if self.reverse else keys

    def split(self, params: Tensor) -> tuple[Tensor, Tensor]:
        """``(b (..., 88), c (..., H))`` of ``params (..., 88 + H)``."""
        return params[..., :KEY_COUNT], params[..., KEY_COUNT:]

    def log_prob(self, x: Tensor, params: Tensor) -> Tensor:
        b, c = self.split(params)
        x_o = self.in_order(x)
        return bernoulli_log_prob(conditional_logits(x_o, b, c, self.W, self.V), x_o)

    def sampler(self, rules: FrameRules) -> NADESampler:
        return NADESampler(self, rules)

    def forbid(self, params: Tensor, off: Tensor) -> Tensor:
        b, c = self.split(params)
        return torch.cat([b.masked_fill(self.in_order(off), float("-inf")), c], -1)

    def conditions_exactly(self, given: Tensor) -> bool:
        """Exact when the given keys come first in the drawing order (the top voice under
        high-to-low): every key drawn after them is conditioned on them. Given keys
        drawn last only clamp a draw that never saw them."""
        in_order = self.in_order(given.bool())
        count = int(in_order.sum())
        return bool(in_order[:count].all())

    def predict(self, params: Tensor) -> Tensor:
        return self.sampler(FrameRules()).greedy(params)

