"""Each data set's default: the shipped model with the best test log-likelihood, chosen
from real (tiny) checkpoints on a shelf in place of models/ and a folder of user runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from musevae.models import build_model
from musevae.paths import bundled_models_dir
from musevae.train.checkpoint import save_model
from musevae.train.defaults import default_for, defaults, reason, score, startup_default
from musevae.train.library import scan, scan_shipped


def _test(log_likelihood: float | None = None, elbo: float | None = None) -> dict[str, Any]:
    test: dict[str, Any] = {"split": "test", "units": "nats per frame"}
    if log_likelihood is not None:
        test["log_likelihood"] = {"frame_weighted": log_likelihood, "sequence_mean": 0.0}
    if elbo is not None:
        test["elbo"] = {"frame_weighted": elbo, "sequence_mean": 0.0}
    return {"test": test}


def _model(card: Path, dataset: str, metrics: dict[str, Any] | None, **sizes: Any) -> Path:
    """A tiny RNN's checkpoint at ``card`` (``sizes`` such as the NADE emission's)."""
    torch.manual_seed(0)
    info: dict[str, Any] = {"dataset": {"name": dataset}}
    if metrics is not None:
        info["metrics"] = metrics
    return save_model(card, build_model("rnn", **{"hidden": 4, **sizes}), info)


@pytest.fixture()
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shipped-models folder in place of models/: three JSB models (one scored by its
    ELBO alone), two Nottingham models that tie, a piano model without test metrics."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: folder)
    _model(folder / "vrnn-jsb.json", "jsb", _test(-6.6, -6.9))
    _model(folder / "srnn-jsb.json", "jsb", _test(-6.5, -6.7))
    _model(folder / "rnn-jsb.json", "jsb", _test(elbo=-6.55))  # worse than -6.5: loses
    _model(folder / "b-nottingham.json", "nottingham", _test(-2.5, -2.6))
    _model(folder / "a-nottingham.json", "nottingham", _test(-2.5, -2.7))  # the tie's winner
    _model(folder / "srnn-piano.json", "piano", {"valid_elbo": -7.0})  # no test metrics
    return folder


def test_the_best_test_log_likelihood_wins_and_a_users_run_never_does(
    tmp_path: Path, shelf: Path
) -> None:
    runs = tmp_path / "runs"
    _model(runs / "mine" / "model.json", "jsb", _test(-1.0, -1.0))  # better, but not shipped
    library = scan(runs)
    assert "mine" in [e.name for e in library.entries]
    best = default_for("jsb", library)
    assert best is not None and (best.name, best.origin) == ("srnn-jsb", "shipped")
    assert reason(best) == (
        "the shipped model with the best test log-likelihood, -6.500 nats per frame")


def test_a_tie_goes_to_the_name_that_sorts_first(shelf: Path) -> None:
    best = default_for("nottingham", scan_shipped())
    assert best is not None and best.name == "a-nottingham"


def test_a_card_without_test_metrics_is_never_a_default(shelf: Path) -> None:
    library = scan_shipped()
    assert default_for("piano", library) is None
    assert default_for("muse", library) is None  # no model at all
    assert {name: e.name for name, e in defaults(library).items()} == {
        "jsb": "srnn-jsb", "nottingham": "a-nottingham"}  # fmt: skip


def test_the_elbo_stands_in_for_a_missing_log_likelihood(shelf: Path) -> None:
    _model(shelf / "srnn-muse.json", "muse", _test(elbo=-6.1))
    _model(shelf / "vrnn-muse.json", "muse", _test(elbo=float("nan")))  # not a number: no score
    best = default_for("muse", scan_shipped())
    assert best is not None and best.name == "srnn-muse"
    assert reason(best) == "the shipped model with the best test ELBO, -6.100 nats per frame"
    assert score({"metrics": _test(elbo=float("nan"))}) is None


def test_the_app_starts_with_jsb_else_the_first_set_with_a_default(shelf: Path) -> None:
    start = startup_default(scan_shipped())
    assert start is not None and start.name == "srnn-jsb"
    for card in shelf.glob("*-jsb.*"):
        card.unlink()
    start = startup_default(scan_shipped())
    assert start is not None and start.name == "a-nottingham"


def test_every_shipped_set_has_a_default_chosen_by_its_cards() -> None:
    """Over the real models/: each set's default is a shipped model of that set whose
    test log-likelihood no other shipped model of the set beats."""
    library = scan_shipped()
    chosen = defaults(library)
    sets = {e.card["dataset"]["name"] for e in library.entries}
    assert len(library.entries) == len(list(bundled_models_dir().glob("*.json")))
    assert set(chosen) == sets
    for name, entry in chosen.items():
        rivals = [score(e.card) for e in library.entries if e.card["dataset"]["name"] == name]
        assert entry.card["dataset"]["name"] == name
        assert score(entry.card) == max(rivals)
