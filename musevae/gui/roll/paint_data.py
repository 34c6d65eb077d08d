"""What the views draw for the visible range, computed with numpy (Qt-free, testable).

Views never walk all steps: they take the slice on screen, and when several steps share
a pixel they merge them into bins of ``bin`` steps first, so a 100,000-step piece seen
whole costs one pass over its arrays and at most one rectangle per key and pixel column.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Runs(NamedTuple):
    """Notes to draw: key index, first step, length in steps, mean probability."""

    keys: np.ndarray  # (K,) int
    starts: np.ndarray  # (K,) int, absolute steps
    lengths: np.ndarray  # (K,) int, steps
    strength: np.ndarray  # (K,) float in [0, 1]


def steps_per_bin(px_per_step: float) -> int:
    """Merge steps until one bin is at least one pixel wide."""
    return max(1, int(np.ceil(1.0 / px_per_step)))


def _binned(part: np.ndarray, size: int, reduce: str) -> np.ndarray:
    """``part`` reduced over bins of ``size`` steps along axis 0 (max or nanmax)."""
    if size == 1:
        return part
    pad = (-len(part)) % size
    if pad:
        fill = np.zeros((pad, *part.shape[1:]), part.dtype)
        if reduce == "nanmax":
            fill[...] = np.nan
        part = np.concatenate([part, fill])
    shaped = part.reshape(-1, size, *part.shape[1:])
    if reduce == "nanmax":
        all_nan = np.isnan(shaped).all(axis=1)
        filled = np.where(np.isnan(shaped), -np.inf, shaped).max(axis=1)
        return np.where(all_nan, np.nan, filled)
    return shaped.max(axis=1)


def visible_runs(notes: np.ndarray, probs: np.ndarray, t0: int, t1: int, size: int) -> Runs:
    """Note runs of ``notes (T, 88)`` between steps t0 and t1, on a grid of ``size``-step
    bins; ``strength`` is the mean of the (binned, max) probability over each run."""
    t0, t1 = max(0, t0), min(len(notes), t1)
    if t1 <= t0:
        empty = np.zeros(0, np.int64)
        return Runs(empty, empty, empty, np.zeros(0, np.float32))
    on = _binned(notes[t0:t1], size, "max")  # (B, 88) bool
    p = _binned(probs[t0:t1] * notes[t0:t1], size, "max")  # sounding notes' probability
    edges = np.diff(on.astype(np.int8), axis=0, prepend=0, append=0).T  # (88, B+1)
    key, start = np.nonzero(edges == 1)
    _, stop = np.nonzero(edges == -1)
    cumulative = np.concatenate([np.zeros((1, on.shape[1])), np.cumsum(p, axis=0)])  # (B+1, 88)
    strength = (cumulative[stop, key] - cumulative[start, key]) / (stop - start)
    return Runs(key, t0 + start * size, (stop - start) * size, strength.astype(np.float32))


def lane_envelope(
    values: np.ndarray, t0: int, t1: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """A lane ``(T,)`` on screen: the first step of each bin and its largest value (NaN
    where the lane has no value, e.g. disagreement of a single candidate)."""
    t0, t1 = max(0, t0), min(len(values), t1)
    if t1 <= t0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    peaks = _binned(values[t0:t1].astype(np.float32), size, "nanmax")
    return t0 + np.arange(len(peaks)) * size, peaks
