from __future__ import annotations

import pytest

from musevae.errors import MusevaeError
from musevae.train.config import TrainConfig, TrainConfigError


def test_defaults_are_the_authors_music_setup() -> None:
    config = TrainConfig()
    assert (config.lr, config.adam_eps, config.batch_size, config.seq_len) == (
        1e-3, 1e-4, 16, 100,
    )  # fmt: skip
    assert (config.clip_norm, config.kl_start, config.lr_decay, config.lr_decay_start) == (
        1.0, 0.2, 1.2, 20,
    )  # fmt: skip


def test_round_trips_through_a_dict() -> None:
    config = TrainConfig(epochs=7, kl_warmup=300, augment_transpose=True, lr_schedule="constant")
    assert TrainConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"epochs": 0}, "epochs must be a positive whole number"),
        ({"lr": -1.0}, "lr must be a positive number"),
        ({"kl_start": 1.5}, "kl_start must be a number between 0 and 1"),
        ({"lr_schedule": "cosine"}, "lr_schedule must be one of decay, constant"),
        ({"augment_transpose": "yes"}, "augment_transpose must be true or false"),
        ({"batch_size": True}, "batch_size must be a positive whole number"),
        ({"lr_decay": 0.5}, "lr_decay must be a number >= 1"),
        ({"lr": float("nan")}, "lr must be a positive number"),
    ],
)
def test_bad_values_name_the_setting(changes: dict, words: str) -> None:
    with pytest.raises(TrainConfigError, match=words):
        TrainConfig(**changes)


def test_unknown_keys_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(MusevaeError, match="unknown training setting.*warmup.*known: epochs"):
        TrainConfig.from_dict({"warmup": 3})
