"""What ``generate`` shares with ``harmonize`` and ``regenerate``: the flags after their
own, and reading their piece in the model's steps at ``--bpm``."""

from __future__ import annotations

import argparse
from pathlib import Path

from musevae.cli import generate
from musevae.data.midi_io import write_midi
from musevae.data.pianoroll import PianoRoll


def test_add_sampling_adds_the_seed_the_controls_and_the_output_named_by_stem() -> None:
    parser = argparse.ArgumentParser()
    generate.add_sampling(parser, stem="harmony")
    args = parser.parse_args(["--seed", "7", "--key", "D"])
    assert (args.seed, args.key, args.name, args.bpm, args.temperature) == (7, "D", "harmony", 100.0, 1.0)
    text = parser.format_help()
    assert text.index("--seed SEED") < text.index("musical controls:") < text.index("output:")


def test_read_piece_takes_the_step_flag_and_the_tempo_flag(tmp_path: Path) -> None:
    path = tmp_path / "melody.mid"
    write_midi(PianoRoll.from_notes([[60], [62], [64]], step_beats=1.0, tempo=120.0), path)
    args = argparse.Namespace(step="8th", bpm=90.0)
    piece = generate.read_piece(args, path, card={})  # --step given: the card is not asked
    # three quarter notes are six eighth-note steps, each note held for two
    assert piece.to_notes() == [[60], [60], [62], [62], [64], [64]]
    assert (piece.step_beats, piece.tempo) == (0.5, 90.0)  # --bpm, not the file's 120
