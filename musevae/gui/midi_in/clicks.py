"""Metronome clicks with the built-in sound: the output interface the core metronome
talks to, turned into short sounds played by QtMultimedia.

Built-in sound has no MIDI synth to take live notes (it plays a rendered WAV), so each
drum note-on the metronome sends plays one of two tiny click samples through a
QSoundEffect, which is made for short, low-latency sounds. ``send`` runs on the
metronome's thread; a queued signal carries the click to the GUI thread, where Qt's
audio objects live. Where the audio stack cannot load (``audio_problem``) the clicks
are silent and the count-in still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QUrl, Signal

from musevae.gui.playback.audio import audio_problem
from musevae.playback.metronome import ACCENT, BEAT, DRUMS
from musevae.playback.output import NOTE_ON, MidiOutput
from musevae.playback.wav import write_wav

SAMPLE_RATE = 44_100
PITCH_HZ = {ACCENT: 1760.0, BEAT: 1320.0}  # the accent a fourth above the other beats
CLICK_SECONDS, DECAY_SECONDS = 0.03, 0.006


def click_wave(hz: float) -> np.ndarray:
    """A 30 ms sine burst that dies away within a few ms, like a wood block's tick."""
    t = np.arange(round(CLICK_SECONDS * SAMPLE_RATE)) / SAMPLE_RATE
    return 0.8 * np.sin(2 * np.pi * hz * t) * np.exp(-t / DECAY_SECONDS)


class SoundClicks(MidiOutput):
    """A MidiOutput whose drum note-ons (ACCENT, BEAT) are played as clicks."""

    def __init__(self, folder: Path, parent: QObject) -> None:
        self.problem = audio_problem()  # None where clicks can sound
        self.sounds = _Sounds(folder, self.problem is None, parent)

    def send(self, message: Sequence[int]) -> None:
        if message[0] == NOTE_ON | DRUMS and message[2] > 0 and message[1] in PITCH_HZ:
            self.sounds.struck.emit(message[1])


class _Sounds(QObject):
    """``struck(note)`` plays that note's click (on the thread this object lives in)."""

    struck = Signal(int)

    def __init__(self, folder: Path, audible: bool, parent: QObject) -> None:
        super().__init__(parent)
        self._effects: dict[int, Any] = {}  # note -> QSoundEffect
        if audible:
            from PySide6.QtMultimedia import QSoundEffect

            for note, hz in PITCH_HZ.items():
                path = folder / f"click-{note}.wav"
                write_wav(path, click_wave(hz), SAMPLE_RATE)
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                self._effects[note] = effect
        self.struck.connect(self._play)

    def _play(self, note: int) -> None:
        if note in self._effects:
            self._effects[note].play()
