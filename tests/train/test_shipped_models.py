"""Every model shipped in models/ loads and reproduces the spot check on its card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musevae.data.registry import load_dataset
from musevae.paths import bundled_models_dir
from musevae.train.checkpoint import load_model
from musevae.train.publish import spot_check_elbo

SHIPPED = sorted(bundled_models_dir().glob("*.json"))
SIZE_LIMIT = 90 * 10**6  # bytes: the models folder stays under 90 MB (issue 16)


def test_models_folder_holds_models_and_stays_small() -> None:
    assert SHIPPED, "models/ ships no model: the app could not generate out of the box"
    total = sum(p.stat().st_size for p in bundled_models_dir().iterdir() if p.is_file())
    assert total < SIZE_LIMIT, f"models/ holds {total / 2**20:.1f} MiB"


@pytest.mark.parametrize("card_path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_model_matches_its_card(card_path: Path, data_dir: Path) -> None:
    model, card = load_model(card_path)
    check = card["spot_check"]
    pieces = load_dataset(card["dataset"]["ref"], data_dir).arrays(check["split"])
    elbo = spot_check_elbo(model, pieces[: check["pieces"]], check["seed"])
    assert elbo == pytest.approx(check["elbo_frame_weighted"], abs=1e-3)
    test = card["metrics"]["test"]  # the numbers the README quotes come from the card
    assert test["elbo"]["frame_weighted"] < 0 and test["frames"] > 0
    assert json.loads(card_path.read_text())["weights"]["file"] == f"{card_path.stem}.safetensors"
