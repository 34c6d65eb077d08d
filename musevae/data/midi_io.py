"""MIDI files to piano rolls and back.

Reading merges every non-drum instrument, drops drums (MIDI channel 10) and quantises on
the file's own beat grid: note times are taken in ticks, and ticks / ticks-per-beat are
quarter-note beats whatever the tempo, so tempo changes move no note. A note snaps to
the nearest step at both ends and covers at least one step. The roll's tempo is the
file's initial tempo, rounded to 0.01 BPM (MIDI stores whole microseconds per beat).

A roll lasts until its last note ends or until the file's last event (its end-of-track),
whichever is later. The writer puts the end-of-track exactly at the roll's end, so
silence at the start and at the end both survive a write and a read: reading a written
roll with the same ``step_beats`` gives the same roll for tempos given to 0.01 BPM (up
to about 700 BPM, where one microsecond per beat is still finer than 0.005 BPM).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import NamedTuple

import mido
import numpy as np

from musevae.atomic import write_bytes_atomically
from musevae.data.midi_notes import collect_notes
from musevae.data.midi_parse import parse_tracks, split_chunks
from musevae.data.pianoroll import HIGHEST_NOTE, KEY_COUNT, LOWEST_NOTE, PianoRoll
from musevae.errors import MidiFileError

MAX_FILE_BYTES = 4 * 2**20  # mido holds ~250 bytes per message: ~0.5 GiB at worst
MAX_NOTES = 500_000
MAX_STEPS = 200_000  # 88 bytes each; eighth notes for 14 h at 120 BPM, 16ths for 3 h at 270
WRITE_TICKS_PER_BEAT = 960


class MidiRead(NamedTuple):
    """A file's piano roll and what was left out of it."""

    roll: PianoRoll
    notes: int  # notes on the roll
    out_of_range: int  # notes outside 21..108: dropped, or moved by octaves if folding
    drum_notes: int  # notes on the drum channel, always dropped


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file too big to parse safely, before reading it."""
    if size > max_bytes:
        raise MidiFileError(
            f"it is {size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.1f} MiB"
        )


def read_midi(
    path: str | os.PathLike[str],
    *,
    step_beats: float = 0.5,
    fold_octaves: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    max_notes: int = MAX_NOTES,
    max_steps: int = MAX_STEPS,
) -> MidiRead:
    """Read a ``.mid`` file; any problem is a MidiFileError naming the file."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
        return read_midi_bytes(
            data, step_beats=step_beats, fold_octaves=fold_octaves,
            max_bytes=max_bytes, max_notes=max_notes, max_steps=max_steps,
        )  # fmt: skip
    except OSError as error:
        raise MidiFileError(f'cannot read "{path}": {error.strerror or error}') from error
    except MidiFileError as error:
        raise MidiFileError(f'cannot read "{path}": {error}') from error


def read_midi_bytes(
    data: bytes,
    *,
    step_beats: float = 0.5,
    fold_octaves: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    max_notes: int = MAX_NOTES,
    max_steps: int = MAX_STEPS,
) -> MidiRead:
    """Read MIDI file contents; a MidiFileError's message is the one-line reason."""
    if not 0 < step_beats < float("inf"):
        raise ValueError(f"step_beats must be a positive number of beats; got {step_beats}")
    check_size(len(data), max_bytes)
    layout = split_chunks(data)
    table = collect_notes(parse_tracks(layout), max_notes)
    ticks_per_step = layout.ticks_per_beat * step_beats
    length = int(_nearest_step(np.array(table.last_tick), ticks_per_step))
    if length > max_steps:
        raise MidiFileError(
            f"it is {length:,} steps long ({table.last_tick / layout.ticks_per_beat:,.0f} "
            f"beats); the limit is {max_steps:,} steps ({max_steps * step_beats:,g} beats)"
        )
    pitch = table.pitch
    steps = _nearest_step(table.ticks, ticks_per_step)  # (N, 2) start and stop steps
    steps[:, 1] = np.maximum(steps[:, 1], steps[:, 0] + 1)
    outside = (pitch < LOWEST_NOTE) | (pitch > HIGHEST_NOTE)
    if fold_octaves:
        pitch = fold_into_range(pitch)
    else:
        pitch, steps = pitch[~outside], steps[~outside]
    keys = _paint(pitch - LOWEST_NOTE, steps, max(length, int(steps[:, 1].max(initial=0))))
    roll = PianoRoll(keys, step_beats, round(60_000_000 / table.tempo, 2))
    return MidiRead(roll, int(pitch.size), int(outside.sum()), table.drum_notes)


def fold_into_range(pitch: np.ndarray) -> np.ndarray:
    """Move each note by whole octaves into 21..108 (8 -> 32, 121 -> 97)."""
    pitch = np.where(pitch < LOWEST_NOTE, pitch + 12 * ((LOWEST_NOTE - pitch + 11) // 12), pitch)
    return np.where(pitch > HIGHEST_NOTE, pitch - 12 * ((pitch - HIGHEST_NOTE + 11) // 12), pitch)


def _nearest_step(ticks: np.ndarray, ticks_per_step: float) -> np.ndarray:
    return np.floor(ticks / ticks_per_step + 0.5).astype(np.int64)


def _paint(key: np.ndarray, steps: np.ndarray, length: int) -> np.ndarray:
    """A ``(length, 88)`` bool roll with key ``key[i]`` held over ``steps[i, 0]:steps[i, 1]``."""
    change = np.zeros((length + 1, KEY_COUNT), dtype=np.int32)
    np.add.at(change, (steps[:, 0], key), 1)
    np.add.at(change, (steps[:, 1], key), -1)
    return np.cumsum(change[:-1], axis=0) > 0


# --- writing ----------------------------------------------------------------------------
def write_midi(
    roll: PianoRoll,
    path: str | os.PathLike[str],
    *,
    program: int = 0,
    velocity: int | np.ndarray = 80,
) -> None:
    """Write ``roll`` as a one-track MIDI file; each run of sounding steps is one note.

    ``velocity`` is one value 1..127 for every note, or a ``(T, 88)`` array: floats in
    [0, 1] (say, the model's probabilities) map to 1..127, integers are velocities
    (clipped to 1..127). A held note takes the value of its first step. ``program`` is
    the General MIDI instrument (0 = acoustic grand piano). The file replaces ``path``
    only once it is complete.
    """
    buffer = io.BytesIO()
    midi_file(roll, program=program, velocity=velocity).save(file=buffer)
    write_bytes_atomically(path, buffer.getvalue())


def midi_file(
    roll: PianoRoll, *, program: int = 0, velocity: int | np.ndarray = 80
) -> mido.MidiFile:
    """The ``mido.MidiFile`` that :func:`write_midi` saves (see there)."""
    ticks_per_step = WRITE_TICKS_PER_BEAT * roll.step_beats
    if ticks_per_step < 1:
        raise ValueError(f"a step of {roll.step_beats} beats is shorter than one MIDI tick")
    strength = _velocity_grid(velocity, roll.keys.shape)  # (T, 88) in 1..127
    runs = roll.note_runs()  # (K, 3): key, first step, steps held
    events = sorted(
        [(round(s * ticks_per_step), 1, k, int(strength[s, k])) for k, s, _ in runs]
        + [(round((s + n) * ticks_per_step), 0, k, 0) for k, s, n in runs]
    )  # note-offs sort before note-ons at the same tick
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=_microseconds_per_beat(roll.tempo)))
    track.append(mido.Message("program_change", program=program))
    tick = 0
    for at, is_on, k, value in events:
        kind = "note_on" if is_on else "note_off"
        note = int(k) + LOWEST_NOTE
        track.append(mido.Message(kind, note=note, velocity=value, time=at - tick))
        tick = at
    track.append(mido.MetaMessage("end_of_track", time=round(len(roll) * ticks_per_step) - tick))
    midi = mido.MidiFile(type=0, ticks_per_beat=WRITE_TICKS_PER_BEAT)
    midi.tracks.append(track)
    return midi


def _microseconds_per_beat(tempo: float) -> int:
    value = round(60_000_000 / tempo)
    if not 1 <= value <= 0xFFFFFF:
        raise ValueError(f"a tempo of {tempo} BPM cannot be stored in a MIDI file")
    return value


def _velocity_grid(velocity: int | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if np.isscalar(velocity):
        if not (isinstance(velocity, (int, np.integer)) and 1 <= velocity <= 127):
            raise ValueError(f"velocity must be a whole number 1..127; got {velocity!r}")
        return np.full(shape, int(velocity), dtype=np.int64)
    grid = np.asarray(velocity)
    if grid.shape != shape:
        raise ValueError(f"velocity array must have the roll's shape {shape}; got {grid.shape}")
    if np.issubdtype(grid.dtype, np.floating):
        if not (np.isfinite(grid).all() and grid.min(initial=0) >= 0 and grid.max(initial=0) <= 1):
            raise ValueError("float velocities are probabilities and must lie in [0, 1]")
        return np.rint(1 + grid * 126).astype(np.int64)
    if np.issubdtype(grid.dtype, np.integer):
        return np.clip(grid, 1, 127).astype(np.int64)
    raise ValueError(f"velocity array must hold floats or integers; got {grid.dtype}")
