from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.train.distributed import Distributed
from musevae.train.sampling import CropSampler, StreamSampler, transpose_randomly


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


def _chunks(count: int, steps: int = 3) -> list[np.ndarray]:
    """Chunk i holds key i on every step, so rows tell which chunk they came from."""
    return [np.repeat(np.eye(88, dtype=bool)[i : i + 1], steps, 0) for i in range(count)]


def _chunk_ids(x: torch.Tensor) -> list[int]:
    return x[:, 0].argmax(-1).tolist()


def test_stream_batches_take_each_streams_next_chunk_in_order() -> None:
    sampler = StreamSampler(_chunks(12), batch_size=4)  # 4 streams of 3 chunks
    rng = np.random.default_rng(0)
    batches = [sampler(rng, update) for update in range(4)]
    assert [_chunk_ids(b.x) for b in batches] == [
        [0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [0, 1, 2, 3],
    ]  # fmt: skip
    assert [b.carry for b in batches] == [False, True, True, False]
    assert batches[0].frames == 12.0


def test_stream_batches_split_between_processes() -> None:
    parts = [StreamSampler(_chunks(8), 2, Distributed(rank, 2)) for rank in (0, 1)]
    rng = np.random.default_rng(0)
    assert [_chunk_ids(p(rng, 1).x) for p in parts] == [[4, 5], [6, 7]]


def test_streams_need_equal_chunks_filling_every_row() -> None:
    with pytest.raises(ValueError, match="streams of equal chunks.*10 pieces"):
        StreamSampler(_chunks(10), batch_size=4)
    with pytest.raises(ValueError, match="2 different lengths"):
        StreamSampler([*_chunks(3), *_chunks(1, steps=5)], batch_size=2)
