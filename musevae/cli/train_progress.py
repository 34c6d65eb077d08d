"""Showing a training run in a terminal: a progress bar with ETA and a line per epoch.

The trainer yields events; this turns them into text. The bar goes to stderr and the
epoch lines and results to stdout, so ``musevae train ... > log.txt`` keeps a clean log.
A first Ctrl-C asks the run to stop: the generator is closed at the next event, which
writes a resumable checkpoint. A second Ctrl-C aborts at once. Command modules import
this inside their ``func`` only: it pulls in torch.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any, Protocol, TextIO

from tqdm import tqdm

from musevae.cli.evaluate import evaluation_lines
from musevae.train import events as ev


class ProgressPrinter:
    """Prints one run's events."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.bar: tqdm | None = None
        self.train_elbo = float("nan")
        self.epochs = 0

    def handle(self, event: ev.Event) -> None:
        handlers: dict[type, Callable[[Any], None]] = {
            ev.Started: self._on_started, ev.Step: self._on_step,
            ev.Skipped: self._on_skipped, ev.Recovered: self._on_recovered,
            ev.Epoch: self._on_epoch, ev.Validation: self._on_validation,
            ev.Evaluated: self._on_evaluated, ev.Done: self._on_done,
        }  # fmt: skip
        handler = handlers.get(type(event))
        if handler is not None:
            handler(event)

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.out)
        else:
            print(line, file=self.out, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _on_started(self, event: ev.Started) -> None:
        self.epochs = event.total_updates // event.updates_per_epoch
        where = f"{event.device}" + (f" x {event.world_size}" if event.world_size > 1 else "")
        self.write(f"training into {event.out_dir} on {where}")
        self.bar = tqdm(
            total=event.total_updates, initial=event.done_updates, unit="update",
            file=self.err, dynamic_ncols=True, leave=False,
        )  # fmt: skip

    def _on_step(self, event: ev.Step) -> None:
        self.bar.update(1)
        self.bar.set_postfix_str(f"epoch {event.epoch}, loss {event.loss:.3f}", refresh=False)

    def _on_skipped(self, event: ev.Skipped) -> None:
        self.bar.update(1)
        self.write(
            f"update {event.update}: skipped, {event.reason} ({event.consecutive} in a row)"
        )

    def _on_recovered(self, event: ev.Recovered) -> None:
        self.write(
            f"update {event.update}: restored the state after epoch {event.restored_epoch}; "
            f"learning rate now x{event.lr_scale:g}"
        )

    def _on_epoch(self, event: ev.Epoch) -> None:
        self.train_elbo = event.train_elbo

    def _on_validation(self, event: ev.Validation) -> None:
        mark = " *" if event.improved else ""
        self.write(
            f"epoch {event.epoch:3d}/{self.epochs}  train ELBO {self.train_elbo:8.4f}  "
            f"valid ELBO {event.elbo:8.4f} nats/frame{mark}  "
            f"(best {event.best_elbo:.4f} at epoch {event.best_epoch})"
        )

    def _on_evaluated(self, event: ev.Evaluated) -> None:
        self.close()
        for line in evaluation_lines(event.evaluation):
            self.write(line)

    def _on_done(self, event: ev.Done) -> None:
        self.close()
        summary = event.summary
        self.write(
            f"done ({summary.reason}): {summary.epochs} epochs, {summary.updates} updates, "
            f"{summary.wall_s:.0f} s; best epoch {summary.best_epoch}; model: {summary.card}"
        )


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
