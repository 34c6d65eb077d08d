from __future__ import annotations

import csv
from pathlib import Path

from musevae.cli import main
from tests.train.toy import write_toy_pickle



def test_sweep_trains_the_grid_writes_results_and_skips_finished_cells(
    tmp_path: Path, capsys
) -> None:
    data = str(write_toy_pickle(tmp_path))
    out = tmp_path / "sweep"
    argv = ["sweep", "--model", "rnn", "--hidden", "3", "4", "--datasets", data, "--out",
            str(out), "--epochs", "1", "--updates-per-epoch", "2", "--batch-size", "2",
            "--seq-len", "8", "--test-samples", "0", "--device", "cpu"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"[1/2] {data} hidden=3: training" in printed
    assert "2/2 cells finished" in printed
    with open(out / "results.csv", newline="") as file:
        assert [row["hidden"] for row in csv.DictReader(file)] == ["3", "4"]
    assert "| hidden | toy |" in (out / "results.md").read_text()
    assert main(argv) == 0
    assert printed.count("skipped") == 0
    assert capsys.readouterr().out.count("finished before, skipped") == 2


def test_sweep_checks_sizes_against_the_model(tmp_path: Path, capsys) -> None:
    argv = ["sweep", "--model", "rnn", "--z-dim", "2", "10", "--datasets", "jsb", "--out",
            str(tmp_path)]  # fmt: skip
    assert main(argv) == 2
    assert "the rnn model has no setting z_dim" in capsys.readouterr().err
