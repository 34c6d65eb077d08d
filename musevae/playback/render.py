"""Rendering a roll to a WAV file without any external synth running.

With the ``fluidsynth`` program and a General MIDI SoundFont installed, the roll is
written as a temporary MIDI file and FluidSynth renders it (a real piano sound);
otherwise the built-in numpy synth (:mod:`.synth`) does. To get the better sound:

- Debian/Ubuntu: ``sudo apt install fluidsynth fluid-soundfont-gm`` (the SoundFont
  lands in /usr/share/sounds/sf2/FluidR3_GM.sf2, where it is found by itself);
- Fedora/Arch: the ``fluidsynth`` and ``soundfont-fluid`` packages
  (/usr/share/soundfonts/);
- anywhere: install FluidSynth and point ``MUSEVAE_SOUNDFONT`` at any GM ``.sf2``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from musevae.data.midi_io import write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.errors import MusevaeError
from musevae.playback import synth
from musevae.playback.wav import read_wav, write_wav

SOUNDFONT_ENV = "MUSEVAE_SOUNDFONT"
SOUNDFONT_PLACES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",  # Debian's alternatives link to the chosen one
    "/usr/share/sounds/sf2/*.sf2",
    "/usr/share/soundfonts/*.sf2",
)
FLUIDSYNTH_TIMEOUT = 600.0


class Rendered(NamedTuple):
    path: Path
    engine: str  # "fluidsynth (<soundfont>)" or "built-in synth"


def find_soundfont() -> Path | None:
    """``$MUSEVAE_SOUNDFONT``, else the first SoundFont in the usual places."""
    named = os.environ.get(SOUNDFONT_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise MusevaeError(f"{SOUNDFONT_ENV} names {path}, which is not a file")
        return path
    for pattern in SOUNDFONT_PLACES:
        found = sorted(glob.glob(pattern))
        if found:
            return Path(found[0])
    return None


def render_wav(
    roll: PianoRoll,
    path: str | os.PathLike[str],
    *,
    engine: str = "auto",
    program: int = 0,
    sample_rate: int = synth.SAMPLE_RATE,
) -> Rendered:
    """Write ``roll`` as a WAV file with ``engine``: "fluidsynth", "builtin" or "auto"
    (FluidSynth when it and a SoundFont are installed, else the built-in synth)."""
    if engine not in ("auto", "fluidsynth", "builtin"):
        raise ValueError(f"engine must be auto, fluidsynth or builtin; got {engine!r}")
    path = Path(path)
    if engine != "builtin":
        program_path, soundfont = shutil.which("fluidsynth"), find_soundfont()
        if program_path and soundfont:
            _fluidsynth(program_path, soundfont, roll, path, program, sample_rate)
            return Rendered(path, f"fluidsynth ({soundfont.name})")
        if engine == "fluidsynth":
            missing = "the fluidsynth program" if not program_path else "a General MIDI SoundFont"
            raise MusevaeError(
                f"cannot render with FluidSynth: {missing} is not installed "
                f"(Debian: apt install fluidsynth fluid-soundfont-gm; or set {SOUNDFONT_ENV})"
            )
    write_wav(path, synth.render(roll, sample_rate), sample_rate)
    return Rendered(path, "built-in synth")


def _fluidsynth(
    program_path: str, soundfont: Path, roll: PianoRoll, path: Path, program: int, sample_rate: int
) -> None:
    """Render through a temporary MIDI file into a temporary WAV, then normalise it into
    place (FluidSynth's default gain leaves a piano at about -30 dBFS)."""
    with tempfile.TemporaryDirectory(prefix="musevae-render-") as folder:
        midi, wav = Path(folder) / "roll.mid", Path(folder) / "roll.wav"
        write_midi(roll, midi, program=program)
        command = [program_path, "-ni", "-q", "-F", str(wav), "-T", "wav", "-O", "s16",
                   "-r", str(sample_rate), str(soundfont), str(midi)]  # fmt: skip
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=FLUIDSYNTH_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            message = f"fluidsynth took over {FLUIDSYNTH_TIMEOUT:.0f} s; gave up"
            raise MusevaeError(message) from None
        if result.returncode != 0 or not wav.is_file():
            why = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            raise MusevaeError(f"fluidsynth could not render {path.name}: {why}")
        samples, rate = read_wav(wav)
    peak = float(np.abs(samples).max(initial=0.0))
    write_wav(path, samples * (synth.PEAK / peak) if peak > 0 else samples, rate)
