"""What the transport shows and controls: position, play state, loop, tempo, output port."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

BUILT_IN = ""  # the port name that means "built-in sound"


class PlaybackState(QObject):
    positionChanged = Signal(float)  # step under the playhead
    playingChanged = Signal(bool)
    loopChanged = Signal(bool)
    tempoChanged = Signal(float)  # beats per minute
    portChanged = Signal(str)

    def __init__(self, tempo: float = 100.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.position = 0.0
        self.playing = False
        self.loop = False
        self.tempo = tempo
        self.port = BUILT_IN

    def set_position(self, step: float) -> None:
        if step != self.position:
            self.position = step
            self.positionChanged.emit(step)

    def set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self.playingChanged.emit(playing)

    def set_loop(self, loop: bool) -> None:
        if loop != self.loop:
            self.loop = loop
            self.loopChanged.emit(loop)

    def set_tempo(self, tempo: float) -> None:
        if tempo > 0 and tempo != self.tempo:
            self.tempo = tempo
            self.tempoChanged.emit(tempo)

    def set_port(self, port: str) -> None:
        if port != self.port:
            self.port = port
            self.portChanged.emit(port)
