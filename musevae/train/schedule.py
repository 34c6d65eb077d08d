"""KL warm-up and learning-rate schedule as pure functions of the run's counters.

Keeping them pure (no torch scheduler objects) means a resumed run recomputes exactly the
values the interrupted run would have used from nothing but ``update`` and ``epoch``.
"""

from __future__ import annotations

import math

from musevae.train.config import TrainConfig

WARMUP_EPOCHS = 20  # the SRNN authors anneal the KL weight over their first 20 epochs


def updates_per_epoch(config: TrainConfig, train_frames: int, world_size: int = 1) -> int:
    """Updates that show the model about as many frames as the training set holds."""
    if config.updates_per_epoch is not None:
        return config.updates_per_epoch
    frames_per_update = config.batch_size * world_size * config.seq_len
    return max(1, math.ceil(train_frames / frames_per_update))


def warmup_updates(config: TrainConfig, per_epoch: int) -> int:
    """Length of the KL warm-up in updates (0: full weight from the first update)."""
    if config.kl_warmup is not None:
        return config.kl_warmup
    return WARMUP_EPOCHS * per_epoch


def kl_weight(update: int, start: float, warmup: int) -> float:
    """Weight of the KL term for the update with 0-based index ``update``.

    Rises linearly from ``start`` to 1 over ``warmup`` updates, then stays at 1.
    """
    if warmup <= 0 or update >= warmup:
        return 1.0
    return start + (1.0 - start) * update / warmup


def learning_rate(config: TrainConfig, epoch: int) -> float:
    """Learning rate during the epoch with 0-based index ``epoch``.

    "decay": the first ``lr_decay_start`` epochs run at ``lr``; after that it is divided
    by ``lr_decay`` once per epoch (so epoch index ``lr_decay_start`` runs at lr / 1.2).
    """
    if config.lr_schedule == "constant":
        return config.lr
    decays = max(0, epoch - config.lr_decay_start + 1)
    return config.lr / config.lr_decay**decays
