"""Frozen settings that round-trip through plain dicts (JSON), written once for all.

Model configs and the training config are saved inside checkpoints and read back from
disk, so ``from_dict`` is the door for untrusted input: it names every unknown key, and
each subclass validates its values on construction, so no bad config can exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from musevae.errors import MusevaeError

S = TypeVar("S", bound="Settings")


class SettingsError(MusevaeError, ValueError):
    """A setting is unknown, or has a value that cannot be used."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of the frozen config dataclasses: ``to_dict`` / ``from_dict``."""

    ERROR: ClassVar[type[SettingsError]] = SettingsError

    @classmethod
    def noun(cls) -> str:
        """What to call one of these in a message ("training", "SRNNConfig")."""
        return cls.__name__

    def to_dict(self) -> dict[str, Any]:
        """Plain ``{field: value}``, safe to write as JSON."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[S], data: Mapping[str, Any]) -> S:
        """Build from a dict; missing keys take their defaults, unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise cls.ERROR(
                f"{cls.noun()} settings must be a mapping; got {type(data).__name__}"
            )
        known = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise cls.ERROR(
                f"unknown {cls.noun()} setting(s): {', '.join(unknown)}; "
                f"known: {', '.join(known)}"
            )
        return cls(**data)
