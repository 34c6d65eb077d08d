"""Musical controls: how a user steers sampling without retraining the model.

Every control acts in the *model's* key space. The benchmark pieces were all transposed
to C major / C minor, so the model thinks in C; ``key`` moves the output (and a prime)
between the user's key and C, and a key range given by the user is mapped the same way.

Temperature, key range, polyphony cap and held notes act inside each frame's draw, so
the model's emission applies them (``FrameRules``, :mod:`musevae.models.emission`):
under a NADE every one of them conditions the keys drawn after it.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from musevae.data.pianoroll import HIGHEST_NOTE, KEY_COUNT, LOWEST_NOTE
from musevae.models.emission import FrameRules

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclasses.dataclass(frozen=True)
class Controls:
    """How to turn the model's per-key probabilities into notes.

    - ``temperature`` divides the logits (under a NADE every conditional's): below 1
      sharpens (safer, more repetitive music), above 1 flattens (more surprising, more
      notes at random).
    - ``max_polyphony`` caps the keys sounding at once. Independent keys: the most
      probable survive. NADE: keys are drawn in order, and once the cap is reached the
      remaining keys are off.
    - ``lowest_note`` / ``highest_note`` (MIDI numbers) bound the output's key range.
    - ``min_note_steps`` holds every new note for at least this many steps, which
      removes the flicker of one-step notes ("note-hold smoothing"). Held notes win
      over new ones when the polyphony cap bites, so a chord is never cut short by its
      own successor.
    - ``key`` (0 = C ... 11 = B) transposes the output from the model's C to that key,
      by the smallest shift (-5..+6 semitones); ``None`` leaves it as sampled.
    """

    temperature: float = 1.0
    max_polyphony: int | None = None
    lowest_note: int = LOWEST_NOTE
    highest_note: int = HIGHEST_NOTE
    min_note_steps: int = 1
    key: int | None = None

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError(f"temperature must be above 0; got {self.temperature}")
        if self.max_polyphony is not None and self.max_polyphony < 1:
            raise ValueError(f"max polyphony must be at least 1; got {self.max_polyphony}")
        if not LOWEST_NOTE <= self.lowest_note <= self.highest_note <= HIGHEST_NOTE:
            raise ValueError(
                f"key range {self.lowest_note}..{self.highest_note} must lie within "
                f"{LOWEST_NOTE}..{HIGHEST_NOTE} with the lowest note first"
            )
        if self.min_note_steps < 1:
            raise ValueError(f"minimum note length must be at least 1 step; got {self.min_note_steps}")
        if self.key is not None and self.key not in range(12):
            raise ValueError(f"key must be a pitch class 0 (C) .. 11 (B); got {self.key}")

    @property
    def shift(self) -> int:
        """Semitones from the model's C to the requested key (0 without a key)."""
        if self.key is None:
            return 0
        return self.key if self.key <= 6 else self.key - 12

    def allowed_keys(self, device: torch.device | None = None) -> Tensor:
        """Which of the model's 88 keys may sound, given range and transposition.  (88,)"""
        notes = torch.arange(KEY_COUNT, device=device) + LOWEST_NOTE + self.shift
        return (notes >= self.lowest_note) & (notes <= self.highest_note)


def key_name(key: int) -> str:
    """Pitch class 0..11 -> a note name, for menus and file names."""
    return NOTE_NAMES[key % 12]


def frame_rules(controls: Controls, allowed: Tensor) -> FrameRules:
    """The controls that act within each frame, for the model's emission to draw under.

    ``allowed`` is :meth:`Controls.allowed_keys`; when every key may sound it is left out,
    so a control at its neutral setting costs nothing.
    """
    return FrameRules(
        controls.temperature, None if bool(allowed.all()) else allowed, controls.max_polyphony
    )


def held_keys(controls: Controls, hold_left: Tensor) -> Tensor | None:
    """The keys that must sound at this step (``(B, 88)`` bool), or ``None`` without holds.

    ``hold_left (B, 88)`` counts the steps each note must still sound because of
    ``min_note_steps`` (see :func:`update_holds`).
    """
    return None if controls.min_note_steps == 1 else hold_left > 0


def update_holds(
    controls: Controls, notes: Tensor, previous: Tensor, hold_left: Tensor
) -> Tensor:
    """``hold_left`` after the step that sounded ``notes (B, 88)``; ``previous (B, 88)``
    sounded the step before (a key sounding on consecutive steps is one held note)."""
    if controls.min_note_steps == 1:  # nothing is ever held over
        return hold_left
    onsets = notes & ~previous
    hold_left = torch.where(onsets, controls.min_note_steps - 1, (hold_left - 1).clamp_min(0))
    return hold_left * notes
