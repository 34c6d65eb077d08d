"""Long pieces at high resolution import; a file that claims 10^12 ticks is refused cheaply.

The files are written with mido, as notation programs write them: a conductor track
(tempo) and one track per instrument, at 10,080 ticks per beat.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import mido
import numpy as np
import pytest

from musevae.data.folders import ImportOptions, dataset_from_folder
from musevae.data.midi_io import read_midi, read_midi_bytes
from musevae.errors import MidiFileError
from tests.data import midi_corpus as mc

TPB = 10_080


def write_piece(
    path: Path, voices: list[list[int]], beats: int, tempi: list[tuple[int, int]]
) -> None:
    """Voice ``v`` plays ``voices[v][b % len]`` on every beat ``b``, a little early or
    late (up to 3 ticks) and released 20 ticks before the next beat; ``tempi`` are
    (beat, microseconds per beat) in the conductor track."""
    midi = mido.MidiFile(type=1, ticks_per_beat=TPB)
    conductor = mido.MidiTrack([mido.MetaMessage("track_name", name="conductor")])
    tick = 0
    for beat, tempo in tempi:
        conductor.append(mido.MetaMessage("set_tempo", tempo=tempo, time=beat * TPB - tick))
        tick = beat * TPB
    midi.tracks.append(conductor)
    for channel, pattern in enumerate(voices):
        track = mido.MidiTrack([mido.Message("program_change", channel=channel, program=40)])
        tick = 0
        for beat in range(beats):
            on, note = beat * TPB + (beat % 7) - 3 if beat else 0, pattern[beat % len(pattern)]
            track.append(mido.Message("note_on", channel=channel, note=note, velocity=70,
                                      time=on - tick))  # fmt: skip
            track.append(mido.Message("note_off", channel=channel, note=note,
                                      time=(beat + 1) * TPB - 20 - on))  # fmt: skip
            tick = (beat + 1) * TPB - 20
        midi.tracks.append(track)
    midi.save(path)


QUARTET = [[67, 69, 71, 72], [64, 65, 67, 64], [60, 60, 62, 59], [48, 53, 55, 43]]


def test_a_fourteen_minute_quartet_at_10080_ticks_a_beat_imports(tmp_path: Path) -> None:
    # 1,120 beats at 80 BPM = 14 minutes; the last event is at tick 1,120 * 10,080 - 20
    # = 11,289,580, past pretty_midi's 10 million and the old 9,000,000 limit.
    tempi = [(0, 750_000), (400, 800_000), (800, 750_000)]  # 80, 75, 80 BPM
    write_piece(tmp_path / "quartet.mid", QUARTET, 1_120, tempi)
    read = read_midi(tmp_path / "quartet.mid")  # eighth notes: 5,040 ticks a step
    assert read.notes == 4 * 1_120 and read.roll.tempo == 80.0
    # each note: starts within 3 ticks of 2b, ends 20 ticks before 2b + 2 -> steps 2b..2b+2
    assert len(read.roll) == 2_240
    for beat in (0, 1, 559, 1_119):
        held = read.roll.keys[2 * beat : 2 * beat + 2]
        expected = sorted(v[beat % 4] - 21 for v in QUARTET)
        assert [np.flatnonzero(step).tolist() for step in held] == [expected, expected], beat
    assert int(read.roll.keys.sum()) == 4 * 2_240  # four voices, every step


def test_the_quartet_is_used_by_a_folder_import_not_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "midi"
    folder.mkdir()
    write_piece(folder / "quartet.mid", QUARTET, 1_120, [(0, 750_000)])
    for i in range(4):  # a dataset needs a few files
        (folder / f"s{i}.mid").write_bytes(mc.smf([mc.track(mc.notes(mc.scale(i + 4)))]))
    _, report = dataset_from_folder(folder, ImportOptions(workers=1))
    assert report.skipped == () and "quartet.mid" in dict(report.used)


@pytest.mark.parametrize("step_beats, steps", [(0.5, 43_200), (0.25, 86_400)])
def test_a_three_hour_piece_imports_on_the_eighth_and_sixteenth_grids(
    tmp_path: Path, step_beats: float, steps: int
) -> None:
    # 3 h at 120 BPM = 21,600 beats = 217,727,980 ticks at the last note-off.
    write_piece(tmp_path / "long.mid", [[60, 64, 67]], 21_600, [(0, 500_000)])
    read = read_midi(tmp_path / "long.mid", step_beats=step_beats)
    assert (read.notes, len(read.roll)) == (21_600, steps)
    per_beat = round(1 / step_beats)
    last = read.roll.keys[-per_beat:]  # beat 21,599 plays pattern[21,599 % 3] = 67
    assert [np.flatnonzero(step).tolist() for step in last] == [[67 - 21]] * per_beat


def test_a_file_claiming_a_trillion_ticks_is_refused_without_a_giant_roll() -> None:
    # One note, then an end-of-track 10^12 ticks in (a 6-byte delta): 10^12 / 480 =
    # 2,083,333,333 beats, 10^12 / 240 = 4,166,666,667 steps (rounded).
    data = mc.smf([mc.track(mc.notes([(0, 240, 60)]), end_tick=10**12)])
    reason = (
        "it is 4,166,666,667 steps long (2,083,333,333 beats); "
        "the limit is 200,000 steps (100,000 beats)"
    )
    tracemalloc.start()
    try:
        with pytest.raises(MidiFileError, match=f"^{re.escape(reason)}$"):
            read_midi_bytes(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # a roll that long would take 367 GB
