"""Training from the app: the run's state, fed by trainer events from the worker.

The trainer is a generator of events (``musevae.train.events``); the Job turns each into
a call of ``_on_<EventName>`` here, on the GUI thread. Pause blocks the worker between
two events (the trainer is suspended at its ``yield``, state in memory); Cancel closes
the generator, and the trainer writes a loadable, resumable checkpoint as it closes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musevae.gui.workers import tasks
from musevae.gui.shell.notify import Notifier
from musevae.gui.workers.job import ENDED, RUNNING, Job, start_job
from musevae.gui.workers.run_session import RunSession

LOADING = "loading data"


class TrainSession(RunSession):
    """State signals: a RunSession's (``progressChanged`` also for epochs and the ETA), and
    ``dataProgress(what, done, total)``, ``importReported(report)``, ``datasetsChanged()``,
    ``dataBusyChanged(bool)``, ``midiFolderChanged(path)``, ``catalogueChanged(catalogue)``."""

    dataProgress = Signal(str, int, int)  # total -1 when unknown
    importReported = Signal(object)
    datasetsChanged = Signal()
    dataBusyChanged = Signal(bool)  # a download or folder import is running
    midiFolderChanged = Signal(object)  # the MIDI folder chosen to train on (or None)
    catalogueChanged = Signal(object)  # the model kinds and sizes, once torch is loaded

    activity = "Training"

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(notifier, parent)
        self.data_job: Job | None = None
        self.midi_folder: Path | None = None
        self.catalogue: tasks.Catalogue | None = None
        self._reset_progress()

    def _reset_progress(self) -> None:
        self.updates = self.total_updates = self.updates_per_epoch = 0
        self.epoch = self.epochs = 0
        self.eta_s: float | None = None
        self.rate = 0.0  # updates per second, smoothed
        self._last_step: float | None = None
        self.train_curve: list[tuple[int, float, float]] = []  # (update, ELBO, KL) nats/frame
        self.valid_curve: list[tuple[int, float]] = []  # (update, ELBO)

    # --- actions ----------------------------------------------------------------------------
    def start(self, request: tasks.TrainRequest) -> None:
        if self.busy:
            self.notifier.warning("Training", "A run is already in progress; cancel it first.")
            return
        self._reset_progress()
        self.epochs = int(request.config.get("epochs", 0))
        self.curvesChanged.emit()
        self._set_status(LOADING)
        self._start(lambda post: tasks.train(request, post), "train")

    def resume(self, run_dir: Path, epochs: int | None, device: str, data_dir: Path | None) -> None:
        config = {} if epochs is None else {"epochs": epochs}
        request = tasks.TrainRequest("", resume_dir=run_dir, config=config, device=device,
                                     data_dir=data_dir)  # fmt: skip
        self.start(request)

    def unpause(self) -> None:
        self._last_step = None  # the pause is not training time
        super().unpause()

    def fetch(self, name: str, data_dir: Path | None, mirror: str) -> None:
        self._run_data(lambda post: tasks.fetch(name, data_dir, mirror, post), "fetch")

    def import_folder(self, folder: Path, data_dir: Path | None) -> None:
        """Choose ``folder`` as the data and read it, for the import report."""
        self.midi_folder = Path(folder)
        self.midiFolderChanged.emit(self.midi_folder)
        self._run_data(lambda post: tasks.import_folder(folder, data_dir, post), "import")

    def set_catalogue(self, catalogue: tasks.Catalogue) -> None:
        self.catalogue = catalogue
        self.catalogueChanged.emit(catalogue)

    def stop_all(self, wait_ms: int = 30_000) -> None:
        """Cancel every job and wait (window closing): a run ends with its checkpoint."""
        for job in (self.job, self.data_job):
            if job is not None:
                job.cancel()
                job.wait(wait_ms)

    # --- worker results ----------------------------------------------------------------------
    def _run_data(self, work: Any, name: str) -> None:
        if self.data_job is not None and self.data_job.status not in ENDED:
            self.notifier.warning("Data", "Wait for the current download or import to finish.")
            return
        self.data_job = start_job(
            work, self._on_event, self._on_data_failed,
            lambda status: self.dataBusyChanged.emit(status not in ENDED), name, self,
        )  # fmt: skip

    def _on_Progress(self, event: tasks.Progress) -> None:
        self.dataProgress.emit(event.what, event.done, -1 if event.total is None else event.total)

    def _on_Fetched(self, event: tasks.Fetched) -> None:
        self.notifier.info("Dataset downloaded", f"{event.name} is ready ({event.path})")
        self.datasetsChanged.emit()

    def _on_Imported(self, event: tasks.Imported) -> None:
        self.importReported.emit(event.report)

    def _on_Started(self, event: Any) -> None:
        self.updates_per_epoch = event.updates_per_epoch
        self.epochs = event.total_updates // max(1, event.updates_per_epoch)
        self.epoch = event.done_updates // max(1, event.updates_per_epoch)
        super()._on_Started(event)

    def _on_Step(self, event: Any) -> None:
        now = time.perf_counter()
        if self._last_step is not None:
            instant = 1.0 / max(now - self._last_step, 1e-6)
            self.rate = instant if self.rate == 0 else 0.9 * self.rate + 0.1 * instant
        self._last_step = now
        self.updates, self.epoch = event.update, event.epoch
        left = max(0, self.total_updates - self.updates)
        self.eta_s = left / self.rate if self.rate > 0 else None
        self.train_curve.append((event.update, event.log_px - event.kl, event.kl))
        self.progressChanged.emit()
        self.curvesChanged.emit()

    def _on_Validation(self, event: Any) -> None:
        self.valid_curve.append((self.updates, event.elbo))
        self.curvesChanged.emit()

    def _on_Done(self, event: Any) -> None:
        summary = event.summary
        valid = f"{summary.valid_elbo:.3f}" if summary.valid_elbo is not None else "—"
        self.notifier.info(
            "Training finished",
            f"{summary.reason}: {summary.epochs} epochs, best valid ELBO {valid} nats/frame. "
            f"The model is in the Library ({summary.card.parent.name}).",
        )
        self.finished.emit(Path(summary.card))

    def _on_data_failed(self, error: BaseException) -> None:
        self.notifier.error("Data", error)

    def _on_job_status(self, status: str) -> None:
        if status == RUNNING and self.status == LOADING:
            return  # the data is still loading; Started switches to running
        if status == "cancelled" and self.run_dir is not None:
            self.notifier.info(
                "Training cancelled",
                f"The checkpoint in {self.run_dir} is usable; Resume continues the run.",
            )
        super()._on_job_status(status)
        if status in ENDED and self.eta_s is not None:
            self.eta_s = None  # nothing left to wait for
            self.progressChanged.emit()
