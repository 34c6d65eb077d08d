"""The piece on screen: candidates as they are sampled, and which one is shown.

Views subscribe to the signals and read the arrays; only the generate session writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from musevae.data.pianoroll import PianoRoll
from musevae.gui.generate.step_buffer import Passage, StepBuffer

if TYPE_CHECKING:
    from musevae.generate.sampler import GeneratedStep, Generation


class GenerationState(QObject):
    """``started`` when a new piece begins, ``grown(steps)`` per sampled step,
    ``candidateChanged(index)``, ``runningChanged(bool)``, and ``edited(start, stop)``
    when steps already sampled change (a note drawn, a passage regenerated, an undo)."""

    started = Signal()
    grown = Signal(int)
    edited = Signal(int, int)
    candidateChanged = Signal(int)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.buffer: StepBuffer | None = None
        self.candidate = 0
        self.seed = 0
        self.step_beats = 0.5
        self.prime: PianoRoll | None = None
        self.model = ""  # the name of the model that made the piece, and its card
        self.card: Path | None = None
        self.running = False

    # --- writing (the generate session) ------------------------------------------------
    def begin(
        self,
        n: int,
        seed: int,
        step_beats: float,
        prime: PianoRoll | None,
        model: str = "",
        card: Path | None = None,
    ) -> None:
        self.buffer = StepBuffer(n)
        self.seed, self.step_beats, self.prime = seed, step_beats, prime
        self.model, self.card = model, card
        self.candidate = 0
        self.started.emit()
        self.candidateChanged.emit(0)

    def add(self, step: GeneratedStep) -> None:
        if self.buffer is None:
            raise RuntimeError("add() before begin()")
        self.buffer.append(step)
        self.grown.emit(self.buffer.steps)

    def write(self, passage: Passage) -> Passage:
        """Write ``passage`` over its candidate's steps, showing that candidate (an undo
        of an edit made in candidate 2 is seen happening); returns what it replaced."""
        if self.buffer is None:
            raise RuntimeError("write() before begin()")
        old = self.buffer.write(passage)
        self.set_candidate(passage.candidate)
        self.edited.emit(passage.start, passage.stop)
        return old

    def set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.runningChanged.emit(running)

    def set_candidate(self, index: int) -> None:
        if self.buffer is None or not 0 <= index < self.buffer.n:
            return
        if index != self.candidate:
            self.candidate = index
            self.candidateChanged.emit(index)

    # --- reading (views, transport, export) -----------------------------------------
    @property
    def steps(self) -> int:
        return 0 if self.buffer is None else self.buffer.steps

    @property
    def candidates(self) -> int:
        return 0 if self.buffer is None else self.buffer.n

    def notes(self) -> np.ndarray:
        """The shown candidate's ``(T, 88)`` notes (empty before the first piece)."""
        if self.buffer is None:
            return np.zeros((0, 88), bool)
        return self.buffer.candidate_notes(self.candidate)

    def probs(self) -> np.ndarray:
        if self.buffer is None:
            return np.zeros((0, 88), np.float32)
        return self.buffer.candidate_probs(self.candidate)

    def passage(self, start: int, stop: int, lanes: tuple[str, ...] = ()) -> Passage:
        """A copy of the shown candidate's steps ``[start, stop)``."""
        if self.buffer is None:
            raise RuntimeError("nothing generated yet")
        return self.buffer.read(self.candidate, start, stop, lanes)

    def lanes(self) -> dict[str, np.ndarray]:
        return {} if self.buffer is None else self.buffer.candidate_lanes(self.candidate)

    def key_range(self) -> tuple[int, int] | None:
        """Lowest and highest MIDI note any candidate plays (None before any note)."""
        if self.buffer is None:
            return None
        used = np.flatnonzero(self.buffer.notes[:, : self.steps].any(axis=(0, 1)))
        return None if used.size == 0 else (int(used[0]) + 21, int(used[-1]) + 21)

    def roll(self, tempo: float, candidate: int | None = None) -> PianoRoll:
        """Candidate ``candidate`` (the shown one by default) as a piano roll at ``tempo``
        BPM; a candidate's tab can be dragged out without being shown."""
        if self.buffer is None:
            return PianoRoll.empty(0, self.step_beats, tempo)
        c = self.candidate if candidate is None else candidate
        if not 0 <= c < self.buffer.n:
            raise IndexError(f"no candidate {c + 1} of {self.buffer.n}")
        return self.buffer.roll(c, self.step_beats, tempo)

    def generation(self, tempo: float) -> Generation:
        if self.buffer is None:
            raise RuntimeError("nothing generated yet")
        return self.buffer.generation(self.seed, self.step_beats, tempo, self.prime)
