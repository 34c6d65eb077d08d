"""The NADE emission against NADE written out key by key, and its fast sampler against
a naive 88-step one, on models whose frames can be enumerated."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from musevae.models.emission import NADE, FrameRules
from musevae.models.emission.nade_frame import _read_segments, conditional_logits

FREE = [40, 41, 43, 44, 46, 47]  # the keys that may sound; every other key's bias is -40


def _nade(order: str = "low-high", hidden: int = 5, seed: int = 0) -> NADE:
    """A NADE with strong key-to-key dependencies (a wrong conditioning shows)."""
    torch.manual_seed(seed)
    nade = NADE(4, hidden, order).double()
    with torch.no_grad():
        nade.W.normal_(0.0, 2.0)
        nade.V.normal_(0.0, 2.0)
    return nade


def _params(nade: NADE, rows: int, seed: int = 1, free: list[int] = FREE) -> torch.Tensor:
    """(rows, 88 + H) params whose frames sound only ``free`` keys (up to e^-40)."""
    generator = torch.Generator().manual_seed(seed)
    b = torch.full((rows, 88), -40.0, dtype=torch.float64)
    b[:, free] = torch.randn(rows, len(free), generator=generator, dtype=torch.float64)
    c = torch.randn(rows, nade.hidden, generator=generator, dtype=torch.float64)
    return torch.cat([nade.in_order(b), c], 1)  # b goes in drawing order


def _frames(free: list[int] = FREE) -> torch.Tensor:
    """Every frame over the free keys, (2^K, 88); row i sounds the keys of i's bits."""
    x = torch.zeros(2 ** len(free), 88, dtype=torch.float64)
    for i, bits in enumerate(itertools.product([0.0, 1.0], repeat=len(free))):
        x[i, free] = torch.tensor(bits, dtype=torch.float64)
    return x


def _index(notes: torch.Tensor, free: list[int] = FREE) -> np.ndarray:
    """Row of :func:`_frames` of each frame."""
    weights = 2 ** np.arange(len(free))[::-1]
    return notes[:, free].numpy().astype(int) @ weights


def _naive_conditionals(
    nade: NADE, x: torch.Tensor, params: torch.Tensor, rules: FrameRules = FrameRules(),
    held: torch.Tensor | None = None,
) -> torch.Tensor:
    """p(x_ok = 1 | x_o<k) under ``rules``, one key at a time, as the controls read:
    held keys sound, keys outside the range or past the cap are off.  (B, 88)"""
    order = list(range(88))[::-1] if nade.reverse else list(range(88))
    b, c = params[:, :88], params[:, 88:]
    p = torch.zeros_like(x)
    for row in range(len(x)):
        a, on, waiting = c[row].clone(), 0, 0 if held is None else int(held[row].sum())
        for position, key in enumerate(order):
            logit = (b[row, position] + nade.V[position] @ torch.sigmoid(a)) / rules.temperature
            if held is not None and held[row, key]:
                p[row, key], waiting = 1.0, waiting - 1
            elif rules.allowed is not None and not rules.allowed[key]:
                p[row, key] = 0.0
            elif rules.max_on is not None and on + waiting >= rules.max_on:
                p[row, key] = 0.0
            else:
                p[row, key] = torch.sigmoid(logit)
            if x[row, key]:
                a, on = a + nade.W[position], on + 1
    return p


def _naive_log_prob(p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, p, 1.0 - p).log().sum(-1)


def _naive_sample(
    nade: NADE, params: torch.Tensor, rules: FrameRules, held: torch.Tensor | None, seed: int
) -> torch.Tensor:
    """88 sequential draws per frame, all rows at once."""
    generator = torch.Generator().manual_seed(seed)
    order = list(range(88))[::-1] if nade.reverse else list(range(88))
    b, c = params[:, :88], params[:, 88:]
    rows = len(params)
    x, a = torch.zeros(rows, 88, dtype=torch.float64), c.clone()
    on = torch.zeros(rows, dtype=torch.float64)
    waiting = torch.zeros(rows, dtype=torch.float64) if held is None else held.double().sum(1)
    for position, key in enumerate(order):
        logit = (b[:, position] + torch.sigmoid(a) @ nade.V[position]) / rules.temperature
        p = torch.sigmoid(logit)
        if rules.allowed is not None and not rules.allowed[key]:
            p = torch.zeros_like(p)
        if rules.max_on is not None:
            p = torch.where(on + waiting >= rules.max_on, 0.0, p)
        if held is not None:
            p = torch.where(held[:, key], 1.0, p)
            waiting = waiting - held[:, key].double()
        sounds = torch.rand(rows, generator=generator, dtype=torch.float64) < p
        x[:, key] = sounds.double()
        a = a + sounds.double()[:, None] * nade.W[position]
        on = on + sounds.double()
    return x


@pytest.mark.parametrize("order", ["low-high", "high-low"])
def test_log_prob_is_the_product_of_the_conditionals_and_sums_to_one(order: str) -> None:
    nade = _nade(order)
    x = _frames()  # 64 frames over 6 keys
    params = _params(nade, 1).expand(len(x), -1)
    with torch.no_grad():
        log_p = nade.log_prob(x, params)
        naive = _naive_log_prob(_naive_conditionals(nade, x, params), x)
    assert torch.allclose(log_p, naive, atol=1e-10)
    assert log_p.exp().sum().item() == pytest.approx(1.0, abs=1e-9)


def test_log_prob_of_dense_frames_and_leading_axes() -> None:
    nade = _nade(hidden=7)
    generator = torch.Generator().manual_seed(3)
    x = (torch.rand(2, 3, 88, generator=generator) < 0.3).double()  # ~26 keys a frame
    params = torch.randn(2, 3, 88 + 7, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        log_p = nade.log_prob(x, params)
        flat = _naive_log_prob(
            _naive_conditionals(nade, x.view(6, 88), params.view(6, -1)), x.view(6, 88)
        )
    assert log_p.shape == (2, 3)
    assert torch.allclose(log_p.view(6), flat, atol=1e-10)


def test_teacher_forced_gradients_are_exact() -> None:
    nade = _nade(hidden=3)
    x = _frames()[[0, 5, 22, 63]]
    params = _params(nade, 4).requires_grad_()
    w, v = nade.W.detach().clone().requires_grad_(), nade.V.detach().clone().requires_grad_()

    def log_p(params: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.logsigmoid(
            (2 * x - 1) * conditional_logits(x, params[:, :88], params[:, 88:], w, v)
        ).sum(-1)

    assert torch.autograd.gradcheck(log_p, (params, w, v))


RULES = {
    "plain": (FrameRules(), False),
    "capped": (FrameRules(max_on=2), False),
    "controlled": (FrameRules(0.7, torch.tensor([k != 44 for k in range(88)]), 3), True),
}


@pytest.mark.parametrize("order", ["low-high", "high-low"])
@pytest.mark.parametrize("name", RULES)
def test_fast_sampler_draws_the_sequential_distribution(order: str, name: str) -> None:
    """Chi-square goodness of fit of 20,000 frames to the enumerated distribution, for
    the fast sampler and for 88 sequential draws, at p = 0.001; the same test refuses a
    sampler that ignores the keys' dependence (it fails by a factor of ten or more)."""
    rules, holding = RULES[name]
    nade, rows = _nade(order), 20_000
    params = _params(nade, 1).expand(rows, -1)
    held = None
    if holding:
        held = torch.zeros(rows, 88, dtype=torch.bool)
        held[:, 46] = True  # one held note: sounds, and takes one of the cap's three
    x = _frames()
    with torch.no_grad():
        p = _naive_conditionals(nade, x, params[: len(x)], rules, held[: len(x)] if holding else None)
    exact = _naive_log_prob(p, x).exp().numpy()  # (64,)
    assert exact.sum() == pytest.approx(1.0, abs=1e-9)
    fast = nade.sampler(rules)(params, held, torch.Generator().manual_seed(5)).notes
    naive = _naive_sample(nade, params, rules, held, seed=6)
    fast_statistic, df = _chi_square(_index(fast), exact, rows)
    limit = _chi_square_limit(df, z=3.09)
    assert fast_statistic < limit
    assert _chi_square(_index(naive > 0), exact, rows)[0] < limit
    if name == "plain":  # keys drawn from their marginals, independently: far off
        marginal = fast.double().mean(0).numpy()
        independent = torch.from_numpy(np.random.default_rng(7).random((rows, 88)) < marginal)
        assert _chi_square(_index(independent), exact, rows)[0] > 10 * limit


def _chi_square(index: np.ndarray, exact: np.ndarray, rows: int) -> tuple[float, int]:
    """Pearson's statistic and its degrees of freedom; frames expected fewer than 5
    times are pooled into one cell."""
    observed = np.bincount(index, minlength=len(exact))
    assert observed[exact == 0].sum() == 0  # nothing impossible is ever drawn
    expected = exact * rows
    big = expected >= 5
    cells_o = np.append(observed[big], observed[~big].sum())
    cells_e = np.append(expected[big], expected[~big].sum())
    keep = cells_e > 0
    statistic = ((cells_o[keep] - cells_e[keep]) ** 2 / cells_e[keep]).sum()
    return float(statistic), int(keep.sum()) - 1


def _chi_square_limit(df: int, z: float) -> float:
    """The chi-square quantile at standard normal quantile z (Wilson-Hilferty)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


@pytest.mark.parametrize("holding", [False, True], ids=["free", "holding"])
@pytest.mark.parametrize("order", ["low-high", "high-low"])
def test_each_draw_reports_the_conditionals_it_drew_with_and_their_entropy(
    order: str, holding: bool
) -> None:
    nade = _nade(order)
    params = torch.randn(50, 88 + 5, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    held = None
    if holding:
        held = torch.zeros(50, 88, dtype=torch.bool)
        held[::2, 60] = True
    rules = FrameRules(1.3, torch.arange(88) >= 20, 4)
    draw = nade.sampler(rules)(params, held, torch.Generator().manual_seed(0))
    with torch.no_grad():
        p = _naive_conditionals(nade, draw.notes.double(), params, rules, held)
    assert torch.allclose(draw.probs, p, atol=1e-9)
    assert not draw.notes[:, :20].any() and (held is None or draw.notes[held].all())
    assert (draw.notes.sum(1) <= 4).all() and (draw.notes.sum(1) == 4).any()
    entropy = -(torch.xlogy(p, p) + torch.xlogy(1 - p, 1 - p)).sum(1)
    assert torch.allclose(draw.entropy, entropy, atol=1e-9)


def test_the_entropy_lane_is_an_unbiased_estimate_of_the_joint_entropy() -> None:
    nade, rows = _nade(), 40_000
    params = _params(nade, 1).expand(rows, -1)
    x = _frames()
    with torch.no_grad():
        log_p = nade.log_prob(x, params[: len(x)])
    joint = -(log_p.exp() * log_p).sum().item()  # nats, by enumeration
    draws = nade.sampler(FrameRules())(params, None, torch.Generator().manual_seed(1))
    estimate = draws.entropy.mean().item()
    standard_error = draws.entropy.std().item() / math.sqrt(rows)
    assert abs(estimate - joint) < 4 * standard_error
    assert standard_error < 0.01 and joint > 1.0


def test_same_seed_same_frames_and_rows_that_end_at_different_keys() -> None:
    nade = _nade(hidden=6)
    params = torch.randn(8, 88 + 6, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    params[0, :88] = -50.0  # a row with no key on, and one with nearly every key
    params[1, :88] = 50.0
    draw = nade.sampler(FrameRules())
    first = draw(params, None, torch.Generator().manual_seed(9)).notes
    assert torch.equal(first, draw(params, None, torch.Generator().manual_seed(9)).notes)
    assert not torch.equal(first, draw(params, None, torch.Generator().manual_seed(10)).notes)
    assert first[0].sum() == 0 and first[1].sum() > 80
    # the greedy prediction of each row alone is that row's in the batch
    together = nade.predict(params)
    alone = torch.cat([nade.predict(params[i : i + 1]) for i in range(8)])
    assert torch.equal(together, alone)


def test_prediction_sounds_each_key_whose_conditional_exceeds_one_half() -> None:
    nade = _nade(hidden=6)
    params = torch.randn(20, 88 + 6, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    predicted = nade.predict(params)
    with torch.no_grad():
        p = _naive_conditionals(nade, predicted.double(), params)
    assert torch.equal(predicted, p > 0.5)
    assert predicted.any(1).all() and not predicted.all(1).any()


def test_bad_key_order_is_refused() -> None:
    with pytest.raises(ValueError, match="key order"):
        NADE(4, 3, "middle-out")


def test_room_for_every_key_changes_nothing() -> None:
    """What a CUDA graph records (segments for 88 keys on) is the same function."""
    nade = _nade(hidden=4)
    x = (torch.rand(30, 88, generator=torch.Generator().manual_seed(8)) < 0.1).double()
    c = torch.randn(30, 4, dtype=torch.float64)
    exact = _read_segments(x, c, nade.W, nade.V)
    assert torch.allclose(_read_segments(x, c, nade.W, nade.V, 89), exact, atol=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_cuda_graph_of_the_log_prob_replays_on_denser_frames() -> None:
    nade = _nade(hidden=4).float().cuda()
    sparse = torch.zeros(64, 88, device="cuda")
    sparse[:, 40] = 1.0
    x = sparse.clone()
    params = torch.randn(64, 92, device="cuda")
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side), torch.no_grad():
        nade.log_prob(x, params)  # warm-up outside the graph
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph), torch.no_grad():
        out = nade.log_prob(x, params)
    dense = (torch.rand(64, 88, device="cuda") < 0.3).float()  # ~26 keys a frame
    x.copy_(dense)
    graph.replay()
    with torch.no_grad():
        assert torch.allclose(out, nade.log_prob(dense, params), atol=1e-4)
