from __future__ import annotations

import json
import math
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from musevae.data.boulanger import read_pickle
from musevae.data.pianoroll import PianoRoll
from musevae.errors import DataError, UnsafePickleError

STANDARD = [
    ("JSB Chorales.pickle", 1.0),
    ("MuseData.pickle", 0.5),
    ("Nottingham.pickle", 0.5),
    ("Piano-midi.de.pickle", 0.5),
]


def write_pickle(path: Path, data: object, protocol: int = pickle.HIGHEST_PROTOCOL) -> Path:
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    return path


def splits(train: list | None = None, valid: list | None = None, test: list | None = None) -> dict:
    return {"train": train or [], "valid": valid or [], "test": test or []}


class RunsShell:
    """Unpickling this runs a shell command: the classic pickle attack."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class WritesFile:
    """Unpickling this writes a file through a plain Python callable."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "ran"))


def test_notes_become_keys_with_the_given_grid(tmp_path: Path) -> None:
    data = splits(
        train=[[[60, 64], [], (67.0,)]],  # C4+E4, a rest, G4 given as a float in a tuple
        valid=[[]],  # a piece with no steps
        test=[[[21, 108]]],  # the lowest and highest piano keys
    )
    dataset = read_pickle(write_pickle(tmp_path / "tiny.pickle", data), step_beats=1.0)

    (roll,) = dataset.splits["train"]
    assert roll.to_notes() == [[60, 64], [], [67]]
    assert np.flatnonzero(roll.keys[0]).tolist() == [39, 43]  # 60 - 21, 64 - 21
    assert roll.step_beats == 1.0 and roll.tempo == 120.0
    assert len(dataset.splits["valid"][0]) == 0
    assert np.flatnonzero(dataset.splits["test"][0].keys[0]).tolist() == [0, 87]
    assert dataset.name == "tiny" and dataset.source == str(tmp_path / "tiny.pickle")


@pytest.mark.parametrize("protocol", [2, 5])
def test_numpy_number_notes_are_admitted(tmp_path: Path, protocol: int) -> None:
    data = splits(train=[[[np.int64(60), np.float64(64.0)], [np.uint8(21)]]])
    dataset = read_pickle(write_pickle(tmp_path / "np.pickle", data, protocol))
    assert dataset.splits["train"][0].to_notes() == [[60, 64], [21]]


def test_a_python2_pickle_with_a_numpy_1_scalar_loads(tmp_path: Path) -> None:
    # What Python 2 + numpy 1.x wrote for {"train": [[[numpy.int64(60)]]], ...}: byte
    # strings (SHORT_BINSTRING) and the numpy.core path, built by hand to stay literal.
    int64 = (
        b"cnumpy.core.multiarray\nscalar\n"
        b"cnumpy\ndtype\nq\x01U\x02i8K\x00K\x01\x87Rq\x02"  # dtype("i8", False, True)
        b"(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"  # its state: little-endian
        b"U\x08<\x00\x00\x00\x00\x00\x00\x00\x86R"  # the 8 data bytes of 60 ('<' is 60)
    )
    path = tmp_path / "py2.pickle"
    path.write_bytes(b"\x80\x02}q\x03(U\x05train]]]" + int64 + b"aaaU\x05valid]U\x04test]u.")
    assert read_pickle(path).splits["train"][0].to_notes() == [[60]]


@pytest.mark.parametrize(
    "payload",
    [lambda marker: RunsShell(f"touch '{marker}'"), WritesFile],
    ids=["os.system", "Path.write_text"],
)
def test_code_in_a_pickle_is_refused_and_never_runs(tmp_path: Path, payload) -> None:
    marker = tmp_path / "marker"
    data = splits(train=[[[60]]], valid=[[[62]]], test=[payload(marker)])
    path = write_pickle(tmp_path / "evil.pickle", data)

    with pytest.raises(UnsafePickleError) as caught:
        read_pickle(path)
    assert str(path) in str(caught.value)
    assert "system" in str(caught.value) or "write_text" in str(caught.value)
    assert not marker.exists()

    pickle.loads(path.read_bytes())  # control: a plain pickle.load does run it
    assert marker.exists()


@pytest.mark.parametrize(
    "value, refused",
    [
        (np.array([60, 64]), "_reconstruct"),  # arrays are not needed: refuse them
        (np.dtype(object), "numpy.dtype('O"),  # an object dtype could point anywhere
    ],
)
def test_numpy_objects_other_than_plain_numbers_are_refused(
    tmp_path: Path, value: object, refused: str
) -> None:
    path = write_pickle(tmp_path / "np.pickle", splits(train=[[[value]]]), protocol=2)
    with pytest.raises(UnsafePickleError, match=r"asks to run .*" + refused.replace("(", r"\(")):
        read_pickle(path)


def test_codecs_encode_is_admitted_only_for_latin1(tmp_path: Path) -> None:
    # Protocol 2 stores bytes as _codecs.encode(text, "latin1"); any other codec is refused.
    path = tmp_path / "codec.pickle"
    path.write_bytes(b"c_codecs\nencode\n(Vabc\nVrot13\ntR.")  # encode("abc", "rot13")
    with pytest.raises(UnsafePickleError, match=r"_codecs.encode\(\.\.\., 'rot13'\)"):
        read_pickle(path)


@pytest.mark.parametrize(
    "data, message",
    [
        ([1, 2], "holds a list, not a dict"),
        ({"train": [], "valid": []}, "lacks the split(s) test"),
        (splits(train=[[[60]]]) | {"valid": "x"}, "valid: expected a list of pieces, got str"),
        (splits(train=[[[60]], 5]), "train piece 1: expected a list of time steps, got int"),
        (splits(train=[[[60], 61]]), "train piece 0 step 1: expected a list of note numbers"),
        (splits(test=[[[60], [61, 20]]]),
         "test piece 0 step 1: note 20 is outside the piano range 21..108"),
        (splits(train=[[[109]]]), "step 0: note 109 is outside"),
        (splits(train=[[[60], [], [62.5]]]), "step 2: note 62.5 is not a whole number"),
        (splits(train=[[[math.nan]]]), "step 0: note nan is not a whole number"),
        (splits(train=[[[60, "61"]]]), "step 0: note '61' is not a number"),
        (splits(train=[[[True]]]), "step 0: note True is not a number"),
    ],
)
def test_malformed_structure_names_file_and_position(
    tmp_path: Path, data: object, message: str
) -> None:
    path = write_pickle(tmp_path / "bad.pickle", data)
    with pytest.raises(DataError) as caught:
        read_pickle(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_file_that_is_not_a_pickle_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "text.pickle"
    path.write_text("not a pickle at all")
    with pytest.raises(DataError, match="is not a readable pickle"):
        read_pickle(path)
    with pytest.raises(DataError, match="cannot read"):
        read_pickle(tmp_path / "absent.pickle")


def test_truncated_real_pickle_is_a_data_error(data_dir: Path, tmp_path: Path) -> None:
    head = (data_dir / "JSB Chorales.pickle").read_bytes()[:5000]
    path = tmp_path / "cut.pickle"
    path.write_bytes(head)
    with pytest.raises(DataError, match="truncated or damaged"):
        read_pickle(path)


@pytest.mark.parametrize("filename, step_beats", STANDARD)
def test_standard_sets_match_the_manifest(
    data_dir: Path, filename: str, step_beats: float
) -> None:
    manifest = json.loads((data_dir / "MANIFEST.json").read_text())[filename]
    dataset = read_pickle(data_dir / filename, step_beats)
    for split in ("train", "valid", "test"):
        stats = dataset.stats(split)
        assert (stats.sequences, stats.frames) == (
            manifest[split]["sequences"],
            manifest[split]["frames"],
        ), split
        assert all(roll.step_beats == step_beats for roll in dataset.splits[split])


def test_fast_conversion_equals_from_notes_on_jsb(data_dir: Path) -> None:
    path = data_dir / "JSB Chorales.pickle"
    raw = pickle.loads(path.read_bytes())  # our own shared copy: trusted, stdlib load
    dataset = read_pickle(path, step_beats=1.0)
    for split in ("train", "valid", "test"):
        expected = [PianoRoll.from_notes(piece, step_beats=1.0) for piece in raw[split]]
        assert dataset.splits[split] == expected, split
