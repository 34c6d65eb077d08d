from __future__ import annotations

import pickle

import numpy as np
import pytest

from musevae.data.pianoroll import KEY_COUNT, PianoRoll


def roll_of(*steps: list[int], step_beats: float = 0.5, tempo: float = 120.0) -> PianoRoll:
    return PianoRoll.from_notes(steps, step_beats, tempo)


def test_from_notes_sets_keys_counted_from_a0() -> None:
    roll = roll_of([21, 60], [], [108])
    assert roll.keys.shape == (3, KEY_COUNT) and roll.keys.dtype == np.bool_
    assert np.flatnonzero(roll.keys[0]).tolist() == [0, 39]  # A0 is key 0, C4 is key 39
    assert not roll.keys[1].any()
    assert np.flatnonzero(roll.keys[2]).tolist() == [87]  # C8 is the last key
    assert roll.to_notes() == [[21, 60], [], [108]]


@pytest.mark.parametrize(
    "note, message", [(20, "outside the piano range"), (109, "outside"), (60.5, "whole number")]
)
def test_from_notes_refuses_notes_it_cannot_place(note: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        roll_of([60], [note])


def test_keys_are_read_only_and_not_shared_with_the_caller() -> None:
    source = np.zeros((2, KEY_COUNT), dtype=np.bool_)
    roll = PianoRoll(source)
    source[0, 0] = True
    assert not roll.keys[0, 0]  # the roll copied the writeable input
    with pytest.raises(ValueError):
        roll.keys[0, 0] = True


def test_zero_one_numbers_are_accepted_and_other_values_refused() -> None:
    assert PianoRoll(np.ones((1, KEY_COUNT), dtype=np.float32)).keys.all()
    with pytest.raises(ValueError, match="only 0/1"):
        PianoRoll(np.full((1, KEY_COUNT), 0.5))
    with pytest.raises(ValueError, match=r"\(T, 88\)"):
        PianoRoll(np.zeros((2, 87), dtype=np.bool_))
    with pytest.raises(ValueError, match="step_beats"):
        PianoRoll.empty(1, step_beats=0)
    with pytest.raises(ValueError, match="tempo"):
        PianoRoll.empty(1, tempo=float("nan"))


def test_timing_in_seconds() -> None:
    roll = PianoRoll.empty(8, step_beats=0.5, tempo=120.0)
    assert roll.seconds_per_step == 0.25  # 60 s / 120 bpm * half a beat
    assert roll.duration_seconds == 2.0  # 8 steps * 0.25 s


def test_polyphony_and_key_range() -> None:
    roll = roll_of([60, 64, 67], [48], [])
    assert roll.polyphony.tolist() == [3, 1, 0]
    assert roll.key_range() == (48, 67)
    assert PianoRoll.empty(4).key_range() is None


def test_equality_compares_keys_and_timing_and_rolls_are_unhashable() -> None:
    assert roll_of([60]) == roll_of([60])
    assert roll_of([60]) != roll_of([61])
    assert roll_of([60]) != roll_of([60], step_beats=1.0)
    with pytest.raises(TypeError):
        hash(roll_of([60]))


def test_slicing_keeps_timing_and_integer_indexing_is_refused() -> None:
    roll = roll_of([60], [62], [64], step_beats=0.25, tempo=90.0)
    part = roll[1:]
    assert part.to_notes() == [[62], [64]]
    assert (part.step_beats, part.tempo) == (0.25, 90.0)
    with pytest.raises(TypeError, match="slice"):
        roll[0]  # type: ignore[index]


def test_transpose_shifts_every_note() -> None:
    roll = roll_of([60, 64], [])
    assert roll.transpose(2).to_notes() == [[62, 66], []]
    assert roll.transpose(-12).to_notes() == [[48, 52], []]
    assert roll.transpose(0) is roll


def test_transpose_off_the_keyboard_is_an_error_unless_clipped() -> None:
    roll = roll_of([21, 60])
    with pytest.raises(ValueError, match="off the keyboard"):
        roll.transpose(-1)
    assert roll.transpose(-1, clip=True).to_notes() == [[59]]  # A0 dropped
    assert roll_of([108]).transpose(1, clip=True).to_notes() == [[]]


def test_transpose_range_keeps_notes_on_the_keyboard() -> None:
    assert roll_of([60]).transpose_range() == (-39, 48)  # down to 21, up to 108
    assert roll_of([21], [108]).transpose_range() == (0, 0)
    assert PianoRoll.empty(2).transpose_range() == (-87, 87)


def test_concatenate_joins_rolls_with_the_same_timing() -> None:
    joined = PianoRoll.concatenate([roll_of([60]), roll_of([], [62])])
    assert joined.to_notes() == [[60], [], [62]]
    with pytest.raises(ValueError, match="share step_beats"):
        PianoRoll.concatenate([roll_of([60]), roll_of([60], tempo=100.0)])
    with pytest.raises(ValueError, match="nothing"):
        PianoRoll.concatenate([])


def test_pickled_copy_stays_read_only() -> None:
    roll = PianoRoll.from_notes([[60], [], [64, 67]], step_beats=0.25, tempo=90)
    copy = pickle.loads(pickle.dumps(roll))
    assert copy == roll and not copy.keys.flags.writeable
