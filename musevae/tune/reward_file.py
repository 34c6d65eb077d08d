"""A user's own reward, from a Python file the user names (``--reward-file my_rules.py``).

The file must define ``reward(roll)``: given a piano roll ``(T, 88)`` numpy bool array
(key 0 = MIDI 21), return T finite numbers, the reward of each step (higher is better).
It is run as ordinary Python, with the user's own rights, so only a file named on the
command line or picked in the app is ever loaded; nothing is searched for. Every problem
(missing file, syntax error, no ``reward``, a crash or a wrong shape) is one
:class:`RewardFileError` naming the file.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from musevae.errors import MusevaeError


class RewardFileError(MusevaeError):
    """A reward file cannot be loaded or its ``reward`` gave something unusable."""


class RewardFile(NamedTuple):
    path: Path
    sha256: str
    function: Callable[[np.ndarray], Any]

    def __call__(self, roll: np.ndarray) -> np.ndarray:
        """The per-step reward of one roll ``(T, 88)`` bool.  (T,) float"""
        try:
            values = np.asarray(self.function(roll.copy()), dtype=float)
        except Exception as error:  # the user's code: any failure is theirs to read
            raise RewardFileError(f"reward file {self.path}: reward() raised "
                                  f"{type(error).__name__}: {error}") from None  # fmt: skip
        if values.shape != (len(roll),) or not np.isfinite(values).all():
            raise RewardFileError(
                f"reward file {self.path}: reward() must return {len(roll)} finite numbers "
                f"(one per step) for a roll of {len(roll)} steps; got shape {values.shape}"
            )
        return values


def load_reward_file(path: str | Path) -> RewardFile:
    """Run the file once and take its ``reward`` function."""
    path = Path(path).expanduser()
    try:
        source = path.read_bytes()
    except OSError as error:
        raise RewardFileError(f"reward file {path}: {error.strerror or error}") from None
    spec = importlib.util.spec_from_file_location(f"musevae_reward_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise RewardFileError(f"reward file {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # SyntaxError, ImportError, anything its top level raises
        raise RewardFileError(
            f"reward file {path}: loading it raised {type(error).__name__}: {error}"
        ) from None
    function = getattr(module, "reward", None)
    if not callable(function):
        raise RewardFileError(
            f"reward file {path}: it defines no function reward(roll) returning one number per step"
        )
    return RewardFile(path.resolve(), hashlib.sha256(source).hexdigest(), function)
