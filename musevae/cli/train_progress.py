"""Showing a training run in a terminal: a progress bar with ETA and a line per epoch.

The trainer yields events; this turns them into text on the shared
:class:`~musevae.cli.progress.BarPrinter`. Command modules import this inside their
``func`` only: it pulls in torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from musevae.cli.evaluate import evaluation_lines
from musevae.cli.progress import BarPrinter
from musevae.train import events as ev


class ProgressPrinter(BarPrinter):
    """Prints one run's events."""

    train_elbo = float("nan")
    epochs = 0

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

    def _on_started(self, event: ev.Started) -> None:
        self.epochs = event.total_updates // event.updates_per_epoch
        where = f"{event.device}" + (f" x {event.world_size}" if event.world_size > 1 else "")
        self.write(f"training into {event.out_dir} on {where}")
        self.start_bar(event.total_updates, event.done_updates)

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
