"""Sequence models of piano rolls (RNN, STORN, VRNN, SRNN) behind one interface."""

from __future__ import annotations

from musevae.models.base import ElboTerms, SequenceModel, State, StepOutput
from musevae.models.config import ConfigError, ModelConfig
from musevae.models.registry import MODELS, build_model, config_class, model_from_config
from musevae.models.rnn import RNN, RNNConfig

__all__ = [
    "MODELS",
    "RNN",
    "ConfigError",
    "ElboTerms",
    "ModelConfig",
    "RNNConfig",
    "SequenceModel",
    "State",
    "StepOutput",
    "build_model",
    "config_class",
    "model_from_config",
]
