from __future__ import annotations

import itertools
import os

import pytest

from musevae.generate import Controls, sample


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_endless_sampling_runs_in_constant_memory(untrained_rnn) -> None:
    stream = sample(untrained_rnn, None, n=2, seed=0, controls=Controls(min_note_steps=2))
    for _ in itertools.islice(stream, 5_000):  # warm up allocator caches
        pass
    before = _rss_bytes()
    for step in itertools.islice(stream, 45_000):
        pass
    grown = _rss_bytes() - before
    assert step.index == 49_999
    # A leak of even one (2, 88) frame per step would be 45,000 * 704 bytes = 30 MiB.
    assert grown < 8 * 2**20, f"memory grew by {grown / 2**20:.1f} MiB over 45,000 steps"
