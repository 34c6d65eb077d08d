from __future__ import annotations

from pathlib import Path

import pytest

from musevae.cli import main, model_ref
from musevae.data.midi_io import write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.paths import bundled_models_dir, user_models_dir
from musevae.train.defaults import default_for, defaults, reason
from musevae.train.library import ModelEntry, scan_shipped
from tests.train.toy import write_toy_pickle


@pytest.fixture
def toy(tmp_path: Path) -> str:
    return str(write_toy_pickle(tmp_path))


@pytest.fixture
def user_run(toy: str) -> str:
    """A tiny RNN trained into the user's models folder, so its folder name is its name."""
    out = user_models_dir() / "toy-run"
    assert main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", "--epochs", "1",
                 "--updates-per-epoch", "1", "--batch-size", "2", "--seq-len", "8",
                 "--test-samples", "0", "--device", "cpu", "--out", str(out)]) == 0  # fmt: skip
    return "toy-run"


def test_a_name_a_card_and_a_folder_find_the_same_card(user_run: str) -> None:
    card = user_models_dir() / user_run / "model.json"
    assert model_ref.card_path(user_run) == card
    assert model_ref.card_path(str(card.parent)) == card.parent  # the folder holds the card
    assert model_ref.card_path("srnn-jsb") == bundled_models_dir() / "srnn-jsb.json"


def test_eval_takes_a_shipped_model_by_name(toy: str, capsys) -> None:
    assert main(["eval", "srnn-jsb", "--dataset", toy, "--samples", "0", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("srnn model srnn-jsb on toy\ntest split: 2 pieces, 27 frames")
    assert main(["eval", "srnn-jsb", "--dataset", toy, "--samples", "3", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "log-likelihood (IS, K=3)" in printed and "of which KL(q || p)" in printed


def test_eval_and_publish_take_a_users_run_by_name(user_run: str, tmp_path: Path, capsys) -> None:
    assert main(["eval", user_run, "--samples", "2", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("rnn model toy-run on toy\n")
    assert "log-likelihood (exact)" in printed and "IS" not in printed  # no latent: exact
    assert "KL" not in printed
    assert main(["publish", user_run, "--name", "rnn-toy", "--out", str(tmp_path / "shelf")]) == 0
    assert (tmp_path / "shelf" / "rnn-toy.json").is_file()


def _commands(tmp_path: Path, toy: str) -> dict[str, list[str]]:
    piece = tmp_path / "piece.mid"
    write_midi(PianoRoll.from_notes([[60], [62]]), piece)
    return {
        "generate": ["generate", "nope", "--out", str(tmp_path)],
        "play": ["play", "nope"],
        "eval": ["eval", "nope"],
        "publish": ["publish", "nope", "--name", "x", "--out", str(tmp_path)],
        "evaluate-samples": ["evaluate-samples", str(piece), "--reference", toy, "--judge", "nope"],
    }


@pytest.mark.parametrize("command", ["generate", "play", "eval", "publish", "evaluate-samples"])
def test_every_command_looks_a_model_up_the_same_way(
    command: str, tmp_path: Path, toy: str, capsys
) -> None:
    assert main(_commands(tmp_path, toy)[command]) == 2
    err = capsys.readouterr().err
    shipped = ", ".join(sorted(p.stem for p in bundled_models_dir().glob("*.json")))
    sets = ", ".join(defaults(scan_shipped()))
    assert err == (f"musevae: error: no model called 'nope' and no such file; models "
                   f"available: {shipped}; data sets with a default model: {sets}\n")  # fmt: skip


def _default(dataset: str) -> ModelEntry:
    """The default the real models/ hold for ``dataset``."""
    chosen = default_for(dataset, scan_shipped())
    assert chosen is not None
    return chosen


def test_a_data_set_name_means_its_default_model_and_says_which(toy: str, capsys) -> None:
    chosen = _default("jsb")
    assert main(["eval", "jsb", "--dataset", toy, "--samples", "0", "--device", "cpu"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{chosen.card['model']['kind']} model {chosen.name} on toy\n")
    assert err.splitlines()[0] == f"jsb: using {chosen.name} ({reason(chosen)})"
    assert "test log-likelihood" in err


@pytest.mark.parametrize("dataset", sorted(defaults(scan_shipped())))
def test_generate_samples_from_each_sets_default(dataset: str, tmp_path: Path, capsys) -> None:
    chosen = _default(dataset)
    out = tmp_path / dataset
    assert main(["generate", dataset, "--steps", "4", "--out", str(out), "--device", "cpu"]) == 0
    assert f"{dataset}: using {chosen.name} (" in capsys.readouterr().err
    assert list(out.glob("*.mid"))


def test_a_library_name_spelt_like_a_data_set_means_the_model(
    user_run: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A shelf whose one model learnt the toy set; then a run of yours called "toy"."""
    shelf = tmp_path / "shelf"
    assert main(["publish", user_run, "--name", "rnn-toy", "--out", str(shelf)]) == 0
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: shelf)
    capsys.readouterr()
    assert model_ref.card_path("toy") == shelf / "rnn-toy.json"
    err = capsys.readouterr().err
    assert err.startswith("toy: using rnn-toy (the shipped model with the best test ")
    (user_models_dir() / user_run).rename(user_models_dir() / "toy")
    assert model_ref.card_path("toy") == user_models_dir() / "toy" / "model.json"
    assert capsys.readouterr().err == ""


def test_a_renamed_pair_loads_with_a_one_line_note(user_run: str, tmp_path: Path, capsys) -> None:
    run = user_models_dir() / user_run
    (run / "model.safetensors").rename(tmp_path / "bach.safetensors")
    (run / "model.json").rename(tmp_path / "bach.json")
    assert main(["eval", str(tmp_path / "bach.json"), "--samples", "0", "--device", "cpu"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "musevae: note: bach.json names its weights model.safetensors, which is not beside "
        "it; bach.safetensors, the file with the card's name, is used instead"
    ]
