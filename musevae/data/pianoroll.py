"""The piano roll: the one representation of music every part of musevae shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

LOWEST_NOTE = 21  # A0, key 0 of the roll
HIGHEST_NOTE = 108  # C8, key 87 of the roll
KEY_COUNT = HIGHEST_NOTE - LOWEST_NOTE + 1  # 88


@dataclass(frozen=True, eq=False)
class PianoRoll:
    """A ``(T, 88)`` boolean grid of sounding keys; key 0 is MIDI note 21.

    ``step_beats`` is the length of one step in quarter-note beats (0.5 = an eighth note)
    and ``tempo`` is in beats per minute, so a roll alone is enough to write a MIDI file.
    The array is stored read-only: rolls are shared between datasets, views and players,
    and an in-place edit in one place must not silently change the others.
    """

    keys: np.ndarray
    step_beats: float = 0.5
    tempo: float = 120.0

    def __post_init__(self) -> None:
        keys = np.asarray(self.keys)
        if keys.ndim != 2 or keys.shape[1] != KEY_COUNT:
            raise ValueError(f"a piano roll is (T, {KEY_COUNT}); got shape {keys.shape}")
        if keys.dtype != np.bool_:
            if not np.isin(keys, (0, 1)).all():
                raise ValueError("a piano roll holds only 0/1 (or bool) values")
            keys = keys.astype(np.bool_)
        elif not keys.flags.c_contiguous or keys.flags.writeable:
            keys = np.array(keys, dtype=np.bool_, copy=True)
        keys.flags.writeable = False
        if not (self.step_beats > 0 and np.isfinite(self.step_beats)):
            raise ValueError(f"step_beats must be a positive number; got {self.step_beats}")
        if not (self.tempo > 0 and np.isfinite(self.tempo)):
            raise ValueError(f"tempo must be a positive number of BPM; got {self.tempo}")
        object.__setattr__(self, "keys", keys)

    # --- construction -------------------------------------------------------------
    @classmethod
    def empty(cls, steps: int, step_beats: float = 0.5, tempo: float = 120.0) -> PianoRoll:
        return cls(np.zeros((steps, KEY_COUNT), dtype=np.bool_), step_beats, tempo)

    @classmethod
    def from_notes(
        cls,
        steps: Iterable[Iterable[int | float]],
        step_beats: float = 0.5,
        tempo: float = 120.0,
    ) -> PianoRoll:
        """Build from per-step lists of MIDI note numbers (the benchmark pickles' layout).

        Notes may be ints or integral floats; anything outside 21..108 or non-integral is
        an error, because silently dropping notes would change a benchmark's likelihood.
        """
        rows = [list(step) for step in steps]
        keys = np.zeros((len(rows), KEY_COUNT), dtype=np.bool_)
        for t, notes in enumerate(rows):
            for note in notes:
                number = int(note)
                if number != note:
                    raise ValueError(f"step {t}: note {note!r} is not a whole number")
                if not LOWEST_NOTE <= number <= HIGHEST_NOTE:
                    raise ValueError(
                        f"step {t}: note {number} is outside the piano range "
                        f"{LOWEST_NOTE}..{HIGHEST_NOTE}"
                    )
                keys[t, number - LOWEST_NOTE] = True
        return cls(keys, step_beats, tempo)

    def to_notes(self) -> list[list[int]]:
        """Per-step lists of sounding MIDI note numbers (inverse of :meth:`from_notes`)."""
        return [(np.flatnonzero(row) + LOWEST_NOTE).tolist() for row in self.keys]

    # --- basic properties -----------------------------------------------------------
    def __len__(self) -> int:
        return int(self.keys.shape[0])

    @property
    def seconds_per_step(self) -> float:
        return 60.0 / self.tempo * self.step_beats

    @property
    def duration_seconds(self) -> float:
        return len(self) * self.seconds_per_step

    @property
    def polyphony(self) -> np.ndarray:
        """Number of sounding keys at each step, shape ``(T,)``."""
        return self.keys.sum(axis=1)

    def note_runs(self) -> np.ndarray:
        """Every note as ``(key, start step, length in steps)``, ordered by key then start.

        A key sounding on consecutive steps is one held note, the convention the MIDI
        writer and the player share.  (K, 3) int64
        """
        edges = np.diff(self.keys.astype(np.int8), axis=0, prepend=0, append=0).T  # (88, T+1)
        key, start = np.nonzero(edges == 1)
        _, stop = np.nonzero(edges == -1)
        return np.stack([key, start, stop - start], axis=1).astype(np.int64)

    def key_range(self) -> tuple[int, int] | None:
        """Lowest and highest MIDI note that sounds anywhere, or None for silence."""
        used = np.flatnonzero(self.keys.any(axis=0))
        if used.size == 0:
            return None
        return int(used[0]) + LOWEST_NOTE, int(used[-1]) + LOWEST_NOTE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PianoRoll):
            return NotImplemented
        return (
            self.step_beats == other.step_beats
            and self.tempo == other.tempo
            and np.array_equal(self.keys, other.keys)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking value type: no hashing

    def __reduce__(self) -> tuple[type[PianoRoll], tuple[np.ndarray, float, float]]:
        """Pickle (to worker processes) through ``__init__``, so the copy is read-only too."""
        return PianoRoll, (self.keys, self.step_beats, self.tempo)

    # --- editing helpers (all return new rolls) ---------------------------------------
    def __getitem__(self, index: slice) -> PianoRoll:
        if not isinstance(index, slice):
            raise TypeError("index a PianoRoll with a slice of steps, e.g. roll[16:32]")
        return self.with_keys(self.keys[index])

    def with_keys(self, keys: np.ndarray) -> PianoRoll:
        """A roll with the same timing and other keys."""
        return PianoRoll(keys, self.step_beats, self.tempo)

    def transpose(self, semitones: int, *, clip: bool = False) -> PianoRoll:
        """Shift every note by ``semitones``.

        Notes pushed off the keyboard are an error unless ``clip`` drops them, so that
        data augmentation never changes a piece without saying so.
        """
        if semitones == 0:
            return self
        shifted = np.zeros_like(self.keys)
        if semitones > 0:
            lost = self.keys[:, KEY_COUNT - semitones :].any()
            shifted[:, semitones:] = self.keys[:, : KEY_COUNT - semitones]
        else:
            lost = self.keys[:, :-semitones].any()
            shifted[:, :semitones] = self.keys[:, -semitones:]
        if lost and not clip:
            raise ValueError(f"transposing by {semitones} moves notes off the keyboard")
        return self.with_keys(shifted)

    def transpose_range(self) -> tuple[int, int]:
        """The smallest and largest shift that keeps every note on the keyboard."""
        span = self.key_range()
        if span is None:
            return -(KEY_COUNT - 1), KEY_COUNT - 1
        return LOWEST_NOTE - span[0], HIGHEST_NOTE - span[1]

    @staticmethod
    def concatenate(rolls: Sequence[PianoRoll]) -> PianoRoll:
        """Join rolls end to end; they must share step length and tempo."""
        if not rolls:
            raise ValueError("nothing to concatenate")
        first = rolls[0]
        for roll in rolls[1:]:
            if roll.step_beats != first.step_beats or roll.tempo != first.tempo:
                raise ValueError("concatenated rolls must share step_beats and tempo")
        return first.with_keys(np.concatenate([r.keys for r in rolls], axis=0))
