from __future__ import annotations

from tests.train.toy import one_torch_thread

__all__ = ["one_torch_thread"]  # an autouse fixture for every test in tests/train
