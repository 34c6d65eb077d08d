"""What a training run reports, one small frozen dataclass per kind of news.

The trainer yields these instead of printing, so the CLI can draw a progress bar and the
GUI can plot curves from the same run. Rates are per real (unmasked) frame, in nats;
``update`` counts batches drawn (skipped ones included) and ``epoch`` is 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

from musevae.train.evaluate import Evaluation


@dataclass(frozen=True)
class Started:
    """The run's plan, so a progress bar knows its total and where it resumes."""

    total_updates: int
    done_updates: int
    updates_per_epoch: int
    device: str
    world_size: int
    out_dir: Path


@dataclass(frozen=True)
class Step:
    """One optimizer update on a batch of random crops."""

    update: int
    epoch: int
    loss: float  # -(log_px - kl_weight * kl): what was minimised, nats/frame
    log_px: float  # nats/frame
    kl: float  # nats/frame
    kl_weight: float
    lr: float
    grad_norm: float  # total norm before clipping
    frames_per_s: float


@dataclass(frozen=True)
class Skipped:
    """An update whose loss or gradient was not finite; the parameters were left alone."""

    update: int
    epoch: int
    reason: str
    consecutive: int


@dataclass(frozen=True)
class Recovered:
    """Too many skipped updates in a row: the last good state is back, with a lower lr."""

    update: int
    epoch: int
    restored_epoch: int  # the state after this many epochs was restored (0: the start)
    lr_scale: float  # multiplies the scheduled learning rate from now on


@dataclass(frozen=True)
class Epoch:
    """The training pass of one epoch is over."""

    epoch: int
    updates: int
    train_elbo: float  # (log_px - kl) per frame over the epoch's crops, nats/frame
    skipped: int
    seconds: float
    lr: float


@dataclass(frozen=True)
class Validation:
    """ELBO on the whole validation pieces after an epoch (frame-weighted, nats/frame)."""

    epoch: int
    elbo: float
    best_elbo: float
    best_epoch: int
    improved: bool
    patience_left: int | None  # None: early stopping is off


@dataclass(frozen=True)
class Evaluated:
    """The best model's scores on a split (the test split when training ends)."""

    evaluation: Evaluation


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint was written; ``path`` is its model card (load it with load_model)."""

    path: Path
    reason: str  # "best", "epoch", "cancelled", "final"


@dataclass(frozen=True)
class Summary:
    """How a run ended and where its model is."""

    reason: str  # "epochs", "early stopping", "already finished"
    epochs: int
    updates: int
    best_epoch: int
    valid_elbo: float | None
    test: Evaluation | None
    wall_s: float
    card: Path


@dataclass(frozen=True)
class Done:
    summary: Summary


Event = Union[
    Started, Step, Skipped, Recovered, Epoch, Validation, Evaluated, Checkpoint, Done
]
