"""A long run in the generic worker, as the Train and Tune tabs follow it.

The trainer and the tuner are generators of events with the same life: ``Started`` (the
run's folder, its updates done and in all), steps, ``Checkpoint`` files, ``Done``; the
worker may also say which device it chose. This holds what the two sessions share: the
status, the run folder, Pause / Continue / Cancel of the Job, and each event handed to
``_on_<EventName>``. Each session adds the state of its own events and its messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musevae.gui.shell.notify import Notifier
from musevae.gui.workers import tasks
from musevae.gui.workers.job import ENDED, IDLE, PAUSED, RUNNING, Job, Work, start_job


class RunSession(QObject):
    """State signals: ``statusChanged(str)``, ``progressChanged()`` (updates),
    ``curvesChanged()``, ``deviceChanged(str)``, ``runDirChanged(path)``,
    ``checkpointSaved(card)`` and ``finished(card)``. ``activity`` names the run in
    messages ("Training": "Training stopped")."""

    statusChanged = Signal(str)
    progressChanged = Signal()
    curvesChanged = Signal()
    deviceChanged = Signal(str)
    runDirChanged = Signal(object)
    checkpointSaved = Signal(object)
    finished = Signal(object)

    activity = "Run"

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.status = IDLE
        self.device = ""
        self.run_dir: Path | None = None
        self.job: Job | None = None
        self.updates = self.total_updates = 0

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.status not in ENDED

    # --- actions ----------------------------------------------------------------------------
    def pause(self) -> None:
        if self.job is not None:
            self.job.pause()

    def unpause(self) -> None:
        if self.job is not None:
            self.job.resume()

    def toggle_pause(self) -> None:
        """The Pause button: pause a running run, continue a paused one."""
        if self.status == PAUSED:
            self.unpause()
        else:
            self.pause()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _start(self, work: Work, name: str) -> None:
        """Run ``work``'s events in a Job named ``name`` (the caller checked ``busy``)."""
        self.job = start_job(work, self._on_event, self._on_failed, self._on_job_status, name, self)

    # --- worker results ----------------------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    def _on_DeviceChosen(self, event: tasks.DeviceChosen) -> None:
        self.device = event.device
        self.deviceChanged.emit(event.device)

    def _on_Started(self, event: Any) -> None:
        """A session that keeps more of Started sets it first, then calls this."""
        self.total_updates, self.updates = event.total_updates, event.done_updates
        self.run_dir = Path(event.out_dir)
        self.runDirChanged.emit(self.run_dir)
        self._set_status(PAUSED if self.job is not None and self.job.status == PAUSED else RUNNING)
        self.progressChanged.emit()

    def _on_Checkpoint(self, event: Any) -> None:
        self.checkpointSaved.emit(Path(event.path))

    def _on_failed(self, error: BaseException) -> None:
        self.notifier.error(f"{self.activity} stopped", error)

    def _on_job_status(self, status: str) -> None:
        self._set_status(status)

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.statusChanged.emit(status)
