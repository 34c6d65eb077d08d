from __future__ import annotations

import pytest

from musevae.train.config import TrainConfig
from musevae.train.schedule import kl_weight, learning_rate, updates_per_epoch, warmup_updates


def test_kl_weight_rises_linearly_from_start_to_one() -> None:
    # start 0.2, 4 updates of warm-up: 0.2, 0.4, 0.6, 0.8, then 1 for good.
    weights = [kl_weight(u, 0.2, 4) for u in range(6)]
    assert weights == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])


def test_no_warmup_means_full_kl_from_the_start() -> None:
    assert kl_weight(0, 0.2, 0) == 1.0


def test_decay_divides_by_the_factor_once_per_epoch_from_the_start_epoch() -> None:
    config = TrainConfig(lr=1.2**3, lr_decay_start=2, lr_decay=1.2)
    # epochs 0 and 1 at the base rate, then / 1.2 each epoch.
    rates = [learning_rate(config, epoch) for epoch in range(5)]
    assert rates == pytest.approx([1.2**3, 1.2**3, 1.2**2, 1.2, 1.0])


def test_constant_schedule_never_changes() -> None:
    config = TrainConfig(lr=0.01, lr_schedule="constant", lr_decay_start=0)
    assert learning_rate(config, 40) == 0.01


def test_an_epoch_covers_the_training_frames_once() -> None:
    config = TrainConfig(batch_size=16, seq_len=100)
    # 13807 JSB training frames / 1600 frames per update = 8.6 -> 9 updates.
    assert updates_per_epoch(config, 13807) == 9
    # Two processes double the global batch: 13807 / 3200 = 4.3 -> 5.
    assert updates_per_epoch(config, 13807, world_size=2) == 5
    assert updates_per_epoch(TrainConfig(updates_per_epoch=3), 13807) == 3


def test_default_warmup_is_twenty_epochs_of_updates() -> None:
    assert warmup_updates(TrainConfig(), per_epoch=9) == 180
    assert warmup_updates(TrainConfig(kl_warmup=50), per_epoch=9) == 50
