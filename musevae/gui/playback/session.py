"""Playing the shown candidate: on a MIDI port through the core Player, or as built-in
sound (the playback synth's WAV through QtMultimedia). The playhead follows either.

The port setting is a string: ``""`` for built-in sound, ``"virtual"`` for a virtual
port named "musevae" that synths and DAWs connect to, or ``"<api>:<port name>"``. The
MIDI inputs are listed with the outputs, for the input chooser (``inputs``); while the
window is up the lists are looked at again every few seconds, so a keyboard or synth
plugged in (or unplugged) shows without a press of the refresh button.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from musevae.gui.generate.state import GenerationState
from musevae.gui.shell.notify import Notifier
from musevae.gui.playback.state import BUILT_IN, NO_INPUT, PlaybackState
from musevae.gui.playback.player import QtPlayer
from musevae.gui.workers.job import Job, start_job

VIRTUAL = "virtual"
HOTPLUG_MS = 3000  # how often the port lists are refreshed while watching


def port_key(api: str, name: str) -> str:
    return f"{api}:{name}"


class PlaybackSession(QObject):
    """``portsChanged()`` when the lists of outputs and inputs are refreshed."""

    portsChanged = Signal()

    def __init__(
        self,
        state: PlaybackState,
        generation: GenerationState,
        notifier: Notifier,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.generation, self.notifier = state, generation, notifier
        self.ports: list[tuple[str, str]] = [(BUILT_IN, "Built-in sound"),
                                             (VIRTUAL, 'Virtual port "musevae"')]  # fmt: skip
        self.inputs: list[tuple[str, str]] = [(NO_INPUT, "No input")]
        self.port_problems: list[str] = []
        self._watch = QTimer(self, interval=HOTPLUG_MS)
        self._watch.timeout.connect(self._refresh_unless_held)
        self._holds: set[str] = set()  # why the periodic refresh waits, see hold_watching
        self.jobs: list[Job] = []
        self._output: Any = None  # the open MIDI output, for self._output_key
        self._output_key = ""
        self._player: QtPlayer | None = None
        self._sound: Any = None  # BuiltInSound, made on first use
        self._folder = Path(tempfile.mkdtemp(prefix="musevae-sound-"))
        self._seconds_per_step = 0.25  # of the piece built-in sound is playing
        state.portChanged.connect(self._on_port)
        state.tempoChanged.connect(self._on_tempo)
        state.loopChanged.connect(lambda loop: self.state.playing and self.play())
        generation.started.connect(self.stop)

    # --- ports ------------------------------------------------------------------------
    def watch_ports(self) -> None:
        """Refresh now and then every HOTPLUG_MS (hot-plugged ports appear by themselves)."""
        self.refresh_ports()
        self._watch.start()

    def hold_watching(self, reason: str, held: bool) -> None:
        """Pause the periodic refresh while ``reason`` (a take, call and response) holds.

        Listing JACK ports opens and closes a JACK client, which holds Python's lock for
        a while; the JACK server waits on this process's MIDI-input callback meanwhile,
        so notes played then arrive late, on the wrong step. A press of the refresh
        button still refreshes at once.
        """
        (self._holds.add if held else self._holds.discard)(reason)

    def _refresh_unless_held(self) -> None:
        if not self._holds:
            self.refresh_ports()

    def refresh_ports(self) -> None:
        if any(job.objectName() == "ports" and not job.isFinished() for job in self.jobs):
            return  # a look is under way; its answer comes with portsChanged
        for job in [job for job in self.jobs if job.isFinished()]:
            self.jobs.remove(job)
            job.deleteLater()  # one a few seconds while watching: do not keep them all

        def work(post: Any) -> Any:
            from musevae.playback.ports import list_ports

            yield list_ports()

        job = start_job(work, self._on_ports, lambda e: self._on_ports(([], [("midi", str(e))])),
                        None, "ports", self)  # fmt: skip
        self.jobs.append(job)

    def _on_ports(self, found: tuple[list[Any], list[tuple[str, str]]]) -> None:
        outputs, problems = found
        found_ports = [p for p in outputs if p.direction == "output"]
        self.ports = self.ports[:2] + [
            (port_key(p.api, p.name), f"{p.api}: {p.name}") for p in found_ports
        ]
        self.inputs = self.inputs[:1] + [(port_key(p.api, p.name), f"{p.api}: {p.name}")
                                         for p in outputs if p.direction == "input"]  # fmt: skip
        self.port_problems = [f"{api}: {why}" for api, why in problems]
        self.portsChanged.emit()

    def _on_port(self, port: str) -> None:
        self.stop()
        self._close_output()

    # --- transport ----------------------------------------------------------------------
    def toggle(self) -> None:
        self.stop() if self.state.playing else self.play()

    def play(self) -> None:
        steps = self.generation.steps
        if steps == 0:
            self.notifier.warning("Play", "Nothing to play yet: generate a piece first.")
            return
        start = int(self.state.position) if self.state.position < steps else 0
        roll = self.generation.roll(self.state.tempo)
        if self.state.port == BUILT_IN:
            self._play_sound(roll, start)
        else:
            self._play_midi(roll, start)

    def stop(self) -> None:
        if self._player is not None:
            self._player.player.stop()
        if self._sound is not None:
            self._sound.stop()
        self.state.set_playing(False)

    def seek(self, step: float) -> None:
        self.state.set_position(step)
        if self.state.playing:
            self.play()  # the player restarts from the new position

    def close(self) -> None:
        self._watch.stop()
        self.stop()
        if self._player is not None:
            self._player.player.close()
        self._close_output()
        for job in self.jobs:
            job.wait(10_000)
        shutil.rmtree(self._folder, ignore_errors=True)

    # --- MIDI -------------------------------------------------------------------------
    def open_output(self) -> Any:
        """The chosen MIDI output, opened once and kept until another is chosen."""
        from musevae.playback.ports import open_output

        key = self.state.port
        if self._output is None or key != self._output_key:
            self._close_output()
            if key == VIRTUAL:
                self._output = open_output(virtual=True)
            else:
                api, _, name = key.partition(":")
                self._output = open_output(name, api=api)
            self._output_key = key
        return self._output

    def _close_output(self) -> None:
        if self._player is not None:
            self._player.player.close()
            self._player = None
        if self._output is not None:
            self._output.close()
            self._output = None

    def _play_midi(self, roll: Any, start: int) -> None:
        from musevae.playback import Player

        try:
            output = self.open_output()
        except Exception as error:
            self.notifier.error("MIDI output", error)
            return
        if self._player is None:
            self._player = QtPlayer(Player(output, bpm=self.state.tempo), self)
            self._player.stepped.connect(lambda index: self.state.set_position(float(index)))
            self._player.finished.connect(self._on_midi_finished)
            self._player.failed.connect(self._on_midi_failed)
        self._player.player.play(roll, loop=self.state.loop, start=start)
        self.state.set_playing(True)

    def _on_midi_finished(self) -> None:
        player = self._player.player if self._player is not None else None
        if player is not None and player.state != "stopped":
            return  # a late signal from the run that a new play() replaced
        if player is not None and player.stop_reason is not None:
            if player.stop_reason.value == "finished":
                self.state.set_position(0.0)
        self.state.set_playing(False)

    def _on_midi_failed(self, error: BaseException) -> None:
        self.notifier.error("Playback stopped", error)
        self._close_output()  # the port may be gone: reopen it on the next play

    def _on_tempo(self, bpm: float) -> None:
        if self._player is not None:
            self._player.player.bpm = bpm  # from the next step on
        if self.state.playing and self.state.port == BUILT_IN:
            self.play()  # the WAV was rendered at the old tempo

    # --- built-in sound ---------------------------------------------------------------
    def _play_sound(self, roll: Any, start: int) -> None:
        from musevae.gui.playback.audio import BuiltInSound, audio_problem

        problem = audio_problem()
        if problem is not None:
            self.notifier.warning(
                "No built-in sound",
                f"{problem}. Choose a MIDI port in the transport bar, or export MIDI or WAV "
                "(File menu) and play the file elsewhere.",
            )
            return
        if self._sound is None:
            self._sound = BuiltInSound(self)
            self._sound.position.connect(self._on_sound_position)
            self._sound.finished.connect(lambda: self.state.set_playing(False))
            self._sound.failed.connect(lambda text: self.notifier.error("Built-in sound", text))
        wav, seconds = self._folder / "piece.wav", roll.seconds_per_step
        self._sound.stop()

        def work(post: Any) -> Any:
            from musevae.playback.render import render_wav

            render_wav(roll, wav)
            yield wav

        def started(path: Path) -> None:
            self._sound.play(path, self.state.loop, start * seconds)
            self.state.set_playing(True)

        self._seconds_per_step = seconds
        job = start_job(work, started, lambda e: self.notifier.error("Built-in sound", e),
                        None, "render", self)  # fmt: skip
        self.jobs = [j for j in self.jobs if j.isRunning()] + [job]

    def _on_sound_position(self, seconds: float) -> None:
        if self.state.playing:
            self.state.set_position(seconds / self._seconds_per_step)
