from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from musevae.cli import main
from musevae.cli.data import note_name
from musevae.data.registry import dataset_names

SRNN_JSB = "srnn-paper/jsb_raw_batchsize16_seqlen100.npz"


def test_note_names() -> None:
    assert [note_name(n) for n in (21, 60, 61, 108)] == ["A0", "C4", "C#4", "C8"]


def test_list_shows_every_dataset_present_with_its_path(data_dir: Path, capsys) -> None:
    assert main(["data", "list", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"data directory: {data_dir}"
    assert lines[1].split()[:2] == ["jsb", "present"]
    assert "Bach chorales, quarter-note steps" in lines[1]
    assert lines[2].strip() == str(data_dir / "JSB Chorales.pickle")
    assert [line.split()[0] for line in lines[1::2]] == dataset_names()
    assert all(line.split()[1] == "present" for line in lines[1::2])
    assert lines[-1].strip() == str(data_dir / "srnn-paper/piano_raw_batchsize16_seqlen100.npz")


def test_list_marks_missing_sets(tmp_path: Path, capsys) -> None:
    shutil.copyfile(Path(__file__), tmp_path / "JSB Chorales.pickle")  # presence only
    assert main(["data", "list", "--data-dir", str(tmp_path)]) == 0
    statuses = [line.split()[1] for line in capsys.readouterr().out.splitlines()[1::2]]
    assert statuses == ["present"] + ["missing"] * 7


def test_info_prints_an_aligned_table_per_split(data_dir: Path, capsys) -> None:
    raw = pickle.loads((data_dir / "JSB Chorales.pickle").read_bytes())
    assert main(["data", "info", "jsb", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0] == f"jsb  ({data_dir / 'JSB Chorales.pickle'})"
    assert lines[1] == "split  sequences  frames  mean polyphony  key range"
    for line, split in zip(lines[2:], ("train", "valid", "test")):
        steps = [set(step) for piece in raw[split] for step in piece]  # from the raw lists
        notes = set().union(*steps)
        polyphony = sum(map(len, steps)) / len(steps)
        low, high = min(notes), max(notes)
        span = f"{note_name(low)}..{note_name(high)} ({low}..{high})"
        assert line.split() == [
            split, str(len(raw[split])), str(len(steps)), f"{polyphony:.2f}", *span.split()
        ]
    assert lines[2] == "train        229   13807            3.90  G2..C7 (43..96)"
    assert len(lines) == 5


def test_info_on_an_srnn_file_by_path(data_dir: Path, capsys) -> None:
    assert main(["data", "info", str(data_dir / SRNN_JSB)]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[:3] for row in rows] == [
        ["train", "272", "27200"], ["valid", "80", "8000"], ["test", "77", "9396"]
    ]


def test_info_on_a_missing_set_says_how_to_fetch_it(tmp_path: Path, capsys) -> None:
    assert main(["data", "info", "nottingham", "--data-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("musevae: error: dataset 'nottingham' is not here")
    assert "musevae data fetch nottingham" in captured.err


def test_fetch_downloads_verifies_and_says_where(data_dir: Path, tmp_path: Path, capsys) -> None:
    mirror = tmp_path / "mirror" / "JSB Chorales.pickle"
    mirror.parent.mkdir()
    shutil.copyfile(data_dir / "JSB Chorales.pickle", mirror)
    target = tmp_path / "data"

    args = ["data", "fetch", "jsb", "--data-dir", str(target), "--url", mirror.as_uri()]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.out == f"saved jsb to {target / 'JSB Chorales.pickle'}\n"
    assert "jsb: 100%" in captured.err  # the tqdm bar reached its end
    assert (target / "JSB Chorales.pickle").read_bytes() == mirror.read_bytes()
    assert (target / "JSB Chorales.pickle.sha256").is_file()

    assert main(args) == 0  # a second fetch leaves the good copy alone
    assert capsys.readouterr().out.startswith("jsb is already at ")


@pytest.mark.parametrize(
    "name, message",
    [("jsb-srnn", "cannot be downloaded by musevae"), ("bach", "unknown dataset 'bach'")],
)
def test_fetch_refuses_what_it_cannot_download(
    tmp_path: Path, capsys, name: str, message: str
) -> None:
    assert main(["data", "fetch", name, "--data-dir", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_data_without_an_action_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["data"])
    assert caught.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_info_on_an_unknown_name_lists_the_known_ones(tmp_path: Path, capsys) -> None:
    assert main(["data", "info", "bach", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no dataset, file or folder called 'bach'" in err
    assert "Known datasets: " + ", ".join(dataset_names()) in err


def test_the_import_action_is_registered(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["data", "--help"])
    actions = [line.split()[0] for line in capsys.readouterr().out.splitlines()
               if line.startswith("    ") and line.strip()]
    assert actions == ["list", "info", "fetch", "import"]
