"""Writing a generation to disk: MIDI for musicians, ``.npz`` lanes for analysis."""

from __future__ import annotations

import io
import os
from pathlib import Path

import mido
import numpy as np

from musevae.atomic import write_bytes_atomically
from musevae.data.midi_io import midi_file
from musevae.data.pianoroll import PianoRoll
from musevae.generate.sampler import Generation

DRUM_CHANNEL = 9  # General MIDI channel 10 would turn candidates into percussion
# Loudness, the same in the CLI and the app: one velocity for every note by default (what
# live playback plays), or by the model's confidence from a floor up to 127, since 1..127
# made a tenth of a piece's notes nearly silent (below 20).
DEFAULT_VELOCITY = 80
VELOCITY_FLOOR = 40
MAX_VELOCITY = 127


def note_velocities(
    probs: np.ndarray, velocity: int | None = DEFAULT_VELOCITY
) -> int | np.ndarray:
    """MIDI velocities for notes of probabilities ``probs`` ``(T, 88)``: ``velocity`` for
    every note, or with None, VELOCITY_FLOOR for a long shot rising to 127 for a sure note."""
    if velocity is not None:
        return velocity
    span = MAX_VELOCITY - VELOCITY_FLOOR
    return np.rint(VELOCITY_FLOOR + np.clip(probs, 0.0, 1.0) * span).astype(np.int64)


def export_generation(
    result: Generation,
    out_dir: str | os.PathLike[str],
    *,
    stem: str = "candidate",
    program: int = 0,
    velocity: int | None = DEFAULT_VELOCITY,
    as_tracks: bool = False,
    with_prime: bool = False,
    lanes: bool = True,
) -> list[Path]:
    """Write the candidates as ``.mid`` (one file each, or one file with a track each).

    ``velocity`` None maps each note's probability to its loudness (a sure note is loud,
    a long shot soft: :func:`note_velocities`). ``with_prime`` puts the prime before
    each continuation. ``lanes`` adds ``<stem>.npz`` with the notes, probabilities and
    uncertainty lanes. Returns the paths written, MIDI first.
    """
    folder = Path(out_dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    midis = [_midi(result, i, program, velocity, with_prime) for i in range(len(result.rolls))]
    if as_tracks:
        paths = [folder / f"{stem}.mid"]
        _save(paths[0], _merge_tracks(midis))
    else:
        paths = [folder / f"{stem}_{i + 1}.mid" for i in range(len(midis))]
        for path, midi in zip(paths, midis):
            _save(path, midi)
    if lanes:
        paths.append(folder / f"{stem}.npz")
        _save_lanes(paths[-1], result)
    return paths


def _midi(
    result: Generation, index: int, program: int, velocity: int | None, with_prime: bool
) -> mido.MidiFile:
    roll, probs = result.rolls[index], result.probs[index]
    if with_prime and result.prime is not None:
        prime = PianoRoll(result.prime.keys, roll.step_beats, roll.tempo)
        # the prime was played, not sampled: full confidence
        probs = np.concatenate([np.ones(prime.keys.shape, np.float32), probs])
        roll = PianoRoll.concatenate([prime, roll])
    return midi_file(roll, program=program, velocity=note_velocities(probs, velocity))


def _merge_tracks(midis: list[mido.MidiFile]) -> mido.MidiFile:
    """One type-1 file; candidate i plays on its own channel, skipping the drum channel."""
    merged = mido.MidiFile(type=1, ticks_per_beat=midis[0].ticks_per_beat)
    channels = [c for c in range(16) if c != DRUM_CHANNEL]
    for i, midi in enumerate(midis):
        channel = channels[i % len(channels)]
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=f"candidate {i + 1}")])
        track.extend(
            message.copy(channel=channel) if hasattr(message, "channel") else message
            for message in midi.tracks[0]
        )
        merged.tracks.append(track)
    return merged


def _save(path: Path, midi: mido.MidiFile) -> None:
    buffer = io.BytesIO()
    midi.save(file=buffer)
    write_bytes_atomically(path, buffer.getvalue())


def _save_lanes(path: Path, result: Generation) -> None:
    arrays = {
        "notes": np.stack([roll.keys for roll in result.rolls]),  # (N, T, 88) bool
        "probs": result.probs,  # (N, T, 88)
        "entropy": result.entropy,  # (N, T) nats
        "seed": np.array(result.seed),
        "step_beats": np.array(result.rolls[0].step_beats),
        "tempo": np.array(result.rolls[0].tempo),
    }
    if result.latent_spread is not None:
        arrays["latent_spread"] = result.latent_spread  # (N, T)
    if result.disagreement is not None:
        arrays["disagreement"] = result.disagreement  # (T,)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_bytes_atomically(path, buffer.getvalue())
