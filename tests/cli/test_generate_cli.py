from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from musevae.cli import main
from musevae.data.midi_io import read_midi, write_midi
from musevae.data.pianoroll import PianoRoll
from tests.train.toy import write_toy_pickle



@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    """A tiny SRNN trained for a few updates through the real ``train`` command."""
    out = tmp_path / "run"
    toy = write_toy_pickle(tmp_path)
    args = ["train", "--dataset", str(toy), "--model", "srnn", "--d-dim", "8", "--z-dim", "4",
            "--a-dim", "8", "--hidden", "8", "--epochs", "1", "--updates-per-epoch", "3",
            "--batch-size", "2", "--seq-len", "8", "--test-samples", "0", "--device", "cpu",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return out


def test_generate_writes_candidates_and_lanes(checkpoint: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "music"
    code = main(["generate", str(checkpoint), "--steps", "24", "--n", "2", "--seed", "3",
                 "--bpm", "90", "--step", "16th", "--max-polyphony", "3", "--out", str(out),
                 "--device", "cpu"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "seed 3; wrote 3 file(s)" in printed
    assert "candidate 1:" in printed and "mean entropy" in printed
    roll = read_midi(out / "candidate_1.mid", step_beats=0.25).roll
    assert len(roll) == 24 and roll.tempo == 90 and roll.polyphony.max() <= 3
    with np.load(out / "candidate.npz", allow_pickle=False) as lanes:
        assert lanes["latent_spread"].shape == (2, 24)  # SRNN: latent lane present
        assert lanes["disagreement"].shape == (24,)


def test_generate_continues_a_prime_in_another_key(checkpoint: Path, tmp_path: Path) -> None:
    prime = tmp_path / "prime.mid"
    write_midi(PianoRoll.from_notes([[62, 66, 69]] * 6), prime)  # D major chord
    out = tmp_path / "music"
    code = main(["generate", str(checkpoint), "--steps", "10", "--prime", str(prime),
                 "--with-prime", "--key", "D", "--tracks", "--out", str(out), "--device", "cpu"])  # fmt: skip
    assert code == 0
    roll = read_midi(out / "candidate.mid").roll
    assert len(roll) == 16 and roll.to_notes()[0] == [62, 66, 69]


def test_generate_reports_bad_input_clearly(checkpoint: Path, tmp_path: Path, capsys) -> None:
    garbage = tmp_path / "garbage.mid"
    garbage.write_bytes(b"not a midi file at all")
    assert main(["generate", str(checkpoint), "--prime", str(garbage), "--out", str(tmp_path)]) == 2
    assert "garbage.mid" in capsys.readouterr().err
    assert main(["generate", "no-such-model", "--out", str(tmp_path)]) == 2
    assert "no model called 'no-such-model'" in capsys.readouterr().err


def test_evaluate_samples_against_a_dataset(checkpoint: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "music"
    main(["generate", str(checkpoint), "--steps", "16", "--n", "2", "--out", str(out),
          "--step", "8th", "--device", "cpu"])  # fmt: skip
    capsys.readouterr()
    toy = write_toy_pickle(tmp_path)
    code = main(["evaluate-samples", str(out), "--reference", str(toy), "--judge",
                 str(checkpoint), "--samples", "4", "--device", "cpu"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "generated: 2 pieces, 32 frames" in printed
    for row in ("polyphony distance", "pitch-class distance", "note-length distance",
                "log-likelihood (srnn)", "frame-weighted"):  # fmt: skip
        assert row in printed
    assert main(["evaluate-samples", str(tmp_path / "nothing"), "--reference", str(toy)]) == 2


def test_the_precision_flag_offers_what_the_steppers_take(checkpoint: Path, tmp_path: Path) -> None:
    from musevae.cli.generate import PRECISIONS
    from musevae.models.step_kernels import PRECISIONS as STEPPER_PRECISIONS

    assert PRECISIONS == STEPPER_PRECISIONS
    args = ["generate", str(checkpoint), "--steps", "4", "--out", str(tmp_path), "--precision"]
    assert main([*args, "float32"]) == 0
