"""Turning variable-length piano rolls into padded, masked tensors for the models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from musevae.data.pianoroll import KEY_COUNT


def pad_batch(
    sequences: Sequence[np.ndarray], length: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack ``(T_i, 88)`` arrays into ``x (B, T, 88)`` float32 and ``mask (B, T)`` float32.

    Padding is zeros with mask 0, so a masked sum over steps counts only real frames.
    ``length`` pads (never truncates) to a fixed width, which keeps shapes stable for
    compiled kernels.
    """
    if not sequences:
        raise ValueError("cannot batch zero sequences")
    width = max(len(s) for s in sequences)
    if length is not None:
        if length < width:
            raise ValueError(f"length {length} is shorter than the longest sequence {width}")
        width = length
    x = np.zeros((len(sequences), width, KEY_COUNT), dtype=np.float32)
    mask = np.zeros((len(sequences), width), dtype=np.float32)
    for i, seq in enumerate(sequences):
        x[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1.0
    return torch.from_numpy(x), torch.from_numpy(mask)


def random_crops(
    sequences: Sequence[np.ndarray],
    length: int,
    batch_size: int,
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``batch_size`` random sub-sequences of up to ``length`` steps.

    Pieces are drawn with probability proportional to their length, so every frame of the
    training set is equally likely to be seen; pieces shorter than ``length`` come whole
    and are masked.
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.float64)
    if lengths.sum() == 0:
        raise ValueError("every training sequence is empty")
    picks = rng.choice(len(sequences), size=batch_size, p=lengths / lengths.sum())
    crops = []
    for i in picks:
        seq = sequences[i]
        start = int(rng.integers(0, max(len(seq) - length, 0) + 1))
        crops.append(seq[start : start + length])
    return pad_batch(crops, length=length)


def epoch_batches(
    sequences: Sequence[np.ndarray], batch_size: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Whole sequences in order, batched by similar length to waste little padding.

    Used for evaluation, where every frame must be scored exactly once.
    """
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    return [
        pad_batch([sequences[i] for i in order[start : start + batch_size]])
        for start in range(0, len(order), batch_size)
    ]
