from __future__ import annotations

import numpy as np
import torch

from musevae.train.distributed import Distributed
from musevae.train.sampling import CropSampler, transpose_randomly


def _crop_with_keys(*keys: int) -> torch.Tensor:
    x = torch.zeros(1, 4, 88)
    x[0, 1, list(keys)] = 1.0
    return x


def test_transposition_keeps_every_crop_whole_and_on_the_keyboard() -> None:
    rng = np.random.default_rng(0)
    x = _crop_with_keys(2, 80)  # may move from -2 to +7 semitones
    shifts = set()
    for _ in range(200):
        out = transpose_randomly(x, rng)
        on = torch.nonzero(out[0, 1]).flatten().tolist()
        assert len(on) == 2 and on[1] - on[0] == 78
        shifts.add(on[0] - 2)
    assert shifts == set(range(-2, 8))


def test_a_crop_spanning_the_keyboard_and_a_silent_crop_stay_put() -> None:
    rng = np.random.default_rng(0)
    full = _crop_with_keys(0, 87)
    silent = torch.zeros(1, 4, 88)
    both = torch.cat([full, silent])
    assert torch.equal(transpose_randomly(both, rng), both)


def test_processes_split_one_global_batch_between_them() -> None:
    pieces = [np.eye(88, dtype=bool)[:30], np.eye(88, dtype=bool)[10:60]]
    whole = CropSampler(pieces, seq_len=8, batch_size=4)(np.random.default_rng(5), 0)
    parts = [
        CropSampler(pieces, 8, 2, dist=Distributed(rank, 2))(np.random.default_rng(5), 0)
        for rank in (0, 1)
    ]
    assert torch.equal(torch.cat([p.x for p in parts]), whole.x)
    assert torch.equal(torch.cat([p.mask for p in parts]), whole.mask)
    # Each process normalises its loss by the frames of the whole global batch.
    assert parts[0].frames == parts[1].frames == whole.frames == 32.0
