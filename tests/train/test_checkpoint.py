from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest
import torch

from musevae import __version__
from musevae.errors import CheckpointError
from musevae.models.registry import build_model
from musevae.train.checkpoint import load_model, save_model


def _saved(folder: Path, hidden: int = 6) -> Path:
    torch.manual_seed(0)
    model = build_model("rnn", hidden=hidden)
    return save_model(folder / "model.json", model, {"dataset": {"name": "toy"}})


def _edit_card(card: Path, **changes: object) -> None:
    data = json.loads(card.read_text())
    data.update(changes)
    card.write_text(json.dumps(data))


def _reweigh(card: Path) -> None:
    """Make the card's checksum match whatever its weights file now holds."""
    data = json.loads(card.read_text())
    weights = card.parent / data["weights"]["file"]
    data["weights"]["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    card.write_text(json.dumps(data))


def _misfit(folder: Path) -> Path:
    """A GRU of 6 units, so (3 * 6, 88) input weights, whose card claims 8: (24, 88)."""
    card = _saved(folder, hidden=6)
    data = json.loads(card.read_text())
    data["model"]["config"]["hidden"] = 8
    card.write_text(json.dumps(data))
    return card


def test_round_trip_restores_weights_config_and_card(tmp_path: Path) -> None:
    card_path = _saved(tmp_path)
    torch.manual_seed(0)
    original = build_model("rnn", hidden=6)
    for where in (tmp_path, card_path, tmp_path / "model.safetensors"):
        model, card = load_model(where)
        assert model.kind == "rnn" and model.config == original.config
        for name, tensor in original.state_dict().items():
            assert torch.equal(model.state_dict()[name], tensor), name
        assert not model.training
    assert card["format"] == "musevae-model" and card["format_version"] == 1
    assert card["musevae_version"] == __version__
    assert card["dataset"] == {"name": "toy"}
    assert card["model"] == {"kind": "rnn", "config": {
        "emission": "bernoulli", "nade_hidden": 150, "key_order": "low-high", "rnn": "gru",
        "hidden": 6, "dropout": 0.0,
    }}  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]


def test_missing_checkpoint_says_what_a_checkpoint_is(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no model card at .*model.json"):
        load_model(tmp_path)


def test_truncated_weights_are_refused(tmp_path: Path) -> None:
    _saved(tmp_path)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="corrupt, truncated, or was replaced"):
        load_model(tmp_path)


def test_a_flipped_byte_is_refused(tmp_path: Path) -> None:
    _saved(tmp_path)
    weights = tmp_path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF  # inside the last tensor's values: safetensors alone would not notice
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum differs"):
        load_model(tmp_path)


def test_a_card_that_is_not_json_is_refused(tmp_path: Path) -> None:
    _saved(tmp_path)
    (tmp_path / "model.json").write_text('{"format": "musevae-mod')
    with pytest.raises(CheckpointError, match="unreadable or not JSON"):
        load_model(tmp_path)


def test_foreign_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"name": "someone else's model"}))
    with pytest.raises(CheckpointError, match="not a musevae file of type 'musevae-model'"):
        load_model(tmp_path)


def test_a_newer_format_asks_for_an_update(tmp_path: Path) -> None:
    card = _saved(tmp_path)
    _edit_card(card, format_version=2)
    with pytest.raises(CheckpointError, match="format version 2.*Update musevae"):
        load_model(tmp_path)


def test_weights_that_do_not_fit_the_config_are_refused(tmp_path: Path) -> None:
    _misfit(tmp_path)
    fits = r"do not fit the rnn model .*\(18, 88\).*needs \(24, 88\)"
    with pytest.raises(CheckpointError, match=fits):
        load_model(tmp_path)


def test_unknown_model_kind_is_refused(tmp_path: Path) -> None:
    card = _saved(tmp_path)
    _edit_card(card, model={"kind": "transformer", "config": {}})
    with pytest.raises(CheckpointError, match="cannot build.*unknown model kind 'transformer'"):
        load_model(tmp_path)


def test_weights_must_lie_beside_the_card(tmp_path: Path) -> None:
    card = _saved(tmp_path)
    _edit_card(card, weights={"file": "../elsewhere.safetensors", "sha256": "0"})
    with pytest.raises(CheckpointError, match="does not name a weights file beside it"):
        load_model(tmp_path)


class _Trap:
    """Unpickling this creates a folder: proof that a loader ran pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_pickled_file_is_never_unpickled(tmp_path: Path) -> None:
    card = _saved(tmp_path)
    marker = tmp_path / "unpickled"
    (tmp_path / "model.safetensors").write_bytes(pickle.dumps(_Trap(marker)))
    _reweigh(card)  # a matching checksum, so only the format check stands in the way
    with pytest.raises(CheckpointError, match="not a valid safetensors file"):
        load_model(tmp_path)
    assert not marker.exists()


def test_saving_again_replaces_both_files_and_leaves_no_temporaries(tmp_path: Path) -> None:
    _saved(tmp_path, hidden=6)
    _saved(tmp_path, hidden=8)
    model, _ = load_model(tmp_path)
    assert model.config.hidden == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]
