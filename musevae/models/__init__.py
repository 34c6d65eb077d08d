"""Sequence models of piano rolls (RNN, STORN, VRNN, SRNN) behind one interface.

Build one by name with :func:`build_model` or from a checkpoint's config with
:func:`model_from_config`; every model offers ``elbo``, ``log_likelihood``, ``prime`` and
``step`` (see :class:`SequenceModel`).
"""

from __future__ import annotations

from musevae.models.base import ElboTerms, LatentSequenceModel, SequenceModel, State, StepOutput
from musevae.models.config import ConfigError, ModelConfig
from musevae.models.registry import MODELS, build_model, config_class, model_from_config
from musevae.models.rnn import RNN, RNNConfig
from musevae.models.srnn import SRNN, SRNNConfig
from musevae.models.storn import STORN, STORNConfig
from musevae.models.vrnn import VRNN, VRNNConfig

__all__ = [
    "MODELS",
    "RNN",
    "SRNN",
    "STORN",
    "VRNN",
    "ConfigError",
    "ElboTerms",
    "LatentSequenceModel",
    "ModelConfig",
    "RNNConfig",
    "SRNNConfig",
    "STORNConfig",
    "SequenceModel",
    "State",
    "StepOutput",
    "VRNNConfig",
    "build_model",
    "config_class",
    "model_from_config",
]
