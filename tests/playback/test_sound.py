"""The built-in sound: synth, WAV files, and rendering (FluidSynth only when installed)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from musevae.data.pianoroll import PianoRoll
from musevae.errors import MusevaeError
from musevae.playback import synth
from musevae.playback.render import find_soundfont, render_wav
from musevae.playback.wav import read_wav, write_wav

RATE = 8_000  # small and fast; the synth keeps harmonics under Nyquist at any rate


def test_a_rendered_roll_lasts_its_duration_plus_the_release_and_is_not_silent() -> None:
    notes = [[60, 64, 67]] * 4 + [[]] * 4 + [[48]] * 8
    roll = PianoRoll.from_notes(notes, step_beats=0.25, tempo=120.0)
    audio = synth.render(roll, RATE)
    # 16 sixteenths at 120 BPM = 2.0 s, plus a 0.1 s release: 2.1 s * 8000 Hz.
    assert audio.shape == (16_800,) and audio.dtype == np.float32
    assert np.abs(audio).max() == pytest.approx(synth.PEAK, abs=1e-6)  # normalised, no clipping
    assert audio[0] == 0.0 and audio[-1] == 0.0  # raised-cosine attack and release: no clicks
    rest = audio[round(0.6 * RATE) : round(1.0 * RATE)]  # steps 4-7 after the 0.1 s release
    assert np.abs(rest).max() < 1e-6
    assert np.sqrt(np.mean(audio[: RATE // 2] ** 2)) > 0.05  # the chord is clearly audible


def test_a_note_has_the_pitch_of_its_key() -> None:
    audio = synth.render(PianoRoll.from_notes([[69]] * 8, step_beats=1.0, tempo=60.0), RATE)  # A4
    spectrum = np.abs(np.fft.rfft(audio[: 4 * RATE]))
    assert np.argmax(spectrum) / 4 == pytest.approx(440.0, abs=0.5)  # bins are 0.25 Hz apart


def test_silence_renders_as_silence() -> None:
    audio = synth.render(PianoRoll.empty(4, step_beats=0.5, tempo=120.0), RATE)
    assert audio.shape == (8_800,) and not audio.any()


def test_wav_round_trip_is_16_bit_pcm_and_clips_instead_of_wrapping(tmp_path) -> None:
    path = tmp_path / "x.wav"
    write_wav(path, np.array([0.0, 0.5, -0.5, 1.0, 2.0, -2.0]), 22_050)
    samples, rate = read_wav(path)
    assert rate == 22_050 and samples.shape == (6, 1)
    assert np.round(samples[:, 0] * 32768).tolist() == [0, 16384, -16384, 32767, 32767, -32767]


def test_render_wav_with_the_builtin_synth(tmp_path) -> None:
    roll = PianoRoll.from_notes([[60]] * 8, step_beats=0.5, tempo=120.0)  # 2.0 s
    rendered = render_wav(roll, tmp_path / "out" / "piece.wav", engine="builtin", sample_rate=RATE)
    assert rendered.engine == "built-in synth"
    samples, rate = read_wav(rendered.path)
    assert rate == RATE and len(samples) / RATE == pytest.approx(2.1)
    assert np.abs(samples).max() > 0.8


def test_soundfont_from_the_environment_must_exist(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MUSEVAE_SOUNDFONT", str(tmp_path / "missing.sf2"))
    with pytest.raises(MusevaeError, match="MUSEVAE_SOUNDFONT names .*missing.sf2, which is not"):
        find_soundfont()
    (tmp_path / "piano.sf2").write_bytes(b"RIFF")
    monkeypatch.setenv("MUSEVAE_SOUNDFONT", str(tmp_path / "piano.sf2"))
    assert find_soundfont() == tmp_path / "piano.sf2"


def test_asking_for_fluidsynth_without_it_says_how_to_install_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fluidsynth on this PATH
    with pytest.raises(MusevaeError, match="apt install fluidsynth fluid-soundfont-gm"):
        render_wav(PianoRoll.empty(1), tmp_path / "x.wav", engine="fluidsynth")


def test_render_wav_with_fluidsynth_when_installed(tmp_path) -> None:
    """Optional: FluidSynth and a SoundFont are not required, even in CI."""
    if shutil.which("fluidsynth") is None or find_soundfont() is None:
        pytest.skip("fluidsynth or a General MIDI SoundFont is not installed (optional)")
    roll = PianoRoll.from_notes([[60, 64, 67]] * 8, step_beats=0.5, tempo=120.0)  # 2.0 s
    rendered = render_wav(roll, tmp_path / "piece.wav", engine="fluidsynth", sample_rate=22_050)
    assert rendered.engine.startswith("fluidsynth")
    samples, rate = read_wav(rendered.path)
    assert rate == 22_050
    assert 2.0 <= len(samples) / rate < 6.0  # FluidSynth adds its own release/reverb tail
    assert np.abs(samples).max() == pytest.approx(0.89, abs=1e-3)  # normalised like the synth
