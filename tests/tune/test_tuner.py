"""The tuning loop on tiny models: its KL term, its returns, resume, the run folder."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from musevae.errors import MusevaeError
from musevae.models.registry import build_model
from musevae.train.checkpoint import load_model, save_model
from musevae.tune import events as ev
from musevae.tune.config import TuneConfig
from musevae.tune.policy import log_ratio, sample_paths
from musevae.tune.reward_file import RewardFileError, load_reward_file
from musevae.tune.tuner import discounted_returns, leave_one_out, resume, tune
from tests.models.conftest import TINY

DATASET = {"name": "tiny", "ref": "tiny", "step_beats": 1.0, "tempo": 120.0}


def tiny_card(folder: Path, name: str = "srnn", seed: int = 0, **extra: object) -> Path:
    torch.manual_seed(seed)
    kind, sizes = TINY[name]
    folder.mkdir(parents=True, exist_ok=True)
    return save_model(folder / "model.json", build_model(kind, **sizes, **extra), {"dataset": DATASET})


def test_the_kl_term_is_the_direct_log_density_ratio_on_a_tiny_srnn(tmp_path: Path) -> None:
    """log p_tuned(x_t, z_t | .) - log p_base(x_t, z_t | .) along a sampled path, against
    the SRNN's equations written out step by step: d_t from the GRU, the prior's Gaussian
    density, the emission's Bernoulli log-probability."""
    tuned, _ = load_model(tiny_card(tmp_path / "a", seed=0))
    base, _ = load_model(tiny_card(tmp_path / "b", seed=1))
    paths = sample_paths(tuned, 2, 5, torch.Generator().manual_seed(0))
    _, ratio = log_ratio(tuned, base, paths)

    def direct(model: torch.nn.Module) -> torch.Tensor:
        d = torch.zeros(2, model.config.d_dim)
        cell = torch.nn.GRUCell(model.config.hidden, model.config.d_dim)
        w_ih, w_hh, b_ih, b_hh = model.d_rnn.all_weights[0]
        cell.weight_ih.data, cell.weight_hh.data, cell.bias_ih.data, cell.bias_hh.data = w_ih, w_hh, b_ih, b_hh
        x_prev, z_prev, rows = torch.zeros(2, 88), torch.zeros(2, model.config.z_dim), []
        for t in range(5):
            d = cell(model.embed(x_prev), d)
            prior = model.prior_head(model.prior_net(d, z_prev))
            z_t, x_t = paths.z[:, t], paths.x[:, t]
            log_pz = sum(-0.5 * ((z_t[:, k] - prior.mean[:, k]) / prior.std[:, k]) ** 2
                         - prior.std[:, k].log() - 0.5 * math.log(2 * math.pi) for k in range(z_t.shape[1]))
            p = torch.sigmoid(model.emission(model.decoder(d, z_t)))
            log_px = (x_t * p.log() + (1 - x_t) * (1 - p).log()).sum(-1)
            rows.append(log_pz + log_px)
            x_prev, z_prev = x_t, z_t
        return torch.stack(rows, 1)

    with torch.no_grad():
        assert torch.allclose(ratio, direct(tuned) - direct(base), atol=1e-4)
    _, same = log_ratio(tuned, tuned, paths)
    assert torch.equal(same, torch.zeros_like(same))


def test_returns_and_the_leave_one_out_baseline_by_hand() -> None:
    reward = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    # G_2 = 2, G_1 = 0 + 0.5 * 2 = 1, G_0 = 1 + 0.5 * 1 = 1.5; second row 0.5, 1, 0
    returns = discounted_returns(reward, 0.5)
    assert returns.tolist() == [[1.5, 1.0, 2.0], [0.5, 1.0, 0.0]]
    assert leave_one_out(returns).tolist() == [[0.5, 1.0, 0.0], [1.5, 1.0, 2.0]]


def _run(events) -> list:
    return list(events)


CONFIG = TuneConfig(updates=4, batch=3, length=6, lr=1e-3, kl_weight=0.2, checkpoint_every=2)


@pytest.mark.parametrize("name", ["srnn", "vrnn", "storn", "rnn"])
def test_a_tiny_run_writes_a_model_folder_that_loads(tmp_path: Path, name: str) -> None:
    base = tiny_card(tmp_path / "base", name)
    out = tmp_path / "tuned"
    seen = _run(tune(base, out, CONFIG))
    kinds = [type(e) for e in seen]
    assert kinds[0] is ev.Started and kinds[-1] is ev.Done and kinds.count(ev.Step) == 4
    model, card = load_model(out)
    tuning = card["tuning"]
    assert tuning["base"]["card"] == str(base.resolve()) and tuning["kl_weight"] == 0.2
    assert tuning["rules"]["voices"] == 1.0 and "motif" not in tuning["rules"]
    assert set(tuning["violation_rate_after"]) == set(tuning["violation_rate_before"])
    assert card["dataset"] == DATASET and (out / "violations.svg").is_file()
    base_model, _ = load_model(base)
    assert any(not torch.equal(a, b) for a, b in zip(model.parameters(), base_model.parameters()))


def test_nade_emission_tunes_too(tmp_path: Path) -> None:
    base = tiny_card(tmp_path / "base", "srnn", emission="nade", nade_hidden=5)
    seen = _run(tune(base, tmp_path / "tuned", CONFIG))
    assert isinstance(seen[-1], ev.Done) and math.isfinite(seen[-1].kl)


def test_resume_after_a_close_is_exact(tmp_path: Path) -> None:
    base = tiny_card(tmp_path / "base")
    _run(tune(base, tmp_path / "straight", CONFIG))
    events = tune(base, tmp_path / "cut", CONFIG)
    for event in events:  # close after the third update, as Ctrl-C or Cancel does
        if isinstance(event, ev.Step) and event.update == 3:
            events.close()
    cut, card = load_model(tmp_path / "cut")  # usable at once
    assert card["tuning"]["updates"] == 3 and not card["tuning"]["finished"]
    resumed = _run(resume(tmp_path / "cut"))
    assert [e.update for e in resumed if isinstance(e, ev.Step)] == [4]
    a, _ = load_model(tmp_path / "straight")
    b, card_b = load_model(tmp_path / "cut")
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert card_b["tuning"]["finished"]


def test_tuning_never_writes_into_the_shipped_models(tmp_path: Path) -> None:
    from musevae.paths import bundled_models_dir

    with pytest.raises(MusevaeError, match="shipped models"):
        _run(tune(tiny_card(tmp_path / "base"), bundled_models_dir() / "x", CONFIG))


def test_a_reward_file_adds_its_reward_and_its_errors_are_one_message(tmp_path: Path) -> None:
    good = tmp_path / "rules.py"
    good.write_text("def reward(roll):\n    return roll.sum(1) * 0.0 + 1.0\n")
    base = tiny_card(tmp_path / "base")
    config = TuneConfig(updates=1, batch=2, length=4, file_weight=2.0)
    seen = _run(tune(base, tmp_path / "t", config, good))
    assert isinstance(seen[-1], ev.Done)
    _, card = load_model(tmp_path / "t")
    assert card["tuning"]["reward_file"]["path"] == str(good.resolve())
    cases = {
        "missing.py": None,
        "syntax.py": "def reward(roll)\n",
        "none.py": "x = 1\n",
        "crash.py": "def reward(roll):\n    raise KeyError('boom')\n",
        "shape.py": "def reward(roll):\n    return [1.0]\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        with pytest.raises(RewardFileError) as error:
            load_reward_file(path)(torch.zeros(4, 88, dtype=torch.bool).numpy())
        assert str(error.value).startswith(f"reward file {path.resolve() if text else path}")
        assert "\n" not in str(error.value)
