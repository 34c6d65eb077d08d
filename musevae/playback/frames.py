"""Where the player takes its steps from: a roll (by index) or a stream (in order).

A stream is read through a :class:`~musevae.playback.endless.LookAhead`, and a read
that finds the buffer empty polls, so that a stalled generator never keeps the player
from obeying stop, pause or seek.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable

import numpy as np

from musevae.data.pianoroll import KEY_COUNT, LOWEST_NOTE, PianoRoll
from musevae.playback.endless import LookAhead

POLL_SECONDS = 0.02
INTERRUPTED = np.zeros(0, dtype=np.bool_)  # get() gave up because a command is pending


def midi_notes(frame: np.ndarray) -> list[int]:
    """MIDI note numbers sounding in one ``(88,)`` frame."""
    return (np.flatnonzero(frame) + LOWEST_NOTE).tolist()


class Frames:
    """Frames ``(88,)`` bool by step index; ``None`` past the end."""

    seekable = False

    def get(self, index: int, interrupted: Callable[[], bool]) -> np.ndarray | None:
        """Frame ``index``, None at the end, or :data:`INTERRUPTED` if ``interrupted()``
        became true while waiting for it."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class RollFrames(Frames):
    seekable = True

    def __init__(self, roll: PianoRoll) -> None:
        self._keys = roll.keys

    def get(self, index: int, interrupted: Callable[[], bool]) -> np.ndarray | None:
        return self._keys[index] if index < len(self._keys) else None


class StreamFrames(Frames):
    """Frames of an iterable, read in order through a look-ahead buffer of ``size``."""

    def __init__(self, stream: Iterable[np.ndarray], size: int) -> None:
        self._buffer = LookAhead(stream, size)

    def get(self, index: int, interrupted: Callable[[], bool]) -> np.ndarray | None:
        while True:
            try:
                frame = np.asarray(self._buffer.get(timeout=POLL_SECONDS))
            except queue.Empty:
                if interrupted():
                    return INTERRUPTED
                continue
            except StopIteration:
                return None
            if frame.shape != (KEY_COUNT,):
                raise ValueError(
                    f"a stream must yield ({KEY_COUNT},) frames, not shape {frame.shape}; "
                    "wrap the sampler's steps in sampled_frames()"
                )
            return frame

    def close(self) -> None:
        self._buffer.close()
