"""Real JACK MIDI for the playback tests: a private server and a recording input.

The server runs JACK's dummy driver (no sound card), so the tests need only the jackd2
package; python-rtmidi's wheel ships its own libjack, which talks to Debian's jackd2.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import rtmidi

Messages = list[tuple[float, tuple[int, ...]]]  # (arrival time, message)
Popen = subprocess.Popen

NOTE_ON, NOTE_OFF, CONTROL_CHANGE = 0x90, 0x80, 0xB0


def start_server(name: str, log: Path, period: int = 256, timeout: float = 20.0) -> Popen:
    """``jackd -n name`` on the dummy driver; returns once clients can connect.

    ``--sync`` makes each cycle wait for its clients: on a loaded machine (no realtime
    priority) a client late for its 5 ms deadline would otherwise have that cycle's
    MIDI dropped by JACK (an xrun), and the tests would blame the player for the loss.
    """
    command = ["jackd", "-n", name, "--sync", "--no-realtime",
               "-d", "dummy", "-r", "48000", "-p", str(period)]  # fmt: skip
    with open(log, "wb") as sink:
        process = Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="probe").delete()
            return process
        except rtmidi.SystemError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"jackd did not start: {log.read_text(errors='replace')[-500:]}")


def stop_server(process: Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


class Recorder:
    """A JACK MIDI input that keeps every message with its arrival time (perf_counter
    taken in rtmidi's callback, as the message comes out of JACK). With ``keep=False``
    it only checks pairing as messages come (``ledger``), in constant memory."""

    def __init__(self, client: str | None = None, keep: bool = True) -> None:
        self.client = client or unique("rec")
        self.port = f"{self.client}:in"
        self.messages: Messages = []
        self.ledger = Ledger()
        self._keep = keep
        self._lock = threading.Lock()
        self._midi = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name=self.client)
        self._midi.set_callback(self._arrived)
        self._midi.open_virtual_port("in")

    def listen_to(self, source_port: str) -> None:
        """Also connect an existing output port (say, a player's own port) to this input."""
        midi = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name=unique("tap"))
        midi.set_callback(self._arrived)
        midi.open_port(midi.get_ports().index(source_port))
        self._taps = getattr(self, "_taps", []) + [midi]

    def _arrived(self, event: tuple[list[int], float], _data: object) -> None:
        now = time.perf_counter()
        with self._lock:
            self.ledger.feed(tuple(event[0]))
            if self._keep:
                self.messages.append((now, tuple(event[0])))

    def received(self) -> Messages:
        with self._lock:
            return list(self.messages)

    def wait_for(self, condition: Callable[[Messages], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.received()):
                return True
            time.sleep(0.01)
        return condition(self.received())

    def close(self) -> None:
        for midi in [self._midi, *getattr(self, "_taps", [])]:
            midi.cancel_callback()
            midi.close_port()
            midi.delete()


def note_ons(messages: Messages) -> Messages:
    return [(t, m) for t, m in messages if m[0] & 0xF0 == NOTE_ON and m[2] > 0]


class Ledger:
    """Note pairing, checked message by message.

    Problems: a note struck again before its note-off, a note-off for a silent key, a
    note never released, a channel that played but never got CC 123. No problems
    means every note-on had exactly one note-off, in order, and nothing is sounding.
    """

    def __init__(self) -> None:
        self.note_ons = 0
        self._problems: list[str] = []
        self._sounding: set[tuple[int, int]] = set()
        self._played: set[int] = set()
        self._cleared: set[int] = set()

    def feed(self, message: tuple[int, ...]) -> None:
        kind, channel = message[0] & 0xF0, message[0] & 0x0F
        key = (channel, message[1]) if len(message) > 1 else None
        if kind == NOTE_ON and message[2] > 0:
            if key in self._sounding:
                self._problems.append(f"note {key} struck again while sounding")
            self._sounding.add(key)
            self._played.add(channel)
            self.note_ons += 1
        elif kind in (NOTE_OFF, NOTE_ON):
            if key not in self._sounding:
                self._problems.append(f"note-off for silent note {key}")
            self._sounding.discard(key)
        elif kind == CONTROL_CHANGE and message[1] == 123:
            self._cleared.add(channel)

    def problems(self) -> list[str]:
        unreleased = [f"note {key} never released" for key in sorted(self._sounding)]
        silent = sorted(self._played - self._cleared)
        uncleared = [f"channel {ch} never got CC 123" for ch in silent]
        return self._problems + unreleased + uncleared


def stuck_notes(messages: Messages) -> list[str]:
    """The :class:`Ledger`'s problems with these messages (empty: all paired, silent)."""
    ledger = Ledger()
    for _, message in messages:
        ledger.feed(message)
    return ledger.problems()


def silence_reached(messages: Messages) -> bool:
    return bool(messages) and not stuck_notes(messages)


@contextlib.contextmanager
def server_env(name: str) -> Iterator[None]:
    """Point libjack at server ``name`` for this process and its children."""
    saved = {key: os.environ.get(key) for key in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_START_SERVER"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
