"""Where MIDI goes: a small output interface, and an in-process double that records.

Everything that plays music talks to a :class:`MidiOutput`, never to a MIDI library, so
the player can be driven against real ports (:mod:`musevae.playback.ports`), against
:class:`RecordingOutput` in tests and the GUI's preview, or against anything else with a
``send``. Subclasses implement :meth:`MidiOutput.send` only; the helpers build the
messages once here and check their ranges, so no backend can send a malformed byte.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from musevae.errors import MusevaeError

NOTE_ON = 0x90
NOTE_OFF = 0x80
CONTROL_CHANGE = 0xB0
PROGRAM_CHANGE = 0xC0
ALL_NOTES_OFF = 123  # CC 123: every receiver must release every note on the channel


class MidiPortError(MusevaeError):
    """A MIDI port cannot be opened, or went away while in use."""


class MidiOutput(abc.ABC):
    """A destination for MIDI channel messages.

    ``check`` lets a backend say that its destination vanished even when sending still
    "works" (JACK and ALSA drop messages to a missing port without an error); the
    player calls it now and then and stops cleanly when it raises.
    """

    @abc.abstractmethod
    def send(self, message: Sequence[int]) -> None:
        """Send one complete MIDI message (status byte first)."""

    def check(self) -> None:
        """Raise :class:`MidiPortError` if the destination is gone; by default it never is."""

    def drain(self) -> None:
        """Wait until what was sent has left this process (before closing or exiting)."""

    def close(self) -> None:
        """Release the port; by default there is nothing to release."""

    # --- messages, written once for every backend -----------------------------------
    def note_on(self, channel: int, note: int, velocity: int) -> None:
        _check_channel(channel)
        self.send((NOTE_ON | channel, _data_byte(note, "note"), _velocity(velocity)))

    def note_off(self, channel: int, note: int) -> None:
        _check_channel(channel)
        self.send((NOTE_OFF | channel, _data_byte(note, "note"), 0))

    def control(self, channel: int, number: int, value: int) -> None:
        _check_channel(channel)
        number, value = _data_byte(number, "controller"), _data_byte(value, "value")
        self.send((CONTROL_CHANGE | channel, number, value))

    def program(self, channel: int, program: int) -> None:
        _check_channel(channel)
        self.send((PROGRAM_CHANGE | channel, _data_byte(program, "program")))

    def panic(self, channels: Iterable[int] = range(16)) -> None:
        """All notes off (CC 123) on each channel: the receiver-side safety net."""
        for channel in channels:
            self.control(channel, ALL_NOTES_OFF, 0)


class Sent(NamedTuple):
    time: float  # perf_counter seconds when ``send`` was called
    message: tuple[int, ...]


class RecordingOutput(MidiOutput):
    """A real output that keeps every message with its send time, in memory.

    ``fail_after`` makes the n-th and later sends raise :class:`MidiPortError`, the
    way a port that is unplugged mid-play behaves; ``on_send`` runs after each message
    (tests use it to act at an exact point of a performance).
    """

    def __init__(
        self,
        *,
        fail_after: int | None = None,
        on_send: Callable[[Sent], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.sent: list[Sent] = []
        self.fail_after = fail_after
        self.on_send = on_send
        self.closed = False
        self._clock = clock
        self._lock = threading.Lock()

    def send(self, message: Sequence[int]) -> None:
        with self._lock:
            if self.fail_after is not None and len(self.sent) >= self.fail_after:
                raise MidiPortError("the recording output was told to fail (port unplugged)")
            entry = Sent(self._clock(), tuple(int(byte) for byte in message))
            self.sent.append(entry)
        if self.on_send is not None:
            self.on_send(entry)

    def close(self) -> None:
        self.closed = True

    def messages(self) -> list[tuple[int, ...]]:
        with self._lock:
            return [entry.message for entry in self.sent]


def _check_channel(channel: int) -> None:
    if not 0 <= channel <= 15:
        raise ValueError(f"MIDI channel must be 0..15 (shown to users as 1..16); got {channel}")


def _data_byte(value: int, what: str) -> int:
    if not 0 <= value <= 127:
        raise ValueError(f"MIDI {what} must be 0..127; got {value}")
    return int(value)


def _velocity(value: int) -> int:
    if not 1 <= value <= 127:
        raise ValueError(f"note-on velocity must be 1..127 (0 would mean note-off); got {value}")
    return int(value)
