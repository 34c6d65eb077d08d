from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from musevae.data.srnn_paper import read_npz
from musevae.errors import DataError


def tiny_arrays() -> dict[str, np.ndarray]:
    """Two train chunks and one valid chunk of 3 steps; two test pieces of 3 and 1 steps."""
    x_train = np.zeros((2, 3, 88), dtype=np.float32)
    x_train[0, 0, 39] = 1.0  # C4 in the first step of the first chunk
    x_train[1, 2, 87] = 1.0  # C8 in the last step of the second chunk
    x_valid = np.zeros((1, 3, 88), dtype=np.float32)
    x_test = np.zeros((2, 4, 88), dtype=np.float32)
    x_test[0, 2, 0] = 1.0  # A0 at step 2 of the first piece
    mask_test = np.array([[1, 1, 1, 0], [1, 0, 0, 0]], dtype=np.float32)
    u_train = np.zeros_like(x_train)  # present in the real files, ignored by the reader
    return dict(x_train=x_train, x_valid=x_valid, x_test=x_test, mask_test=mask_test,
                u_train=u_train)


def save(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    np.savez_compressed(path, **arrays)
    return path


def test_chunks_stay_whole_and_test_pieces_are_trimmed_to_their_mask(tmp_path: Path) -> None:
    dataset = read_npz(save(tmp_path / "tiny.npz", tiny_arrays()), step_beats=0.25)

    assert [len(r) for r in dataset.splits["train"]] == [3, 3]
    assert [len(r) for r in dataset.splits["valid"]] == [3]
    assert [len(r) for r in dataset.splits["test"]] == [3, 1]  # mask lengths
    assert dataset.splits["train"][0].to_notes() == [[60], [], []]
    assert dataset.splits["train"][1].to_notes() == [[], [], [108]]
    assert dataset.splits["test"][0].to_notes() == [[], [], [21]]
    assert dataset.splits["test"][0].step_beats == 0.25
    assert dataset.name == "tiny"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.pop("mask_test"), "lacks the array(s) mask_test"),
        (lambda a: a["x_train"].__setitem__((1, 2, 5), 0.5), "x_train[1, 2, 5] is 0.5"),
        (lambda a: a.__setitem__("x_valid", np.zeros((1, 3, 87))), "x_valid has shape (1, 3, 87)"),
        (lambda a: a["mask_test"].__setitem__((1, 2), 1.0), "mask_test row 1 is not a run"),
        (lambda a: a.__setitem__("mask_test", np.ones((2, 5))), "mask_test has shape (2, 5)"),
    ],
    ids=["no-mask", "not-binary", "87-keys", "holey-mask", "mask-shape"],
)
def test_malformed_files_name_the_array_and_position(tmp_path: Path, change, message: str) -> None:
    arrays = tiny_arrays()
    change(arrays)
    path = save(tmp_path / "bad.npz", arrays)
    with pytest.raises(DataError) as caught:
        read_npz(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_object_arrays_are_never_unpickled(tmp_path: Path) -> None:
    arrays = tiny_arrays()
    arrays["x_train"] = np.array([{"not": "numbers"}], dtype=object)
    path = tmp_path / "objects.npz"
    np.savez(path, **arrays)  # numpy pickles object arrays inside the archive
    with pytest.raises(DataError, match="plain arrays"):
        read_npz(path)


def test_a_file_that_is_not_an_archive_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(b"PK\x03\x04 but not really a zip")
    with pytest.raises(DataError, match="cannot read"):
        read_npz(path)


@pytest.mark.parametrize("stem", ["jsb", "muse", "nottingham", "piano"])
def test_srnn_files_match_the_manifest(data_dir: Path, stem: str) -> None:
    filename = f"{stem}_raw_batchsize16_seqlen100.npz"
    manifest = json.loads((data_dir / "srnn-paper" / "MANIFEST.json").read_text())[filename]
    dataset = read_npz(data_dir / "srnn-paper" / filename)

    train, valid, test = (dataset.stats(s) for s in ("train", "valid", "test"))
    assert train.sequences == manifest["x_train_chunks"]
    assert train.frames == manifest["train_frames_incl_padding"]
    assert valid.sequences == manifest["x_valid_chunks"]
    assert valid.frames == 100 * manifest["x_valid_chunks"]  # 100-step chunks
    assert test.sequences == manifest["test_sequences"]
    assert test.frames == manifest["test_frames"]
