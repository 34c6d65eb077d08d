"""Listening to a MIDI keyboard phrase by phrase, for continuing and answering a player.

One :class:`Listener` holds the input's callback for the whole session and hands each
message to the phrase being recorded (a :class:`~musevae.playback.record.PhraseRecorder`),
so moving from one phrase to the next swaps a reference under a lock and never leaves a
moment without a callback, when rtmidi would queue a message nobody reads. A phrase ends
after a chosen silence (every key up for that long), at ``max_steps``, when asked to
stop, or when the keyboard goes away, whose held notes then end where it was lost.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from musevae.data.pianoroll import PianoRoll
from musevae.playback.output import MidiPortError
from musevae.playback.player import Player
from musevae.playback.ports import RtMidiInput
from musevae.playback.record import PhraseRecorder

POLL_SECONDS = 0.002  # how often the silence is looked at: part of the answer's latency
CHECK_SECONDS = 0.25  # how often the keyboard's port is looked for in the port list


@dataclasses.dataclass(frozen=True)
class Phrase:
    """A phrase the player played, on the step grid."""

    roll: PianoRoll  # up to the end of its last note
    ended_at: float | None  # perf_counter time the silence was complete; None if not
    lost: bool = False  # the keyboard went away during it


class Listener:
    """Feeds one input's messages to the phrase being recorded (thread-safe)."""

    def __init__(self, source: RtMidiInput) -> None:
        self.source = source
        self._recorder: PhraseRecorder | None = None
        self._lock = threading.Lock()
        self.on_message: Callable[[float, Sequence[int]], None] = lambda when, message: None
        source.listen(self._feed)

    def _feed(self, when: float, message: Sequence[int]) -> None:
        with self._lock:
            recorder = self._recorder
        if recorder is not None:
            recorder.feed(when, message)
        self.on_message(when, message)

    def start(
        self, steps: int, *, bpm: float, step_beats: float, downbeat: float | None = None
    ) -> PhraseRecorder:
        """Begin recording a new phrase (the previous one stops receiving); its step 0 is
        ``downbeat`` (after a count-in), else the first note-on."""
        recorder = PhraseRecorder(steps, bpm=bpm, step_beats=step_beats, downbeat=downbeat)
        with self._lock:
            self._recorder = recorder
        return recorder

    def phrase(
        self, recorder: PhraseRecorder, *, silence: float, stop: threading.Event | None = None
    ) -> Phrase:
        """Wait for ``recorder``'s phrase to end after ``silence`` seconds with every key
        up (or its steps to pass, ``stop``, or the keyboard to vanish)."""
        stop = stop or threading.Event()
        checked = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            quiet = recorder.silence(now)
            if quiet >= silence:
                return Phrase(recorder.phrase(), recorder.last_release + silence)
            if recorder.finished(now):
                return Phrase(recorder.roll(now), now)
            if now - checked >= CHECK_SECONDS:
                checked = now
                try:
                    self.source.check()
                except MidiPortError:
                    recorder.release_all(now)
                    return Phrase(recorder.phrase(), None, lost=True)
            time.sleep(POLL_SECONDS)
        return Phrase(recorder.phrase(), None)


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One round of call and response."""

    call: Phrase
    answer: PianoRoll
    answer_sent: float  # perf_counter time the answer began to play


def call_and_response(
    listener: Listener,
    player: Player,
    respond: Callable[[PianoRoll], PianoRoll],
    *,
    bpm: float,
    step_beats: float,
    silence: float,
    max_steps: int = 256,
    stop: threading.Event | None = None,
) -> Iterator[Exchange]:
    """Listen; when the player's phrase ends after ``silence`` s, play ``respond(phrase)``
    through ``player`` and yield the exchange; listen again, until ``stop`` or the
    keyboard goes away. The next phrase is recorded from the moment the answer starts,
    so notes played over the answer are kept."""
    stop = stop or threading.Event()
    recorder = listener.start(max_steps, bpm=bpm, step_beats=step_beats)
    while not stop.is_set():
        call = listener.phrase(recorder, silence=silence, stop=stop)
        if call.lost or len(call.roll) == 0:
            return
        answer = respond(call.roll)
        recorder = listener.start(max_steps, bpm=bpm, step_beats=step_beats)
        sent = time.perf_counter()
        player.play(answer, bpm=bpm, step_beats=step_beats)
        yield Exchange(call, answer, sent)
        while not player.wait(0.05) and not stop.is_set():
            pass
