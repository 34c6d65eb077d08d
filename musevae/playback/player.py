"""The player: sends a piano roll (or an endless stream of steps) to a MIDI output on time.

Scheduling runs on its own thread against absolute times: step ``k`` is due at
``anchor + (k - anchor_step) * seconds_per_step``, so lateness never accumulates; the
anchor moves only when the tempo changes (from the next step on), after a pause or a
seek, or when playback fell a whole step behind (counted in ``late_steps``; catching up
in a burst would sound worse than a gap). :class:`Transport` does the precise waiting
(a sleep, then a 1 ms spin) and lets pause, seek and stop interrupt it at once.

Hooks are plain attributes the GUI may replace; they run on the scheduler thread, so
they must be quick. Every way out of playback - the end, ``stop``, a hook that raises,
a port that fails or vanishes, interpreter exit - goes through :class:`Voices`, which
sends every sounding note its note-off and CC 123 to every channel used.
"""

from __future__ import annotations

import enum
import threading
import time
import weakref
from collections.abc import Callable, Iterable

import numpy as np

from musevae.data.pianoroll import PianoRoll
from musevae.playback.frames import INTERRUPTED, Frames, RollFrames, StreamFrames, midi_notes
from musevae.playback.output import MidiOutput
from musevae.playback.transport import Command, Transport
from musevae.playback.voices import Voices, VoicesClosed

LEAD_SECONDS = 0.005  # the first step is due this long after play(): time to start up
CHECK_SECONDS = 0.5  # how often to ask the output whether its port still exists
STOP_JOIN_SECONDS = 2.0


class StopReason(enum.Enum):
    FINISHED = "finished"  # reached the end of the roll or of the stream
    STOPPED = "stopped"  # stop() or close()
    ERROR = "error"  # the port failed or vanished, or a hook raised: see Player.error


def _nothing(*_: object) -> None:
    pass


class Player:
    """Plays on ``output``: ``play``, ``pause``/``resume``, ``seek``, ``stop``, ``close``.

    ``bpm`` and ``step_beats`` time a stream; a roll plays at its own tempo and step
    unless :meth:`play` is told otherwise. ``program`` (General MIDI, 0 = piano) is sent
    before the first step unless ``None``. ``channel`` is 0..15.
    """

    def __init__(
        self,
        output: MidiOutput,
        *,
        bpm: float = 120.0,
        step_beats: float = 0.25,
        channel: int = 0,
        program: int | None = 0,
        velocity: int = 80,
        lookahead: int = 16,
    ) -> None:
        if not 0 <= channel <= 15:
            raise ValueError(f"MIDI channel must be 0..15; got {channel}")
        if not 1 <= velocity <= 127:
            raise ValueError(f"velocity must be 1..127; got {velocity}")
        if program is not None and not 0 <= program <= 127:
            raise ValueError(f"program must be 0..127; got {program}")
        self.on_step: Callable[[int], None] = _nothing
        self.on_finish: Callable[[], None] = _nothing
        self.on_error: Callable[[BaseException], None] = _nothing
        self._channel, self.program, self.velocity = channel, program, velocity
        self.lookahead = lookahead
        self.stop_reason: StopReason | None = None
        self.error: BaseException | None = None
        self.late_steps = 0  # times playback fell a whole step behind and re-anchored
        self.last_due: float | None = None  # perf_counter time the last step was due
        self._voices = Voices(output)
        self._finalizer = weakref.finalize(self, self._voices.close)  # also runs at exit
        self._transport = Transport()  # a new one for each play
        self._thread: threading.Thread | None = None
        self._position = 0
        self._length: int | None = None  # steps in the roll; None for a stream
        self._set_timing(bpm, step_beats)

    # --- settings ---------------------------------------------------------------------
    @property
    def bpm(self) -> float:
        return self._bpm

    @bpm.setter
    def bpm(self, value: float) -> None:
        """Change the tempo; it applies from the next step boundary."""
        if not (value > 0 and np.isfinite(value)):
            raise ValueError(f"tempo must be a positive number of BPM; got {value}")
        self._bpm = float(value)

    def _set_timing(self, bpm: float, step_beats: float) -> None:
        if not (step_beats > 0 and np.isfinite(step_beats)):
            raise ValueError(f"step_beats must be a positive number; got {step_beats}")
        self.bpm = bpm
        self._step_beats = float(step_beats)

    @property
    def step_seconds(self) -> float:
        return 60.0 / self._bpm * self._step_beats

    @property
    def channel(self) -> int:
        """Fixed for the player's life: notes left on an old channel would hang there."""
        return self._channel

    @property
    def output(self) -> MidiOutput:
        return self._voices.output

    @property
    def state(self) -> str:
        """``"playing"``, ``"paused"`` or ``"stopped"``."""
        return self._transport.state

    @property
    def position(self) -> int:
        """The step now sounding (or where playback will resume)."""
        return self._position

    def sounding(self) -> dict[int, set[int]]:
        """MIDI notes sounding now, per channel."""
        return self._voices.sounding()

    # --- transport --------------------------------------------------------------------
    def play(
        self,
        music: PianoRoll | Iterable[np.ndarray],
        *,
        loop: bool = False,
        start: int = 0,
        bpm: float | None = None,
        step_beats: float | None = None,
    ) -> None:
        """Start playing (stopping whatever played before).

        ``music`` is a roll, or any iterable of ``(88,)`` bool frames such as
        :func:`~musevae.playback.endless.sampled_frames` of the sampler; a stream is
        read through a :class:`LookAhead` of ``lookahead`` steps and closed at the end.
        """
        if not self._finalizer.alive:
            raise RuntimeError("this player was closed; make a new one")
        self.stop()
        if isinstance(music, PianoRoll):
            if not 0 <= start <= len(music):
                raise ValueError(f"start step {start} is outside the roll (0..{len(music)})")
            bpm = music.tempo if bpm is None else bpm
            step_beats = music.step_beats if step_beats is None else step_beats
        elif loop or start:
            raise ValueError("a stream plays once from its start; loop and start need a roll")
        self._set_timing(
            self._bpm if bpm is None else bpm,
            self._step_beats if step_beats is None else step_beats,
        )
        frames: Frames
        if isinstance(music, PianoRoll):
            self._length, frames = len(music), RollFrames(music)
        else:
            self._length, frames = None, StreamFrames(music, self.lookahead)
        self.stop_reason, self.error = None, None
        self._position, self.late_steps = start, 0
        self._transport = Transport("playing")
        self._thread = threading.Thread(
            target=self._run,
            args=(frames, loop, start, self._transport),
            name="musevae-player",
            daemon=True,
        )
        self._thread.start()

    def pause(self) -> None:
        """Silence and hold the position; :meth:`resume` continues from there."""
        self._transport.request(pause=True)

    def resume(self) -> None:
        self._transport.request(pause=False)

    def seek(self, step: int) -> None:
        """Jump to ``step`` of the roll (notes sounding there are struck afresh)."""
        if self._length is None:
            raise ValueError("a stream cannot seek; only a roll has positions")
        if not 0 <= step < self._length:
            raise ValueError(f"step {step} is outside the roll (0..{self._length - 1})")
        self._position = step
        self._transport.request(seek=step)

    def stop(self) -> None:
        """Stop and silence; returns once every note is off. From a hook it only asks:
        the silence follows as soon as the hook returns."""
        self._transport.request(stop=True)
        if self._thread is threading.current_thread():
            return
        if not self._transport.ended.wait(STOP_JOIN_SECONDS):  # stuck in a hook: silence now
            self._voices.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback has ended and its hooks have run; True if it has.

        An event rather than ``Thread.join``: a join interrupted by Ctrl-C can leave
        CPython believing the thread ended when it did not (seen on 3.11).
        """
        if self._thread is threading.current_thread():
            return False
        return self._transport.ended.wait(timeout)

    def close(self) -> None:
        """Stop, silence, and refuse to play again (the output stays open: its owner
        closes it)."""
        self.stop()
        self._finalizer()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the scheduler thread ---------------------------------------------------------
    def _run(self, frames: Frames, loop: bool, start: int, transport: Transport) -> None:
        reason, error = StopReason.FINISHED, None
        try:
            if self.program is not None:
                self._voices.program(self._channel, self.program)
            reason = self._schedule(frames, loop, start, transport)
        except VoicesClosed:
            reason = StopReason.STOPPED
        except Exception as failure:  # a port or a hook: reported, never a crash
            reason, error = StopReason.ERROR, failure
        finally:
            release_error = self._voices.release()
            frames.close()  # after the silence: closing may wait for a model step
            if error is None and release_error is not None:
                reason, error = StopReason.ERROR, release_error
            self.stop_reason, self.error = reason, error
            transport.finish()
            try:
                if error is not None:
                    self.on_error(error)
            finally:
                try:
                    self.on_finish()
                finally:
                    transport.ended.set()

    def _schedule(self, frames: Frames, loop: bool, index: int, transport: Transport) -> StopReason:
        clock = time.perf_counter
        seconds = self.step_seconds
        anchor, anchor_index = clock() + LEAD_SECONDS, index
        last_check = clock()
        held: tuple[int, np.ndarray | None] | None = None  # fetched, not yet played
        while True:
            command = transport.take()
            if command is Command.STOP:
                return StopReason.STOPPED
            if command is not None:  # pause, or a seek target
                self._voices.release()
                if command is Command.PAUSE and not transport.hold_while_paused():
                    return StopReason.STOPPED
                index = index if command is Command.PAUSE else command
                anchor, anchor_index = clock() + LEAD_SECONDS, index
                continue
            if held is None or held[0] != index:
                frame = frames.get(index, transport.pending)
                if frame is INTERRUPTED:
                    continue
                held = (index, frame)
            due = anchor + (index - anchor_index) * seconds
            if not transport.sleep_until(due):
                continue
            frame, held = held[1], None
            if frame is None:
                if not (loop and index > 0):
                    return StopReason.FINISHED
                self._voices.release()  # loop wrap: step 0 follows at once, struck afresh
                index, anchor, anchor_index = 0, due, 0
                continue
            now = clock()
            if now - due > seconds:  # a whole step behind: re-anchor, don't burst
                self.late_steps += 1
                anchor, anchor_index, due = now, index, now
            self._voices.change(self._channel, midi_notes(frame), self.velocity)
            self._position, self.last_due = index, due
            self.on_step(index)
            index += 1
            if self.step_seconds != seconds:  # tempo change: from this step boundary on
                anchor, anchor_index, seconds = due, index - 1, self.step_seconds
            if clock() - last_check >= CHECK_SECONDS:
                self._voices.check()
                last_check = clock()
