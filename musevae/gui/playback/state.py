"""What the transport shows and controls: position, play state, loop, tempo, output port,
and the MIDI input the app listens to."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

BUILT_IN = ""  # the port name that means "built-in sound"
NO_INPUT = ""  # the input name that means "listen to no keyboard"


class PlaybackState(QObject):
    positionChanged = Signal(float)  # step under the playhead
    playingChanged = Signal(bool)
    loopChanged = Signal(bool)
    tempoChanged = Signal(float)  # beats per minute
    portChanged = Signal(str)
    inputChanged = Signal(str)  # "<api>:<port name>" of the MIDI input, or NO_INPUT

    def __init__(self, tempo: float = 100.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.position = 0.0
        self.playing = False
        self.loop = False
        self.tempo = tempo
        self.port = BUILT_IN
        self.input = NO_INPUT

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

    def set_input(self, port: str) -> None:
        if port != self.input:
            self.input = port
            self.inputChanged.emit(port)
