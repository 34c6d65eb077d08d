"""verify(): every check load_model makes, without loading; and renamed card + weights pairs."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import pytest
import torch

from musevae.errors import CheckpointError
from musevae.models.registry import build_model
from musevae.train.checkpoint import CheckpointWarning, load_model, save_model, verify
from tests.train.test_checkpoint import _misfit, _reweigh, _saved
from tests.train.toy import KINDS, tiny_sizes


@pytest.mark.parametrize("kind", KINDS)
def test_a_sound_checkpoint_of_every_kind_verifies(tmp_path: Path, kind: str) -> None:
    torch.manual_seed(0)
    card = save_model(tmp_path / "model.json", build_model(kind, **tiny_sizes(kind)), {})
    checked = verify(tmp_path)
    assert (checked.card_path, checked.weights) == (card, tmp_path / "model.safetensors")
    assert checked.card["model"]["kind"] == kind and checked.notice == ""


def test_a_flipped_byte_is_found_without_loading(tmp_path: Path) -> None:
    _saved(tmp_path)
    weights = tmp_path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF  # inside the last tensor's values
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum differs"):
        verify(tmp_path / "model.json")


def test_a_bad_header_is_found_when_the_checksum_matches(tmp_path: Path) -> None:
    card = _saved(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(pickle.dumps({"not": "safetensors"}))
    _reweigh(card)
    with pytest.raises(CheckpointError, match="not a valid safetensors file"):
        verify(tmp_path)


def test_shapes_are_checked_against_the_cards_config(tmp_path: Path) -> None:
    _misfit(tmp_path)
    with pytest.raises(CheckpointError, match=r"\(18, 88\).*needs \(24, 88\)"):
        verify(tmp_path)


def test_missing_weights_are_named(tmp_path: Path) -> None:
    _saved(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="model.safetensors: No such file or directory"):
        verify(tmp_path)


# --- a pair renamed together --------------------------------------------------------------
def _renamed(tmp_path: Path) -> Path:
    """model.json + model.safetensors renamed to bach.json + bach.safetensors."""
    _saved(tmp_path)
    (tmp_path / "model.safetensors").rename(tmp_path / "bach.safetensors")
    return (tmp_path / "model.json").rename(tmp_path / "bach.json")


NOTICE = (
    "bach.json names its weights model.safetensors, which is not beside it; "
    "bach.safetensors, the file with the card's name, is used instead"
)


def test_a_renamed_pair_verifies_with_a_notice(tmp_path: Path) -> None:
    checked = verify(_renamed(tmp_path))
    assert (checked.weights.name, checked.notice) == ("bach.safetensors", NOTICE)


def test_a_renamed_pair_loads_with_a_warning(tmp_path: Path) -> None:
    card = _renamed(tmp_path)
    with pytest.warns(CheckpointWarning) as caught:
        model, _ = load_model(card.with_suffix(".safetensors"))
    assert [str(w.message) for w in caught] == [NOTICE]
    assert model.config.hidden == 6


def test_the_named_file_wins_over_the_sibling(tmp_path: Path) -> None:
    # Both files present: the card's own choice stands, and nothing is said.
    card = _saved(tmp_path)
    (tmp_path / "model.safetensors").rename(tmp_path / "kept.safetensors")
    data = json.loads(card.read_text())
    data["weights"]["file"] = "kept.safetensors"
    card.write_text(json.dumps(data))
    (tmp_path / "model.safetensors").write_bytes(b"not these")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        load_model(card)
    assert verify(card).weights.name == "kept.safetensors"


def test_a_renamed_pair_is_still_held_to_its_checksum(tmp_path: Path) -> None:
    card = _renamed(tmp_path)
    torch.manual_seed(1)
    save_model(tmp_path / "other.json", build_model("rnn", hidden=6), {})
    (tmp_path / "other.safetensors").replace(tmp_path / "bach.safetensors")
    with pytest.raises(CheckpointError, match="checksum differs"):
        verify(card)
