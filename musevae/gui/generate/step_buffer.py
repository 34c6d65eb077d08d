"""Streamed generation steps gathered into arrays that grow without copying each step.

The sampler yields one ``(N, 88)`` frame at a time; views need ``(T, 88)`` slices of a
candidate at any moment. Capacity doubles when full, so appending is amortised O(1) and
a 10,000-step piece costs a few dozen copies, not 10,000. Qt-free.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from musevae.data.pianoroll import KEY_COUNT, PianoRoll

if TYPE_CHECKING:  # the sampler imports torch, which the window must not wait for
    from musevae.generate.sampler import GeneratedStep, Generation

LANES = ("entropy", "latent_spread", "disagreement")


@dataclasses.dataclass(frozen=True)
class Passage:
    """Steps ``[start, start + len(notes))`` of candidate ``candidate``: notes and probs
    ``(L, 88)``, and the lanes ``(L,)`` it sets (a lane left out keeps its values).

    An edit on the roll or a regenerated passage is one Passage written over the
    buffer; the Passage read back first is its undo."""

    candidate: int
    start: int
    notes: np.ndarray
    probs: np.ndarray
    lanes: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def stop(self) -> int:
        return self.start + len(self.notes)


class StepBuffer:
    """Notes, probabilities and uncertainty lanes of N candidates, step by step."""

    def __init__(self, n: int, capacity: int = 256) -> None:
        self.n = n
        self.steps = 0
        self.notes = np.zeros((n, capacity, KEY_COUNT), bool)
        self.probs = np.zeros((n, capacity, KEY_COUNT), np.float32)
        self.lanes = {name: np.full((n, capacity), np.nan, np.float32) for name in LANES}
        self.has_lane = dict.fromkeys(LANES, False)

    def append(self, step: GeneratedStep) -> None:
        if self.steps == self.notes.shape[1]:
            self._grow()
        t = self.steps
        self.notes[:, t] = step.notes
        self.probs[:, t] = step.probs
        for name in LANES:
            value = getattr(step, name)
            if value is not None:
                self.lanes[name][:, t] = value  # a float broadcasts over candidates
                self.has_lane[name] = True
        self.steps += 1

    def _grow(self) -> None:
        def doubled(array: np.ndarray, fill: object) -> np.ndarray:
            extra = np.full_like(array, fill)
            return np.concatenate([array, extra], axis=1)

        self.notes = doubled(self.notes, False)
        self.probs = doubled(self.probs, 0.0)
        self.lanes = {name: doubled(lane, np.nan) for name, lane in self.lanes.items()}

    # --- passages: edits over steps already sampled ----------------------------------
    def read(self, c: int, start: int, stop: int, lanes: tuple[str, ...] = ()) -> Passage:
        """A copy of candidate ``c``'s steps ``[start, stop)`` with the named lanes."""
        if not 0 <= start <= stop <= self.steps:
            raise ValueError(f"steps {start}:{stop} are not within the {self.steps} sampled")
        return Passage(
            c, start, self.notes[c, start:stop].copy(), self.probs[c, start:stop].copy(),
            {name: self.lanes[name][c, start:stop].copy() for name in lanes},
        )  # fmt: skip

    def write(self, passage: Passage) -> Passage:
        """Write ``passage`` over the steps it covers; returns what was there (its undo)."""
        p = passage
        old = self.read(p.candidate, p.start, p.stop, tuple(p.lanes))
        self.notes[p.candidate, p.start : p.stop] = p.notes
        self.probs[p.candidate, p.start : p.stop] = p.probs
        for name, values in p.lanes.items():
            self.lanes[name][p.candidate, p.start : p.stop] = values
            self.has_lane[name] = self.has_lane[name] or bool(np.isfinite(values).any())
        return old

    # --- views of one candidate (no copies) ------------------------------------------
    def candidate_notes(self, c: int) -> np.ndarray:
        return self.notes[c, : self.steps]  # (T, 88)

    def candidate_probs(self, c: int) -> np.ndarray:
        return self.probs[c, : self.steps]  # (T, 88)

    def candidate_lanes(self, c: int) -> dict[str, np.ndarray]:
        """The measures this model produced, each ``(T,)``; absent ones are left out."""
        return {
            name: self.lanes[name][c, : self.steps] for name in LANES if self.has_lane[name]
        }

    def roll(self, c: int, step_beats: float, tempo: float) -> PianoRoll:
        return PianoRoll(self.candidate_notes(c).copy(), step_beats, tempo)

    def generation(
        self, seed: int, step_beats: float, tempo: float, prime: PianoRoll | None = None
    ) -> Generation:
        """The steps so far as a ``musevae.generate.Generation`` (for export)."""
        from musevae.generate.sampler import Generation

        t = self.steps
        spread = self.lanes["latent_spread"][:, :t] if self.has_lane["latent_spread"] else None
        disagreement = (
            self.lanes["disagreement"][0, :t].astype(np.float64)
            if self.has_lane["disagreement"]
            else None
        )
        return Generation(
            rolls=[self.roll(c, step_beats, tempo) for c in range(self.n)],
            probs=self.probs[:, :t].copy(),
            entropy=self.lanes["entropy"][:, :t].copy(),
            latent_spread=None if spread is None else spread.copy(),
            disagreement=disagreement,
            seed=seed,
            prime=prime,
        )
