"""What the Train and Tune sessions share: Started sets the run's folder and updates,
the Pause button pauses and continues the real worker, Cancel ends it, a failure becomes
one message named after the activity."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from musevae.gui.shell.notify import Notifier
from musevae.gui.workers import tasks
from musevae.gui.workers.run_session import RunSession
from tests.gui.conftest import TIMEOUT_MS


@dataclass(frozen=True)
class Started:  # the fields RunSession reads from a trainer's or a tuner's Started
    total_updates: int
    done_updates: int
    out_dir: Path


@dataclass(frozen=True)
class Checkpoint:
    path: Path


class Counting(RunSession):
    activity = "Counting"

    def start(self, work: Any) -> None:
        self._start(work, "count")


def test_started_then_pause_continue_and_cancel_through_the_worker(qtbot, tmp_path: Path) -> None:
    gate, closed = threading.Event(), threading.Event()

    def run(post: Any) -> Any:
        try:
            yield tasks.DeviceChosen("cpu")
            yield Started(total_updates=10, done_updates=4, out_dir=tmp_path)  # a resumed run
            yield Checkpoint(tmp_path / "model.json")
            while True:
                gate.wait()
                time.sleep(0.01)  # an update's work
                yield "a step no handler takes"
        finally:
            closed.set()

    session = Counting(Notifier())
    folders: list[Any] = []
    session.runDirChanged.connect(folders.append)
    with qtbot.waitSignal(session.checkpointSaved, timeout=TIMEOUT_MS) as saved:
        session.start(run)
    assert saved.args[0] == tmp_path / "model.json"
    assert (session.device, session.run_dir, folders) == ("cpu", tmp_path, [tmp_path])
    assert (session.updates, session.total_updates) == (4, 10)
    assert session.status == "running" and session.busy

    session.toggle_pause()  # the Pause button while running
    gate.set()
    qtbot.waitUntil(lambda: session.status == "paused" and session.job.blocked, timeout=TIMEOUT_MS)
    session.toggle_pause()  # the same button, now reading Continue
    qtbot.waitUntil(lambda: session.status == "running", timeout=TIMEOUT_MS)

    session.cancel()
    qtbot.waitUntil(lambda: session.status == "cancelled", timeout=TIMEOUT_MS)
    assert closed.is_set() and not session.busy
    session.toggle_pause()  # nothing runs: no error, no change
    assert session.status == "cancelled"


def test_a_failure_is_one_error_named_after_the_activity(qtbot) -> None:
    def broken(post: Any) -> Any:
        yield tasks.DeviceChosen("cpu")
        raise ValueError("the data has no pieces")

    notifier = Notifier()
    session = Counting(notifier)
    session.start(broken)
    qtbot.waitUntil(lambda: session.status == "failed", timeout=TIMEOUT_MS)
    assert [(m.level, m.title, m.text) for m in notifier.messages] == [
        ("error", "Counting stopped", "the data has no pieces")
    ]
