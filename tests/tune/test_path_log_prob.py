"""The models' log p(x_t, z_t | history) of a given path, which the tuner's policy gradient
and its KL term read: it must agree with the models' own training pass and their steps."""

from __future__ import annotations

import pytest
import torch

from musevae.models.layers import Gaussian
from musevae.models.registry import build_model
from tests.models.conftest import LATENT, TINY, roll

EMISSIONS = [{}, {"emission": "nade", "nade_hidden": 5}]


def _tiny(name: str, extra: dict[str, object]) -> torch.nn.Module:
    torch.manual_seed(0)
    kind, sizes = TINY[name]
    return build_model(kind, **sizes, **extra).double().eval()


@pytest.mark.parametrize("extra", EMISSIONS, ids=["bernoulli", "nade"])
@pytest.mark.parametrize("name", LATENT)
def test_generative_pass_on_the_posterior_path_is_the_training_pass(
    name: str, extra: dict[str, object]
) -> None:
    model = _tiny(name, extra)
    x = roll(2, 5).double()
    out = model.latent_pass(x, torch.ones(2, 5, dtype=torch.float64))
    log_px, prior = model.generative_pass(x, out.z)
    assert torch.allclose(log_px, out.log_px)
    assert torch.allclose(prior.mean, out.prior.mean)
    assert torch.allclose(prior.std, out.prior.std)


@pytest.mark.parametrize("name", LATENT)
def test_path_log_prob_is_the_sum_of_each_step_read_off_the_stepper(name: str) -> None:
    """Sample a path with the steps, keep each step's emission params and latent, and
    add log p(x_t | params) + log p(z_t | ...) by hand. The prior density is checked
    through STORN's N(0, I) and, for the others, by the prior the training pass gives."""
    model = _tiny(name, {})
    generator = torch.Generator().manual_seed(1)
    state = model.prime(None, 3, generator)
    x_prev = torch.zeros(3, 88, dtype=torch.float64)
    xs, zs, log_px = [], [], []
    for _ in range(4):
        out = model.step(state, x_prev, generator)
        x_t = (torch.rand(3, 88, generator=generator, dtype=torch.float64) < 0.1).double()
        log_px.append(model.emission.log_prob(x_t, out.params))
        state, x_prev = out.state, x_t
        xs.append(x_t)
        zs.append(model.step_latent(state))
    x, z = torch.stack(xs, 1), torch.stack(zs, 1)
    mask = torch.ones(3, 4, dtype=torch.float64)
    _, prior = model.generative_pass(x, z)
    if name == "storn":
        assert torch.equal(prior.mean, torch.zeros_like(z)) and torch.equal(prior.std, torch.ones_like(z))
    expected = torch.stack(log_px, 1) + Gaussian(prior.mean, prior.std).log_prob(z)
    assert torch.allclose(model.path_log_prob(x, z, mask), expected, atol=1e-6)


def test_the_rnn_path_is_its_exact_log_likelihood() -> None:
    model = _tiny("rnn", {})
    x = roll(2, 6).double()
    mask = torch.tensor([[1.0] * 6, [1.0] * 4 + [0.0] * 2], dtype=torch.float64)
    assert model.step_latent(model.prime(None, 2)) is None
    per_step = model.path_log_prob(x, None, mask)
    assert torch.allclose(per_step.sum(1), model.log_likelihood(x, mask))
    assert torch.equal(per_step[1, 4:], torch.zeros(2, dtype=torch.float64))


def test_a_latent_path_without_its_latents_is_refused() -> None:
    model = _tiny("srnn", {})
    with pytest.raises(ValueError, match="latents"):
        model.path_log_prob(roll(1, 3).double(), None, torch.ones(1, 3, dtype=torch.float64))
