"""Piano rolls, the benchmark datasets, MIDI files and user MIDI folders."""

from __future__ import annotations

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE, HIGHEST_NOTE, PianoRoll

__all__ = ["KEY_COUNT", "LOWEST_NOTE", "HIGHEST_NOTE", "PianoRoll"]
