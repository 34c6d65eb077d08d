"""Recording a phrase from a MIDI keyboard, quantised to the step grid, to prime a model.

Time starts at the first note-on, so the player needs no count-in: that note is step 0.
Every later event snaps to the nearest step at the given tempo; a note covers at least
one step; notes still held at the end last to the end. Notes outside the piano's range
(21..108) are dropped, channels are merged, and a note-on with velocity 0 is a note-off
(running-status keyboards send those).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np

from musevae.data.pianoroll import HIGHEST_NOTE, KEY_COUNT, LOWEST_NOTE, PianoRoll
from musevae.playback.output import NOTE_OFF, NOTE_ON
from musevae.playback.ports import RtMidiInput


class PhraseRecorder:
    """Collects timed MIDI messages into a roll of at most ``steps`` steps (thread-safe)."""

    def __init__(self, steps: int, *, bpm: float, step_beats: float) -> None:
        if steps < 1:
            raise ValueError(f"record at least one step; got {steps}")
        self.steps, self.bpm, self.step_beats = steps, bpm, step_beats
        self.step_seconds = 60.0 / bpm * step_beats
        self.start_time: float | None = None  # the first note-on's arrival
        self._held: dict[int, int] = {}  # note -> start step
        self._notes: list[tuple[int, int, int]] = []  # (note, start, stop) steps
        self._lock = threading.Lock()

    def feed(self, when: float, message: Sequence[int]) -> None:
        """Take one message that arrived at ``when`` (perf_counter seconds)."""
        if len(message) < 3 or message[0] & 0xF0 not in (NOTE_ON, NOTE_OFF):
            return
        note, is_on = message[1], message[0] & 0xF0 == NOTE_ON and message[2] > 0
        with self._lock:
            if self.start_time is None:
                if not is_on:
                    return  # a key released from before recording began
                self.start_time = when
            step = round((when - self.start_time) / self.step_seconds)
            if step >= self.steps:
                return
            if note in self._held:  # a repeated note-on or the note-off ends the note
                start = self._held.pop(note)
                self._notes.append((note, start, max(step, start + 1)))
            if is_on:
                self._held[note] = step

    def finished(self, now: float) -> bool:
        """True once ``steps`` steps have passed since the first note."""
        if self.start_time is None:
            return False
        return now >= self.start_time + self.steps * self.step_seconds

    def roll(self, now: float | None = None) -> PianoRoll:
        """What was played: ``steps`` steps, or up to ``now`` if stopped early (empty
        if no note came)."""
        with self._lock:
            if self.start_time is None:
                length = 0
            elif now is None or self.finished(now):
                length = self.steps
            else:
                length = min(self.steps, int(np.ceil((now - self.start_time) / self.step_seconds)))
            notes = self._notes + [(n, start, length) for n, start in self._held.items()]
        keys = np.zeros((length, KEY_COUNT), dtype=np.bool_)
        for note, start, stop in notes:
            if LOWEST_NOTE <= note <= HIGHEST_NOTE:
                keys[start:stop, note - LOWEST_NOTE] = True
        return PianoRoll(keys, self.step_beats, self.bpm)


def record_phrase(
    source: RtMidiInput,
    steps: int,
    *,
    bpm: float,
    step_beats: float,
    stop: threading.Event | None = None,
) -> PianoRoll:
    """Record from ``source`` until ``steps`` steps after the first note, or until
    ``stop`` is set (then the roll ends where it was stopped)."""
    recorder = PhraseRecorder(steps, bpm=bpm, step_beats=step_beats)
    stop = stop or threading.Event()
    source.listen(recorder.feed)
    while not recorder.finished(time.perf_counter()) and not stop.wait(0.01):
        pass
    return recorder.roll(time.perf_counter())
