from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Tiny models on a busy 2-core machine run 100x slower with 2 OpenMP threads (each
    op waits for a descheduled thread); one thread keeps these tests fast and changes
    no result they check."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
