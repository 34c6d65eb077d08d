"""Training in bfloat16: every model trains under autocast, the loss stays close to the
float32 one, and a device without native bfloat16 gets a clear refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from musevae.models import build_model
from musevae.train import precision
from musevae.train.config import TrainConfig, TrainConfigError
from musevae.train.events import Done, Step
from musevae.train.trainer import TrainingError, train
from tests.train.toy import KINDS, quick_config, tiny_sizes, toy_dataset

CPU = torch.device("cpu")


def test_the_setting_takes_float32_or_bfloat16_only() -> None:
    assert TrainConfig().precision == "float32"
    assert TrainConfig(precision="bfloat16").precision == "bfloat16"
    with pytest.raises(TrainConfigError, match="precision must be one of float32, bfloat16"):
        TrainConfig(precision="float16")


@pytest.mark.skipif(
    not precision.native_bfloat16(CPU),
    reason="no native bfloat16 on this CPU: training refuses it (and oneDNN's bfloat16 "
    "LSTM cannot even be built on some such CPUs)",
)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("emission", ["bernoulli", "nade"])
@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_every_model_computes_its_loss_and_gradients_under_bfloat16(
    kind: str, emission: str, rnn: str
) -> None:
    torch.manual_seed(0)
    model = build_model(kind, **tiny_sizes(kind), emission=emission, rnn=rnn)
    x = (torch.rand(3, 12, 88) < 0.1).float()
    mask = torch.ones(3, 12)
    torch.manual_seed(1)
    full = model.elbo(x, mask).loss
    torch.manual_seed(1)  # the same latent draws
    with precision.forward_precision("bfloat16", CPU):
        half = model.elbo(x, mask)
    assert half.loss.dtype == torch.float32  # the loss itself is summed in float32
    half.loss.backward()
    assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())
    # bfloat16 keeps 8 bits of mantissa: the multiplies' inputs round by up to 0.4%
    assert half.loss.item() == pytest.approx(full.item(), rel=0.02)


def test_float32_runs_outside_autocast() -> None:
    with precision.forward_precision("float32", CPU):
        assert not torch.is_autocast_enabled("cpu")


def test_a_device_without_native_bfloat16_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(precision, "BF16_MULTIPLIES", False)
    with pytest.raises(TrainingError, match="bfloat16 training needs a device that multiplies"):
        list(train("rnn", tiny_sizes("rnn"), toy_dataset(), quick_config(precision="bfloat16"),
                   tmp_path / "run"))  # fmt: skip
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())


@pytest.mark.skipif(not precision.native_bfloat16(CPU), reason="this CPU has no native bfloat16")
def test_a_bfloat16_run_trains_and_records_its_precision(tmp_path: Path) -> None:
    events = list(train("vrnn", tiny_sizes("vrnn"), toy_dataset(),
                        quick_config(precision="bfloat16"), tmp_path / "run"))  # fmt: skip
    losses = [e.loss for e in events if isinstance(e, Step)]
    assert losses and all(torch.isfinite(torch.tensor(losses)))
    done = [e for e in events if isinstance(e, Done)][0]
    card = json.loads(done.summary.card.read_text())
    assert card["training"]["config"]["precision"] == "bfloat16"
