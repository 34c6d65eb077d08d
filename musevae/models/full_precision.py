"""Run a hand-written loop in float32 when training under bfloat16 autocast.

The models' per-step loops (SRNN's z-chain, the VRNN rollout) are autograd Functions
whose own matmuls autocast does not reach: inside them every tensor must share one
dtype. They stay float32 (their 16-row multiplies gain little from bfloat16, and the
recurrence is where rounding would compound); the wide layers around them still run in
bfloat16.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import Tensor

F = TypeVar("F", bound=Callable[..., Any])


def _full(value: Any) -> Any:
    if isinstance(value, Tensor) and value.is_floating_point():
        return value.float()
    if isinstance(value, tuple):
        return type(value)(*map(_full, value)) if hasattr(value, "_fields") else tuple(map(_full, value))
    return value


def full_precision(fn: F) -> F:
    """``fn`` with autocast off and its floating-point tensor arguments (also inside
    tuples and NamedTuples) in float32; a no-op outside autocast."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not (torch.is_autocast_enabled("cpu") or torch.is_autocast_enabled("cuda")):
            return fn(*args, **kwargs)
        with torch.autocast("cpu", enabled=False), torch.autocast("cuda", enabled=False):
            return fn(*map(_full, args), **{k: _full(v) for k, v in kwargs.items()})

    return wrapper  # type: ignore[return-value]
