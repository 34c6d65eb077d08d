"""Properties every latent model must have, checked on tiny sizes."""

from __future__ import annotations

import pytest
import torch

from musevae.models import build_model
from musevae.models.base import SequenceModel
from tests.models.conftest import LATENT, TINY, roll


def tiny(name: str, seed: int = 0) -> SequenceModel:
    torch.manual_seed(seed)
    kind, sizes = TINY[name]
    return build_model(kind, **sizes)


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    x = roll(3, 6)
    mask = torch.ones(3, 6)
    mask[2, 4:] = 0.0  # the last sequence has 4 real steps
    return x, mask


def _elbo_per_sequence(model: SequenceModel, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    terms = model.elbo(x, mask)
    return (terms.log_px - terms.kl).sum(1)


@pytest.mark.parametrize("name", LATENT)
def test_shapes_padding_and_loss(name: str) -> None:
    model = tiny(name)
    x, mask = _batch()
    terms = model.elbo(x, mask, kl_weight=0.5)
    assert terms.log_px.shape == terms.kl.shape == (3, 6)
    assert torch.equal(terms.log_px[2, 4:], torch.zeros(2))
    assert torch.equal(terms.kl[2, 4:], torch.zeros(2))
    assert (terms.kl[mask > 0] >= 0).all()
    expected = -(terms.log_px.sum() - 0.5 * terms.kl.sum()) / 16  # 16 real frames
    assert terms.loss.item() == pytest.approx(expected.item(), rel=1e-6)


@pytest.mark.parametrize("name", LATENT)
def test_padded_frames_do_not_change_the_elbo(name: str) -> None:
    model = tiny(name)
    x, mask = _batch()
    torch.manual_seed(5)
    clean = model.elbo(x, mask)
    noisy = x.clone()
    noisy[2, 4:] = 1.0
    torch.manual_seed(5)
    changed = model.elbo(noisy, mask)
    assert torch.equal(changed.log_px, clean.log_px)
    assert torch.equal(changed.kl, clean.kl)


@pytest.mark.parametrize("name", LATENT)
def test_seeded_runs_are_identical(name: str) -> None:
    x, mask = _batch()
    runs = []
    for _ in range(2):
        model = tiny(name, seed=3)
        torch.manual_seed(4)
        runs.append(model.elbo(x, mask).loss.item())
    assert runs[0] == runs[1]


@pytest.mark.parametrize("name", LATENT)
def test_elbo_is_below_the_importance_sampled_likelihood(name: str) -> None:
    model = tiny(name)
    x, mask = _batch()
    torch.manual_seed(0)
    with torch.no_grad():
        elbo = torch.stack([_elbo_per_sequence(model, x, mask) for _ in range(100)]).mean(0)
    log_px = model.log_likelihood(x, mask, samples=500, chunk=100)
    assert log_px.shape == (3,)
    assert (elbo < log_px).all(), (elbo, log_px)


@pytest.mark.parametrize("name", LATENT)
def test_importance_sampling_improves_with_more_samples(name: str) -> None:
    model = tiny(name)
    x, mask = _batch()
    torch.manual_seed(1)
    runs = [  # 20 estimates of the batch's total log-likelihood per K
        torch.stack([model.log_likelihood(x, mask, samples=k).sum() for _ in range(20)])
        for k in (1, 10, 200)
    ]
    means = [r.mean() for r in runs]
    slack = 3 * sum(r.std() / len(r) ** 0.5 for r in runs[1:])  # 3 standard errors
    assert means[0] < means[1] < means[2] + slack, (means, slack)  # E log p_K grows with K


@pytest.mark.parametrize("name", LATENT)
def test_one_short_sequence_can_be_learnt(name: str) -> None:
    model = tiny(name)
    x, mask = roll(1, 8), torch.ones(1, 8)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = model.elbo(x, mask).loss.item()
    for _ in range(300):
        optimizer.zero_grad()
        loss = model.elbo(x, mask).loss
        loss.backward()
        optimizer.step()
    assert first > 55.0  # about 88 log 2 nats per frame at initialisation
    assert loss.item() < 0.25 * first


@pytest.mark.parametrize("name", LATENT)
def test_prime_and_step(name: str) -> None:
    model = tiny(name)
    x, _ = _batch()
    start = model.prime(None, batch_size=3)
    assert all(torch.equal(a, b) for a, b in zip(start, model.prime(x[:, :0], 3)))
    primed = model.prime(x, batch_size=3, generator=torch.Generator().manual_seed(1))
    assert any(not torch.equal(a, b) for a, b in zip(start, primed))
    same = model.prime(x, batch_size=3, generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(a, b) for a, b in zip(primed, same))  # latents from the generator
    out = model.step(primed, x[:, -1], torch.Generator().manual_seed(7))
    again = model.step(primed, x[:, -1], torch.Generator().manual_seed(7))
    assert out.params.shape == (3, 88)
    assert torch.equal(out.params, again.params)  # the generator fixes z
    assert out.latent_std is not None and out.latent_std.shape == (3,)
    assert (out.latent_std > 0).all()
    assert [s.shape for s in out.state] == [s.shape for s in primed]
    assert not out.params.requires_grad


@pytest.mark.parametrize("name", LATENT)
def test_endless_generation_keeps_a_constant_state(name: str) -> None:
    model = tiny(name)
    state, frame = model.prime(None, batch_size=2), torch.zeros(2, 88)
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        out = model.step(state, frame, generator)
        frame = torch.bernoulli(torch.sigmoid(out.params), generator=generator)
        state = out.state
    assert [s.shape for s in state] == [s.shape for s in model.prime(None, 2)]


@pytest.mark.parametrize("name", LATENT)
def test_double_precision(name: str) -> None:
    model = tiny(name).double()
    x, mask = _batch()
    terms = model.elbo(x.double(), mask.double())
    assert terms.loss.dtype == torch.float64
    assert model.step(model.prime(None, 3), x[:, 0].double()).params.dtype == torch.float64
