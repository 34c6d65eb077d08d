"""The notes a player has sounding, so that every note-on gets its note-off.

All of a player's MIDI goes through one :class:`Voices`: its lock serialises the
scheduler thread, ``stop()`` from the GUI thread and the exit-time finaliser (backends
such as rtmidi are not thread-safe), and its bookkeeping is what makes "no stuck notes"
a property of one small class rather than of every code path in the player.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from musevae.playback.output import ALL_NOTES_OFF, MidiOutput


class VoicesClosed(Exception):
    """The voices were closed (interpreter exit, player closed): no new notes may start."""


class Voices:
    """Sounding notes per channel on one output, changed only through this object."""

    def __init__(self, output: MidiOutput) -> None:
        self.output = output
        self._sounding: dict[int, set[int]] = {}  # channel -> MIDI notes
        self._channels: set[int] = set()  # every channel ever used: CC 123 goes to all
        self._lock = threading.Lock()
        self._closed = False
        self._dirty = False  # sent something since the last release

    def sounding(self) -> dict[int, set[int]]:
        """A copy of the sounding notes per channel (channels with none left out)."""
        with self._lock:
            return {ch: set(notes) for ch, notes in self._sounding.items() if notes}

    def program(self, channel: int, program: int) -> None:
        with self._lock:
            self._refuse_if_closed()
            self._channels.add(channel)
            self._dirty = True
            self.output.program(channel, program)

    def change(self, channel: int, notes: Iterable[int], velocity: int) -> None:
        """Make exactly ``notes`` sound on ``channel``: note-offs first, then note-ons.

        A note that keeps sounding is left alone (a held note, as in the piano roll).
        A note is counted as sounding before its note-on is sent, so a send that fails
        half-way still gets its note-off at release.
        """
        wanted = set(notes)
        with self._lock:
            self._refuse_if_closed()
            self._channels.add(channel)
            self._dirty = True
            sounding = self._sounding.setdefault(channel, set())
            for note in sorted(sounding - wanted):
                sounding.discard(note)
                self.output.note_off(channel, note)
            for note in sorted(wanted - sounding):
                sounding.add(note)
                self.output.note_on(channel, note, velocity)

    def check(self) -> None:
        """Ask the output whether its destination still exists (raises if not)."""
        with self._lock:
            self.output.check()

    def release(self) -> BaseException | None:
        """Note-off for every sounding note, then CC 123 on every channel used.

        Best effort by design: a failing send does not stop the others (the port may
        still take some), and the first error is returned rather than raised, because
        this runs on stop, in ``finally`` blocks and at interpreter exit. Nothing is
        sent if nothing was sent since the last release (pause, then stop).
        """
        with self._lock:
            return self._release_locked()

    def close(self) -> BaseException | None:
        """Release everything and refuse new notes from now on; wait for the release to
        leave the process, since this may be the last thing before interpreter exit."""
        with self._lock:
            self._closed = True
            error = self._release_locked()
        self.output.drain()
        return error

    def _release_locked(self) -> BaseException | None:
        if not self._dirty:
            return None
        self._dirty = False
        first: BaseException | None = None
        sends = [
            (self.output.note_off, (ch, note))
            for ch, notes in self._sounding.items()
            for note in sorted(notes)
        ]
        sends += [(self.output.control, (ch, ALL_NOTES_OFF, 0)) for ch in sorted(self._channels)]
        self._sounding.clear()
        for send, arguments in sends:
            try:
                send(*arguments)
            except Exception as error:  # the port's own error type varies by backend
                first = first or error
        return first

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise VoicesClosed("the player was closed")
