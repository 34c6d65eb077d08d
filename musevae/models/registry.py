"""Model names -> classes, so configs, checkpoints and the CLI refer to models by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from musevae.models.base import SequenceModel
from musevae.models.config import ConfigError, ModelConfig
from musevae.models.rnn import RNN
from musevae.models.srnn import SRNN
from musevae.models.storn import STORN
from musevae.models.vrnn import VRNN

MODELS: dict[str, type[SequenceModel]] = {cls.kind: cls for cls in (RNN, STORN, VRNN, SRNN)}


def model_class(kind: str) -> type[SequenceModel]:
    """The class registered as ``kind``; an unknown name lists the choices."""
    try:
        return MODELS[kind]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown model kind {kind!r}; choose one of: {', '.join(sorted(MODELS))}"
        ) from None


def config_class(kind: str) -> type[ModelConfig]:
    """The config dataclass of model ``kind``."""
    return model_class(kind).config_type


def model_from_config(kind: str, config: Mapping[str, Any], stored: bool = False) -> SequenceModel:
    """A model from its kind and config; ``stored``: a ``config.to_dict()`` read back from
    a checkpoint, where a missing setting means what it meant when the file was written."""
    cls = model_class(kind)
    config_type = cls.config_type
    return cls(config_type.from_stored(config) if stored else config_type.from_dict(config))


def build_model(kind: str, **sizes: Any) -> SequenceModel:
    """A fresh model of ``kind``; ``sizes`` override the config's defaults."""
    return model_from_config(kind, sizes)
