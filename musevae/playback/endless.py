"""Endless play: a bounded look-ahead buffer filled by a background thread.

The sampler yields one step at a time and may take a few milliseconds per step, or
stall for longer (a garbage collection, a busy machine). :class:`LookAhead` runs it on
its own thread and keeps at most ``size`` steps ready, so the player never waits for
the model, and memory stays bounded however many hours it plays. The thread that runs
a generator is the only one allowed to close it, so :meth:`LookAhead.close` asks the
filler thread to stop and it closes the generator itself.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:  # the sampler imports torch; playing a file must not
    from musevae.generate.sampler import GeneratedStep

T = TypeVar("T")
POLL_SECONDS = 0.05  # how often a blocked put/get looks up to see whether to give up


class _End:
    """Marks the end of the source in the queue (``None`` may be a legitimate item)."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class LookAhead(Generic[T]):
    """Up to ``size`` items of ``source``, produced ahead of use on a daemon thread."""

    def __init__(self, source: Iterable[T], size: int = 16) -> None:
        if size < 1:
            raise ValueError(f"the look-ahead buffer needs room for at least one step; got {size}")
        self._source = source
        self._queue: queue.Queue[T | _End | _Failed] = queue.Queue(maxsize=size)
        self._stopping = threading.Event()
        self._done = threading.Event()  # the filler has closed the source and finished
        self._thread = threading.Thread(target=self._fill, name="musevae-lookahead", daemon=True)
        self._thread.start()

    def get(self, timeout: float | None = None) -> T:
        """The next item; ``queue.Empty`` after ``timeout`` seconds, ``StopIteration`` at
        the end of the source, and the source's own exception if it failed."""
        item = self._queue.get(timeout=timeout)
        if isinstance(item, _End):
            self._queue.put(item)  # stay at the end for any later get
            raise StopIteration
        if isinstance(item, _Failed):
            self._queue.put(item)
            raise item.error
        return item

    def ready(self) -> int:
        """Items waiting in the buffer now."""
        return self._queue.qsize()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop the filler thread, which closes the source generator before it exits;
        True once it has (False if the source is stuck in a step for ``timeout`` s)."""
        self._stopping.set()
        try:
            while True:
                self._queue.get_nowait()  # make room so a blocked put notices the stop
        except queue.Empty:
            pass
        return self._done.wait(timeout)

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    def _fill(self) -> None:
        iterator = iter(self._source)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_End())
        except Exception as error:  # handed to the consumer, which reports it
            self._put(_Failed(error))
        finally:
            close = getattr(iterator, "close", None)
            try:
                if close is not None:
                    close()
            finally:
                self._done.set()

    def _put(self, item: T | _End | _Failed) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False


def sampled_frames(steps: Iterable[GeneratedStep], candidate: int = 0) -> Iterator[np.ndarray]:
    """The ``(88,)`` bool frames of one candidate from the sampler's stream.

    Closing this generator closes the sampler, so the model's loop ends with it.
    """
    iterator = iter(steps)
    try:
        for step in iterator:
            yield step.notes[candidate]
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
