from __future__ import annotations

from pathlib import Path

import pytest

from musevae.cli import main, model_ref
from musevae.data.midi_io import write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.paths import bundled_models_dir, user_models_dir
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


def test_eval_and_publish_take_a_users_run_by_name(user_run: str, tmp_path: Path, capsys) -> None:
    assert main(["eval", user_run, "--samples", "0", "--device", "cpu"]) == 0
    assert capsys.readouterr().out.startswith("rnn model toy-run on toy\n")
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
    assert err == (f"musevae: error: no model called 'nope' and no such file; models "
                   f"available: {shipped}\n")  # fmt: skip


def test_a_renamed_pair_loads_with_a_one_line_note(user_run: str, tmp_path: Path, capsys) -> None:
    run = user_models_dir() / user_run
    (run / "model.safetensors").rename(tmp_path / "bach.safetensors")
    (run / "model.json").rename(tmp_path / "bach.json")
    assert main(["eval", str(tmp_path / "bach.json"), "--samples", "0", "--device", "cpu"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "musevae: note: bach.json names its weights model.safetensors, which is not beside "
        "it; bach.safetensors, the file with the card's name, is used instead"
    ]
