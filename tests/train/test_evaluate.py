from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from musevae.data.batching import epoch_batches
from musevae.models.registry import build_model
from musevae.train.evaluate import evaluate
from tests.train.toy import KINDS, tiny_sizes, toy_dataset

LOG3 = math.log(3.0)


def _fixed_rnn() -> nn.Module:
    """An RNN whose every prediction is p = 0.75 for keys 0 and 1, p = 0.25 elsewhere.

    All weights are zero, so the GRU state stays 0 and the logits are the output bias.
    """
    model = build_model("rnn", hidden=4)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        bias = torch.full((88,), -LOG3)  # sigmoid(-log 3) = 0.25
        bias[:2] = LOG3  # sigmoid(log 3) = 0.75
        for module in model.modules():
            if isinstance(module, nn.Linear) and module.out_features == 88:
                module.bias.copy_(bias)
    return model


def _pieces() -> list[np.ndarray]:
    """A: one frame with key 0 on. B: three frames with keys 0 and 5 on."""
    a = np.zeros((1, 88), dtype=bool)
    a[0, 0] = True
    b = np.zeros((3, 88), dtype=bool)
    b[:, [0, 5]] = True
    return [a, b]


def test_both_averaging_conventions_and_frame_accuracy_by_hand() -> None:
    result = evaluate(_fixed_rnn(), _pieces(), "test", samples=3)
    q, r = math.log(0.75), math.log(0.25)
    # A's frame: key 0 on (log .75), key 1 off (log .25), 86 keys off (log .75 each).
    frame_a = 87 * q + r
    # B's frames: key 0 on (.75), key 1 off (.25), key 5 on (.25), 85 keys off (.75).
    frame_b = 86 * q + 2 * r
    assert (result.sequences, result.frames) == (2, 4)
    # Frame-weighted: (A + 3 B) / 4 frames; sequence mean: (A/1 + 3B/3) / 2 pieces.
    assert result.elbo.frame_weighted == pytest.approx((frame_a + 3 * frame_b) / 4)
    assert result.elbo.sequence_mean == pytest.approx((frame_a + frame_b) / 2)
    # The RNN's likelihood is exact, so "importance sampling" gives the same numbers.
    assert result.log_likelihood == pytest.approx(result.elbo)
    assert result.samples == 3
    # Predicted every frame: keys 0 and 1. A: TP 1, FP 1. Each B frame: TP 1, FP 1, FN 1.
    assert result.accuracy == pytest.approx(4 / (4 + 4 + 3))


def test_batches_and_padding_do_not_change_the_scores() -> None:
    model = _fixed_rnn()
    one_by_one = evaluate(model, _pieces(), batch_size=1, samples=0)
    together = evaluate(model, _pieces(), batch_size=2, samples=0)
    assert one_by_one.elbo == pytest.approx(together.elbo)
    assert one_by_one.accuracy == pytest.approx(together.accuracy)
    assert together.log_likelihood is None


def test_empty_pieces_are_ignored_and_an_empty_split_is_an_error() -> None:
    model = _fixed_rnn()
    empty = np.zeros((0, 88), dtype=bool)
    with_empty = evaluate(model, [*_pieces(), empty], samples=0, accuracy=False)
    assert (with_empty.sequences, with_empty.frames, with_empty.accuracy) == (2, 4, None)
    with pytest.raises(ValueError, match="holds no frames"):
        evaluate(model, [empty], samples=0)


@pytest.mark.parametrize("kind", KINDS)
def test_every_model_gets_finite_scores_and_keeps_its_mode(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind, **tiny_sizes(kind)).train()
    result = evaluate(model, toy_dataset().arrays("test"), samples=2)
    assert model.training
    assert math.isfinite(result.elbo.frame_weighted)
    assert math.isfinite(result.log_likelihood.frame_weighted)
    # The IS estimate of log p(x) is (on average) above the ELBO; allow sampling noise.
    assert result.log_likelihood.frame_weighted > result.elbo.frame_weighted - 1.0
    assert 0.0 <= result.accuracy <= 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_the_kl_per_frame_is_the_elbos_own_and_absent_without_latents(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind, **tiny_sizes(kind)).eval()
    pieces = toy_dataset().arrays("test")
    torch.manual_seed(1)
    result = evaluate(model, pieces, samples=0, accuracy=False, batch_size=len(pieces))
    if kind == "rnn":
        assert result.kl is None and result.exact
        return
    assert not result.exact
    ((x, mask),) = epoch_batches(pieces, len(pieces))  # the evaluation's one batch
    torch.manual_seed(1)  # the same posterior draw as the evaluation's one batch
    with torch.no_grad():
        terms = model.elbo(x, mask)
    assert result.kl == pytest.approx((terms.kl.sum() / mask.sum()).item(), rel=1e-5)
    assert result.kl > 0
