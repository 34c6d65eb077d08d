"""Keys fixed in advance, step by step: what the sampler conditions each frame on.

Harmonising fixes a melody's keys; other interactions may fix others. The fixed keys
are conditioned on *inside* each frame's draw, not written over it afterwards: keys
given as on sound as held keys do, keys given as off are made certain to stay silent
(:meth:`musevae.models.emission.Emission.forbid`), and the model's state then reads the
conditioned frame, so the steps after it follow from the melody too. With independent
keys that is exactly p(free keys | fixed keys, past); under a NADE it is exact when the
fixed keys come first in its drawing order (:meth:`Emission.conditions_exactly`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.emission import Emission


@dataclasses.dataclass(frozen=True)
class Given:
    """``known (T, 88)`` bool: which keys are fixed at each step; ``keys (T, 88)`` bool:
    their values (read only where known). In the output key, like a prime."""

    known: np.ndarray
    keys: np.ndarray

    def __post_init__(self) -> None:
        if self.known.shape != self.keys.shape or self.known.shape[1:] != (KEY_COUNT,):
            raise ValueError(
                f"known and keys must both be (T, {KEY_COUNT}); got {self.known.shape} and {self.keys.shape}"
            )

    def __len__(self) -> int:
        return len(self.known)

    def in_model_key(self, shift: int, device: torch.device) -> tuple[Tensor, Tensor]:
        """``(on, off)`` ``(T, 88)`` bool tensors in the model's key (moved by ``-shift``;
        keys moved off the keyboard are dropped)."""
        known = shift_keys(self.known, -shift)
        on = shift_keys(self.known & self.keys, -shift)
        known_t = torch.from_numpy(known).to(device)
        on_t = torch.from_numpy(on).to(device)
        return on_t, known_t & ~on_t


def condition(
    emission: Emission, params: Tensor, held: Tensor | None, on: Tensor, off: Tensor
) -> tuple[Tensor, Tensor]:
    """A frame's ``(params, held)`` with ``on``/``off (88,)`` fixed: on keys join the
    held ones, off keys are forbidden (and no longer held: the given silence wins)."""
    rows = params.shape[0]
    held = on.expand(rows, -1) if held is None else (held & ~off) | on
    return emission.forbid(params, off.expand(rows, -1)), held


def shift_keys(keys: np.ndarray, shift: int) -> np.ndarray:
    """``(N, 88)`` columns moved ``shift`` keys up (down if negative), zeros coming in:
    between the model's key and the output key. Keys that would leave the keyboard are
    never allowed to sound (see ``Controls.allowed_keys``), so nothing is lost there."""
    if shift == 0:
        return keys
    moved = np.zeros_like(keys)
    if shift > 0:
        moved[:, shift:] = keys[:, :-shift]
    else:
        moved[:, :shift] = keys[:, -shift:]
    return moved
