"""Model configurations: frozen dataclasses that round-trip through plain dicts (JSON).

A checkpoint stores ``config.to_dict()`` next to the weights and rebuilds the model with
``Config.from_dict(card["config"])``. ``from_dict`` is the door for untrusted input (a
model card from someone else's disk), so it names every unknown key and every bad value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from musevae.config import Settings, SettingsError
from musevae.models.emission import EMISSIONS, KEY_ORDERS
from musevae.models.recurrence import FUSED


def _any(value: object) -> bool:
    return True


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _positive_float(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _rate(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1


_TYPE_CHECKS = {
    "int": _positive_int,
    "float": _positive_float,
    "bool": lambda value: isinstance(value, bool),
}
_TYPE_WORDS = {
    "int": "a positive whole number",
    "float": "a positive number",
    "bool": "true or false",
}


class ConfigError(SettingsError):
    """A model configuration has unknown keys or values the model cannot be built with."""


@dataclasses.dataclass(frozen=True)
class ModelConfig(Settings):
    """Base of every model's config: integer sizes must be positive, choices must exist.

    It holds the settings every model shares, those of its emission p(x_t | ...)
    (:mod:`musevae.models.emission`); subclasses declare their own fields with defaults
    and list allowed values of string fields in ``CHOICES`` (merged with their bases').
    Validation runs on construction, so no bad config can exist.
    """

    # "bernoulli": 88 independent keys; "nade": autoregressive over the keys (NADE), with
    # ``nade_hidden`` hidden units, drawing the keys "low-high" (as RNN-NADE) or
    # "high-low" (the top voice first). The NADE settings mean nothing under "bernoulli".
    emission: str = "bernoulli"
    nade_hidden: int = 150
    key_order: str = "low-high"
    # The cell of every recurrence of the model: "gru" or "lstm" (models.recurrence says
    # why: on the CPU a fused LSTM trains about twice as fast as a fused GRU).
    rnn: str = "gru"

    ERROR: ClassVar[type[SettingsError]] = ConfigError
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "emission": tuple(EMISSIONS),
        "key_order": KEY_ORDERS,
        "rnn": tuple(FUSED),
    }  # field -> allowed values
    RATES: ClassVar[tuple[str, ...]] = ()  # float fields that are rates in [0, 1), e.g. dropout
    # What a stored config that lacks a setting meant: files written before the setting
    # existed were built the old way, whatever today's default is.
    STORED_DEFAULTS: ClassVar[dict[str, Any]] = {}
    # Settings that had another name: old name -> today's. ``from_dict`` reads either, so
    # old cards load; ``to_dict`` writes today's.
    RENAMED: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelConfig:
        if not isinstance(data, Mapping):
            return super().from_dict(data)  # which names the problem
        renamed = {cls.RENAMED.get(key, key): value for key, value in data.items()}
        if len(renamed) < len(data):
            given = data.keys()
            both = [f"{old} and {new}" for old, new in cls.RENAMED.items() if {old, new} <= given]
            raise ConfigError(f"{cls.__name__}: give only one of {', '.join(both)} (one setting)")
        return super().from_dict(renamed)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> ModelConfig:
        """:meth:`from_dict` for a config read from a checkpoint (see ``STORED_DEFAULTS``)."""
        if not isinstance(data, Mapping):
            return cls.from_dict(data)  # which names the problem
        return cls.from_dict({**cls.STORED_DEFAULTS, **data})

    @classmethod
    def choices(cls) -> dict[str, tuple[str, ...]]:
        """``CHOICES`` of this class and every base, the subclass's winning."""
        merged: dict[str, tuple[str, ...]] = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get("CHOICES", {}))
        return merged

    def __post_init__(self) -> None:
        choices = self.choices()
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            allowed = choices.get(field.name)
            if allowed is not None and value not in allowed:
                wanted = f"one of {', '.join(map(repr, allowed))}"
            elif field.name in self.RATES:
                if _rate(value):
                    continue
                wanted = "a number from 0 up to (not including) 1"
            elif allowed is None and not _TYPE_CHECKS.get(str(field.type), _any)(value):
                wanted = _TYPE_WORDS[str(field.type)]
            else:
                continue
            raise ConfigError(
                f"{type(self).__name__}.{field.name} must be {wanted}; got {value!r}"
            )
