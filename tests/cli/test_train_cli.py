from __future__ import annotations

import json
from pathlib import Path

import pytest

from musevae.cli import main
from musevae.paths import user_models_dir
from musevae.train.checkpoint import load_model
from tests.train.toy import KINDS, tiny_sizes, write_toy_pickle


QUICK = ["--epochs", "1", "--updates-per-epoch", "2", "--batch-size", "3", "--seq-len", "12",
         "--test-samples", "2", "--device", "cpu"]  # fmt: skip


@pytest.fixture
def toy(tmp_path: Path) -> str:
    return str(write_toy_pickle(tmp_path))


def test_train_then_eval_end_to_end(toy: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "6", "--out",
                 str(out), *QUICK]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "epoch   1/1  train ELBO" in printed and "valid ELBO" in printed
    assert "log-likelihood (exact)" in printed and "frame accuracy" in printed
    model, card = load_model(out)
    assert model.config.hidden == 6
    assert card["dataset"]["ref"] == toy  # absolute, so --resume works from anywhere
    assert main(["eval", str(out), "--samples", "3", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "test split: 2 pieces, 27 frames" in printed
    assert "frame-weighted" in printed and "per-piece mean" in printed
    assert "log-likelihood (exact)" in printed
    assert main(["eval", str(out), "--split", "valid", "--samples", "0"]) == 0
    printed = capsys.readouterr().out
    assert "valid split: 2 pieces, 32 frames" in printed and "log-likelihood" not in printed


def test_default_output_goes_to_the_user_models_folder(toy: str, capsys) -> None:
    assert main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", *QUICK]) == 0
    runs = list(user_models_dir().glob("toy-rnn-*/model.json"))
    assert len(runs) == 1


def test_resume_extends_a_run_and_refuses_new_settings(toy: str, tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "run")
    main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", "--out", out, *QUICK])
    capsys.readouterr()
    assert main(["train", "--resume", out, "--lr", "0.1"]) == 2
    assert "a resumed run keeps its settings; drop --lr" in capsys.readouterr().err
    assert main(["train", "--resume", out, "--recipe", "paper"]) == 2
    assert "drop --recipe" in capsys.readouterr().err
    assert main(["train", "--resume", out, "--epochs", "2", "--patience", "0", "--device", "cpu"]) == 0
    assert "epoch   2/2" in capsys.readouterr().out
    card = json.loads((Path(out) / "model.json").read_text())
    assert card["training"]["epochs"] == 2 and card["training"]["updates"] == 4
    assert card["training"]["config"]["patience"] == 0


def test_model_settings_map_onto_the_chosen_model(toy: str, tmp_path: Path, capsys) -> None:
    args = ["train", "--dataset", toy, "--model", "rnn", *QUICK]
    assert main([*args, "--z-dim", "4", "--out", str(tmp_path / "a")]) == 2
    assert (
        "the rnn model has no setting z_dim; its settings are: "
        "emission, nade_hidden, key_order, rnn, hidden"
    ) in capsys.readouterr().err
    assert main([*args, "--set", "cell", "--out", str(tmp_path / "b")]) == 2
    assert "--set takes NAME=VALUE" in capsys.readouterr().err
    assert main([*args, "--hidden", "4", "--set", "rnn=lstm", "--out", str(tmp_path / "c")]) == 0
    model, _ = load_model(tmp_path / "c")
    assert model.config.rnn == "lstm"


@pytest.mark.parametrize("kind", KINDS)
def test_every_model_trains_with_its_size_flags(kind: str, toy: str, tmp_path: Path) -> None:
    sizes = tiny_sizes(kind)
    flags = [part for name, value in sizes.items()
             for part in ("--" + name.replace("_", "-"), str(value))]  # fmt: skip
    out = tmp_path / kind
    assert main(["train", "--dataset", toy, "--model", kind, *flags, "--out", str(out),
                 *QUICK]) == 0  # fmt: skip
    model, _ = load_model(out)
    assert {name: getattr(model.config, name) for name in sizes} == sizes


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "rnn"], "give --dataset and --model"),
        (["--dataset", "TOY", "--model", "transformer"], "unknown model kind 'transformer'"),
        (["--dataset", "TOY", "--model", "rnn", "--lr-schedule", "fast"],
         "lr_schedule must be one of decay, constant"),
        (["--dataset", "TOY", "--model", "rnn", "--device", "tpu"], "unknown device 'tpu'"),
        (["--dataset", "no-such-set", "--model", "rnn"], "no dataset, file or folder"),
    ],
)
def test_bad_input_gets_a_clear_message(toy: str, extra: list, message: str, capsys) -> None:
    argv = ["train", *[toy if a == "TOY" else a for a in extra]]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_existing_run_is_not_overwritten(toy: str, tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "run")
    args = ["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", "--out", out, *QUICK]
    assert main(args) == 0
    assert main(args) == 2
    assert "already holds a training run" in capsys.readouterr().err


def test_eval_of_a_damaged_checkpoint_is_an_error_not_a_crash(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.json").write_text("not json")
    assert main(["eval", str(tmp_path)]) == 2
    assert "musevae: error:" in capsys.readouterr().err


@pytest.mark.needs_data
def test_one_short_epoch_on_the_real_jsb(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "jsb"
    argv = ["train", "--dataset", "jsb", "--data-dir", str(data_dir), "--model", "rnn",
            "--hidden", "8", "--epochs", "1", "--updates-per-epoch", "2", "--test-samples",
            "0", "--device", "cpu", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "test split: 77 pieces, 4725 frames" in printed  # the published JSB test split
    card = json.loads((out / "model.json").read_text())
    assert card["dataset"]["name"] == "jsb" and card["dataset"]["step_beats"] == 1.0


def test_the_recipe_sets_the_schedule_and_flags_override_it(toy: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", "--out", str(out),
                 *QUICK]) == 0  # fmt: skip
    config = json.loads((out / "model.json").read_text())["training"]["config"]
    assert (config["lr_schedule"], config["kl_warmup"], config["patience"]) == ("constant", 1000, 30)
    out = tmp_path / "paper"
    assert main(["train", "--dataset", toy, "--model", "rnn", "--hidden", "4", "--out", str(out),
                 "--recipe", "paper", "--patience", "3", *QUICK]) == 0  # fmt: skip
    config = json.loads((out / "model.json").read_text())["training"]["config"]
    assert (config["lr_schedule"], config["kl_warmup"], config["patience"]) == ("decay", None, 3)
