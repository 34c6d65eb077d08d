"""Tuning from the app: the run's state, fed by the tuner's events from the worker.

The tuner (``musevae.tune.tuner``) is a generator of events like the trainer, so it runs
in the same generic Job as training: Pause blocks the worker between two updates (the
tuner suspended at its ``yield``, its optimizer and sampler in memory), Cancel closes the
generator, and the tuner writes a loadable tuned copy as it closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musevae.gui.workers import tasks
from musevae.gui.shell.notify import Notifier
from musevae.gui.workers.job import CANCELLED, RUNNING
from musevae.gui.workers.run_session import RunSession

STARTING = "starting"  # loading the models and scoring the base, before the first update


class TuneSession(RunSession):
    """State signals: a RunSession's (``progressChanged`` also for the rates), and
    ``tunedChanged(card or None)`` (the copy to generate from: set when a run finishes or
    is cancelled)."""

    tunedChanged = Signal(object)

    activity = "Tuning"

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(notifier, parent)
        self.base: Path | None = None  # the base model's card
        self.tuned: Path | None = None  # the last run's tuned card
        self._reset_progress()

    def _reset_progress(self) -> None:
        self.updates = self.total_updates = 0
        self.curve: list[tuple[int, float, float, float]] = []  # (update, reward, music, KL)
        self.terms: dict[str, float] = {}  # the last update's violation rate per rule
        self.before: dict[str, float] = {}  # the base's rates, on the evaluation paths
        self.after: dict[str, float] = {}  # the tuned copy's, once done
        self.kl = 0.0  # nats per step to the base on the evaluation paths, once done

    # --- actions ----------------------------------------------------------------------------
    def start(self, request: tasks.TuneRequest) -> None:
        if self.busy:
            self.notifier.warning("Tuning", "A tuning run is in progress; cancel it first.")
            return
        self._reset_progress()
        self.base = None if request.card is None else Path(request.card)
        self.run_dir = None  # Started names it (the resumed folder, or a new one)
        self.runDirChanged.emit(None)
        self.curvesChanged.emit()
        self._set_status(STARTING)
        self._start(lambda post: tasks.tune(request), "tune")

    def resume(self, run_dir: Path, updates: int | None, device: str) -> None:
        """Continue the run in ``run_dir`` (to ``updates`` in all, if given)."""
        config = {} if updates is None else {"updates": updates}
        self.start(tasks.TuneRequest(None, config, device=device, resume_dir=Path(run_dir)))

    def stop(self, wait_ms: int = 30_000) -> None:
        """Cancel and wait (window closing): the run ends with its tuned copy written."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait(wait_ms)

    # --- worker results ----------------------------------------------------------------------
    def _on_Started(self, event: Any) -> None:
        self.before, self.base = dict(event.before), Path(event.base)
        self.curve = [(i, h["reward"], h["music"], h["kl"])
                      for i, h in enumerate(event.history, 1)]  # fmt: skip
        if event.history:
            self.terms = {name: event.history[-1][name] for name in self.before}
        super()._on_Started(event)
        self.curvesChanged.emit()

    def _on_Step(self, event: Any) -> None:
        self.updates, self.terms = event.update, dict(event.terms)
        self.curve.append((event.update, event.reward, event.music, event.kl))
        self.progressChanged.emit()
        self.curvesChanged.emit()

    def _on_Done(self, event: Any) -> None:
        self.after, self.kl = dict(event.after), event.kl
        before = sum(self.before.values())
        after = sum(event.after[name] for name in self.before)
        self.notifier.info(
            "Tuning finished",
            f"{event.updates} updates: rule violations {before:.3f} → {after:.3f} per step, "
            f"KL to the base {event.kl:.3f} nats/step. The tuned model is in the Library "
            f"({Path(event.card).parent.name}).",
        )
        self._set_tuned(Path(event.card))
        self.progressChanged.emit()
        self.finished.emit(Path(event.card))

    def _on_job_status(self, status: str) -> None:
        if status == RUNNING and self.status == STARTING:
            return  # still loading; Started switches to running
        if status == CANCELLED and self.run_dir is not None:
            card = self.run_dir / "model.json"
            if card.exists():  # the tuner wrote the copy as it closed
                self._set_tuned(card)
                self.notifier.info("Tuning cancelled",
                                   f"The copy after {self.updates} updates is in the Library "
                                   f"({self.run_dir.name}).")  # fmt: skip
        super()._on_job_status(status)

    def _set_tuned(self, card: Path) -> None:
        self.tuned = card
        self.tunedChanged.emit(card)
