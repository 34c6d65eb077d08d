from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from musevae.errors import CheckpointError
from musevae.models.srnn import SRNN
from musevae.train.checkpoint import load_model
from musevae.train.events import (
    Checkpoint,
    Done,
    Epoch,
    Evaluated,
    Event,
    Started,
    Step,
    Validation,
)
from musevae.train.trainer import TrainingError, resume, train
from tests.train.toy import KINDS, quick_config, stream_dataset, tiny_sizes, toy_dataset


def _train(kind: str, out: Path, **changes: object) -> Iterator[Event]:
    return train(kind, tiny_sizes(kind), toy_dataset(), quick_config(**changes), out)


def _losses(events: list[Event]) -> list[float]:
    return [e.loss for e in events if isinstance(e, Step)]


def _until_update(events: Iterator[Event], update: int) -> list[Event]:
    """Consume events up to the Step of ``update``, then cancel the run."""
    seen = []
    for event in events:
        seen.append(event)
        if isinstance(event, Step) and event.update == update:
            events.close()  # type: ignore[attr-defined]
            return seen
    raise AssertionError(f"the run ended before update {update}")


@pytest.mark.parametrize("kind", KINDS)
def test_one_epoch_smoke_run_for_every_model(kind: str, tmp_path: Path) -> None:
    events = list(_train(kind, tmp_path / "run", epochs=1, test_samples=2))
    kinds = [type(e) for e in events]
    assert kinds == [Started, Step, Step, Step, Epoch, Validation, Checkpoint, Evaluated,
                     Checkpoint, Done]  # fmt: skip
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.update for s in steps] == [1, 2, 3]
    assert all(math.isfinite(s.loss) and s.grad_norm > 0 for s in steps)
    summary = events[-1].summary
    assert (summary.reason, summary.epochs, summary.updates, summary.best_epoch) == (
        "epochs", 1, 3, 1,
    )  # fmt: skip
    model, card = load_model(summary.card)
    assert model.kind == kind
    assert card["training"]["finished"] is True
    test = card["metrics"]["test"]
    assert set(test["elbo"]) == {"frame_weighted", "sequence_mean"}
    assert test["samples"] == 2 and test["frames"] == 27


def test_kl_weight_and_learning_rate_follow_the_schedules(tmp_path: Path) -> None:
    events = list(
        _train("rnn", tmp_path / "run", epochs=3, kl_start=0.4, kl_warmup=3,
               lr=0.01, lr_decay_start=1, lr_decay=2.0)
    )  # fmt: skip
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.kl_weight for s in steps] == pytest.approx([0.4, 0.6, 0.8] + [1.0] * 6)
    assert [s.lr for s in steps] == pytest.approx([0.01] * 3 + [0.005] * 3 + [0.0025] * 3)


def test_weight_decay_shrinks_each_weight_by_lr_times_decay_apart_from_adams_step(
    tmp_path: Path,
) -> None:
    def weights_after_one_update(decay: float) -> dict[str, torch.Tensor]:
        run = _train("srnn", tmp_path / str(decay), epochs=1, updates_per_epoch=1, lr=0.01,
                     weight_decay=decay)  # fmt: skip
        model, _ = load_model(list(run)[-1].summary.card)
        return {name: p.detach().double() for name, p in model.named_parameters()}

    plain, decayed, twice = (weights_after_one_update(d) for d in (0.0, 5.0, 10.0))
    for name, weight in plain.items():
        shrink = decayed[name] - weight  # -lr * decay * w_before; Adam's step is the same
        assert torch.allclose(twice[name] - weight, 2 * shrink, atol=1e-6), name
        assert torch.allclose(shrink / (-0.01 * 5.0), weight, atol=0.011), name  # w_before = w_after + step
    assert any(bool(shrink.abs().max() > 1e-3) for shrink in (decayed[n] - plain[n] for n in plain))


def test_same_seed_same_run_other_seed_other_run(tmp_path: Path) -> None:
    first = _losses(list(_train("rnn", tmp_path / "a")))
    again = _losses(list(_train("rnn", tmp_path / "b")))
    other = _losses(list(_train("rnn", tmp_path / "c", seed=2)))
    assert first == again
    assert first != other


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("stop_after", [3, 4])  # at an epoch's end (3 updates each), inside one
def test_resume_continues_exactly(kind: str, stop_after: int, tmp_path: Path) -> None:
    straight = list(_train(kind, tmp_path / "straight", epochs=3))
    cut = _until_update(_train(kind, tmp_path / "cut", epochs=3), stop_after)
    rest = list(resume(tmp_path / "cut", toy_dataset()))
    assert _losses(cut) + _losses(rest) == _losses(straight)
    valid = [e.elbo for e in straight if isinstance(e, Validation)]
    later = [e.elbo for e in cut + rest if isinstance(e, Validation)]
    assert later == valid
    assert isinstance(rest[0], Started) and rest[0].done_updates == stop_after


def test_cancelling_leaves_a_loadable_and_resumable_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _until_update(_train("rnn", out), 2)  # before any validation
    model, card = load_model(out)
    assert model.kind == "rnn"
    assert card["training"]["finished"] is False and card["training"]["updates"] == 2
    assert card["metrics"]["valid_elbo"] is None
    done = list(resume(out, toy_dataset()))[-1]
    assert isinstance(done, Done) and done.summary.updates == 6


def test_early_stopping_when_validation_stops_improving(tmp_path: Path) -> None:
    # A learning rate of 1e-12 leaves float32 weights unchanged, so the validation ELBO
    # repeats exactly: epoch 1 is the best, epochs 2 and 3 exhaust a patience of 2.
    events = list(_train("rnn", tmp_path / "run", epochs=10, patience=2, lr=1e-12))
    validations = [e for e in events if isinstance(e, Validation)]
    assert [v.improved for v in validations] == [True, False, False]
    assert [v.patience_left for v in validations] == [2, 1, 0]
    summary = events[-1].summary
    assert (summary.reason, summary.epochs, summary.best_epoch) == ("early stopping", 3, 1)


def test_a_finished_run_resumes_to_done_and_can_be_extended(tmp_path: Path) -> None:
    out = tmp_path / "run"
    list(_train("rnn", out, epochs=1))
    again = list(resume(out, toy_dataset()))
    assert [type(e) for e in again] == [Started, Done]
    assert again[-1].summary.reason == "already finished"
    longer = list(resume(out, toy_dataset(), epochs=2))
    assert [e.update for e in longer if isinstance(e, Step)] == [4, 5, 6]
    assert json.loads((out / "model.json").read_text())["training"]["epochs"] == 2


def test_an_early_stopped_run_goes_on_with_more_patience_only(tmp_path: Path) -> None:
    out = tmp_path / "run"
    list(_train("rnn", out, epochs=10, patience=1, lr=1e-12))  # stops after epoch 2
    same = list(resume(out, toy_dataset(), patience=1))
    assert same[-1].summary.reason == "already finished"
    longer = list(resume(out, toy_dataset(), patience=0, epochs=4))  # 0: never stop early
    assert [e.update for e in longer if isinstance(e, Step)] == [7, 8, 9, 10, 11, 12]
    assert longer[-1].summary.reason == "epochs" and longer[-1].summary.test is not None


def test_an_occupied_folder_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "run"
    list(_train("rnn", out, epochs=1))
    before = (out / "model.safetensors").read_bytes()
    with pytest.raises(TrainingError, match="already holds a training run.*--resume"):
        list(_train("rnn", out))
    assert (out / "model.safetensors").read_bytes() == before


def test_resume_refuses_another_dataset_and_a_damaged_state(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _until_update(_train("rnn", out), 1)
    with pytest.raises(TrainingError, match="trained on 'toy', not 'other'"):
        list(resume(out, toy_dataset("other")))
    (out / "resume.safetensors").write_bytes(b"\0" * 10)
    with pytest.raises(CheckpointError, match="checksum differs"):
        list(resume(out, toy_dataset()))
    with pytest.raises(CheckpointError, match="holds no training run"):
        list(resume(tmp_path / "nothing", toy_dataset()))


def test_the_model_is_trained_on_the_requested_device(tmp_path: Path) -> None:
    events = list(
        train("rnn", {"hidden": 4}, toy_dataset(), quick_config(epochs=1), tmp_path / "r",
              device=torch.device("cpu"))
    )  # fmt: skip
    assert events[0].device == "cpu" and events[0].world_size == 1


def test_carried_states_flow_from_batch_to_batch_within_an_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[bool] = []
    original = SRNN.elbo_from

    def spy(self: SRNN, start, x, mask, kl_weight=1.0):  # type: ignore[no-untyped-def]
        starts.append(start is not None)
        return original(self, start, x, mask, kl_weight)

    monkeypatch.setattr(SRNN, "elbo_from", spy)
    config = quick_config(carry_states=True, updates_per_epoch=None)  # 2 updates an epoch
    events = list(train("srnn", tiny_sizes("srnn"), stream_dataset(), config, tmp_path / "run"))
    assert starts == [False, True, False, True]  # each epoch starts the streams afresh
    assert all(math.isfinite(s.loss) for s in events if isinstance(s, Step))


def test_carried_states_need_an_srnn_stream_data_and_no_transposition(tmp_path: Path) -> None:
    carry = quick_config(carry_states=True, updates_per_epoch=None)
    with pytest.raises(TrainingError, match="the rnn model cannot carry its state"):
        list(train("rnn", tiny_sizes("rnn"), stream_dataset(), carry, tmp_path / "a"))
    with pytest.raises(TrainingError, match="streams of equal chunks"):
        list(train("srnn", tiny_sizes("srnn"), toy_dataset(), carry, tmp_path / "b"))
    both = quick_config(carry_states=True, augment_transpose=True)
    with pytest.raises(TrainingError, match="do not mix"):
        list(train("srnn", tiny_sizes("srnn"), stream_dataset(), both, tmp_path / "c"))
