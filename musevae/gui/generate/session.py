"""Generating from the app: the sampler runs in the worker and each step it yields goes
straight into the GenerationState, so the roll fills while the model is still sampling."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musevae.gui.workers import tasks
from musevae.gui.generate.state import GenerationState
from musevae.gui.shell.notify import Notifier
from musevae.gui.workers.job import ENDED, Job, Work, start_job


class GenerateSession(QObject):
    """Starts and stops sampling; ``busyChanged(bool)``, ``primeChanged(path or None)``,
    ``regenerated(Passage)`` when a regenerated passage is ready (the roll editor writes
    it, so it can be undone), ``listening()`` once call and response hears the keyboard,
    ``answered(tasks.Answered)`` after each of its rounds. The model stays loaded between runs (``tasks.ModelCache``),
    so a second Generate starts at once. Generate, Harmonise and Regenerate are runs of
    the one job: one at a time, and so is call and response."""

    busyChanged = Signal(bool)
    primeChanged = Signal(object)
    regenerated = Signal(object)
    listening = Signal()
    answered = Signal(object)

    def __init__(
        self, generation: GenerationState, notifier: Notifier, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.generation, self.notifier = generation, notifier
        self.cache = tasks.ModelCache()
        self.job: Job | None = None
        self.prime: Path | None = None  # the MIDI file the model continues
        # set by stop(), for work that waits on something other than the model (a player's
        # phrase): a job is cancelled only between two values, and listening yields none
        self._stop = threading.Event()

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.status not in ENDED

    def set_prime(self, path: Path | None) -> bool:
        """Choose the prime; a file that does not read as music is refused now, with a
        message, rather than when generating."""
        if path is not None:
            from musevae.data.midi_io import read_midi
            from musevae.errors import MidiFileError

            try:
                read_midi(path)
            except MidiFileError as error:
                self.notifier.error("Cannot use this MIDI file as a prime", error)
                return False
        if path != self.prime:
            self.prime = path
            self.primeChanged.emit(path)
        return True

    def generate(self, request: tasks.GenerateRequest) -> None:
        self._run(lambda post: tasks.generate(request, self.cache), "generate")

    def harmonize(self, request: tasks.GenerateRequest, melody: Any) -> None:
        """``request.n`` candidates under ``melody`` (a PianoRoll or a MIDI file)."""
        self._run(lambda post: tasks.harmonize(request, melody, self.cache), "harmonize")

    def regenerate(
        self, request: tasks.GenerateRequest, piece: Any, start: int, stop: int, candidate: int
    ) -> None:
        """Resample steps ``[start, stop)`` of candidate ``candidate`` (``piece``)."""
        self._run(lambda post: tasks.regenerate(request, piece, start, stop, candidate,
                                                self.cache), "regenerate")  # fmt: skip

    def answer(
        self, request: tasks.GenerateRequest, listener: Any, player: Any, *, bpm: float,
        silence: float,
    ) -> None:  # fmt: skip
        """Call and response: listen on ``listener``, answer each phrase through
        ``player`` (musevae.playback.midi_in), until stopped or the keyboard goes."""
        stop = self._stop = threading.Event()
        self._run(lambda post: tasks.answer(request, listener, player, bpm, silence, stop,
                                            self.cache, post), "answer")  # fmt: skip

    def _run(self, work: Work, name: str) -> None:
        if self.busy:
            self.notifier.warning("Generate", "Already generating; press Stop first.")
            return
        self.job = start_job(work, self._on_value, self._on_failed, self._on_status, name, self)

    def stop(self, wait_ms: int = 0) -> None:
        self._stop.set()
        if self.job is not None:
            self.job.cancel()
            if wait_ms:
                self.job.wait(wait_ms)

    def _on_value(self, value: Any) -> None:
        if isinstance(value, tasks.Sampling):
            request = value.request
            self.generation.begin(request.n, value.seed, request.step_beats, value.prime,
                                  request.model, request.card)  # fmt: skip
        elif isinstance(value, tasks.Regenerated):
            p = value.passage
            self.notifier.info("Regenerated", f"steps {p.start}–{p.stop}: "
                               f"{value.effective_sample_size:.1f} of {value.proposals} "
                               "proposals counted")  # fmt: skip
            self.regenerated.emit(p)
        elif isinstance(value, tasks.Listening):
            self.listening.emit()
        elif isinstance(value, tasks.Answered):
            self.answered.emit(value)
        else:
            self.generation.add(value)

    def _on_failed(self, error: BaseException) -> None:
        self.notifier.error("Cannot generate", error)

    def _on_status(self, status: str) -> None:
        busy = status not in ENDED
        self.generation.set_running(busy)
        self.busyChanged.emit(busy)
