"""Real MIDI ports through python-rtmidi, imported only when a port is actually used.

So that musevae runs (and its tests run) on machines with no MIDI system at all,
nothing here imports ``rtmidi`` at module level. The API (alsa, jack, coremidi, winmm)
is a parameter, else the ``RTMIDI_API`` environment variable, else every API compiled
into python-rtmidi is tried in turn. The pip wheel of python-rtmidi (1.5.x) has ALSA and
JACK on Linux, CoreMIDI on macOS and WinMM on Windows.

An output goes either to an existing port, chosen by index or by (part of) its name,
or to a virtual port named ``musevae`` that synths and DAWs connect to (ALSA, JACK,
CoreMIDI; Windows has no virtual ports).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from musevae.playback.output import MidiOutput, MidiPortError

API_ENV = "RTMIDI_API"
API_NAMES = ("alsa", "jack", "coremidi", "winmm")
_RTMIDI_CONSTANTS = {"alsa": "API_LINUX_ALSA", "jack": "API_UNIX_JACK",
                     "coremidi": "API_MACOSX_CORE", "winmm": "API_WINDOWS_MM"}  # fmt: skip
VIRTUAL_PORT_NAME = "musevae"
JACK_DRAIN_SECONDS = 0.1  # a few JACK periods (2048 frames at 44.1 kHz is 46 ms)
_HINTS = {
    "alsa": "is the ALSA sequencer there (/dev/snd/seq; containers usually lack it)?",
    "jack": "is a JACK server running (jackd, or PipeWire's JACK)?",
}


@dataclasses.dataclass(frozen=True)
class PortInfo:
    api: str  # one of API_NAMES
    direction: str  # "output" or "input"
    index: int  # the port's number within its API and direction
    name: str


def _rtmidi() -> Any:
    try:
        import rtmidi
    except ImportError as error:
        raise MidiPortError(
            "MIDI needs python-rtmidi, which is not installed: pip install python-rtmidi"
        ) from error
    return rtmidi


def chosen_apis(api: str | None = None) -> list[str]:
    """The APIs to try: ``api``, else ``$RTMIDI_API``, else all compiled in (rtmidi's order)."""
    rtmidi = _rtmidi()
    constants = {getattr(rtmidi, attr): name for name, attr in _RTMIDI_CONSTANTS.items()}
    compiled = [constants[c] for c in rtmidi.get_compiled_api() if c in constants]
    wanted = api or os.environ.get(API_ENV) or None
    if wanted is None:
        return compiled
    wanted = wanted.strip().lower()
    if wanted not in API_NAMES:
        raise MidiPortError(f"unknown MIDI API {wanted!r}; choose one of {', '.join(API_NAMES)}")
    if wanted not in compiled:
        raise MidiPortError(
            f"this python-rtmidi was built without {wanted}; it has {', '.join(compiled) or 'none'}"
        )
    return [wanted]


def client(direction: str, api: str, name: str = "musevae", *, quiet: bool = False) -> Any:
    """An rtmidi ``MidiOut`` or ``MidiIn`` on ``api``; a clear error if that API is down.

    ``quiet`` keeps the back end's own complaints off the terminal: probing every API
    makes libjack and alsa-lib print lines about a server or device nobody asked for."""
    rtmidi = _rtmidi()
    kind = rtmidi.MidiOut if direction == "output" else rtmidi.MidiIn
    try:
        with quiet_native_stderr() if quiet else contextlib.nullcontext():
            return kind(getattr(rtmidi, _RTMIDI_CONSTANTS[api]), name=name)
    except rtmidi.RtMidiError as error:
        message = f"cannot use {api} MIDI ({error}); {_HINTS.get(api, '')}"
        raise MidiPortError(message.rstrip("; ")) from None


def probing(api: str | None) -> bool:
    """True when no API was chosen (argument or ``$RTMIDI_API``), so each is only tried."""
    return not (api or os.environ.get(API_ENV))


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """File descriptor 2 to /dev/null for a moment: ALSA and JACK print straight to the
    C-level stderr ("Cannot connect to server socket" ...), past Python's sys.stderr; the
    reason comes back as an error anyway. Process-wide, so hold it only briefly."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded, some test runners)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def list_ports(api: str | None = None) -> tuple[list[PortInfo], list[tuple[str, str]]]:
    """Every MIDI output and input, and ``(api, reason)`` for each API that is unusable."""
    ports: list[PortInfo] = []
    problems: list[tuple[str, str]] = []
    for name in chosen_apis(api):
        for direction in ("output", "input"):
            try:
                midi = client(direction, name, "musevae-list", quiet=probing(api))
            except MidiPortError as error:
                problems.append((name, str(error)))
                break
            ports += [PortInfo(name, direction, i, p) for i, p in enumerate(midi.get_ports())]
            midi.delete()
    return ports, problems


def find_port(names: Sequence[str], wanted: str | int, direction: str) -> int:
    """Index of the port ``wanted``: an index, an exact name, or one name containing it."""
    if isinstance(wanted, int) or wanted.strip().isdigit():
        index = int(wanted)
        if 0 <= index < len(names):
            return index
        raise MidiPortError(
            f"there is no MIDI {direction} number {index}; {_listing(names, direction)}"
        )
    exact = [i for i, name in enumerate(names) if name == wanted]
    if exact:
        return exact[0]
    matches = [i for i, name in enumerate(names) if wanted.lower() in name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise MidiPortError(f"no MIDI {direction} called {wanted!r}; {_listing(names, direction)}")
    found = ", ".join(repr(names[i]) for i in matches)
    raise MidiPortError(
        f"{wanted!r} matches several MIDI {direction}s ({found}); give more of the name"
    )


def _listing(names: Sequence[str], direction: str) -> str:
    if not names:
        return f"there are no {direction}s (run `musevae ports` to check)"
    return f"the {direction}s are: " + ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))


class RtMidiOutput(MidiOutput):
    """An open rtmidi output; ``target`` is the destination port's name (None if virtual).

    Sends are serialised by a lock: the player and the metronome share one output from
    their own threads, and rtmidi's JACK buffer has room for one writer at a time."""

    def __init__(self, midi: Any, api: str, target: str | None) -> None:
        self._midi, self.api, self.target = midi, api, target
        self._backend_error = _rtmidi().RtMidiError
        self._last_send = -float("inf")
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        where = f'virtual port "{VIRTUAL_PORT_NAME}"' if self.target is None else f'"{self.target}"'
        return f"{self.api}: {where}"

    def send(self, message: Sequence[int]) -> None:
        with self._lock:
            if self._midi is None:  # never touch a deleted rtmidi object
                raise MidiPortError(f"the MIDI output {self.description} was closed")
            self._last_send = time.perf_counter()
            try:
                self._midi.send_message(list(message))
            except self._backend_error as error:
                message = f"sending to {self.description} failed ({error}); {_AFTER_LOSS}"
                raise MidiPortError(message) from None

    def check(self) -> None:
        """A destination that left the API's port list is gone (JACK and ALSA drop
        messages to it silently, so sending alone would never tell)."""
        if self._midi is None:
            raise MidiPortError(f"the MIDI output {self.description} was closed")
        if self.target is not None and self.target not in self._midi.get_ports():
            raise MidiPortError(f"the MIDI port {self.description} went away; {_AFTER_LOSS}")

    def drain(self) -> None:
        """RtMidi hands JACK messages to the next process cycle through a buffer; a client
        closed (or a process ended) before that cycle loses - or, seen here, garbles - the
        last messages, which are the final note-offs and CC 123. Other APIs send at once."""
        if self.api == "jack":
            time.sleep(max(0.0, self._last_send + JACK_DRAIN_SECONDS - time.perf_counter()))

    def close(self) -> None:
        """Close the port (closing twice is harmless; sending afterwards is an error)."""
        if self._midi is None:
            return
        self.drain()
        with self._lock:
            self._midi.close_port()
            self._midi.delete()
            self._midi = None


_AFTER_LOSS = (
    "playback stopped. Reconnect it and play again, or choose another port (musevae ports)"
)


def open_output(
    port: str | int | None = None,
    *,
    virtual: bool = False,
    api: str | None = None,
    client_name: str = "musevae",
) -> RtMidiOutput:
    """Open the output ``port`` (index or name), or a virtual port with ``virtual``."""
    if virtual == (port is not None):
        raise ValueError("give either a port or virtual=True")
    if not virtual:
        return RtMidiOutput(*_open_existing("output", port, api, client_name))
    names = [name for name in chosen_apis(api) if name != "winmm"]
    if not names:
        raise MidiPortError(
            "Windows has no virtual MIDI ports: choose an output with --port (see `musevae "
            "ports`), or create a loopback port with a tool such as loopMIDI and choose that"
        )
    failures: list[str] = []
    for name in names:
        try:
            midi = client("output", name, client_name, quiet=probing(api))
        except MidiPortError as error:
            failures.append(str(error))
            continue
        midi.open_virtual_port(VIRTUAL_PORT_NAME)
        return RtMidiOutput(midi, name, None)
    raise MidiPortError("; ".join(failures))


def _open_existing(
    direction: str, port: str | int, api: str | None, client_name: str
) -> tuple[Any, str, str]:
    """Connect to ``port`` on the first API that has it: (rtmidi object, API, port name)."""
    failures: list[str] = []
    for name in chosen_apis(api):
        try:
            midi = client(direction, name, client_name, quiet=probing(api))
        except MidiPortError as error:
            failures.append(str(error))
            continue
        ports = midi.get_ports()
        try:
            index = find_port(ports, port, direction)
        except MidiPortError as error:
            failures.append(f"{name}: {error}")
            midi.delete()
            continue
        midi.open_port(index, name="out" if direction == "output" else "in")
        return midi, name, ports[index]
    raise MidiPortError("; ".join(failures) or "no MIDI API is available")


class RtMidiInput:
    """An open rtmidi input; each message reaches ``listen``'s callback with its arrival
    time (perf_counter seconds, taken in rtmidi's thread as the message comes in)."""

    def __init__(self, midi: Any, api: str, name: str) -> None:
        self._midi, self.api, self.name = midi, api, name

    def listen(self, callback: Callable[[float, list[int]], None]) -> None:
        self._midi.set_callback(lambda event, _data: callback(time.perf_counter(), event[0]))

    def check(self) -> None:
        """A source that left the API's port list is gone (a keyboard unplugged): its
        notes will never be released, so the caller must end them."""
        if self._midi is None:
            raise MidiPortError(f"the MIDI input {self.api}: {self.name!r} was closed")
        if self.name not in self._midi.get_ports():
            raise MidiPortError(f"the MIDI input {self.api}: {self.name!r} went away")

    def close(self) -> None:
        if self._midi is None:
            return
        self._midi.cancel_callback()
        self._midi.close_port()
        self._midi.delete()
        self._midi = None


def open_input(
    port: str | int, *, api: str | None = None, client_name: str = "musevae"
) -> RtMidiInput:
    """Open the input ``port`` (index or name) on the first API that has it."""
    return RtMidiInput(*_open_existing("input", port, api, client_name))
