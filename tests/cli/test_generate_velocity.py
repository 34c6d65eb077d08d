"""``musevae generate --velocity``: the default and the floor are the export's, as in the
app (the help states them; one constant in musevae.generate.export holds them)."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest

from musevae.cli import main
from musevae.generate.export import DEFAULT_VELOCITY, MAX_VELOCITY, VELOCITY_FLOOR
from tests.cli.test_generate_cli import checkpoint  # noqa: F401  (a fixture)


def note_on_velocities(folder: Path) -> list[int]:
    midi = mido.MidiFile(folder / "candidate_1.mid")
    return [m.velocity for m in midi.tracks[0] if m.type == "note_on" and m.velocity]


def test_the_help_states_the_exports_default_and_floor(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default {DEFAULT_VELOCITY}, as the app's MIDI export)" in text
    assert f"from {VELOCITY_FLOOR} for a long shot to {MAX_VELOCITY} for a sure note" in text


def test_generate_velocities_default_and_by_confidence(
    checkpoint: Path, tmp_path: Path  # noqa: F811
) -> None:
    for name, extra in (("plain", []), ("prob", ["--velocity", "prob"]),
                        ("set", ["--velocity", "64"])):  # fmt: skip
        out = tmp_path / name
        args = ["generate", str(checkpoint), "--steps", "32", "--seed", "2", "--device", "cpu",
                "--out", str(out), *extra]  # fmt: skip
        assert main(args) == 0
    assert set(note_on_velocities(tmp_path / "plain")) == {DEFAULT_VELOCITY}
    assert min(note_on_velocities(tmp_path / "prob")) >= VELOCITY_FLOOR
    assert set(note_on_velocities(tmp_path / "set")) == {64}
