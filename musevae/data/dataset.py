"""A dataset: named splits of piano rolls, whatever file format they came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from musevae.data.pianoroll import LOWEST_NOTE, PianoRoll

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class SplitStats:
    """Summary of one split, as printed by ``musevae data info``."""

    sequences: int
    frames: int
    mean_polyphony: float
    lowest_note: int | None
    highest_note: int | None


@dataclass(frozen=True)
class Dataset:
    """Train/valid/test piano rolls plus where they came from (a path or a URL).

    The SRNN authors' test set arrives zero-padded with a mask; its loader trims each
    piece to its mask, so every roll here holds only real frames.
    """

    name: str
    splits: Mapping[str, list[PianoRoll]]
    source: str = ""

    def __post_init__(self) -> None:
        missing = [s for s in SPLITS if s not in self.splits]
        if missing:
            raise ValueError(f"dataset {self.name!r} lacks split(s): {', '.join(missing)}")

    def arrays(self, split: str) -> list[np.ndarray]:
        """The split's rolls as ``(T, 88)`` bool arrays, the form the batching code takes."""
        return [roll.keys for roll in self.split(split)]

    def split(self, split: str) -> list[PianoRoll]:
        if split not in self.splits:
            raise KeyError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
        return self.splits[split]

    def stats(self, split: str) -> SplitStats:
        rolls = self.split(split)
        frames = sum(len(r) for r in rolls)
        if frames == 0:
            return SplitStats(len(rolls), 0, 0.0, None, None)
        used = np.zeros(rolls[0].keys.shape[1], dtype=bool)
        notes = 0
        for roll in rolls:
            used |= roll.keys.any(axis=0)
            notes += int(roll.keys.sum())
        keys = np.flatnonzero(used)
        low = int(keys[0]) + LOWEST_NOTE if keys.size else None
        high = int(keys[-1]) + LOWEST_NOTE if keys.size else None
        return SplitStats(len(rolls), frames, notes / frames, low, high)
