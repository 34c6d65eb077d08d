from __future__ import annotations

import re
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musevae.data.midi_io import fold_into_range, read_midi, read_midi_bytes, write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.errors import MidiFileError
from tests.data import midi_corpus as mc


def roll_of(steps: int, held: dict[int, list[tuple[int, int]]], **timing: float) -> PianoRoll:
    """A roll with MIDI note -> [(first step, stop step), ...] held."""
    keys = np.zeros((steps, 88), dtype=bool)
    for note, spans in held.items():
        for start, stop in spans:
            keys[start:stop, note - 21] = True
    return PianoRoll(keys, **timing)


# --- reading: the grid --------------------------------------------------------------------
def test_quantises_in_beats_across_tempo_changes() -> None:
    # 4 ticks per beat, steps of half a beat = 2 ticks. The tempo halves at tick 8, which
    # must not matter: a reader working in seconds at the first tempo would stretch the
    # note at ticks 8..12 (1 s at 60 BPM = 2 beats at 120) to steps 4..8.
    data = mc.smf(
        [
            mc.track([(0, mc.set_tempo(500_000)), (8, mc.set_tempo(1_000_000))]),
            mc.track(mc.notes([(0, 4, 60), (8, 12, 62), (12, 14, 64), (14, 15, 65)])),
        ],
        division=4,
    )
    read = read_midi_bytes(data)
    # 65 runs ticks 14..15 = steps 7..7.5: the end rounds half up to step 8.
    assert read.roll == roll_of(8, {60: [(0, 2)], 62: [(4, 6)], 64: [(6, 7)], 65: [(7, 8)]})
    assert read.roll.tempo == 120.0  # the initial tempo
    assert read.notes == 4


def test_short_notes_snap_to_nearest_step_and_last_at_least_one_step() -> None:
    # 240 ticks a step: 0..30 -> 0..0 -> 0..1; 100..130 -> 0.42..0.54 -> 0..1;
    # 130..140 -> 0.54..0.58 -> 1..1 -> 1..2.
    data = mc.smf([mc.track(mc.notes([(0, 30, 60), (100, 130, 62), (130, 140, 64)]))])
    assert read_midi_bytes(data).roll == roll_of(2, {60: [(0, 1)], 62: [(0, 1)], 64: [(1, 2)]})


def test_step_beats_sets_the_grid() -> None:
    data = mc.smf([mc.track(mc.notes([(0, 480, 60), (480, 960, 62)]))])  # two quarter notes
    assert read_midi_bytes(data, step_beats=0.25).roll == roll_of(
        8, {60: [(0, 4)], 62: [(4, 8)]}, step_beats=0.25
    )
    assert read_midi_bytes(data, step_beats=1.0).roll == roll_of(
        2, {60: [(0, 1)], 62: [(1, 2)]}, step_beats=1.0
    )


def test_merges_instruments_and_drops_drums() -> None:
    data = mc.smf([
        mc.track(mc.notes([(0, 240, 60)], channel=0)),
        mc.track([(0, mc.program_change(40, 1)), *mc.notes([(0, 480, 64)], channel=1)]),
        mc.track(mc.notes([(0, 240, 36), (240, 480, 38)], channel=9)),
    ])  # fmt: skip
    read = read_midi_bytes(data)
    assert read.roll == roll_of(2, {60: [(0, 1)], 64: [(0, 2)]})
    assert (read.notes, read.drum_notes) == (2, 2)


def test_counts_or_folds_notes_outside_the_piano() -> None:
    data = mc.smf([mc.track(mc.notes([(0, 240, 20), (0, 240, 109), (0, 240, 60)]))])
    dropped = read_midi_bytes(data)
    assert dropped.roll == roll_of(1, {60: [(0, 1)]})
    assert (dropped.notes, dropped.out_of_range) == (1, 2)
    folded = read_midi_bytes(data, fold_octaves=True)
    assert folded.roll == roll_of(1, {32: [(0, 1)], 60: [(0, 1)], 97: [(0, 1)]})  # 20+12, 109-12
    assert (folded.notes, folded.out_of_range) == (3, 2)


def test_fold_into_range_moves_whole_octaves() -> None:
    pitch = np.array([0, 8, 9, 21, 108, 109, 120, 121, 127])
    assert fold_into_range(pitch).tolist() == [24, 32, 21, 21, 108, 97, 108, 97, 103]


def test_tempo_is_rounded_to_a_hundredth_of_a_bpm() -> None:
    data = mc.smf([mc.track([(0, mc.set_tempo(461_538)), *mc.notes([(0, 240, 60)])])])
    assert read_midi_bytes(data).roll.tempo == 130.0  # 60e6 / 461538 = 130.00008


def test_trailing_silence_comes_from_the_end_of_track() -> None:
    data = mc.smf([mc.track(mc.notes([(240, 480, 60)]), end_tick=1920)])
    assert read_midi_bytes(data).roll == roll_of(8, {60: [(1, 2)]})


# --- reading: hostile files ----------------------------------------------------------------
HOSTILE = mc.hostile_files(many_notes=2_000)


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("empty.mid", "empty (0 bytes)"),
        ("text.mid", "not a MIDI file"),
        ("picture.mid", "not a MIDI file"),
        ("truncated.mid", "truncated: track 1 needs"),
        ("smpte.mid", "SMPTE"),
        ("zero_division.mid", "0 ticks per beat"),
        ("type2.mid", "type-2"),
        ("corrupt_track.mid", "track 1 is corrupt (data byte"),
        ("overrun_track.mid", "track 1 is corrupt (it ends inside a message)"),
    ],
)
def test_unreadable_files_raise_one_line_reasons(name: str, fragment: str) -> None:
    with pytest.raises(MidiFileError) as caught:
        read_midi_bytes(HOSTILE[name])
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_zero_tempo_is_ignored_and_notes_keep_their_beats() -> None:
    read = read_midi_bytes(HOSTILE["zero_tempo.mid"])
    assert read.roll.tempo == 120.0
    assert read.roll == roll_of(8, {60 + i: [(i, i + 1)] for i in range(8)})


def test_notes_never_released_are_held_to_the_end_of_their_track() -> None:
    # note-ons at ticks 0 and 480, no note-offs, track ends at 1920 = step 8.
    read = read_midi_bytes(HOSTILE["no_note_off.mid"])
    assert read.roll == roll_of(8, {60: [(0, 8)], 64: [(2, 8)]})


@pytest.mark.parametrize("name", ["header_counts_too_few.mid", "header_counts_too_many.mid"])
def test_tracks_are_counted_from_the_chunks_not_the_header(name: str) -> None:
    held = {60 + i: [(i, i + 1)] for i in range(4)}
    if name == "header_counts_too_few.mid":  # 1 declared, 2 present: both are read
        held |= {72 + i: [(i, i + 1)] for i in range(4)}
    assert read_midi_bytes(HOSTILE[name]).roll == roll_of(4, held)


def test_a_type_2_file_with_one_pattern_is_one_piece() -> None:
    data = mc.smf([mc.track(mc.notes(mc.scale(3)))], fmt=2)
    assert read_midi_bytes(data).roll == roll_of(3, {60: [(0, 1)], 61: [(1, 2)], 62: [(2, 3)]})


def test_junk_after_the_tracks_is_ignored() -> None:
    assert read_midi_bytes(HOSTILE["junk_after_tracks.mid"]).notes == 6


def test_files_with_nothing_to_play_read_as_silence_with_counts() -> None:
    drums = read_midi_bytes(HOSTILE["drums_only.mid"])
    assert (drums.notes, drums.drum_notes, int(drums.roll.keys.sum())) == (0, 8, 0)
    outside = read_midi_bytes(HOSTILE["out_of_range.mid"])
    assert (outside.notes, outside.out_of_range, int(outside.roll.keys.sum())) == (0, 3, 0)


def test_many_notes_are_read() -> None:
    read = read_midi_bytes(HOSTILE["many_notes.mid"])  # 2,000 notes, 60 ticks each
    assert read.notes == 2_000
    # 2,000 * 60 ticks / 240 ticks a step = 500 steps, but the last note (ticks
    # 119,940..120,000 -> step 499.75..500) snaps to step 500 and still takes a step.
    assert len(read.roll) == 501


@pytest.mark.parametrize(
    "limit, fragment",
    [
        ({"max_notes": 15}, "more than 15 notes"),
        ({"max_steps": 7}, "8 steps long (8 beats); the limit is 7 steps (7 beats)"),
        ({"max_bytes": 100}, "the limit is 0.0 MiB"),
    ],
)
def test_limits_refuse_big_files(limit: dict[str, int], fragment: str) -> None:
    plain = mc.smf([mc.track(mc.notes(mc.scale(16)))])  # 16 notes, 16 steps of 240 ticks
    with pytest.raises(MidiFileError, match=re.escape(fragment)):
        read_midi_bytes(plain, step_beats=1.0, **limit)  # 8 steps of 480 ticks


def test_read_midi_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "song.mid").write_bytes(b"garbage")
    with pytest.raises(MidiFileError, match='cannot read ".*song.mid": not a MIDI file'):
        read_midi(tmp_path / "song.mid")
    with pytest.raises(MidiFileError, match="missing.mid"):
        read_midi(tmp_path / "missing.mid")


# --- writing -----------------------------------------------------------------------------
def test_written_file_plays_in_other_readers(tmp_path: Path) -> None:
    roll = roll_of(4, {60: [(1, 3)], 64: [(0, 1), (2, 4)]}, tempo=120.0)
    write_midi(roll, tmp_path / "out.mid", program=5)
    score = pretty_midi.PrettyMIDI(str(tmp_path / "out.mid"))
    (part,) = score.instruments
    assert part.program == 5
    # 0.25 s a step (eighth notes at 120 BPM); consecutive steps are one held note.
    got = sorted((n.pitch, n.start, n.end) for n in part.notes)
    assert got == [(60, 0.25, 0.75), (64, 0.0, 0.25), (64, 0.5, 1.0)]


def test_velocity_grid_maps_probabilities_and_takes_the_first_step(tmp_path: Path) -> None:
    roll = roll_of(2, {60: [(0, 2)], 62: [(1, 2)]})
    chance = np.zeros((2, 88))
    chance[0, 60 - 21] = 1.0  # onset of the held 60 -> 127
    chance[1, 60 - 21] = 0.0  # its second step does not start a note
    chance[1, 62 - 21] = 0.5  # -> 1 + 0.5 * 126 = 64
    write_midi(roll, tmp_path / "v.mid", velocity=chance)
    ons = [m for m in mido.MidiFile(tmp_path / "v.mid").tracks[0] if m.type == "note_on"]
    assert [(m.note, m.velocity) for m in ons] == [(60, 127), (62, 64)]


@pytest.mark.parametrize("velocity", [0, 128, 2.5, np.full((2, 88), 1.5), np.zeros((3, 88))])
def test_bad_velocities_are_refused(tmp_path: Path, velocity: object) -> None:
    with pytest.raises(ValueError, match="velocit"):
        write_midi(roll_of(2, {60: [(0, 1)]}), tmp_path / "v.mid", velocity=velocity)
    assert not (tmp_path / "v.mid").exists()


@st.composite
def rolls(draw: st.DrawFn) -> tuple[PianoRoll, int | np.ndarray]:
    steps = draw(st.integers(0, 40))
    lead = draw(st.integers(0, steps))
    tail = draw(st.integers(0, steps - lead))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    keys = rng.random((steps, 88)) < draw(st.sampled_from([0.01, 0.1, 0.6]))
    keys[:lead] = False
    keys[steps - tail :] = False
    step_beats = draw(st.sampled_from([0.25, 0.5, 1.0, 1 / 3, 0.75]))
    tempo = draw(st.integers(2_000, 40_000)) / 100  # 20.00 .. 400.00 BPM
    velocity = draw(st.one_of(st.integers(1, 127), st.just(rng.random((steps, 88)))))
    return PianoRoll(keys, step_beats, tempo), velocity


@settings(max_examples=40, deadline=None)
@given(case=rolls())
def test_roll_midi_roll_round_trip_is_exact(
    case: tuple[PianoRoll, int | np.ndarray], tmp_path_factory: pytest.TempPathFactory
) -> None:
    roll, velocity = case
    path = tmp_path_factory.getbasetemp() / "round_trip.mid"
    write_midi(roll, path, velocity=velocity)
    assert read_midi(path, step_beats=roll.step_beats).roll == roll
