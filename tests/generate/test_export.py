from __future__ import annotations

import mido
import numpy as np

from musevae.data.midi_io import read_midi
from musevae.data.pianoroll import PianoRoll
from musevae.generate import Controls, generate
from musevae.generate.export import (
    DEFAULT_VELOCITY,
    VELOCITY_FLOOR,
    export_generation,
    note_velocities,
)


def test_generated_rolls_survive_midi_round_trip(untrained_rnn, tmp_path) -> None:
    result = generate(
        untrained_rnn, 48, n=2, seed=4, step_beats=0.25, tempo=100,
        controls=Controls(max_polyphony=4, min_note_steps=2),
    )  # fmt: skip
    paths = export_generation(result, tmp_path, stem="piece")
    assert [p.name for p in paths] == ["piece_1.mid", "piece_2.mid", "piece.npz"]
    for path, roll in zip(paths, result.rolls):
        assert read_midi(path, step_beats=0.25).roll == roll


def test_lanes_sidecar_holds_probabilities_and_uncertainty(untrained_rnn, tmp_path) -> None:
    result = generate(untrained_rnn, 20, n=3, seed=0)
    *_, lanes = export_generation(result, tmp_path)
    with np.load(lanes, allow_pickle=False) as data:
        np.testing.assert_array_equal(data["probs"], result.probs)
        np.testing.assert_array_equal(data["entropy"], result.entropy)
        assert data["disagreement"].shape == (20,)
        assert int(data["seed"]) == result.seed
        assert "latent_spread" not in data  # the RNN has no latents


def test_candidates_as_tracks_on_separate_channels(untrained_rnn, tmp_path) -> None:
    result = generate(untrained_rnn, 16, n=3, seed=0, controls=Controls(max_polyphony=2))
    paths = export_generation(result, tmp_path, as_tracks=True, lanes=False)
    midi = mido.MidiFile(paths[0])
    assert len(paths) == 1 and midi.type == 1 and len(midi.tracks) == 3
    channels = [{m.channel for m in track if m.type == "note_on"} for track in midi.tracks]
    assert channels == [{0}, {1}, {2}]


def test_probability_velocity_and_prime(two_style_rnn, tmp_path) -> None:
    prime = PianoRoll.from_notes([[60, 64, 67]] * 4)
    result = generate(two_style_rnn, 8, seed=0, prime=prime)
    (path,) = export_generation(result, tmp_path, velocity=None, with_prime=True, lanes=False)
    notes = [m for m in mido.MidiFile(path).tracks[0] if m.type == "note_on" and m.velocity]
    assert read_midi(path).roll.keys[:4].sum() == 12  # the prime's chord comes first
    assert {m.velocity for m in notes[:3]} == {127}  # played, not sampled: full confidence
    assert all(1 <= m.velocity <= 127 for m in notes)


def test_velocity_by_confidence_has_a_floor_and_the_default_is_one_loudness(
    untrained_rnn, tmp_path
) -> None:
    # 40 + p * (127 - 40): a long shot at 40, not 1; 0.5 -> 83.5, rounded to even: 84
    assert note_velocities(np.array([[0.0, 0.5, 1.0]]), None).tolist() == [[40, 84, 127]]
    assert note_velocities(np.array([[0.0, 1.0]])) == DEFAULT_VELOCITY == 80
    result = generate(untrained_rnn, 32, n=1, seed=3)
    (quiet,) = export_generation(result, tmp_path / "prob", velocity=None, lanes=False)
    (plain,) = export_generation(result, tmp_path / "plain", lanes=False)
    ons = {
        path: [m.velocity for m in mido.MidiFile(path).tracks[0] if m.type == "note_on"]
        for path in (quiet, plain)
    }
    assert ons[quiet] and min(ons[quiet]) >= VELOCITY_FLOOR == 40
    assert set(ons[plain]) == {DEFAULT_VELOCITY}
