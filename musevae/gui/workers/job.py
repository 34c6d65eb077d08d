"""The one generic worker: runs a core generator in a QThread, one Qt signal per value.

The core knows nothing about Qt: training, sampling, a download or a folder import is a
generator (a function with a progress callback calls ``post`` instead of yielding). A
:class:`Job` pulls the values in its own thread and emits ``yielded(value)``; slots on GUI
objects receive them queued, on the GUI thread, so the window stays responsive.

Control happens *between* two values, in the worker's thread:

- **pause**: the worker stops pulling and blocks on a condition variable. The generator
  stays suspended at its ``yield`` (a trainer between two updates, with its whole state
  in memory) until ``resume``; nothing is written and nothing is lost.
- **cancel**: the worker closes the generator (``GeneratorExit`` at the ``yield``), which
  is how the core is told to stop: the trainer writes a resumable checkpoint on close.
  A generator can only be closed by the thread running it, so ``cancel`` merely sets a
  flag and wakes a paused worker. Callback-style work is stopped by :class:`Cancelled`,
  raised from ``post`` inside the callback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

Post = Callable[[Any], None]  # emit a value from inside callback-style work
Work = Callable[[Post], Iterable[Any]]

IDLE, RUNNING, PAUSED, DONE, CANCELLED, FAILED = (
    "idle", "running", "paused", "done", "cancelled", "failed",
)  # fmt: skip
ENDED = (DONE, CANCELLED, FAILED)


class Cancelled(Exception):
    """Raised by ``post`` once the job is cancelled, to unwind callback-style work."""


class Job(QThread):
    """Runs ``work(post)`` in a thread; each yielded or posted value becomes ``yielded``.

    ``failed(error)`` carries the exception that ended the work; ``statusChanged(status)``
    reports idle -> running <-> paused -> done | cancelled | failed.
    """

    yielded = Signal(object)
    failed = Signal(object)
    statusChanged = Signal(str)

    def __init__(self, work: Work, name: str = "job", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._work = work
        self._condition = threading.Condition()
        self._paused = False
        self._cancelled = False
        self._blocked = False
        self._status = IDLE

    # --- control, from any thread -----------------------------------------------------
    @property
    def status(self) -> str:
        return self._status

    @property
    def blocked(self) -> bool:
        """Whether the worker is waiting for ``resume`` now (pulling nothing)."""
        return self._blocked

    def pause(self) -> None:
        with self._condition:
            if self._status == RUNNING:
                self._paused = True
                self._set_status(PAUSED)

    def resume(self) -> None:
        with self._condition:
            if self._paused:
                self._paused = False
                self._set_status(RUNNING)
                self._condition.notify_all()

    def cancel(self) -> None:
        with self._condition:
            self._cancelled = True
            self._paused = False
            self._condition.notify_all()

    # --- the worker thread ----------------------------------------------------------------
    def post(self, value: Any) -> None:
        """Emit ``value`` now; then wait while paused, and raise Cancelled if cancelled."""
        self.yielded.emit(value)
        if not self._may_go_on():
            raise Cancelled

    def run(self) -> None:
        self._set_status(RUNNING)
        try:
            ended = self._pull_all()
        except Cancelled:
            ended = CANCELLED
        except BaseException as error:  # the GUI shows it; the thread must not die silently
            self.failed.emit(error)
            ended = FAILED
        self._set_status(ended)

    def _pull_all(self) -> str:
        iterator = iter(self._work(self.post))
        try:
            for value in iterator:
                self.yielded.emit(value)
                if not self._may_go_on():
                    return CANCELLED
            return CANCELLED if self._cancelled else DONE
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # on cancel: GeneratorExit at the yield; the core cleans up

    def _may_go_on(self) -> bool:
        """Block while paused; False once cancelled."""
        with self._condition:
            while self._paused and not self._cancelled:
                self._blocked = True
                self._condition.wait()
            self._blocked = False
            return not self._cancelled

    def _set_status(self, status: str) -> None:
        self._status = status
        self.statusChanged.emit(status)


def start_job(
    work: Work,
    on_value: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
    on_status: Callable[[str], None] | None = None,
    name: str = "job",
    parent: QObject | None = None,
) -> Job:
    """Create a Job, connect its three signals and start it."""
    job = Job(work, name, parent)
    job.yielded.connect(on_value)
    job.failed.connect(on_failed)
    if on_status is not None:
        job.statusChanged.connect(on_status)
    job.start()
    return job
