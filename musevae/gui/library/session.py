"""The model library's state and actions: scan, open from disk, select, rename, delete.

The scan and opening a checkpoint verify checkpoints with the core (hashing the weights
and checking them against the card), which imports torch, so both run in the worker;
renaming and deleting are instant file operations. A checkpoint that fails verification
is listed with its problem, never as a model that would fail at Generate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musevae.gui.workers import tasks
from musevae.gui.library.ops import delete_run, rename_run
from musevae.gui.shell.notify import Notifier
from musevae.gui.workers.job import ENDED, Job, start_job
from musevae.train.defaults import defaults, startup_default  # torch-free: reads cards


class LibrarySession(QObject):
    """``changed`` when the list changes, ``currentChanged(entry or None)`` on selection,
    ``scanningChanged(bool)``. Entries are ``musevae.train.library.ModelEntry``, problems
    ``musevae.train.library.Problem``."""

    changed = Signal()
    currentChanged = Signal(object)
    scanningChanged = Signal(bool)

    def __init__(
        self, notifier: Notifier, user_dir: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.notifier, self.user_dir = notifier, user_dir
        self.entries: list[Any] = []  # scanned: shipped first, then the user's runs
        self.opened: list[Any] = []  # opened from disk this session
        self.problems: list[Any] = []  # scanned
        self.opened_problems: list[Any] = []  # opened from disk this session
        self.current: Any = None
        self.defaults: dict[str, Any] = {}  # data set name -> its default entry (scanned)
        self.startup: Any = None  # the entry to start with when none is remembered
        self.scanned = False
        self.scanning = False
        self._select_after_scan: Path | None = None
        self.jobs: list[Job] = []

    def all_entries(self) -> list[Any]:
        return [*self.entries, *self.opened]

    def all_problems(self) -> list[Any]:
        return [*self.problems, *self.opened_problems]

    # --- actions ----------------------------------------------------------------------
    def refresh(self, select: Path | None = None) -> None:
        """Scan again; ``select`` a card once the scan has found it (a new model)."""
        if select is not None:
            self._select_after_scan = select
        self._set_scanning(True)
        self._run(lambda post: tasks.scan_library(self.user_dir), self._on_scanned, "scan")

    def open_checkpoint(self, path: Path) -> None:
        """Verify a checkpoint from anywhere on disk (a card, its weights, or a run folder)."""

        def work(post: Any) -> Any:
            from musevae.train.library import examine

            yield examine(Path(path), "opened")

        self._run(work, self._on_opened, "open")

    def select(self, entry: Any) -> None:
        if entry is not self.current:
            self.current = entry
            self.currentChanged.emit(entry)

    def select_path(self, card: Path) -> None:
        """Select the entry with this card; nothing when the library no longer holds it."""
        found = [e for e in self.all_entries() if e.card_path.resolve() == card.resolve()]
        self.select(found[0] if found else None)

    def rename(self, entry: Any, name: str) -> None:
        try:
            new_card = rename_run(entry.card_path, name, self.user_dir)
        except Exception as error:
            self.notifier.error("Cannot rename the model", error)
            return
        self.notifier.info("Model renamed", f"{entry.name} is now {name}")
        self.refresh(select=new_card)

    def delete(self, entry: Any) -> None:
        try:
            delete_run(entry.card_path, self.user_dir)
        except Exception as error:
            self.notifier.error("Cannot delete the model", error)
            return
        if entry is self.current:
            self.select(None)
        self.notifier.info("Model deleted", f"{entry.name} was deleted")
        self.refresh()

    # --- results ------------------------------------------------------------------------
    def _run(self, work: Any, on_value: Any, name: str) -> None:
        job = start_job(work, on_value, self._on_failed, self._forget_ended, name, self)
        self.jobs.append(job)

    def _forget_ended(self, status: str) -> None:
        """Runs when a job's status arrives, in order after the values it yielded (its
        live ``status`` may already be further on, so the signal's value counts)."""
        if status in ENDED:
            ended = self.sender()
            self.jobs = [job for job in self.jobs if job is not ended]
            if not any(job.objectName() == "scan" for job in self.jobs):
                self._set_scanning(False)

    def default_of(self, entry: Any) -> str | None:
        """The data set ``entry`` is the default model of, if it is one."""
        return next((name for name, e in self.defaults.items() if e is entry), None)

    def _on_scanned(self, library: Any) -> None:
        self.entries, self.problems, self.scanned = library.entries, library.problems, True
        self.defaults, self.startup = defaults(library), startup_default(library)
        self.changed.emit()
        chosen = self._select_after_scan or (self.current and self.current.card_path)
        self._select_after_scan = None
        if chosen:
            self.select_path(chosen)

    def _on_opened(self, found: Any) -> None:
        """List an opened checkpoint (replacing an earlier opening of the same card) and
        select it, or list it under its problem and say what the problem is."""
        from musevae.train.library import ModelEntry  # loaded: the worker just used it

        usable = isinstance(found, ModelEntry)
        path = found.card_path if usable else found.path
        self.opened = [e for e in self.opened if e.card_path != path]
        self.opened_problems = [p for p in self.opened_problems if p.path != path]
        (self.opened if usable else self.opened_problems).append(found)
        self.changed.emit()
        if usable:
            self.select(found)
            if found.notice:
                self.notifier.warning("Model opened", found.notice)
            return
        if self.current is not None and self.current.card_path == path:
            self.select(None)
        self.notifier.error(f"Cannot use {found.name}", found.reason)

    def _on_failed(self, error: BaseException) -> None:
        self.notifier.error("Cannot read the model", error)

    def _set_scanning(self, scanning: bool) -> None:
        if scanning != self.scanning:
            self.scanning = scanning
            self.scanningChanged.emit(scanning)
