from __future__ import annotations

import itertools
import queue
import threading

import numpy as np
import pytest

from musevae.generate import GeneratedStep
from musevae.playback.endless import LookAhead, sampled_frames
from musevae.playback.output import RecordingOutput
from musevae.playback.player import Player, StopReason


def counting(produced: list[int], closed: threading.Event):
    try:
        for i in itertools.count():
            produced.append(i)
            yield i
    finally:
        closed.set()


def test_the_buffer_runs_at_most_its_size_ahead_and_close_closes_the_source() -> None:
    produced: list[int] = []
    closed = threading.Event()
    buffer = LookAhead(counting(produced, closed), size=4)
    assert [buffer.get(timeout=5) for _ in range(3)] == [0, 1, 2]
    threading.Event().wait(0.2)  # give the filler every chance to run ahead
    # 3 taken + 4 waiting + 1 in the filler's hand, blocked on the full queue
    assert len(produced) <= 3 + 4 + 1 and buffer.ready() == 4
    assert buffer.close() and closed.is_set() and buffer.closed


def test_the_end_and_errors_of_the_source_reach_the_consumer() -> None:
    buffer = LookAhead(iter([1, 2]), size=2)
    assert buffer.get(timeout=5) == 1 and buffer.get(timeout=5) == 2
    with pytest.raises(StopIteration):
        buffer.get(timeout=5)
    with pytest.raises(StopIteration):  # and stays at the end
        buffer.get(timeout=5)

    def failing():
        yield 1
        raise RuntimeError("the model diverged")

    buffer = LookAhead(failing(), size=2)
    assert buffer.get(timeout=5) == 1
    with pytest.raises(RuntimeError, match="diverged"):
        buffer.get(timeout=5)


def test_an_empty_buffer_times_out_instead_of_blocking_forever() -> None:
    gate = threading.Event()

    def slow():
        gate.wait()
        yield 1

    buffer = LookAhead(slow(), size=2)
    with pytest.raises(queue.Empty):
        buffer.get(timeout=0.05)
    gate.set()
    assert buffer.get(timeout=5) == 1
    buffer.close()


def test_sampled_frames_takes_one_candidate_and_closes_the_sampler() -> None:
    closed = threading.Event()

    def sampler():
        try:
            for index in itertools.count():
                notes = np.zeros((2, 88), dtype=bool)
                notes[1, index % 88] = True  # candidate 1 walks up the keyboard
                probs = np.zeros((2, 88), np.float32)
                yield GeneratedStep(index, notes, probs, np.zeros(2), None, None)
        finally:
            closed.set()

    frames = sampled_frames(sampler(), candidate=1)
    assert [int(np.flatnonzero(next(frames))[0]) for _ in range(3)] == [0, 1, 2]
    frames.close()
    assert closed.is_set()


def test_a_stream_that_fails_stops_the_player_with_its_error() -> None:
    def failing():
        yield np.eye(88, dtype=bool)[39]  # middle C
        raise RuntimeError("the model diverged")

    out = RecordingOutput()
    player = Player(out, bpm=3000.0)
    player.play(failing())
    assert player.wait(10)
    assert player.stop_reason is StopReason.ERROR and str(player.error) == "the model diverged"
    assert out.messages() == [(192, 0), (144, 60, 80), (128, 60, 0), (176, 123, 0)]
