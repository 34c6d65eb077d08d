"""Objective comparisons of generated pieces with real ones.

Each statistic is a normalised histogram pooled over a set of rolls, and two sets are
compared by total-variation distance: half the L1 distance between the histograms, 0 for
identical statistics and 1 for disjoint ones. It needs no smoothing (unlike KL) and reads
as "the share of mass that would have to move".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from musevae.data.pianoroll import LOWEST_NOTE, PianoRoll

MAX_POLYPHONY_BIN = 12  # the last bin holds "12 or more keys at once"
MAX_LENGTH_BIN = 32  # the last bin holds "32 steps or longer"


def polyphony_histogram(rolls: Sequence[PianoRoll]) -> np.ndarray:
    """Share of steps with 0, 1, ..., 12+ keys sounding.  (13,)"""
    counts = np.concatenate([roll.polyphony for roll in rolls])
    return _normalise(np.bincount(np.minimum(counts, MAX_POLYPHONY_BIN), minlength=MAX_POLYPHONY_BIN + 1))


def pitch_class_histogram(rolls: Sequence[PianoRoll]) -> np.ndarray:
    """Share of notes (onsets) on C, C#, ..., B.  (12,)"""
    keys = np.concatenate([roll.note_runs()[:, 0] for roll in rolls])
    return _normalise(np.bincount((keys + LOWEST_NOTE) % 12, minlength=12))


def note_length_histogram(rolls: Sequence[PianoRoll]) -> np.ndarray:
    """Share of notes lasting 1, 2, ..., 32+ steps.  (32,)"""
    lengths = np.concatenate([roll.note_runs()[:, 2] for roll in rolls])
    clipped = np.minimum(lengths, MAX_LENGTH_BIN) - 1
    return _normalise(np.bincount(clipped, minlength=MAX_LENGTH_BIN))


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Half the L1 distance between two normalised histograms, in [0, 1]."""
    return float(0.5 * np.abs(p - q).sum())


@dataclasses.dataclass(frozen=True)
class SampleComparison:
    """Distances between generated and reference pieces (0 = same statistics)."""

    polyphony: float
    pitch_class: float
    note_length: float
    generated_mean_polyphony: float
    reference_mean_polyphony: float


def compare(generated: Sequence[PianoRoll], reference: Sequence[PianoRoll]) -> SampleComparison:
    """How far the generated pieces' statistics lie from the reference set's."""
    if not generated or not reference:
        raise ValueError("need at least one generated and one reference piece")
    return SampleComparison(
        polyphony=total_variation(polyphony_histogram(generated), polyphony_histogram(reference)),
        pitch_class=total_variation(pitch_class_histogram(generated), pitch_class_histogram(reference)),
        note_length=total_variation(note_length_histogram(generated), note_length_histogram(reference)),
        generated_mean_polyphony=_mean_polyphony(generated),
        reference_mean_polyphony=_mean_polyphony(reference),
    )


def _mean_polyphony(rolls: Sequence[PianoRoll]) -> float:
    frames = sum(len(roll) for roll in rolls)
    return float(sum(roll.keys.sum() for roll in rolls) / max(frames, 1))


def _normalise(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else counts.astype(np.float64)
