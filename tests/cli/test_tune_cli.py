"""``musevae tune`` end to end on a tiny model: a folder generate and eval open, resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from musevae.cli import main
from musevae.train.checkpoint import load_model
from tests.tune.test_tuner import tiny_card


def test_tune_then_generate_from_the_tuned_folder_then_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tiny_card(tmp_path / "base", "vrnn")
    out = tmp_path / "tuned"
    argv = ["tune", str(base), "--steps", "2", "--batch", "2", "--length", "4", "--out", str(out),
            "--w-motif", "0.5", "--kl-weight", "0.2", "--key", "Am"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "violation rate per step, tuned: in-key" in printed and "KL to the base" in printed
    _, card = load_model(out)
    assert card["tuning"]["rules"]["motif"] == 0.5 and card["tuning"]["config"]["rules"]["key"] == "Am"
    assert main(["generate", str(out), "--steps", "4", "--out", str(tmp_path / "music")]) == 0
    assert list((tmp_path / "music").glob("*.mid"))
    assert main(["tune", "--resume", str(out), "--steps", "3"]) == 0
    assert load_model(out)[1]["tuning"]["updates"] == 3


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tiny_card(tmp_path / "base")
    bad = tmp_path / "bad.py"
    bad.write_text("def reward(\n")
    assert main(["tune", str(base), "--reward-file", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"musevae: error: reward file {bad}: loading it raised SyntaxError")
    assert err.count("\n") == 1
    assert main(["tune", str(base), "--key", "H", "--out", str(tmp_path / "o2")]) == 2
    assert "unknown key 'H'" in capsys.readouterr().err
