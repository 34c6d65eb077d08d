"""MIDI files built byte by byte: a hostile corpus for the tests, a varied one for benchmarks.

Files are written with raw bytes rather than mido so that they can be exactly as broken
as the files people really have (wrong track counts, zero tempo, SMPTE timing, ...).
``benchmarks/import_speed.py`` imports this module too; nothing here depends on pytest.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

END_OF_TRACK = b"\xff\x2f\x00"
Event = tuple[int, bytes]  # (absolute tick, message bytes)


# --- raw building blocks ---------------------------------------------------------------
def vlq(value: int) -> bytes:
    """MIDI variable-length quantity: 7 bits a byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def note_on(note: int, velocity: int = 80, channel: int = 0) -> bytes:
    return bytes([0x90 | channel, note, velocity])


def note_off(note: int, channel: int = 0) -> bytes:
    return bytes([0x80 | channel, note, 0])


def set_tempo(microseconds_per_beat: int) -> bytes:
    return b"\xff\x51\x03" + microseconds_per_beat.to_bytes(3, "big")


def program_change(program: int, channel: int = 0) -> bytes:
    return bytes([0xC0 | channel, program])


def track(events: Iterable[Event], end_tick: int | None = None) -> bytes:
    """An MTrk chunk from absolute-time events (stable-sorted), closed by end-of-track."""
    body = bytearray()
    tick = 0
    for at, message in sorted(events, key=lambda event: event[0]):
        body += vlq(at - tick) + message
        tick = at
    body += vlq(max(0, (end_tick or tick) - tick)) + END_OF_TRACK
    return b"MTrk" + len(body).to_bytes(4, "big") + bytes(body)


def smf(
    tracks: list[bytes], *, fmt: int = 1, division: int = 480, declared: int | None = None
) -> bytes:
    """A whole file; ``declared`` lets the header lie about the number of tracks."""
    count = len(tracks) if declared is None else declared
    header = b"MThd" + (6).to_bytes(4, "big")
    header += fmt.to_bytes(2, "big") + count.to_bytes(2, "big") + division.to_bytes(2, "big")
    return header + b"".join(tracks)


def notes(
    spans: Iterable[tuple[int, int, int]], channel: int = 0, velocity: int = 80
) -> list[Event]:
    """Events for notes given as (start tick, stop tick, pitch); note-offs sort first."""
    offs = [(stop, note_off(pitch, channel)) for start, stop, pitch in spans]
    ons = [(start, note_on(pitch, velocity, channel)) for start, stop, pitch in spans]
    return offs + ons


def scale(count: int, ticks: int = 240, low: int = 60) -> list[tuple[int, int, int]]:
    """``count`` consecutive notes, one every ``ticks``, climbing from ``low``."""
    return [(i * ticks, (i + 1) * ticks, low + i % 24) for i in range(count)]


# --- the hostile corpus ------------------------------------------------------------------
# Expected outcome per file: None = imported, else a fragment of the skip reason.
HOSTILE: dict[str, str | None] = {
    "plain.mid": None,
    "upper/CASE.MID": None,
    "deep/er/nested.midi": None,
    "plain_copy.mid": "same content as",
    "tempo_changes.mid": None,
    "zero_tempo.mid": None,
    "no_note_off.mid": None,
    "header_counts_too_few.mid": None,
    "header_counts_too_many.mid": None,
    "junk_after_tracks.mid": None,
    "many_notes.mid": None,
    "empty.mid": "empty",
    "text.mid": "not a MIDI file",
    "picture.mid": "not a MIDI file",
    "truncated.mid": "truncated",
    "huge.mid": "limit",
    "smpte.mid": "SMPTE",
    "zero_division.mid": "0 ticks per beat",
    "type2.mid": "type-2",
    "drums_only.mid": "drum",
    "out_of_range.mid": "outside",
    "no_notes.mid": "no notes",
    "corrupt_track.mid": "corrupt",
    "overrun_track.mid": "corrupt",
}
# Import the corpus with this max_file_bytes: "huge.mid" is over it, "many_notes.mid" not.
MAX_FILE_BYTES = 2**20
HUGE_BYTES = 3 * 2**19
NOT_MIDI = {"readme.txt": b"notes about the pieces\n", "cover.png": b"\x89PNG\r\n\x1a\n"}


def hostile_files(many_notes: int = 100_000) -> dict[str, bytes]:
    """The bytes of each file in :data:`HOSTILE`, plus :data:`NOT_MIDI`."""
    plain = smf([track([(0, set_tempo(500_000)), *notes(scale(16))])])
    four = track(notes(scale(4)))  # one track of four eighth notes
    tempi = [(0, set_tempo(500_000)), (960, set_tempo(1_000_000)), (1920, set_tempo(300_000))]
    outside = [(0, 240, 10), (240, 480, 120), (480, 720, 127)]
    junk_chunk = b"Junk" + HUGE_BYTES.to_bytes(4, "big") + bytes(HUGE_BYTES)
    bad_data_byte = b"\x80\xc8\x00"  # a note-off whose note number is 200
    return {
        "plain.mid": plain,
        "upper/CASE.MID": smf([track(notes(scale(12, low=48)))], fmt=0),
        "deep/er/nested.midi": smf([track(notes(scale(10, ticks=120)))]),
        "plain_copy.mid": plain,
        "tempo_changes.mid": smf([track(tempi), track(notes(scale(12)))]),
        "zero_tempo.mid": smf([track([(0, set_tempo(0)), *notes(scale(8))])]),
        "no_note_off.mid": smf([track([(0, note_on(60)), (480, note_on(64))], end_tick=1920)]),
        "header_counts_too_few.mid": smf([four, track(notes(scale(4, low=72)))], declared=1),
        "header_counts_too_many.mid": smf([four], declared=3),
        "junk_after_tracks.mid": smf([track(notes(scale(6)))]) + b"\x00\x00\xff\xfe junk",
        "many_notes.mid": smf([track(notes(scale(many_notes, ticks=60)))]),
        "empty.mid": b"",
        "text.mid": b"This is not a MIDI file, just some words.\n",
        "picture.mid": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "truncated.mid": plain[: len(plain) - 20],
        "huge.mid": smf([four]) + junk_chunk,
        "smpte.mid": smf([four], division=0xE728),  # -25 frames/s, 40 ticks a frame
        "zero_division.mid": smf([four], division=0),
        "type2.mid": smf([four, four], fmt=2),
        "drums_only.mid": smf([track(notes(scale(8, low=36), channel=9))]),
        "out_of_range.mid": smf([track(notes(outside))]),
        "no_notes.mid": smf([track([(0, set_tempo(500_000))], end_tick=1920)]),
        "corrupt_track.mid": smf([track([(0, note_on(60)), (240, bad_data_byte)])]),
        "overrun_track.mid": _overrun(smf([four])),
        **NOT_MIDI,
    }


def _overrun(data: bytes) -> bytes:
    """Shrink the first track's declared length so its last message spills past the end."""
    size = int.from_bytes(data[18:22], "big")
    return data[:18] + (size - 2).to_bytes(4, "big") + data[22:]


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# --- the varied corpus -------------------------------------------------------------------
def varied_file(rng: random.Random) -> bytes:
    """A plausible piece: 1-4 instrument tracks (maybe drums), tempo changes, chords."""
    division = rng.choice([96, 192, 220, 384, 480, 960])
    beats = rng.randint(16, 600)
    tempo_events = [(0, set_tempo(rng.randint(300_000, 1_000_000)))]
    for _ in range(rng.randint(0, 4)):
        at = rng.randrange(beats) * division
        tempo_events.append((at, set_tempo(rng.randint(300_000, 1_000_000))))
    tracks = [track(tempo_events)]
    for part in range(rng.randint(1, 4)):
        channel = 9 if part == 3 else part
        events = [(0, program_change(rng.randrange(128), channel))]
        events += notes(_voice(rng, beats, division), channel, rng.randint(40, 120))
        tracks.append(track(events))
    return smf(tracks, division=division)


def _voice(rng: random.Random, beats: int, division: int) -> list[tuple[int, int, int]]:
    spans = []
    tick, end = 0, beats * division
    centre = rng.randint(36, 84)
    while tick < end:
        length = rng.choice([division // 4, division // 2, division, 2 * division])
        chord = rng.sample(range(centre - 12, centre + 12), rng.randint(1, 4))
        spans += [(tick, tick + length, pitch) for pitch in chord]
        tick += length
    return spans


def write_varied(folder: Path, count: int, seed: int = 0) -> None:
    """``count`` varied pieces, ``piece_0000.mid`` ... in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"piece_{index:04d}.mid").write_bytes(varied_file(rng))
