"""Recording a phrase from a MIDI keyboard, quantised to the step grid, to prime a model.

Time starts at the first note-on, so the player needs no count-in: that note is step 0.
With a count-in, ``downbeat`` (the one after it, from :class:`~musevae.playback.
metronome.Metronome`) is step 0 instead: a note struck less than half a step early
snaps to step 0, and one struck earlier, during the count-in, is dropped with its
note-off (what is fumbled while counting in is not the phrase).
Every later event snaps to the nearest step at the given tempo; a note covers at least
one step; notes still held at the end last to the end. Notes outside the piano's range
(21..108) are dropped, channels are merged, and a note-on with velocity 0 is a note-off
(running-status keyboards send those).

No note is dropped or doubled on the grid: running status (data bytes with the status
byte left out, several messages in one event) is expanded, and a key struck again
close after itself stays two notes. A roll cannot show two adjacent runs of one key, so
the earlier note is shortened to leave one silent step, or where it is only one step
long, the new one starts a step later.
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

    def __init__(
        self, steps: int, *, bpm: float, step_beats: float, downbeat: float | None = None
    ) -> None:
        if steps < 1:
            raise ValueError(f"record at least one step; got {steps}")
        self.steps, self.bpm, self.step_beats = steps, bpm, step_beats
        self.step_seconds = 60.0 / bpm * step_beats
        self.start_time = downbeat  # step 0: the downbeat given, else the first note-on
        self._dropped: set[int] = set()  # notes struck before step 0, still held
        self._held: dict[int, int] = {}  # note -> start step
        self._notes: list[tuple[int, int, int]] = []  # (note, start, stop) steps
        self._last: dict[int, int] = {}  # note -> index in _notes of its latest run
        self._status = 0  # the running status byte
        self.last_release: float | None = None  # when the last key came up, none held
        self._lock = threading.Lock()

    def feed(self, when: float, message: Sequence[int]) -> None:
        """Take one event that arrived at ``when`` (perf_counter seconds): one message,
        or several under running status."""
        with self._lock:
            for status, data in self._messages(message):
                if status & 0xF0 in (NOTE_ON, NOTE_OFF) and len(data) == 2:
                    self._note(when, data[0], status & 0xF0 == NOTE_ON and data[1] > 0)

    def _messages(self, event: Sequence[int]) -> list[tuple[int, list[int]]]:
        """(status, data bytes) of each channel message in ``event``; others are skipped."""
        found: list[tuple[int, list[int]]] = []
        for byte in event:
            if byte >= 0xF8:
                continue  # real-time bytes may come anywhere and leave the status alone
            if byte >= 0x80:
                self._status = byte if byte < 0xF0 else 0  # system messages cancel it
                if self._status:
                    found.append((byte, []))
            elif self._status:
                if not found or len(found[-1][1]) == _data_bytes(self._status):
                    found.append((self._status, []))
                found[-1][1].append(byte)
        return found

    def _note(self, when: float, note: int, is_on: bool) -> None:
        if self.start_time is None:
            if not is_on:
                return  # a key released from before recording began
            self.start_time = when
        step = round((when - self.start_time) / self.step_seconds)
        if step < 0:  # struck during the count-in: dropped, and its note-off with it
            (self._dropped.add if is_on else self._dropped.discard)(note)
            return
        if note in self._dropped:
            self._dropped.discard(note)
            if not is_on:
                return
        if note in self._held:  # a repeated note-on or the note-off ends the note
            start = self._held.pop(note)
            self._end(note, start, max(step, start + 1))
        if is_on and step < self.steps:
            self._held[note] = self._free_step(note, step)
        elif not self._held and self._notes:  # (not a key held since before step 0)
            self.last_release = when

    def _end(self, note: int, start: int, stop: int) -> None:
        self._last[note] = len(self._notes)
        self._notes.append((note, start, min(stop, self.steps)))

    def _free_step(self, note: int, step: int) -> int:
        """Where a new note of ``note`` can start at or after ``step`` with a silent
        step between it and the note's previous run (shortened when it can be)."""
        if note not in self._last:
            return step
        index = self._last[note]
        _, start, stop = self._notes[index]
        if stop < step:
            return step
        if step - 1 > start:
            self._notes[index] = (note, start, step - 1)
            return step
        self._notes[index] = (note, start, start + 1)
        return start + 2

    def release_all(self, when: float) -> None:
        """End every held note at ``when``: the keyboard is gone, its note-offs never come."""
        with self._lock:
            if self.start_time is None:
                return
            step = round((when - self.start_time) / self.step_seconds)
            for note, start in self._held.items():
                self._end(note, start, max(step, start + 1))
            self._held.clear()
            self.last_release = when

    def silence(self, now: float) -> float:
        """Seconds since the last key came up with none held; 0 while one is held or
        before the first note."""
        with self._lock:
            if self._held or self.last_release is None:
                return 0.0
            return now - self.last_release

    def finished(self, now: float) -> bool:
        """True once ``steps`` steps have passed since step 0."""
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
                steps = int(np.ceil((now - self.start_time) / self.step_seconds))
                length = min(self.steps, max(0, steps))  # none yet during a count-in
            return self._roll(length)

    def phrase(self) -> PianoRoll:
        """What was played, up to the end of its last note (once nothing is held)."""
        with self._lock:
            length = max((stop for _, _, stop in self._notes), default=0)
            if self.start_time is None or length == 0:
                return PianoRoll.empty(0, self.step_beats, self.bpm)
            # the length itself, not a time turned back into steps: (start + 6 * 0.2 -
            # start) / 0.2 rounds up to a seventh, empty step
            return self._roll(length)

    def _roll(self, length: int) -> PianoRoll:
        """The first ``length`` steps, held notes sounding to the end (lock held)."""
        notes = self._notes + [(n, start, length) for n, start in self._held.items()]
        keys = np.zeros((length, KEY_COUNT), dtype=np.bool_)
        for note, start, stop in notes:
            if LOWEST_NOTE <= note <= HIGHEST_NOTE:
                keys[start:stop, note - LOWEST_NOTE] = True
        return PianoRoll(keys, self.step_beats, self.bpm)


def _data_bytes(status: int) -> int:
    """Data bytes of a channel message: program change and channel pressure have one."""
    return 1 if status & 0xF0 in (0xC0, 0xD0) else 2


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
