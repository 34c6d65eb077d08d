"""The generic worker: values become signals, pause blocks between values, cancel
closes the generator in the worker thread, failures arrive as a signal."""

from __future__ import annotations

import threading
from typing import Any

from musevae.gui.workers.job import Cancelled, Job
from tests.gui.conftest import TIMEOUT_MS


def test_each_yielded_value_becomes_a_signal_in_order(qtbot):
    got: list[Any] = []
    job = Job(lambda post: iter([1, "two", 3.0]))
    job.yielded.connect(got.append)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT_MS):
        job.start()
    qtbot.waitUntil(lambda: len(got) == 3)
    assert got == [1, "two", 3.0] and job.status == "done"


def test_cancel_closes_the_generator_in_the_worker_thread(qtbot):
    closed_in: list[str] = []
    gate = threading.Event()

    def counting(post: Any) -> Any:
        try:
            for i in range(10_000):
                gate.wait()
                yield i
        finally:  # GeneratorExit arrives at the yield; this is where the core cleans up
            closed_in.append(threading.current_thread().name)

    job = Job(counting)
    job.start()
    job.cancel()
    gate.set()
    assert job.wait(TIMEOUT_MS)
    assert job.status == "cancelled"
    assert closed_in and closed_in[0] != threading.main_thread().name


def test_pause_stops_pulling_until_resumed(qtbot):
    pulled: list[int] = []
    gate = threading.Event()

    def numbers(post: Any) -> Any:
        pulled.append(0)
        yield 0
        gate.wait()  # the worker is inside the generator, fetching value 1
        for i in (1, 2):
            pulled.append(i)
            yield i

    job = Job(numbers)
    job.start()
    try:
        qtbot.waitUntil(lambda: pulled == [0])
        job.pause()
        gate.set()  # value 1 was already asked for: it arrives; then the worker waits
        qtbot.waitUntil(lambda: job.blocked)
        assert pulled == [0, 1] and job.status == "paused"
        job.resume()
        assert job.wait(TIMEOUT_MS) and pulled == [0, 1, 2] and job.status == "done"
    finally:
        gate.set()
        job.cancel()
        job.wait(TIMEOUT_MS)


def test_post_reports_progress_and_raises_cancelled_after_cancel(qtbot):
    seen: list[Any] = []

    def download(post: Any) -> Any:
        post("50%")
        job.cancel()
        post("never delivered past here")  # raises Cancelled after emitting
        yield "done"

    job = Job(download)
    job.yielded.connect(seen.append)
    job.start()
    assert job.wait(TIMEOUT_MS)
    assert job.status == "cancelled"
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert "done" not in seen and issubclass(Cancelled, Exception)


def test_an_exception_in_the_work_arrives_as_failed(qtbot):
    def broken(post: Any) -> Any:
        yield 1
        raise ValueError("bad input")

    job = Job(broken)
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT_MS) as failed:
        job.start()
    assert isinstance(failed.args[0], ValueError)
    job.wait(TIMEOUT_MS)
    assert job.status == "failed"
