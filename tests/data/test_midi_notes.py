from __future__ import annotations

import io

import mido
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musevae.data.midi_notes import NoteTable, collect_notes
from musevae.errors import MidiFileError

Message = tuple[int, str, int, int, int]  # (absolute tick, kind, channel, note, velocity)


def midi_of(*tracks: list[Message], tempi: tuple[tuple[int, int], ...] = ()) -> mido.MidiFile:
    """A 480-tick file: ``tempi`` (tick, microseconds) open the first track."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    for number, events in enumerate(tracks):
        timed = [(t, mido.MetaMessage("set_tempo", tempo=us)) for t, us in tempi if number == 0]
        timed += [(t, mido.Message(k, channel=c, note=n, velocity=v)) for t, k, c, n, v in events]
        track, tick = mido.MidiTrack(), 0
        for at, message in sorted(timed, key=lambda pair: pair[0]):  # stable: order kept
            track.append(message.copy(time=at - tick))
            tick = at
        midi.tracks.append(track)
    return midi


def spans(table: NoteTable) -> list[tuple[int, int, int]]:
    """(pitch, start tick, stop tick) of every note, sorted."""
    return sorted(zip(table.pitch.tolist(), *table.ticks.T.tolist()))


def test_a_note_off_closes_every_earlier_note_of_its_key() -> None:
    # 60 struck at 0 and 100, released once at 200: two notes, both ending at 200.
    midi = midi_of([(0, "note_on", 0, 60, 80), (100, "note_on", 0, 60, 80),
                    (200, "note_off", 0, 60, 0)])  # fmt: skip
    assert spans(collect_notes(midi, 10)) == [(60, 0, 200), (60, 100, 200)]


def test_a_note_struck_where_the_last_one_ends_goes_on() -> None:
    # At tick 100 the second note-on comes before the note-off that ends the first: the
    # first (0..100) closes, the second stays open until 300. A velocity-0 note-on is a
    # note-off.
    midi = midi_of([(0, "note_on", 0, 60, 80), (100, "note_on", 0, 60, 80),
                    (100, "note_off", 0, 60, 0), (300, "note_on", 0, 60, 0)])  # fmt: skip
    assert spans(collect_notes(midi, 10)) == [(60, 0, 100), (60, 100, 300)]


def test_a_note_released_where_it_was_struck_is_dropped() -> None:
    midi = midi_of([(50, "note_on", 0, 62, 80), (50, "note_off", 0, 62, 0),
                    (90, "note_off", 0, 62, 0)])  # fmt: skip
    assert spans(collect_notes(midi, 10)) == []


def test_channels_and_tracks_are_paired_apart_and_drums_counted() -> None:
    # The note-off on channel 1 does not end channel 0's 64; the second track's note-off
    # does not end the first track's 67; channel 9 (drums) is counted, not kept.
    first = [(0, "note_on", 0, 64, 80), (10, "note_off", 1, 64, 0), (20, "note_off", 0, 64, 0),
             (0, "note_on", 0, 67, 80), (30, "note_off", 0, 67, 0),
             (0, "note_on", 9, 36, 80), (5, "note_off", 9, 36, 0)]  # fmt: skip
    second = [(0, "note_on", 0, 72, 80), (15, "note_off", 0, 67, 0), (40, "note_off", 0, 72, 0)]
    table = collect_notes(midi_of(first, second), max_notes=10)
    assert spans(table) == [
        (64, 0, 20), (67, 0, 30), (72, 0, 40)]  # fmt: skip
    assert (table.drum_notes, table.last_tick) == (1, 40)


def test_notes_left_open_last_to_the_end_of_their_track() -> None:
    # The track ends at 480 (its last event): 60 (struck at 0) ends there, 62 struck at
    # 480 lasts one tick. The other track ends at 900, which moves neither.
    held = [(0, "note_on", 0, 60, 80), (480, "note_on", 0, 62, 80)]
    table = collect_notes(midi_of(held, [(900, "note_off", 0, 40, 0)]), max_notes=10)
    assert spans(table) == [
        (60, 0, 480), (62, 480, 481)]  # fmt: skip
    assert table.last_tick == 900


def test_the_tempo_is_the_first_tracks_last_at_tick_0_and_0_is_ignored() -> None:
    notes = [(0, "note_on", 0, 60, 80), (480, "note_off", 0, 60, 0)]
    assert collect_notes(midi_of(notes), 10).tempo == 500_000  # none: 120 BPM
    tempi = ((0, 600_000), (0, 400_000), (0, 0), (240, 300_000))
    assert collect_notes(midi_of(notes, tempi=tempi), 10).tempo == 400_000
    later = midi_of(notes, [])  # a second, empty track
    later.tracks[1].insert(0, mido.MetaMessage("set_tempo", tempo=1_000_000))  # track 2
    assert collect_notes(later, 10).tempo == 500_000


def test_more_notes_than_the_limit_are_refused() -> None:
    three = midi_of([(i * 10, "note_on", 0, 60 + i, 80) for i in range(3)])
    assert collect_notes(three, max_notes=3).pitch.size == 3
    with pytest.raises(MidiFileError, match="more than 2 notes"):
        collect_notes(three, max_notes=2)


# --- agreement with pretty_midi, whose pairing this reproduces ---------------------------
events = st.tuples(
    st.integers(0, 10).map(lambda beat: 100 * beat),  # tick: few, so events coincide
    st.sampled_from(["note_on", "note_on", "note_off"]),
    st.sampled_from([0, 3, 9]),  # channel 9: drums
    st.integers(58, 62),  # few keys, so notes overlap and collide
    st.sampled_from([0, 64]),  # a note-on of velocity 0 is a note-off
)


@settings(max_examples=150, deadline=None)
@given(tracks=st.lists(st.lists(events, max_size=30), min_size=1, max_size=3))
def test_notes_agree_with_pretty_midi(tracks: list[list[Message]]) -> None:
    # Every track ends by releasing each key at tick 3,000, which pretty_midi (dropping
    # notes never released) and collect_notes (holding them) read alike.
    closing = [(3_000, "note_off", c, n, 0) for c in (0, 3, 9) for n in range(58, 63)]
    midi = midi_of(*[events + closing for events in tracks])
    buffer = io.BytesIO()
    midi.save(file=buffer)
    buffer.seek(0)
    score = pretty_midi.PrettyMIDI(buffer)  # 120 BPM: 1/960 s a tick
    melodic = [n for part in score.instruments if not part.is_drum for n in part.notes]
    expected = sorted((n.pitch, round(n.start * 960), round(n.end * 960)) for n in melodic)
    table = collect_notes(midi, max_notes=10_000)
    assert spans(table) == expected
    assert table.drum_notes == sum(len(p.notes) for p in score.instruments if p.is_drum)
