"""Training batches: random crops of the training pieces, optionally transposed, or the
consecutive chunks of parallel streams for training with carried states.

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

from musevae.data.batching import pad_batch, random_crops
from musevae.train.distributed import SINGLE, Distributed


class Batch(NamedTuple):
    """One process's rows of a global batch."""

    x: Tensor  # (B, T, 88) float 0/1
    mask: Tensor  # (B, T) float prefix mask
    frames: float  # real frames in the whole global batch: the loss's normaliser
    carry: bool = False  # each row continues the same row of the previous batch


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


class StreamSampler:
    """The SRNN authors' layout: the chunks are ``batch`` parallel streams, chunk ``i``
    continued by chunk ``i + batch``; update ``k`` of an epoch takes the k-th row of chunks.

    Every batch but an epoch's first continues the one before it, which is what lets a
    model carry its state across the cuts (``TrainConfig.carry_states``). Epochs visit the
    batches in order, as the authors' code does.
    """

    def __init__(
        self, sequences: Sequence[np.ndarray], batch_size: int, dist: Distributed = SINGLE
    ) -> None:
        self.global_batch = batch_size * dist.world_size
        lengths = {len(s) for s in sequences}
        if len(lengths) != 1 or not sequences or len(sequences) % self.global_batch:
            raise ValueError(
                "training with carried states needs the training split as streams of equal "
                f"chunks ({self.global_batch} streams: a multiple of {self.global_batch} chunks "
                "of one length, like the SRNN authors' data); this split has "
                f"{len(sequences)} pieces of {len(lengths)} different lengths"
            )
        self.sequences = list(sequences)
        self.batches = len(sequences) // self.global_batch
        self.rows = dist.my_slice(self.global_batch)

    def __call__(self, rng: np.random.Generator, update: int) -> Batch:
        k = update % self.batches
        chunks = self.sequences[k * self.global_batch : (k + 1) * self.global_batch]
        x, mask = pad_batch(chunks)
        return Batch(x[self.rows], mask[self.rows], float(mask.sum()), carry=k > 0)
