from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from musevae.train.checkpoint import load_model
from musevae.train.events import Recovered, Skipped, Step
from musevae.train.guard import NumericalGuard
from musevae.train.sampling import Batch, BatchSource, CropSampler, StreamSampler
from musevae.train.trainer import TrainingError, train
from tests.train.toy import quick_config, stream_dataset, tiny_sizes, toy_dataset


class Poisoned:
    """A real sampler (random crops by default), but the batches of some updates are all NaN."""

    def __init__(self, bad_updates: set[int], inner: BatchSource | None = None) -> None:
        self.inner = inner or CropSampler(toy_dataset().arrays("train"), seq_len=12, batch_size=3)
        self.bad_updates = bad_updates

    def __call__(self, rng: np.random.Generator, update: int) -> Batch:
        batch = self.inner(rng, update)
        if update in self.bad_updates:
            return batch._replace(x=torch.full_like(batch.x, math.nan))
        return batch


def _run(tmp_path: Path, bad: set[int], **changes: object) -> list:
    config = quick_config(**changes)
    events = train("rnn", {"hidden": 4}, toy_dataset(), config, tmp_path / "run",
                   batches=Poisoned(bad))  # fmt: skip
    return list(events)


def test_a_nan_batch_skips_one_update_and_is_reported(tmp_path: Path) -> None:
    events = _run(tmp_path, bad={1})  # the second update (0-based index 1)
    skipped = [e for e in events if isinstance(e, Skipped)]
    assert [(s.update, s.reason, s.consecutive) for s in skipped] == [(2, "non-finite loss", 1)]
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.update for s in steps] == [1, 3, 4, 5, 6]
    assert all(math.isfinite(s.loss) for s in steps)
    model, _ = load_model(tmp_path / "run")
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_a_skipped_update_hands_no_state_to_the_next_chunk(tmp_path: Path) -> None:
    data = stream_dataset()
    batches = Poisoned({0}, StreamSampler(data.arrays("train"), batch_size=3))
    config = quick_config(carry_states=True, updates_per_epoch=None, epochs=1)
    events = list(train("srnn", tiny_sizes("srnn"), data, config, tmp_path / "run", batches=batches))
    assert [e.update for e in events if isinstance(e, Skipped)] == [1]
    steps = [e for e in events if isinstance(e, Step)]  # update 2 continues the poisoned one
    assert [s.update for s in steps] == [2] and math.isfinite(steps[0].loss)


def test_repeated_nans_restore_the_last_good_state_with_a_lower_rate(tmp_path: Path) -> None:
    events = _run(tmp_path, bad={3, 4}, bad_update_limit=2, lr=0.01, lr_schedule="constant")
    recovered = [e for e in events if isinstance(e, Recovered)]
    assert [(r.update, r.restored_epoch, r.lr_scale) for r in recovered] == [(5, 1, 0.5)]
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.update for s in steps] == [1, 2, 3, 6]
    assert [s.lr for s in steps] == pytest.approx([0.01, 0.01, 0.01, 0.005])


def test_endless_nans_stop_the_run_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="training diverged.*smaller --lr"):
        _run(tmp_path, bad=set(range(100)), bad_update_limit=2, max_recoveries=1)


def test_guard_names_the_problem() -> None:
    assert NumericalGuard.problem(-3.0, 0.5, 2.0) is None
    assert NumericalGuard.problem(math.nan, 0.5, 2.0) == "non-finite loss"
    assert NumericalGuard.problem(-3.0, math.inf, 2.0) == "non-finite loss"
    assert NumericalGuard.problem(-3.0, 0.5, math.inf) == "non-finite gradient"
