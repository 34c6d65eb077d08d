"""MIDI bytes to a ``mido.MidiFile`` that pretty_midi reads correctly, or a reason why not.

mido raises a dozen exception types on bad input and reads some malformed files silently
wrong: a header that miscounts its tracks loses tracks or fails, a message that overruns
its track chunk swallows the next one, and pretty_midi divides by a zero tempo and drops
every note that is never released. So the container is checked here chunk by chunk
before mido sees it, each track is parsed on its own, and what comes back is repaired
where the intent is clear (a zero tempo, a held note at the end) or refused with a reason.
Every refusal is a :class:`MidiFileError` whose message is that one-line reason.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import mido

from musevae.errors import MidiFileError

DEFAULT_TEMPO = 500_000  # microseconds per beat (120 BPM), what MIDI assumes before any
# pretty_midi allocates one float per tick up to the last event and refuses 10 million.
MAX_TICKS = 9_000_000
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


def repair(midi: mido.MidiFile, max_notes: int) -> int:
    """Fix what pretty_midi would read wrong, enforce ``max_notes``; return the last tick.

    A tempo of 0 (no time per beat) is replaced by the tempo before it, and every key
    still held when its track ends is released there, so pretty_midi keeps those notes.
    """
    notes = 0
    last_tick = 0
    for track in midi.tracks:
        tick = 0
        tempo = DEFAULT_TEMPO
        onsets: dict[tuple[int, int], int] = {}  # (channel, note) -> last note-on tick
        for index, message in enumerate(track):
            tick += message.time
            if message.type == "set_tempo":
                if message.tempo == 0:
                    track[index] = message.copy(tempo=tempo)
                tempo = track[index].tempo
            elif message.type == "note_on" and message.velocity > 0:
                notes += 1
                onsets[message.channel, message.note] = tick
        if notes > max_notes:
            raise MidiFileError(f"it holds more than {max_notes:,} notes (the limit)")
        if tick > MAX_TICKS:
            raise MidiFileError(
                f"its last event is at tick {tick:,}; musevae reads files up to "
                f"{MAX_TICKS:,} ticks (a corrupt time value?)"
            )
        _release_held_keys(track, onsets, tick)
        last_tick = max(last_tick, tick)
    return last_tick


def _release_held_keys(track: mido.MidiTrack, onsets: dict[tuple[int, int], int], end: int) -> None:
    """Append a note-off at ``end`` (a tick later for a note struck at ``end``) for every
    key struck in the track; pretty_midi ignores note-offs of keys already released."""
    closing = track.pop() if track and track[-1].type == "end_of_track" else None
    tick = end - (closing.time if closing is not None else 0)
    releases = sorted((max(end, onset + 1), key) for key, onset in onsets.items())
    for release, (channel, note) in releases:
        track.append(mido.Message("note_off", channel=channel, note=note, time=release - tick))
        tick = release
    track.append(mido.MetaMessage("end_of_track", time=0))
