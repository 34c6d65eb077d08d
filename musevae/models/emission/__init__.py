"""p(x_t | the model's features): the emission every model ends in, chosen by name.

``bernoulli``: 88 independent keys, the models' first emission. ``nade``: autoregressive
over the keys (Larochelle & Murray 2011), so a frame's keys know of each other: with the
RNN it is RNN-NADE. Every model builds its output layer with :func:`build_emission` from
its config's ``emission``, ``nade_hidden`` and ``key_order`` settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from musevae.models.emission.base import (
    Emission,
    FrameDraw,
    FrameRules,
    FrameSampler,
    bernoulli_entropy,
)
from musevae.models.emission.bernoulli import Bernoulli
from musevae.models.emission.nade import KEY_ORDERS, NADE

if TYPE_CHECKING:
    from musevae.models.config import ModelConfig

EMISSIONS: dict[str, type[Emission]] = {"bernoulli": Bernoulli, "nade": NADE}


def build_emission(config: ModelConfig, in_dim: int) -> Emission:
    """The output layer ``config`` asks for, reading features of width ``in_dim``."""
    return EMISSIONS[config.emission].from_config(config, in_dim)


__all__ = [
    "EMISSIONS",
    "KEY_ORDERS",
    "NADE",
    "Bernoulli",
    "Emission",
    "FrameDraw",
    "FrameRules",
    "FrameSampler",
    "bernoulli_entropy",
    "build_emission",
]
