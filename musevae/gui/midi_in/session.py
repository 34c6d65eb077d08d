"""MIDI input in the app: the chosen keyboard's notes live on the roll, Continue from
what was played, and call and response.

The session opens the input chosen in the transport bar and holds one core
:class:`~musevae.playback.midi_in.Listener` on it for as long as it is chosen (one
callback for the session, so no message falls between two phrases). Every message also
goes into the *take*: a :class:`~musevae.playback.record.PhraseRecorder` on the step
grid at the current tempo, fed in rtmidi's thread (it is thread-safe) and read by the
roll, which draws it in its own colour. A take ends after the chosen silence; the next
note begins a new one at step 0.

Continue records a take of at most N bars until that silence, writes it to a ``.mid``
and primes the Generate tab's model with it, exactly as a prime file does. With a
count-in (or the metronome on) a core :class:`~musevae.playback.metronome.Metronome`
clicks through the chosen output - the player's MIDI port, or short clicks with the
built-in sound - and the take's step 0 is the downbeat after the count-in, which is
counted down in ``count_in_text``. Call and
response runs ``midi_in.call_and_response`` as a run of the generate session's one job
(``tasks.answer``): each answer fills the roll like a generated piece and plays through
the chosen MIDI output, and the playhead follows it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from musevae.gui.workers import tasks
from musevae.gui.generate.session import GenerateSession
from musevae.gui.generate.state import GenerationState
from musevae.gui.playback.session import PlaybackSession
from musevae.gui.playback.state import BUILT_IN, NO_INPUT, PlaybackState
from musevae.gui.generate.panel import GeneratePanel
from musevae.gui.playback.player import QtPlayer
from musevae.gui.midi_in.clicks import SoundClicks
from musevae.gui.midi_in.metronome import QtMetronome
from musevae.gui.shell.settings import Settings
from musevae.playback.record import PhraseRecorder

FRAME_MS = 40  # how often the roll is redrawn while a take is being played
CHECK_S = 0.25  # how often Continue looks for its keyboard in the port list
BEATS_PER_BAR = 4
COUNT_IN_BARS = (0, 1, 2)  # the count-ins offered; any other setting reads as none
TAKE_STEPS = 1 << 16  # a take shown between Continues has no length of its own


class MidiInSession(QObject):
    """``takeChanged()`` while the live notes change, ``recordingChanged(bool)`` while
    Continue records, ``answeringChanged(bool)`` while call and response is on,
    ``countInChanged(text)`` as the count-in counts down ("" once it is over)."""

    takeChanged = Signal()
    recordingChanged = Signal(bool)
    answeringChanged = Signal(bool)
    countInChanged = Signal(str)

    def __init__(
        self, playback: PlaybackState, generation: GenerationState, player: PlaybackSession,
        generating: GenerateSession, panel: GeneratePanel, settings: Settings,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.playback, self.generation, self.player = playback, generation, player
        self.generating, self.panel, self.settings = generating, panel, settings
        self.notifier = generating.notifier
        self.listener: Any = None  # midi_in.Listener on the open input
        self.take: PhraseRecorder | None = None
        self._take_lock = threading.Lock()
        self.recording: tasks.GenerateRequest | None = None  # Continue's request
        self.answering = False
        self._answer_player: QtPlayer | None = None
        self.metronome: QtMetronome | None = None  # clicking for Continue's take
        self.downbeat: float | None = None  # step 0 of that take, after its count-in
        self.count_in_text = ""
        self._sound_clicks: SoundClicks | None = None
        self._checked = 0.0
        self._folder = Path(tempfile.mkdtemp(prefix="musevae-takes-"))
        self._timer = QTimer(self, interval=FRAME_MS)
        self._timer.timeout.connect(self._tick)
        playback.inputChanged.connect(self._open)
        playback.portChanged.connect(lambda port: self.set_answering(False))
        playback.portChanged.connect(lambda port: self._stop_metronome())
        generating.busyChanged.connect(lambda busy: busy or self._answering_ended())
        generating.answered.connect(self._on_answer)
        self.recordingChanged.connect(lambda on: player.hold_watching("take", on))
        self.answeringChanged.connect(lambda on: player.hold_watching("call and response", on))

    # --- the input ----------------------------------------------------------------------
    def _open(self, key: str) -> None:
        from musevae.playback.midi_in import Listener
        from musevae.playback.ports import open_input

        self._close_input()
        if key == NO_INPUT:
            return
        api, _, name = key.partition(":")
        try:
            self.listener = Listener(open_input(name, api=api, client_name="musevae-in"))
        except Exception as error:
            self.notifier.error("MIDI input", error)
            return
        self.listener.on_message = self._on_message
        self._timer.start()

    def _close_input(self) -> None:
        self.set_answering(False)
        self._end_recording()
        self._timer.stop()
        if self.listener is not None:
            self.listener.source.close()
            self.listener = None

    def close(self) -> None:
        self._close_input()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _on_message(self, when: float, message: Sequence[int]) -> None:
        """In rtmidi's thread: the take, or a new one once the last ended in silence."""
        with self._take_lock:
            take = self.take
            if take is None or (self.recording is None and self._ended(take, when)):
                take = self.take = self._new_take(TAKE_STEPS, self.generation.step_beats)
        take.feed(when, message)

    def _new_take(self, steps: int, step_beats: float) -> PhraseRecorder:
        return PhraseRecorder(steps, bpm=self.playback.tempo, step_beats=step_beats)

    def _ended(self, take: PhraseRecorder, now: float) -> bool:
        return take.silence(now) >= self.settings.get("midi_in/silence") or take.finished(now)

    def notes(self) -> np.ndarray:
        """The take's ``(T, 88)`` notes: up to now while a key is held, else to the end
        of its last note; empty before the first note and once the phrase has ended (in
        silence, or handed to Continue), so the overlay never lingers over other music."""
        take, now = self.take, time.perf_counter()
        if take is None or take.start_time is None:
            return np.zeros((0, 88), bool)
        if self.recording is None and self._ended(take, now):
            return np.zeros((0, 88), bool)
        return (take.phrase() if take.silence(now) > 0 else take.roll(now)).keys

    def _tick(self) -> None:
        take, now = self.take, time.perf_counter()
        if self.count_in_text and self.downbeat is not None and now >= self.downbeat:
            self._show_count_in("")
        if take is None or take.start_time is None:
            return
        if take.silence(now) < self.settings.get("midi_in/silence") + FRAME_MS / 1000:
            self.takeChanged.emit()
        if self.recording is not None:
            self._follow_recording(take, now)

    # --- Continue ---------------------------------------------------------------------
    def _ready(self, what: str) -> tasks.GenerateRequest | None:
        if self.listener is None:
            self.notifier.warning(what, "Choose a MIDI input in the transport bar first.")
            return None
        return self.panel.request()

    def record(self) -> None:
        """Record until a pause (or N bars), then the model continues what was played."""
        if self.recording is not None or self.answering:
            return
        request = self._ready("Continue from the keyboard")
        if request is None:
            return
        bars = self.settings.get("midi_in/bars")
        steps = max(1, round(bars * BEATS_PER_BAR / request.step_beats))
        count_in = self.settings.get("midi_in/count_in")
        count_in = count_in if count_in in COUNT_IN_BARS else 0
        clicking = self.settings.get("midi_in/metronome")
        self.downbeat = None
        if (count_in or clicking) and not self._start_metronome(count_in, clicking):
            return
        with self._take_lock:
            self.take = PhraseRecorder(steps, bpm=self.playback.tempo, downbeat=self.downbeat,
                                       step_beats=request.step_beats)  # fmt: skip
        self.recording, self._checked = request, time.perf_counter()
        self.recordingChanged.emit(True)
        self.takeChanged.emit()

    def _follow_recording(self, take: PhraseRecorder, now: float) -> None:
        from musevae.playback.output import MidiPortError

        if now - self._checked >= CHECK_S:
            self._checked = now
            try:
                self.listener.source.check()
            except MidiPortError as error:
                take.release_all(now)  # its held notes end where the keyboard went
                self.notifier.warning("Continue from the keyboard", str(error))
                self._continue_from(take.phrase())
                return
        if take.finished(now):
            self._continue_from(take.roll(now))
        elif take.silence(now) >= self.settings.get("midi_in/silence"):
            self._continue_from(take.phrase())

    def _continue_from(self, played: Any) -> None:
        from musevae.data.midi_io import write_midi

        request = self.recording
        self._end_recording()
        with self._take_lock:
            self.take = None  # handed over: the prime, not notes being played any more
        self.takeChanged.emit()
        if request is None or len(played) == 0:
            return
        path = self._folder / f"keyboard-{int(time.time() * 1000)}.mid"
        write_midi(played, path)
        if self.generating.set_prime(path):
            self.generating.generate(replace(request, prime=path))

    def _end_recording(self) -> None:
        self._stop_metronome()
        if self.recording is not None:
            self.recording = None
            self.recordingChanged.emit(False)

    # --- the metronome ------------------------------------------------------------------
    def _start_metronome(self, count_in: int, clicking: bool) -> bool:
        """Click ``count_in`` bars (and on while recording if ``clicking``) on the chosen
        output; sets the downbeat. False, with the reason shown, if no output opens."""
        from musevae.playback.metronome import Metronome

        try:
            output = self._click_output()
        except Exception as error:
            self.notifier.error("Metronome", error)
            return False
        metronome = QtMetronome(Metronome(output, bpm=self.playback.tempo,
                                          beats_per_bar=BEATS_PER_BAR), self)  # fmt: skip
        metronome.clicked.connect(lambda click: self._on_click(metronome, click))
        metronome.failed.connect(lambda error: self._on_metronome_failed(metronome, error))
        self.metronome = metronome
        self.downbeat = metronome.metronome.start(count_in, keep_going=clicking)
        return True

    def _click_output(self) -> Any:
        """The player's MIDI output, or with the built-in sound, clicks played as sound."""
        if self.playback.port != BUILT_IN:
            return self.player.open_output()
        if self._sound_clicks is None:
            self._sound_clicks = SoundClicks(self._folder, self)
            problem = self._sound_clicks.problem
            if problem is not None:
                self.notifier.info("Metronome", f"The clicks are silent: {problem}. Choose a "
                                   "MIDI output in the transport bar to hear them.")  # fmt: skip
        return self._sound_clicks

    def _on_click(self, metronome: QtMetronome, click: Any) -> None:
        if click.count_in and metronome is self.metronome:  # not a late one, once stopped
            self._show_count_in(f"Count-in {click.count_in}…")

    def _show_count_in(self, text: str) -> None:
        if text != self.count_in_text:
            self.count_in_text = text
            self.countInChanged.emit(text)

    def _on_metronome_failed(self, metronome: QtMetronome, error: BaseException) -> None:
        if metronome is self.metronome:  # not one stopped since (its port closed under it)
            self.notifier.error("Metronome", error)
            self._stop_metronome()

    def _stop_metronome(self) -> None:
        if self.metronome is not None:
            self.metronome.metronome.stop()
            self.metronome.deleteLater()
            self.metronome = None
        self._show_count_in("")

    # --- call and response --------------------------------------------------------------
    def set_answering(self, on: bool) -> None:
        """Call and response on (the model answers each phrase) or off."""
        if on == self.answering:
            return
        if not on:
            self.generating.stop()
            return
        if self.playback.port == BUILT_IN:
            self.notifier.warning("Call and response", "The answer plays through a MIDI "
                                  "output: choose one in the transport bar.")  # fmt: skip
            self.answeringChanged.emit(False)
            return
        request = self._ready("Call and response")
        if request is None or self.generating.busy or not self._start_answer_player():
            self.answeringChanged.emit(False)  # the toggle goes back off
            return
        self.generating.answer(request, self.listener, self._answer_player.player,
                               bpm=self.playback.tempo,
                               silence=self.settings.get("midi_in/silence"))  # fmt: skip
        self.answering = True
        self.answeringChanged.emit(True)

    def _start_answer_player(self) -> bool:
        """A player of its own on the chosen output: a new piece stops the transport's."""
        from musevae.playback import Player

        try:
            output = self.player.open_output()
        except Exception as error:
            self.notifier.error("MIDI output", error)
            return False
        self._answer_player = QtPlayer(Player(output, bpm=self.playback.tempo), self)
        self._answer_player.stepped.connect(lambda i: self.playback.set_position(float(i)))
        self._answer_player.failed.connect(lambda e: self.notifier.error("Answer", e))
        return True

    def _on_answer(self, answered: tasks.Answered) -> None:
        exchange = answered.exchange
        if exchange.call.ended_at is not None:
            ms = (exchange.answer_sent - exchange.call.ended_at) * 1000
            self.notifier.info("Answered", f"{len(exchange.answer)} steps, "
                               f"{ms:.0f} ms after the pause")  # fmt: skip

    def _answering_ended(self) -> None:
        if self.answering:
            self.answering = False
            if self._answer_player is not None:
                self._answer_player.player.close()
                self._answer_player = None
            self.answeringChanged.emit(False)
