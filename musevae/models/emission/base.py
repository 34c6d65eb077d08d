"""The interface of an emission p(x_t | features), and what generation asks of a frame.

An emission *is* its model's output layer: a linear map from the model's features of
step t (the RNN's h_t, the SRNN's decoder MLP of [d_t, z_t], ...) to the ``param_dim``
parameters of a distribution over the 88 keys, together with that distribution. As an
``nn.Linear`` the generation steppers lay it out like any other layer, and a Bernoulli
model keeps the weight names (``emission.weight``, ``emission.bias``) that checkpoints
written before emissions were modules hold.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, NamedTuple, Protocol

import torch
import torch.nn.functional as F
from torch import Tensor, nn

if TYPE_CHECKING:
    from musevae.models.config import ModelConfig


class FrameRules(NamedTuple):
    """What the generation controls ask of every frame, in the model's key space."""

    temperature: float = 1.0  # divides every logit the draw uses
    allowed: Tensor | None = None  # (88,) bool: only these keys may sound; None: all
    max_on: int | None = None  # at most this many keys sound at once; None: no cap


class FrameDraw(NamedTuple):
    """One sampled frame per row, with what the uncertainty lanes show of it."""

    notes: Tensor  # (B, 88) bool
    probs: Tensor  # (B, 88) each key's probability of sounding as it was drawn
    entropy: Tensor  # (B,) nats: the entropy of the frame's distribution (or its estimate)


class FrameSampler(Protocol):
    """Draws frames from an emission's parameters under fixed :class:`FrameRules`."""

    def __call__(
        self, params: Tensor, held: Tensor | None, generator: torch.Generator | None
    ) -> FrameDraw:
        """``params (B, param_dim)``; ``held (B, 88)`` bool: keys that must sound (notes
        still held by the minimum note length), ``None`` for none."""
        ...


class Emission(nn.Linear, ABC):
    """Parameterises p(x_t | f_t) from the model's features ``f_t (..., in_dim)``."""

    def __init__(self, in_dim: int, param_dim: int) -> None:
        super().__init__(in_dim, param_dim)

    @classmethod
    @abstractmethod
    def from_config(cls, config: ModelConfig, in_dim: int) -> Emission:
        """This emission with the settings of a model's ``config``."""

    @abstractmethod
    def log_prob(self, x: Tensor, params: Tensor) -> Tensor:
        """Exact log p(x | params) in nats.  ``x (..., 88)`` 0/1, ``params (..., param_dim)``
        -> ``(...)``."""

    @abstractmethod
    def sampler(self, rules: FrameRules) -> FrameSampler:
        """The frame sampler of a generation run: weights laid out once, valid while
        they are unchanged (as a model's ``stepper``)."""

    @abstractmethod
    def forbid(self, params: Tensor, off: Tensor) -> Tensor:
        """``params (B, param_dim)`` with the keys ``off (B, 88)`` (keyboard order) certain
        to stay silent: how a frame is conditioned on given keys (the keys given as on
        go in as ``held``)."""

    @abstractmethod
    def conditions_exactly(self, given: Tensor) -> bool:
        """Whether fixing the keys ``given (88,)`` bool and drawing the others gives
        exactly p(other keys | given keys, f_t), rather than a clamped draw."""

    @abstractmethod
    def predict(self, params: Tensor) -> Tensor:
        """The keys predicted on, for frame accuracy: each key whose probability given
        the prediction's keys before it exceeds 1/2.  ``(B, 88)`` bool"""


def bernoulli_entropy(logits: Tensor, probs: Tensor | None = None) -> Tensor:
    """Total entropy of independent Bernoullis, from logits for numerical safety.  (B,)

    H(p) = softplus(l) - p * l with p = sigmoid(l) (pass ``probs`` if already at hand).
    Keys masked to -inf (and any at +inf) are certain: the formula gives NaN there, which
    is replaced by their exact 0.
    """
    probs = logits.sigmoid() if probs is None else probs
    per_key = torch.addcmul(F.softplus(logits), probs, logits, value=-1.0)
    return per_key.nan_to_num_(nan=0.0).sum(-1)
