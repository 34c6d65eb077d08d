from __future__ import annotations

import json
from pathlib import Path

import pytest

from musevae.cli import main
from musevae.data.registry import load_dataset
from musevae.errors import CheckpointError
from musevae.train.checkpoint import load_model
from musevae.train.library import resolve
from musevae.train.publish import publish, spot_check_elbo
from tests.train.toy import write_toy_pickle


@pytest.fixture
def run(tmp_path: Path) -> Path:
    toy = write_toy_pickle(tmp_path)
    out = tmp_path / "run"
    args = ["train", "--dataset", str(toy), "--model", "vrnn", "--h-dim", "6", "--z-dim", "3",
            "--hidden", "6", "--epochs", "1", "--updates-per-epoch", "2", "--batch-size", "2",
            "--seq-len", "8", "--test-samples", "0", "--device", "cpu", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return out


def test_published_half_precision_model_loads_and_passes_its_spot_check(
    run: Path, tmp_path: Path, capsys
) -> None:
    shelf = tmp_path / "shelf"
    assert main(["publish", str(run), "--name", "vrnn-toy", "--half", "--out", str(shelf)]) == 0
    assert "float16 weights moved the test ELBO by" in capsys.readouterr().out
    card = json.loads((shelf / "vrnn-toy.json").read_text())
    assert card["weights"] == {**card["weights"], "file": "vrnn-toy.safetensors", "dtype": "float16"}
    assert abs(card["half_precision_test_elbo_shift"]) < 0.05
    model, _ = load_model(shelf / "vrnn-toy.json")
    test = load_dataset(card["dataset"]["ref"]).arrays("test")
    check = card["spot_check"]
    assert spot_check_elbo(model, test[: check["pieces"]], check["seed"]) == pytest.approx(
        check["elbo_frame_weighted"], abs=1e-6
    )


def test_a_bad_name_is_refused(run: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="plain file name"):
        publish(run, tmp_path, "../escape")


def test_published_models_are_found_by_name(run: Path, tmp_path: Path, monkeypatch) -> None:
    shelf = tmp_path / "models"
    publish(run, shelf, "vrnn-toy")
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: shelf)
    assert resolve("vrnn-toy") == shelf / "vrnn-toy.json"
