from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from musevae import paths
from musevae.data.folders import (
    ImportOptions,
    NoUsableFilesError,
    dataset_from_folder,
    dataset_name,
    imported_names,
    load_imported,
    register_import,
    split_of,
)
from musevae.errors import DataError
from tests.data import midi_corpus as mc

FAST = ImportOptions(workers=1)


def write_scales(folder: Path, count: int, start: int = 0) -> None:
    """``count`` small distinct files: file i is an (i + 1)-note scale."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (folder / f"s{i:02d}.mid").write_bytes(mc.smf([mc.track(mc.notes(mc.scale(i + 1)))]))


def test_hostile_corpus_imports_in_one_go(tmp_path: Path) -> None:
    mc.write_files(tmp_path, mc.hostile_files())  # incl. a 100,000-note file
    calls: list[tuple[int, int]] = []
    options = ImportOptions(workers=2, max_file_bytes=mc.MAX_FILE_BYTES)
    dataset, report = dataset_from_folder(tmp_path, options, progress=lambda *c: calls.append(c))

    expected_used = sorted(name for name, reason in mc.HOSTILE.items() if reason is None)
    assert sorted(path for path, _ in report.used) == expected_used  # .MID, .midi, sub-folders
    reasons = dict(report.skipped)
    assert sorted(reasons) == sorted(n for n, r in mc.HOSTILE.items() if r is not None)
    for name, reason in reasons.items():
        assert mc.HOSTILE[name] in reason, (name, reason)
        assert reason and "\n" not in reason
    assert sum(len(dataset.split(s)) for s in ("train", "valid", "test")) == len(expected_used)
    # plain 16 + CASE 12 + nested 10 + tempo 12 + zero tempo 8 + no note-off 2
    # + too few 8 + too many 4 + junk 6 + 100,000 = 100,078
    assert report.notes == 100_078
    assert report.out_of_range == 0
    assert calls[-1] == (len(mc.HOSTILE), len(mc.HOSTILE))  # the .txt/.png are not MIDI
    assert [done for done, _ in calls] == list(range(1, len(mc.HOSTILE) + 1))


def test_second_import_reads_the_cache_and_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    write_scales(tmp_path, 4)
    first, cold = dataset_from_folder(tmp_path, FAST)
    assert cold.from_cache == 0
    second, warm = dataset_from_folder(tmp_path, FAST)
    assert warm.from_cache == 4
    assert second == first

    mc.write_files(tmp_path, {"s00.mid": mc.smf([mc.track(mc.notes(mc.scale(9, low=40)))])})
    _, changed = dataset_from_folder(tmp_path, FAST)
    assert changed.from_cache == 3
    assert changed.notes == cold.notes - 1 + 9  # s00 had 1 note, now 9
    # Options that change the parse are part of the key: a new grid misses the cache.
    _, regrid = dataset_from_folder(tmp_path, ImportOptions(step_beats=0.25, workers=1))
    assert regrid.from_cache == 0


def test_damaged_cache_entries_are_parsed_again(tmp_path: Path) -> None:
    write_scales(tmp_path / "midi", 3)
    reference, _ = dataset_from_folder(tmp_path / "midi", FAST)
    entries = sorted((paths.cache_dir() / "midi").rglob("*.npz"))
    assert len(entries) == 3
    entries[0].write_bytes(b"not an npz")
    np.savez(entries[1], keys=np.zeros((2, 11), np.uint8))  # wrong fields
    dataset, report = dataset_from_folder(tmp_path / "midi", FAST)
    assert report.from_cache == 1
    assert dataset == reference
    _, again = dataset_from_folder(tmp_path / "midi", FAST)
    assert again.from_cache == 3  # the damaged entries were rewritten


def test_split_is_by_content_hash() -> None:
    options = ImportOptions()  # 0.8 / 0.1 / 0.1
    assert split_of("0" * 64, options) == "train"  # position 0.0
    assert split_of("cccccccccccccccc" + "0" * 48, options) == "valid"  # 0.8000...
    assert split_of("e666666666666666" + "0" * 48, options) == "test"  # 0.9000...
    assert split_of("f" * 64, options) == "test"


def test_adding_files_moves_no_other_file_between_splits(tmp_path: Path) -> None:
    write_scales(tmp_path, 12)
    _, before = dataset_from_folder(tmp_path, FAST)
    write_scales(tmp_path, 12, start=12)
    _, after = dataset_from_folder(tmp_path, FAST)
    assert set(before.used) <= set(after.used)
    assert {split for _, split in after.used} == {"train", "valid", "test"}


def test_duplicates_are_used_once(tmp_path: Path) -> None:
    write_scales(tmp_path, 2)
    shutil.copy(tmp_path / "s01.mid", tmp_path / "s01 copy.mid")
    _, report = dataset_from_folder(tmp_path, FAST)
    assert [path for path, _ in report.used] == ["s00.mid", "s01 copy.mid"]
    assert report.skipped == (("s01.mid", "same content as s01 copy.mid"),)


def test_folding_keeps_notes_outside_the_piano(tmp_path: Path) -> None:
    low = mc.smf([mc.track(mc.notes([(0, 240, 10), (0, 240, 60)]))])
    (tmp_path / "low.mid").write_bytes(low)
    _, dropped = dataset_from_folder(tmp_path, FAST)
    assert (dropped.notes, dropped.out_of_range) == (1, 1)
    assert "1 notes outside 21..108 dropped" in dropped.summary()
    _, folded = dataset_from_folder(tmp_path, ImportOptions(fold_octaves=True, workers=1))
    assert (folded.notes, folded.out_of_range) == (2, 1)


def test_a_folder_with_nothing_usable_is_an_error_with_the_report(tmp_path: Path) -> None:
    mc.write_files(tmp_path, {"a.mid": b"", "b.mid": b"text"})
    with pytest.raises(NoUsableFilesError, match="no usable MIDI file: all 2 were skipped") as caught:
        dataset_from_folder(tmp_path, FAST)
    assert [path for path, _ in caught.value.report.skipped] == ["a.mid", "b.mid"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoUsableFilesError, match="holds no .mid or .midi file, in sub-folders neither"):
        dataset_from_folder(tmp_path / "empty", FAST)
    with pytest.raises(DataError, match="is not a folder"):
        dataset_from_folder(tmp_path / "a.mid", FAST)


# --- named imports ----------------------------------------------------------------------
def test_named_import_is_reloaded_with_its_options_and_new_files(tmp_path: Path) -> None:
    folder, data = tmp_path / "My Songs", tmp_path / "data"
    write_scales(folder, 3)
    options = ImportOptions(step_beats=0.25, workers=1)
    assert register_import(folder, options, data_dir=data) == "My-Songs"
    assert imported_names(data) == ["My-Songs"]

    dataset = load_imported("My-Songs", data)
    assert dataset.name == "My-Songs"
    assert sum(dataset.stats(s).frames for s in ("train", "valid", "test")) == 2 * (1 + 2 + 3)
    write_scales(folder, 1, start=3)
    reloaded = load_imported("My-Songs", data)
    assert sum(len(reloaded.split(s)) for s in ("train", "valid", "test")) == 4
    # Given by path, the folder is read with the options it was imported with.
    by_path, _ = dataset_from_folder(folder, data_dir=data)
    assert by_path == reloaded


def test_load_imported_explains_what_is_wrong(tmp_path: Path) -> None:
    folder, data = tmp_path / "songs", tmp_path / "data"
    write_scales(folder, 1)
    register_import(folder, FAST, name="songs", data_dir=data)
    with pytest.raises(DataError, match="no imported dataset called 'other'.*imported: songs"):
        load_imported("other", data)
    shutil.rmtree(folder)
    with pytest.raises(DataError, match="no longer exists"):
        load_imported("songs", data)
    record = data / "imports" / "songs.json"
    record.write_text(json.dumps({"folder": str(folder), "options": {"step_beats": -1}}))
    with pytest.raises(DataError, match="is damaged"):
        load_imported("songs", data)


def test_names_are_made_safe_and_builtins_are_not_hidden(tmp_path: Path) -> None:
    assert dataset_name("Bach: the chorales!") == "Bach-the-chorales"
    assert dataset_name("../../etc") == "etc"
    with pytest.raises(DataError, match="--name"):
        dataset_name("???")
    with pytest.raises(DataError, match="built-in"):
        register_import(tmp_path, FAST, name="jsb", data_dir=tmp_path / "data")
