from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from musevae.data.registry import (
    REGISTRY,
    DatasetSpec,
    SplitCounts,
    dataset_names,
    file_sha256,
    is_present,
    load_dataset,
    load_spec,
    sidecar_path,
)
from musevae.errors import DataError

SPLITS = ("train", "valid", "test")
STANDARD = ["jsb", "muse", "nottingham", "piano"]
SRNN = ["jsb-srnn", "muse-srnn", "nottingham-srnn", "piano-srnn"]


def tiny_pickle(path: Path) -> Path:
    """One piece per split: train 2 steps, valid 1 step, test 3 steps."""
    data = {"train": [[[60], [62]]], "valid": [[[64]]], "test": [[[65], [], [67, 71]]]}
    path.write_bytes(pickle.dumps(data))
    return path


TINY_SPEC = DatasetSpec(
    "tiny", "a test set", "tiny.pickle", 1.0,
    {"train": SplitCounts(1, 2), "valid": SplitCounts(1, 1), "test": SplitCounts(1, 3)},
)


def test_names_standard_sets_first_then_srnn_versions() -> None:
    assert dataset_names() == STANDARD + SRNN


def test_standard_sets_point_at_the_authors_page() -> None:
    page = "http://www-etud.iro.umontreal.ca/~boulanni/"
    assert REGISTRY["jsb"].url == page + "JSB%20Chorales.pickle"
    assert REGISTRY["muse"].url == page + "MuseData.pickle"
    assert REGISTRY["nottingham"].url == page + "Nottingham.pickle"
    assert REGISTRY["piano"].url == page + "Piano-midi.de.pickle"
    assert all(REGISTRY[name].url is None for name in SRNN)  # nothing to fetch
    assert [REGISTRY[n].step_beats for n in STANDARD] == [1.0, 0.5, 0.5, 0.5]


def test_published_counts_agree_with_the_manifests(data_dir: Path) -> None:
    standard = json.loads((data_dir / "MANIFEST.json").read_text())
    srnn = json.loads((data_dir / "srnn-paper" / "MANIFEST.json").read_text())
    for name in STANDARD:
        spec = REGISTRY[name]
        entry = standard[spec.filename]
        assert spec.counts == {s: SplitCounts(**entry[s]) for s in SPLITS}, name
    for name in SRNN:
        spec = REGISTRY[name]
        entry = srnn[Path(spec.filename).name]
        assert spec.counts == {
            "train": SplitCounts(entry["x_train_chunks"], entry["train_frames_incl_padding"]),
            "valid": SplitCounts(entry["x_valid_chunks"], 100 * entry["x_valid_chunks"]),
            "test": SplitCounts(entry["test_sequences"], entry["test_frames"]),
        }, name


@pytest.mark.parametrize("name", STANDARD + SRNN)
def test_every_registry_set_loads_by_name(data_dir: Path, name: str) -> None:
    assert is_present(name, data_dir)
    dataset = load_dataset(name, data_dir)
    spec = REGISTRY[name]
    assert dataset.name == name
    assert dataset.source == str(data_dir / spec.filename)
    assert {s: SplitCounts(dataset.stats(s).sequences, dataset.stats(s).frames) for s in SPLITS} \
        == dict(spec.counts)
    assert dataset.splits["test"][0].step_beats == spec.step_beats


def test_the_data_dir_comes_from_the_environment(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("MUSEVAE_DATA", str(data_dir))
    assert is_present("jsb")
    assert load_dataset("jsb").stats("test").sequences == 77


def test_a_missing_standard_set_says_how_to_get_it(tmp_path: Path) -> None:
    assert not is_present("jsb", tmp_path)
    with pytest.raises(DataError) as caught:
        load_dataset("jsb", tmp_path)
    message = str(caught.value)
    assert "musevae data fetch jsb" in message
    assert f'copy "JSB Chorales.pickle" into {tmp_path}' in message
    assert "MUSEVAE_DATA" in message and "--data-dir" in message


def test_a_missing_srnn_set_says_where_to_copy_it(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_dataset("muse-srnn", tmp_path)
    message = str(caught.value)
    assert '"muse_raw_batchsize16_seqlen100.npz"' in message
    assert str(tmp_path / "srnn-paper") in message
    assert "fetch" not in message


def test_a_set_with_other_counts_is_refused(tmp_path: Path) -> None:
    tiny_pickle(tmp_path / "JSB Chorales.pickle")
    with pytest.raises(DataError) as caught:
        load_dataset("jsb", tmp_path)
    message = str(caught.value)
    assert "not the published jsb dataset" in message
    assert "train has 1 sequences / 2 frames (expected 229 / 13807)" in message
    assert "test has 1 sequences / 3 frames (expected 77 / 4725)" in message


def test_a_custom_spec_loads_with_its_own_counts(tmp_path: Path) -> None:
    tiny_pickle(tmp_path / "tiny.pickle")
    dataset = load_spec(TINY_SPEC, tmp_path)
    assert dataset.name == "tiny"
    assert dataset.splits["test"][0].to_notes() == [[65], [], [67, 71]]
    assert dataset.splits["train"][0].step_beats == 1.0


def test_files_load_by_path_keeping_a_known_grid(data_dir: Path, tmp_path: Path) -> None:
    jsb = load_dataset(str(data_dir / "JSB Chorales.pickle"))
    assert jsb.name == "JSB Chorales" and jsb.splits["train"][0].step_beats == 1.0
    srnn = load_dataset(str(data_dir / "srnn-paper" / "jsb_raw_batchsize16_seqlen100.npz"))
    assert srnn.stats("test").frames == 9396
    other = load_dataset(str(tiny_pickle(tmp_path / "mine.pickle")))
    assert other.splits["train"][0].step_beats == 0.5  # unknown file: eighth-note default


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("C E G")
    with pytest.raises(DataError, match="neither a benchmark .pickle nor an SRNN .npz"):
        load_dataset(str(path))


def test_a_sidecar_checksum_catches_corruption(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "JSB Chorales.pickle"
    shutil.copyfile(data_dir / "JSB Chorales.pickle", path)
    sidecar_path(path).write_text(f"{file_sha256(path)}  JSB Chorales.pickle\n")
    assert load_dataset("jsb", tmp_path).stats("train").sequences == 229

    data = bytearray(path.read_bytes())
    data[-100] ^= 1  # one flipped bit that still unpickles
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="is corrupt: its SHA-256 is"):
        load_dataset("jsb", tmp_path)
    with pytest.raises(DataError, match="is corrupt"):
        load_dataset(str(path))  # by path too


def write_songs(folder: Path) -> Path:
    """Three different one-bar MIDI files (C, D and E held for four eighth notes)."""
    from musevae.data.midi_io import write_midi
    from musevae.data.pianoroll import PianoRoll

    folder.mkdir()
    for note in (60, 62, 64):
        write_midi(PianoRoll.from_notes([[note]] * 4), folder / f"{note}.mid")
    return folder


def test_a_midi_folder_loads_by_path_and_an_import_by_its_name(tmp_path: Path) -> None:
    from musevae.data.folders import ImportOptions, register_import

    folder = write_songs(tmp_path / "songs")
    data = tmp_path / "data"
    dataset = load_dataset(str(folder), data)
    assert dataset.source == str(folder)
    assert sum(dataset.stats(s).sequences for s in SPLITS) == 3  # all three files
    assert sum(dataset.stats(s).frames for s in SPLITS) == 12  # 3 files * 4 steps

    register_import(folder, ImportOptions(workers=1), "my-songs", data)
    imported = load_dataset("my-songs", data)
    assert imported.name == "my-songs"
    assert sum(imported.stats(s).frames for s in SPLITS) == 12


def test_an_unknown_name_lists_every_valid_name(tmp_path: Path) -> None:
    from musevae.data.folders import ImportOptions, register_import

    with pytest.raises(DataError) as caught:
        load_dataset("bach", tmp_path)
    assert "no dataset, file or folder called 'bach'" in str(caught.value)
    assert "Known datasets: " + ", ".join(STANDARD + SRNN) + ";" in str(caught.value)

    register_import(write_songs(tmp_path / "songs"), ImportOptions(), "my-songs", tmp_path)
    with pytest.raises(DataError, match="piano-srnn, my-songs;"):
        load_dataset("bach", tmp_path)
