from __future__ import annotations

import csv
from pathlib import Path

from musevae.train.events import Done, Step
from musevae.train.sweep import Cell, CellSkipped, CellStarted, SweepDone, grid, run_sweep
from tests.train.toy import quick_config, toy_dataset


def test_grid_crosses_datasets_with_every_size_combination() -> None:
    cells = grid(["jsb", "nottingham"], {"z_dim": [2, 10], "d_dim": [50]})
    assert cells == [
        Cell("jsb", (("z_dim", 2), ("d_dim", 50))),
        Cell("jsb", (("z_dim", 10), ("d_dim", 50))),
        Cell("nottingham", (("z_dim", 2), ("d_dim", 50))),
        Cell("nottingham", (("z_dim", 10), ("d_dim", 50))),
    ]


def test_cell_folders_are_safe_for_names_and_paths(tmp_path: Path) -> None:
    sizes = (("z_dim", 2), ("d_dim", 50))
    assert Cell("jsb", sizes).folder(tmp_path, "srnn") == tmp_path / "jsb" / "srnn-z_dim2-d_dim50"
    assert Cell("/data/my bach.pickle", ()).folder(tmp_path, "rnn") == tmp_path / "my_bach" / "rnn"


def _sweep(out: Path, loads: list[str]) -> list:
    def load(name: str):
        loads.append(name)
        return toy_dataset(name)

    cells = grid(["toy", "other"], {"hidden": [3, 5]})
    return list(run_sweep("rnn", cells, quick_config(epochs=1), out, load))


def test_a_sweep_trains_each_cell_then_skips_finished_ones(tmp_path: Path) -> None:
    loads: list[str] = []
    events = _sweep(tmp_path, loads)
    assert loads == ["toy", "other"]  # each dataset is loaded once
    assert [e.index for e in events if isinstance(e, CellStarted)] == [1, 2, 3, 4]
    assert sum(isinstance(e, Done) for e in events) == 4
    done = events[-1]
    assert isinstance(done, SweepDone) and (done.finished, done.total) == (4, 4)
    with open(done.csv_path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["dataset"], r["hidden"]) for r in rows] == [
        ("toy", "3"), ("toy", "5"), ("other", "3"), ("other", "5"),
    ]  # fmt: skip
    assert all(float(r["test_elbo_frame_weighted"]) < 0 for r in rows)
    table = done.markdown_path.read_text().splitlines()
    assert table[4:6] == ["| hidden | toy | other |", "|---|---|---|"]
    assert table[6].startswith("| 3 | -") and len(table) == 8
    again = _sweep(tmp_path, [])
    assert [type(e) for e in again] == [CellSkipped] * 4 + [SweepDone]


def test_a_stopped_sweep_resumes_its_unfinished_cell(tmp_path: Path) -> None:
    events = run_sweep("rnn", grid(["toy"], {"hidden": [3]}), quick_config(), tmp_path,
                       toy_dataset)  # fmt: skip
    for event in events:
        if isinstance(event, Step) and event.update == 2:
            events.close()
            break
    done_before = (tmp_path / "results.md").exists()
    rest = list(run_sweep("rnn", grid(["toy"], {"hidden": [3]}), quick_config(), tmp_path,
                          toy_dataset))  # fmt: skip
    assert not done_before
    assert rest[0] == CellStarted(Cell("toy", (("hidden", 3),)), 1, 1,
                                  tmp_path / "toy" / "rnn-hidden3", True)  # fmt: skip
    assert [e.update for e in rest if isinstance(e, Step)] == [3, 4, 5, 6]
    assert "| 3 | -" in (tmp_path / "results.md").read_text()
