"""Training batches: random crops of the training pieces, optionally transposed.

Every process draws the whole *global* batch from the same seeded generator and keeps
its own rows, so a run on N processes sees exactly the crops a one-process run with an
N times larger batch sees. Drawing N times as many crops costs little next to a
gradient step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from musevae.data.batching import random_crops
from musevae.train.distributed import SINGLE, Distributed


class Batch(NamedTuple):
    """One process's rows of a global batch."""

    x: Tensor  # (B, T, 88) float 0/1
    mask: Tensor  # (B, T) float prefix mask
    frames: float  # real frames in the whole global batch: the loss's normaliser


# (generator, 0-based update index) -> batch. A seam for tests that need odd batches.
BatchSource = Callable[[np.random.Generator, int], Batch]


def transpose_randomly(x: Tensor, rng: np.random.Generator) -> Tensor:
    """Shift each crop by a random whole number of semitones that keeps it on the keyboard.

    ``x (B, T, 88)``; a silent crop stays as it is. Rolling is safe because the shift is
    chosen so that no sounding key wraps around.
    """
    used = x.amax(dim=1) > 0  # (B, 88)
    out = x.clone()
    for i in range(x.shape[0]):
        keys = torch.nonzero(used[i]).flatten()
        if keys.numel() == 0:
            continue
        low, high = -int(keys[0]), x.shape[2] - 1 - int(keys[-1])
        out[i] = torch.roll(x[i], int(rng.integers(low, high + 1)), dims=-1)
    return out


class CropSampler:
    """Draws ``batch_size`` crops of ``seq_len`` steps per process for each update."""

    def __init__(
        self,
        sequences: Sequence[np.ndarray],
        seq_len: int,
        batch_size: int,
        augment_transpose: bool = False,
        dist: Distributed = SINGLE,
    ) -> None:
        if not any(len(s) for s in sequences):
            raise ValueError("the training split holds no frames")
        self.sequences = list(sequences)
        self.seq_len = seq_len
        self.global_batch = batch_size * dist.world_size
        self.augment_transpose = augment_transpose
        self.rows = dist.my_slice(self.global_batch)

    def __call__(self, rng: np.random.Generator, update: int) -> Batch:
        x, mask = random_crops(self.sequences, self.seq_len, self.global_batch, rng)
        if self.augment_transpose:
            x = transpose_randomly(x, rng)
        return Batch(x[self.rows], mask[self.rows], float(mask.sum()))
