"""MIDI bytes to a ``mido.MidiFile`` whose tracks are all there, or a reason why not.

mido raises a dozen exception types on bad input and reads some malformed files silently
wrong: a header that miscounts its tracks loses tracks or fails, and a message that
overruns its track chunk swallows the next one. So the container is checked here chunk
by chunk before mido sees it, and each track is parsed on its own. Every refusal is a
:class:`MidiFileError` whose message is that one-line reason. (What the tracks mean,
notes paired in ticks, is :mod:`musevae.data.midi_notes`.)
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import mido

from musevae.errors import MidiFileError

_HEADER = struct.Struct(">4sLHHH")  # "MThd", length, format, track count, division


@dataclass(frozen=True)
class MidiLayout:
    """What the container holds: format 0/1/2, ticks per beat, each track chunk's bytes."""

    format: int
    ticks_per_beat: int
    tracks: list[bytes]


def split_chunks(data: bytes) -> MidiLayout:
    """Check the header and walk the chunks, trusting sizes only where the bytes exist.

    The header's track count is ignored (the chunks themselves are counted), unknown
    chunk types are skipped as the standard asks, and anything after the last whole
    chunk that is not a chunk (padding, junk) is ignored.
    """
    if not data:
        raise MidiFileError("the file is empty (0 bytes)")
    if data[:4] != b"MThd":
        raise MidiFileError(f"not a MIDI file (it starts with {data[:8]!r}, not b'MThd')")
    if len(data) < _HEADER.size:
        raise MidiFileError("the file is truncated inside its MIDI header")
    _, length, fmt, _, division = _HEADER.unpack_from(data)
    if length < 6:
        raise MidiFileError(f"the MIDI header is {length} bytes long; it needs at least 6")
    if fmt > 2:
        raise MidiFileError(f"unknown MIDI format {fmt} (only 0, 1 and 2 exist)")
    if division & 0x8000:
        raise MidiFileError(
            "it uses SMPTE (frame-based) timing, which has no beats to quantise to"
        )
    if division == 0:
        raise MidiFileError("its header gives 0 ticks per beat")
    tracks = _track_chunks(data, 8 + length)
    if not tracks:
        raise MidiFileError("it holds no track")
    if fmt == 2 and len(tracks) > 1:
        raise MidiFileError(
            f"it is a type-2 file ({len(tracks)} independent patterns, not one piece)"
        )
    return MidiLayout(fmt, division, tracks)


def _track_chunks(data: bytes, position: int) -> list[bytes]:
    tracks: list[bytes] = []
    while len(data) - position >= 8:
        name = data[position : position + 4]
        if not (name.isascii() and name.isalpha()):
            break  # not a chunk: trailing junk
        size = int.from_bytes(data[position + 4 : position + 8], "big")
        start, end = position + 8, position + 8 + size
        if end > len(data):
            if name == b"MTrk":
                raise MidiFileError(
                    f"the file is truncated: track {len(tracks) + 1} needs {size} bytes "
                    f"but only {len(data) - start} remain"
                )
            break
        if name == b"MTrk":
            tracks.append(data[start:end])
        position = end
    return tracks


def parse_tracks(layout: MidiLayout) -> mido.MidiFile:
    """Parse each track chunk as a one-track file, so a bad track cannot eat the next."""
    header = _HEADER.pack(b"MThd", 6, 0, 1, layout.ticks_per_beat)
    midi = mido.MidiFile(type=1, ticks_per_beat=layout.ticks_per_beat)
    for number, payload in enumerate(layout.tracks, start=1):
        blob = header + b"MTrk" + len(payload).to_bytes(4, "big") + payload
        try:
            parsed = mido.MidiFile(file=io.BytesIO(blob))
        except Exception as error:  # mido raises OSError, EOFError, ValueError, KeyError...
            reason = str(error) or type(error).__name__
            if isinstance(error, EOFError):
                reason = "it ends inside a message"
            raise MidiFileError(f"track {number} is corrupt ({reason})") from error
        midi.tracks.append(parsed.tracks[0])
    return midi
