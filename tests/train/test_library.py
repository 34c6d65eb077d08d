"""The library scan verifies what it lists; names, origins and problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from musevae.errors import CheckpointError
from musevae.paths import bundled_models_dir
from musevae.train.checkpoint import load_model
from musevae.train.library import ModelEntry, Problem, examine, model_name, resolve, scan
from tests.train.test_checkpoint import _saved


def _flip_a_byte(weights: Path) -> None:
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF  # inside the last tensor's values: the header still parses
    weights.write_bytes(bytes(data))


@pytest.fixture()
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty shipped-models folder in place of models/."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: folder)
    return folder


def test_a_damaged_run_is_listed_as_a_problem_not_a_model(tmp_path: Path, shelf: Path) -> None:
    runs = tmp_path / "runs"
    _saved(runs / "good")
    _saved(runs / "flipped")
    _flip_a_byte(runs / "flipped" / "model.safetensors")
    (runs / "not-json").mkdir()
    (runs / "not-json" / "model.json").write_text("{")
    _saved(shelf / "tmp")
    for part in ("json", "safetensors"):
        (shelf / "tmp" / f"model.{part}").rename(shelf / f"srnn-toy.{part}")
    library = scan(runs)
    assert [(e.name, e.origin, e.bundled) for e in library.entries] == [
        ("srnn-toy", "shipped", True), ("good", "yours", False)]  # fmt: skip
    assert library.entries[0].notice.startswith("srnn-toy.json names its weights model.")
    assert [(p.name, p.path, p.origin) for p in library.problems] == [
        ("flipped", runs / "flipped" / "model.json", "yours"),
        ("not-json", runs / "not-json" / "model.json", "yours"),
    ]
    assert "checksum differs" in library.problems[0].reason
    assert "not JSON" in library.problems[1].reason


def test_every_shipped_model_verifies(tmp_path: Path) -> None:
    shipped = sorted(p.stem for p in bundled_models_dir().glob("*.json"))
    library = scan(tmp_path / "no-runs")
    assert library.problems == []
    assert [e.name for e in library.entries] == shipped
    assert {e.origin for e in library.entries} <= {"shipped"}


def test_an_opened_checkpoint_is_examined_like_a_scanned_one(tmp_path: Path) -> None:
    card = _saved(tmp_path / "elsewhere")
    entry = examine(card.with_suffix(".safetensors"), "opened")
    assert isinstance(entry, ModelEntry)
    assert (entry.name, entry.card_path, entry.origin) == ("elsewhere", card, "opened")
    _flip_a_byte(card.with_suffix(".safetensors"))
    problem = examine(card, "opened")
    assert isinstance(problem, Problem) and problem.origin == "opened"
    assert problem.name == "elsewhere" and "checksum differs" in problem.reason
    missing = examine(tmp_path / "nothing-here.json", "opened")
    assert isinstance(missing, Problem) and missing.name == "nothing-here"
    assert missing.reason.startswith("no model card at")


def test_model_names(tmp_path: Path) -> None:
    (tmp_path / "run-7").mkdir()
    assert model_name(tmp_path / "run-7") == "run-7"  # a run folder
    assert model_name(tmp_path / "run-7" / "model.json") == "run-7"  # its card
    assert model_name(tmp_path / "srnn-jsb.json") == "srnn-jsb"
    assert model_name(tmp_path / "srnn-jsb.safetensors") == "srnn-jsb"


def test_a_damaged_model_is_found_by_name_and_says_what_is_wrong(
    tmp_path: Path, shelf: Path
) -> None:
    _saved(tmp_path / "runs" / "mine")
    _flip_a_byte(tmp_path / "runs" / "mine" / "model.safetensors")
    card = resolve("mine", tmp_path / "runs")
    assert card == tmp_path / "runs" / "mine" / "model.json"
    with pytest.raises(CheckpointError, match="checksum differs"):
        load_model(card)
    with pytest.raises(CheckpointError, match="models available: mine$"):
        resolve("yours", tmp_path / "runs")
