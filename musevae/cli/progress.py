"""Showing a long run in a terminal: one progress bar, lines printed around it, Ctrl-C.

Training, sweeps and tuning all print the same way: the bar goes to stderr and the
lines and results to stdout, so ``musevae train ... > log.txt`` keeps a clean log. A
first Ctrl-C asks the run to stop: the generator is closed at the next event, which
writes a resumable checkpoint. A second Ctrl-C aborts at once. tqdm is imported only
when a bar starts, so importing this costs a command's ``--help`` nothing.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any, Protocol, TextIO


class BarPrinter:
    """A bar of updates on ``err`` and lines on ``out`` that do not tear the bar."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.bar: Any = None

    def start_bar(self, total: int, done: int) -> None:
        """Show a bar of ``total`` updates of which ``done`` are behind us (a resumed run)."""
        from tqdm import tqdm

        self.bar = tqdm(
            total=total, initial=done, unit="update",
            file=self.err, dynamic_ncols=True, leave=False,
        )  # fmt: skip

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.out)
        else:
            print(line, file=self.out, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def stop_requests() -> Iterator[Callable[[], bool]]:
    """Yields a function that says whether Ctrl-C was pressed (once) during the block."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed.is_set
        return

    def on_interrupt(signum: int, frame: object) -> None:
        if pressed.is_set():
            raise KeyboardInterrupt
        pressed.set()
        print("\nstopping after this update (Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield pressed.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


class Printer(Protocol):
    def handle(self, event: Any) -> None: ...
    def close(self) -> None: ...


def follow(events: Generator[Any, None, None], printer: Printer) -> bool:
    """Print ``events`` until they end; False when Ctrl-C closed them early.

    The first Ctrl-C lets the current update finish and the generator write its
    checkpoint (closing it); the printer is closed either way.
    """
    with stop_requests() as stop:
        try:
            for event in events:
                printer.handle(event)
                if stop():
                    events.close()
                    return False
            return True
        finally:
            printer.close()
