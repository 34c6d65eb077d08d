from __future__ import annotations

import json
from pathlib import Path

import pytest

from musevae.cli import main
from tests.data import midi_corpus as mc


def write_folder(folder: Path) -> None:
    """Ten scales of 15..24 one-step notes, and two files that are skipped."""
    files = {f"p{n}.mid": mc.smf([mc.track(mc.notes(mc.scale(n)))]) for n in range(15, 25)}
    files |= {"broken.mid": b"", "sub/low.MID": mc.smf([mc.track(mc.notes([(0, 240, 12)]))])}
    mc.write_files(folder, files)


def test_import_prints_splits_skips_and_how_to_train(tmp_path: Path, capsys) -> None:
    write_folder(tmp_path / "tunes")
    data = tmp_path / "data"
    argv = ["data", "import", str(tmp_path / "tunes"), "--workers", "1", "--data-dir", str(data)]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0
    assert "imported 10 of 12 MIDI files" in out
    # Each file's split is fixed by its content hash: the 19- and 24-note scales land in
    # valid, the 21-note one in test, the other seven (131 steps) in train.
    rows = [line.split() for line in out.splitlines()]
    table = {row[0]: row[1:] for row in rows if row and row[0] in ("train", "valid", "test")}
    assert table == {"train": ["7", "131"], "valid": ["2", "43"], "test": ["1", "21"]}
    assert "broken.mid: the file is empty (0 bytes)" in out
    assert "sub/low.MID: all 1 of its notes are outside the piano range" in out
    assert "musevae train --dataset tunes" in out
    record = json.loads((data / "imports" / "tunes.json").read_text())
    assert record["folder"] == str((tmp_path / "tunes").resolve())
    assert record["options"]["step_beats"] == 0.5


def test_step_and_name_options(tmp_path: Path, capsys) -> None:
    write_folder(tmp_path / "tunes")
    data = tmp_path / "data"
    argv = ["data", "import", str(tmp_path / "tunes"), "--data-dir", str(data), "--workers", "1"]
    assert main([*argv, "--step", "16th", "--name", "fine grid", "--fold-octaves"]) == 0
    record = json.loads((data / "imports" / "fine-grid.json").read_text())
    assert record["options"]["step_beats"] == 0.25
    assert record["options"]["fold_octaves"] is True
    assert "imported 11 of 12" in capsys.readouterr().out  # low.MID folded into range
    assert main([*argv, "--step-beats", "1", "--name", "coarse"]) == 0
    coarse = json.loads((data / "imports" / "coarse.json").read_text())
    assert coarse["options"]["step_beats"] == 1.0


@pytest.mark.parametrize(
    "extra", [["--step", "8th", "--step-beats", "0.5"], ["--step-beats", "-1"], ["--workers", "0"]]
)
def test_bad_arguments_are_refused_by_the_parser(tmp_path: Path, extra: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["data", "import", str(tmp_path), *extra])
    assert caught.value.code == 2


def test_a_folder_without_usable_files_is_an_error_listing_skips(tmp_path: Path, capsys) -> None:
    mc.write_files(tmp_path / "bad", {"a.mid": b"MThd", "b.midi": b"\x89PNG"})
    code = main(["data", "import", str(tmp_path / "bad"), "--data-dir", str(tmp_path / "data")])
    captured = capsys.readouterr()
    assert code == 2
    assert "has no usable MIDI file" in captured.err
    assert "a.mid: the file is truncated inside its MIDI header" in captured.out
    assert not (tmp_path / "data" / "imports").exists()
