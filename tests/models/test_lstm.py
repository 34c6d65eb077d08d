"""The ``rnn = "lstm"`` option: its kernel, its setting, and every model trained, stepped,
primed and saved with LSTM recurrences."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from musevae.models.recurrence import cell_step
from musevae.models.registry import build_model, config_class, model_from_config
from musevae.models.rnn import RNNConfig
from musevae.models.config import ConfigError
from musevae.models.step_kernels import CELL_UPDATES, lstm_update
from musevae.train.checkpoint import load_model, save_model
from tests.models.conftest import TINY, roll

KINDS = ["rnn", "storn", "vrnn", "srnn"]
LATENT_KINDS = ["storn", "vrnn", "srnn", "srnn-filter"]
EMISSIONS = ["bernoulli", "nade"]


def _lstm_model(name: str, emission: str = "bernoulli") -> nn.Module:
    kind, sizes = TINY[name]
    torch.manual_seed(0)
    return build_model(kind, **sizes, rnn="lstm", emission=emission, nade_hidden=4).double()


def test_lstm_update_equals_lstmcell_in_value_and_gradient_and_leaves_its_inputs_alone() -> None:
    torch.manual_seed(0)
    cell = nn.LSTMCell(6, 4).double()
    x = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    h, c = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    gate_in = nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
    gate_h = nn.functional.linear(h, cell.weight_hh, cell.bias_hh)
    before = gate_in.detach().clone(), gate_h.detach().clone(), c.clone()
    ours = lstm_update(gate_in, gate_h, c)
    theirs = cell(x, (h, c))
    assert all(torch.allclose(a, b) for a, b in zip(ours, theirs, strict=True))
    assert all(torch.equal(a, b) for a, b in zip(before, (gate_in, gate_h, c)))
    weights = (ours[0] * 2 + ours[1]).sum(), (theirs[0] * 2 + theirs[1]).sum()
    grads = [torch.autograd.grad(total, [x, cell.weight_hh]) for total in weights]
    assert all(torch.allclose(a, b) for a, b in zip(*grads, strict=True))


@pytest.mark.parametrize(("rnn", "cell_type"), [("gru", nn.GRUCell), ("lstm", nn.LSTMCell)])
def test_each_cell_update_is_one_step_of_its_torch_cell(rnn: str, cell_type: type) -> None:
    torch.manual_seed(0)
    cell = cell_type(5, 4).double()
    x = torch.randn(2, 5, dtype=torch.float64)
    state = tuple(torch.randn(2, 4, dtype=torch.float64) for _ in range(1 if rnn == "gru" else 2))
    gate_in = nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
    gate_h = nn.functional.linear(state[0], cell.weight_hh, cell.bias_hh)
    ours = CELL_UPDATES[rnn](gate_in, gate_h, state)
    assert all(torch.allclose(a, b) for a, b in zip(ours, cell_step(cell, x, state), strict=True))


def test_rnn_reads_its_old_cell_setting_and_writes_rnn() -> None:
    config = RNNConfig.from_dict({"hidden": 5, "cell": "lstm"})  # as an old card has it
    assert config.rnn == "lstm" and "cell" not in config.to_dict()
    assert RNNConfig.from_stored({"hidden": 5, "cell": "gru"}).rnn == "gru"
    with pytest.raises(ConfigError, match="give only one of cell and rnn"):
        RNNConfig.from_dict({"cell": "lstm", "rnn": "gru"})


@pytest.mark.parametrize("kind", KINDS)
def test_every_model_defaults_to_gru_and_an_old_card_loads_as_gru(kind: str) -> None:
    stored = config_class(kind)().to_dict()
    assert stored.pop("rnn") == "gru"  # a card written before the setting
    model = model_from_config(kind, stored, stored=True)
    assert model.config.rnn == "gru"
    assert not any(isinstance(m, (nn.LSTM, nn.LSTMCell)) for m in model.modules())
    with pytest.raises(ConfigError, match="rnn must be one of 'gru', 'lstm'"):
        build_model(kind, rnn="rnn")


@pytest.mark.parametrize("emission", EMISSIONS)
@pytest.mark.parametrize("name", KINDS)
def test_each_model_trains_a_step_with_lstm_recurrences(name: str, emission: str) -> None:
    model = _lstm_model(name, emission)
    recurrences = [m for m in model.modules() if isinstance(m, (nn.RNNBase, nn.RNNCellBase))]
    assert recurrences and all(isinstance(m, (nn.LSTM, nn.LSTMCell)) for m in recurrences)
    x, mask = roll(2, 5).double(), torch.ones(2, 5, dtype=torch.float64)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    before = [p.detach().clone() for p in model.parameters()]
    loss = model.elbo(x, mask).loss
    loss.backward()
    for m in recurrences:
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())
    optimizer.step()
    assert torch.isfinite(loss)
    assert all(not torch.equal(a, p) for a, p in zip(before, model.parameters()))


@pytest.mark.parametrize("emission", EMISSIONS)
@pytest.mark.parametrize("name", LATENT_KINDS)
def test_the_lstm_stepper_follows_the_teacher_forced_pass(name: str, emission: str) -> None:
    """Stepping along a path (data x, the steps' own z) scores each frame as the
    teacher-forced generative pass scores it; the path's log-probability trains."""
    model = _lstm_model(name, emission)
    x = roll(2, 6).double()
    state, x_prev = model.prime(None, 2), torch.zeros(2, 88, dtype=torch.float64)
    assert len(state) == 3  # (h, c, z)
    stepper, log_px, zs = model.stepper(), [], []
    for t in range(6):
        out = stepper(state, x_prev, torch.Generator().manual_seed(t))
        log_px.append(model.emission.log_prob(x[:, t], out.params))
        zs.append(model.step_latent(out.state))
        state, x_prev = out.state, x[:, t]
    z = torch.stack(zs, 1)
    expected, _ = model.generative_pass(x, z)
    assert torch.allclose(torch.stack(log_px, 1), expected, atol=1e-8)
    path = model.path_log_prob(x, z, torch.ones(2, 6, dtype=torch.float64))
    path.sum().backward()
    lstms = [m for m in model.modules() if isinstance(m, (nn.LSTM, nn.LSTMCell))]
    # the generative recurrence trains (an inference one, outside the pass, need not)
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for m in lstms for p in m.parameters())


@pytest.mark.parametrize("name", KINDS)
def test_prime_then_continue_with_lstm_recurrences(name: str) -> None:
    model = _lstm_model(name)
    x = roll(2, 4).double()
    torch.manual_seed(1)
    primed = model.prime(x, 2)
    torch.manual_seed(1)
    assert all(torch.equal(a, b) for a, b in zip(primed, model.prime(x, 2), strict=True))
    start = model.prime(None, 2)
    assert [s.shape for s in primed] == [s.shape for s in start]
    assert not torch.equal(primed[1], start[1])  # the LSTM's cell moved along the prime
    out = model.stepper()(primed, x[:, -1], torch.Generator().manual_seed(0))
    assert [s.shape for s in out.state] == [s.shape for s in primed]


@pytest.mark.parametrize("name", KINDS)
def test_an_lstm_model_survives_a_checkpoint(name: str, tmp_path: Path) -> None:
    model = _lstm_model(name).float()
    save_model(tmp_path / "model.json", model, {"dataset": {"name": "toy"}})
    loaded, card = load_model(tmp_path)
    assert card["model"]["config"]["rnn"] == "lstm" and loaded.config == model.config
    for key, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], tensor), key
