"""A parsed MIDI file's notes in ticks, paired as pretty_midi pairs them, in one pass.

Notes are kept in ticks and never converted to seconds: pretty_midi builds a table of
one float per tick up to the last event and refuses files past 10 million ticks, so a
14-minute quartet written at 10,080 ticks per beat and 80 BPM (11 million ticks) is
past its limit, and a three-hour piece (over 200 million) far beyond it. Here the cost grows with
the number of messages only, and how long a file may be is decided by the caller in
beats and steps, before anything of that length is allocated.

Pairing within a track follows pretty_midi, so files read as they always have: a
note-on opens a note on its (channel, key); a note-off, or a note-on of velocity 0,
closes every open note of that key begun at an earlier tick. A note begun at the same
tick stays open when an earlier one was closed, and is dropped (it lasts no time) when
it was the only one. A note still open when its track ends is held to the end, or one
tick past it when struck there. Notes on channel 10 (9 from zero) are drums.
"""

from __future__ import annotations

from typing import NamedTuple

import mido
import numpy as np

from musevae.errors import MidiFileError

DEFAULT_TEMPO = 500_000  # microseconds per beat (120 BPM), what MIDI assumes before any
DRUM_CHANNEL = 9

Key = tuple[int, int]  # (channel, note)
Note = tuple[int, int, int, int]  # (channel, note, start tick, stop tick)


class NoteTable(NamedTuple):
    """The non-drum notes of a file and what else the roll needs from it."""

    pitch: np.ndarray  # (N,) int64 MIDI note numbers
    ticks: np.ndarray  # (N, 2) int64 start and stop ticks, stop > start
    drum_notes: int
    tempo: int  # microseconds per beat at tick 0 (the first track's, as pretty_midi reads)
    last_tick: int  # the latest end of any track


def collect_notes(midi: mido.MidiFile, max_notes: int) -> NoteTable:
    """Pair every track's notes; more than ``max_notes`` note-ons is a MidiFileError."""
    notes: list[Note] = []
    struck, last_tick, tempo = 0, 0, DEFAULT_TEMPO
    for number, track in enumerate(midi.tracks):
        opened: dict[Key, list[int]] = {}  # key -> ticks of its open note-ons
        tick = 0
        for message in track:
            tick += message.time
            kind = message.type
            if kind == "note_on" and message.velocity:
                opened.setdefault((message.channel, message.note), []).append(tick)
                struck += 1
            elif kind == "note_off" or kind == "note_on":
                _close(opened, (message.channel, message.note), tick, notes)
            elif kind == "set_tempo" and number == 0 and tick == 0 and message.tempo:
                tempo = message.tempo  # a tempo of 0 (no time per beat) is ignored
        if struck > max_notes:
            raise MidiFileError(f"it holds more than {max_notes:,} notes (the limit)")
        for (channel, key), starts in opened.items():
            stop = max(tick, starts[-1] + 1)
            notes += [(channel, key, start, stop) for start in starts]
        last_tick = max(last_tick, tick)
    table = np.array(notes, dtype=np.int64).reshape(-1, 4)
    melodic = table[table[:, 0] != DRUM_CHANNEL]
    drum_notes = len(table) - len(melodic)
    return NoteTable(melodic[:, 1].copy(), melodic[:, 2:].copy(), drum_notes, tempo, last_tick)


def _close(opened: dict[Key, list[int]], key: Key, tick: int, notes: list[Note]) -> None:
    """A note-off at ``tick``: close the key's notes begun earlier (see the module)."""
    starts = opened.pop(key, None)
    if not starts:
        return  # a note-off with nothing to close
    closing = [start for start in starts if start != tick]
    notes += [(key[0], key[1], start, tick) for start in closing]
    if closing and len(closing) < len(starts):
        opened[key] = [start for start in starts if start == tick]
