"""Every model with the NADE emission: settings, training, checkpoints, generation."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from musevae.generate import generate
from musevae.models import build_model, model_from_config
from musevae.models.config import ConfigError
from musevae.models.emission import NADE, Bernoulli
from musevae.models.registry import MODELS
from musevae.train.checkpoint import load_model, save_model
from musevae.train.evaluate import predicted_notes
from musevae.train.trainer import train
from tests.models.conftest import TINY, roll
from tests.train.toy import quick_config, tiny_sizes, toy_dataset

KINDS = sorted(MODELS)


def _tiny(kind: str, seed: int = 0, **settings: object) -> torch.nn.Module:
    torch.manual_seed(seed)
    name, sizes = TINY[kind]
    return build_model(name, **sizes, emission="nade", nade_hidden=5, **settings)


@pytest.mark.parametrize("kind", KINDS)
def test_the_emission_is_a_setting_and_old_configs_stay_bernoulli(kind: str) -> None:
    plain = build_model(kind)
    assert isinstance(plain.emission, Bernoulli)
    assert {"emission.weight", "emission.bias"} <= set(plain.state_dict())  # as before
    stored = {k: v for k, v in plain.config.to_dict().items()
              if k not in ("emission", "nade_hidden", "key_order")}  # fmt: skip
    assert model_from_config(kind, stored, stored=True).config.emission == "bernoulli"
    nade = _tiny(kind, key_order="high-low")
    assert isinstance(nade.emission, NADE) and nade.emission.reverse
    assert nade.emission.out_features == 88 + 5
    assert nade.config.to_dict()["emission"] == "nade"


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"emission": "gaussian"}, "emission must be one of 'bernoulli', 'nade'"),
        ({"key_order": "random"}, "key_order must be one of"),
        ({"nade_hidden": 0}, "nade_hidden must be a positive whole number"),
    ],
)
def test_bad_emission_settings_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_model("rnn", **settings)
    with pytest.raises(ConfigError, match="inference must be one of"):  # its own choices still hold
        build_model("srnn", inference="both", emission="nade")


@pytest.mark.parametrize("kind", KINDS)
def test_elbo_and_importance_sampling_under_nade(kind: str) -> None:
    model = _tiny(kind)
    x, mask = roll(3, 6), torch.ones(3, 6)
    mask[2, 4:] = 0.0
    terms = model.elbo(x, mask)
    assert terms.log_px.shape == (3, 6) and torch.equal(terms.log_px[2, 4:], torch.zeros(2))
    terms.loss.backward()
    assert model.emission.W.grad.abs().sum() > 0 and model.emission.V.grad.abs().sum() > 0
    elbo = (terms.log_px - terms.kl).sum(1).detach()
    torch.manual_seed(1)
    log_p = model.log_likelihood(x, mask, samples=20)
    assert log_p.shape == (3,) and torch.isfinite(log_p).all()
    if kind == "rnn":  # exact: the ELBO is the log-likelihood
        assert torch.allclose(log_p, elbo, atol=1e-4)


def test_rnn_nade_steps_give_the_teacher_forced_log_likelihood() -> None:
    model = _tiny("rnn").double().eval()
    x = roll(2, 7).double()
    state, x_prev, total = model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64), 0.0
    step = model.stepper()
    for t in range(7):
        out = step(state, x_prev, None)
        total = total + model.emission.log_prob(x[:, t], out.params)
        state, x_prev = out.state, x[:, t]
    assert torch.allclose(total, model.log_likelihood(x, torch.ones(2, 7)), atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_frame_accuracy_predicts_the_greedy_frames(kind: str) -> None:
    model = _tiny(kind).double().eval()
    x = roll(2, 4).double()
    state, x_prev = model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64)
    expected, step = [], model.stepper()
    torch.manual_seed(0)  # the latents of the steps, drawn from the prior
    for t in range(4):
        out = step(state, x_prev, None)
        expected.append(model.emission.predict(out.params))
        state, x_prev = out.state, x[:, t]
    torch.manual_seed(0)
    predicted = predicted_notes(model, x)
    assert torch.equal(predicted, torch.stack(expected, 1))
    assert predicted.any()


@pytest.mark.parametrize("kind", KINDS)
def test_one_tiny_epoch_with_nade_then_a_checkpoint_that_generates(kind: str, tmp_path: Path) -> None:
    sizes = {**tiny_sizes(kind), "emission": "nade", "nade_hidden": 6, "key_order": "high-low"}
    events = list(train(kind, sizes, toy_dataset(), quick_config(epochs=1, test_samples=2), tmp_path))
    model, card = load_model(events[-1].summary.card)
    assert card["model"]["config"]["emission"] == "nade"
    assert card["model"]["config"]["key_order"] == "high-low"
    assert isinstance(model.emission, NADE)
    test = card["metrics"]["test"]
    assert test["log_likelihood"]["frame_weighted"] < 0 and 0 <= test["accuracy"] <= 1
    result = generate(model, 12, n=2, seed=3)
    assert result.probs.shape == (2, 12, 88) and result.entropy.shape == (2, 12)
    assert (result.entropy >= 0).all()


@pytest.mark.parametrize("kind", KINDS)
def test_checkpoint_round_trip_keeps_the_nade(kind: str, tmp_path: Path) -> None:
    model = _tiny(kind).eval()
    card = save_model(tmp_path / "model.json", model, {"dataset": {"name": "toy"}})
    loaded, _ = load_model(card)
    assert loaded.config == model.config
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    x, mask = roll(2, 5), torch.ones(2, 5)
    torch.manual_seed(0)
    before = model.elbo(x, mask).log_px
    torch.manual_seed(0)
    assert torch.equal(loaded.elbo(x, mask).log_px, before)
    first, again = generate(model, 10, seed=2), generate(loaded, 10, seed=2)
    assert first.rolls[0] == again.rolls[0]
    assert (first.probs == again.probs).all()
