"""Built-in sound: the roll rendered to WAV by the playback synth, played by QtMultimedia.

QtMultimedia needs a working audio stack (on Linux, PulseAudio's libpulse); where it
cannot load, or no audio output exists, :func:`audio_problem` says why and the app
tells the person — MIDI ports and WAV export still work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal


def audio_problem() -> str | None:
    """Why built-in sound cannot play here, or None when it can."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as error:
        return f"Qt's audio support cannot load ({error})"
    if not QMediaDevices.audioOutputs():
        return "this computer has no audio output"
    return None


class BuiltInSound(QObject):
    """Plays a WAV file; ``position(seconds)`` while playing, ``finished()`` at the end
    (not after ``stop``), ``failed(message)`` when the backend gives up."""

    position = Signal(float)
    finished = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        self._media = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._media.setAudioOutput(self._output)
        self._media.positionChanged.connect(lambda ms: self.position.emit(ms / 1000.0))
        self._media.mediaStatusChanged.connect(self._on_status)
        self._media.errorOccurred.connect(lambda _error, text: self.failed.emit(text))
        self._end = QMediaPlayer.MediaStatus.EndOfMedia

    def play(self, wav: Path, loop: bool, start_s: float = 0.0) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        self._media.setLoops(QMediaPlayer.Loops.Infinite if loop else 1)
        self._media.setSource(QUrl.fromLocalFile(str(wav)))
        self._media.setPosition(int(start_s * 1000))
        self._media.play()

    def stop(self) -> None:
        self._media.stop()

    def _on_status(self, status: Any) -> None:
        if status == self._end:
            self.finished.emit()
