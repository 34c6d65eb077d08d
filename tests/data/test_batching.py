from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.data.batching import epoch_batches, pad_batch, random_crops


def steps(n: int, first_key: int = 0) -> np.ndarray:
    """``n`` steps where step t sounds key ``first_key + t``: each step is recognisable."""
    keys = np.zeros((n, 88), dtype=np.bool_)
    keys[np.arange(n), first_key + np.arange(n)] = True
    return keys


def test_pad_batch_pads_with_zeros_and_masks_the_padding() -> None:
    x, mask = pad_batch([steps(2), steps(1, first_key=10)])
    assert x.shape == (2, 2, 88) and x.dtype == torch.float32
    assert mask.tolist() == [[1.0, 1.0], [1.0, 0.0]]
    assert x[0, 1, 1] == 1.0 and x[1, 0, 10] == 1.0
    assert x[1, 1].sum() == 0.0  # the padded step is silent


def test_pad_batch_to_a_fixed_length() -> None:
    x, mask = pad_batch([steps(2)], length=4)
    assert x.shape == (1, 4, 88)
    assert mask.tolist() == [[1.0, 1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="shorter than the longest"):
        pad_batch([steps(3)], length=2)
    with pytest.raises(ValueError, match="zero sequences"):
        pad_batch([])


def test_random_crops_are_windows_of_the_pieces() -> None:
    piece = steps(5)  # keys 0..4, one per step
    x, mask = random_crops([piece], length=3, batch_size=6, rng=np.random.default_rng(0))
    assert x.shape == (6, 3, 88) and mask.sum().item() == 18.0  # 6 full crops of 3 steps
    for crop in x.numpy().astype(bool):
        start = int(np.flatnonzero(crop[0])[0])  # the first step's key is its start step
        assert 0 <= start <= 2 and np.array_equal(crop, piece[start : start + 3])


def test_random_crops_take_short_pieces_whole_and_never_pick_empty_ones() -> None:
    x, mask = random_crops(
        [steps(0), steps(2)], length=4, batch_size=3, rng=np.random.default_rng(1)
    )
    assert mask.tolist() == [[1.0, 1.0, 0.0, 0.0]] * 3  # always the 2-step piece, padded
    with pytest.raises(ValueError, match="empty"):
        random_crops([steps(0)], length=4, batch_size=1, rng=np.random.default_rng(0))


def test_epoch_batches_score_every_frame_once_grouped_by_length() -> None:
    batches = epoch_batches([steps(3), steps(1), steps(2)], batch_size=2)
    assert [mask.sum(dim=1).tolist() for _, mask in batches] == [[1.0, 2.0], [3.0]]
    assert sum(mask.sum().item() for _, mask in batches) == 6.0  # 3 + 1 + 2 frames
