"""``musevae harmonize`` and ``musevae regenerate`` through the real parser and a shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from musevae.cli import main
from musevae.data.midi_io import read_midi, write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.generate.harmonize import top_line

MELODY = [[72], [72], [74], [74], [76], [76], [77], [79]]  # quarters, the step of the JSB models


def test_harmonize_writes_candidates_under_the_melody(tmp_path: Path, capsys) -> None:
    melody = tmp_path / "melody.mid"
    write_midi(PianoRoll.from_notes(MELODY, step_beats=1.0), melody)
    out = tmp_path / "music"
    code = main(["harmonize", "srnn-jsb", str(melody), "--n", "2", "--seed", "5",
                 "--max-polyphony", "4", "--out", str(out), "--device", "cpu"])  # fmt: skip
    assert code == 0
    assert "seed 5; wrote 3 file(s)" in capsys.readouterr().out
    for name in ("harmony_1.mid", "harmony_2.mid"):
        roll = read_midi(out / name, step_beats=1.0).roll
        assert top_line(roll).to_notes() == MELODY
        assert roll.polyphony.max() <= 4
    with np.load(out / "harmony.npz", allow_pickle=False) as lanes:
        assert lanes["probs"].shape == (2, 8, 88) and lanes["disagreement"].shape == (8,)


def test_regenerate_keeps_the_music_outside_the_passage(tmp_path: Path, capsys) -> None:
    chords = [[48, 64, 67, 72]] * 4 + [[43, 62, 67, 71]] * 4 + [[48, 64, 67, 72]] * 4
    piece = tmp_path / "piece.mid"
    write_midi(PianoRoll.from_notes(chords, step_beats=1.0), piece)
    out = tmp_path / "music"
    code = main(["regenerate", "srnn-jsb", str(piece), "--steps", "4:8", "--n", "2",
                 "--proposals", "4", "--samples", "2", "--seed", "1", "--out", str(out),
                 "--device", "cpu"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 proposals for steps 4:8; effective sample size" in printed
    for name in ("regenerated_1.mid", "regenerated_2.mid"):
        notes = read_midi(out / name, step_beats=1.0).roll.to_notes()
        assert len(notes) == 12 and notes[:4] == chords[:4] and notes[8:] == chords[8:]


def test_regenerate_refuses_a_passage_past_the_end_or_none(tmp_path: Path, capsys) -> None:
    piece = tmp_path / "piece.mid"
    write_midi(PianoRoll.from_notes([[60]] * 6, step_beats=1.0), piece)
    assert main(["regenerate", "srnn-jsb", str(piece), "--steps", "2:9", "--device", "cpu"]) == 2
    assert "ends past the piece's 6 steps" in capsys.readouterr().err
    assert main(["regenerate", "srnn-jsb", str(piece), "--device", "cpu"]) == 2
    assert "--steps A:B" in capsys.readouterr().err
