"""A small additive piano-like synthesiser in numpy, so a roll always has a sound.

Each note is a few harmonics of its pitch, each decaying exponentially - upper
harmonics and high notes faster, as on a piano - shaped by a short raised-cosine attack
and release so no note starts or stops with a click. The mix is scaled to a fixed peak
below full scale: a dense chord never clips and a quiet piece is not lost. It is no
concert grand; FluidSynth with a SoundFont sounds far better (see :mod:`.render`).
"""

from __future__ import annotations

import numpy as np

from musevae.data.pianoroll import LOWEST_NOTE, PianoRoll

SAMPLE_RATE = 44_100
ATTACK_SECONDS = 0.005
RELEASE_SECONDS = 0.1  # every note fades out over this long after its last step
PEAK = 0.89  # about -1 dBFS
HARMONIC_LEVELS = np.array([1.0, 0.45, 0.25, 0.12, 0.07, 0.04])  # of the fundamental


def render(roll: PianoRoll, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The roll as mono audio, ``(S,)`` float32 in [-PEAK, PEAK].

    It lasts ``roll.duration_seconds + RELEASE_SECONDS`` (rounded to whole samples) so
    the last notes fade out instead of being cut; a silent roll renders as silence.
    """
    if sample_rate < 8_000:
        raise ValueError(f"sample rate must be at least 8000 Hz; got {sample_rate}")
    step = roll.seconds_per_step * sample_rate  # samples per step (not rounded)
    total = round(roll.duration_seconds * sample_rate) + round(RELEASE_SECONDS * sample_rate)
    mix = np.zeros(total, dtype=np.float64)
    for key, start, length in roll.note_runs():
        begin = round(start * step)
        wave = note(int(key) + LOWEST_NOTE, round((start + length) * step) - begin, sample_rate)
        end = min(begin + len(wave), total)
        mix[begin:end] += wave[: end - begin]
    peak = np.abs(mix).max(initial=0.0)
    if peak > 0:
        mix *= PEAK / peak
    return mix.astype(np.float32)


def note(midi_note: int, hold: int, sample_rate: int) -> np.ndarray:
    """One note held for ``hold`` samples then released: ``(hold + release,)`` float64."""
    release = round(RELEASE_SECONDS * sample_rate)
    t = np.arange(hold + release) / sample_rate  # (S,) seconds
    f0 = 440.0 * 2.0 ** ((midi_note - 69) / 12)
    k = np.arange(1, len(HARMONIC_LEVELS) + 1)  # (H,) harmonic numbers
    audible = k * f0 < 0.45 * sample_rate  # no harmonic above Nyquist: it would alias
    k, levels = k[audible], HARMONIC_LEVELS[audible]
    decay = (0.8 + 0.04 * (midi_note - LOWEST_NOTE)) * k**0.8  # (H,) per second
    phase = 2 * np.pi * f0 * k[:, None] * t  # (H, S)
    partials = levels[:, None] * np.exp(-decay[:, None] * t) * np.sin(phase)
    return partials.sum(axis=0) * _envelope(hold, release, sample_rate)


def _envelope(hold: int, release: int, sample_rate: int) -> np.ndarray:
    """1 while held, with raised-cosine ramps in (attack) and out (release)."""
    attack = min(round(ATTACK_SECONDS * sample_rate), max(hold, 1))
    envelope = np.ones(hold + release)
    envelope[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    envelope[hold:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, release + 1) / release)
    return envelope
