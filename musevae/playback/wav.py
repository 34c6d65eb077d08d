"""WAV files: 16-bit PCM written with the standard library, and played by the system.

No audio library is needed: the ``wave`` module writes the file, and the operating
system's command-line player (``aplay`` for ALSA, ``paplay`` for PulseAudio/PipeWire,
``afplay`` on macOS), when there is one, plays it.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from musevae.atomic import write_bytes_atomically

SYSTEM_PLAYERS = ("aplay", "paplay", "afplay")


def write_wav(path: str | os.PathLike[str], samples: np.ndarray, sample_rate: int) -> None:
    """Write ``samples`` (``(S,)`` mono or ``(S, C)``, floats in [-1, 1]) as 16-bit PCM.

    Values outside [-1, 1] are clipped rather than wrapped around (which would crack).
    The file replaces ``path`` only once it is complete.
    """
    frames = np.asarray(samples, dtype=np.float64)
    frames = frames[:, None] if frames.ndim == 1 else frames
    if frames.ndim != 2 or not np.isfinite(frames).all():
        raise ValueError("samples must be a finite (S,) or (S, channels) array")
    pcm = np.rint(np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")  # (S, C)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(frames.shape[1])
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    write_bytes_atomically(path, buffer.getvalue())


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """A 16-bit PCM file as ``(S, C)`` float32 in [-1, 1], and its sample rate."""
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is read here")
        channels, rate = source.getnchannels(), source.getframerate()
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    return (data.reshape(-1, channels) / 32768.0).astype(np.float32), rate


def system_player() -> str | None:
    """The first command-line audio player found on PATH, or None."""
    for name in SYSTEM_PLAYERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def play_wav(path: Path) -> tuple[bool, str]:
    """Play ``path`` with the system player, blocking until it ends.

    Returns ``(True, player)`` on success, else ``(False, why)``: no player, or the
    player failed (say, ``aplay`` in a container with no sound card).
    """
    player = system_player()
    if player is None:
        return False, f"no audio player found (looked for {', '.join(SYSTEM_PLAYERS)})"
    result = subprocess.run([player, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        why = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        return False, f"{Path(player).name} failed: {why}"
    return True, Path(player).name
