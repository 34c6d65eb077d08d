"""The player's logic against the in-process recording output (no MIDI system needed).

Tempos are fast so each test takes a fraction of a second; nothing here asserts how
late a message was, only what was sent and in which order.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from musevae.data.pianoroll import PianoRoll
from musevae.playback.output import MidiPortError, RecordingOutput
from musevae.playback.player import Player, StopReason

ON, OFF, ALL_OFF, PROGRAM = 144, 128, (176, 123, 0), (192, 0)


def fast(notes: list[list[int]], tempo: float = 3000.0) -> PianoRoll:
    """Sixteenth-note steps; at 3000 BPM a step lasts 5 ms."""
    return PianoRoll.from_notes(notes, step_beats=0.25, tempo=tempo)


def played(player: Player, music, **options) -> list[int]:
    steps: list[int] = []
    hook = player.on_step
    player.on_step = lambda i: (steps.append(i), hook(i))
    player.play(music, **options)
    assert player.wait(10), "playback did not end"
    return steps


def test_a_roll_plays_each_held_note_once_with_offs_before_ons() -> None:
    out = RecordingOutput()
    player = Player(out)
    finished = []
    player.on_finish = lambda: finished.append(True)
    steps = played(player, fast([[60, 64], [60], [62], [], [65]]))
    assert steps == [0, 1, 2, 3, 4]
    assert out.messages() == [
        PROGRAM,
        (ON, 60, 80), (ON, 64, 80),  # step 0
        (OFF, 64, 0),  # step 1: 60 is held
        (OFF, 60, 0), (ON, 62, 80),  # step 2: the off comes first
        (OFF, 62, 0),  # step 3: rest
        (ON, 65, 80),  # step 4
        (OFF, 65, 0), ALL_OFF,  # the end
    ]  # fmt: skip
    assert player.stop_reason is StopReason.FINISHED and finished == [True]


def test_channel_program_and_velocity_are_used() -> None:
    out = RecordingOutput()
    played(Player(out, channel=3, program=40, velocity=100), fast([[60]]))
    assert out.messages() == [(195, 40), (147, 60, 100), (131, 60, 0), (179, 123, 0)]


def test_stop_from_another_thread_silences_at_once() -> None:
    out = RecordingOutput()
    player = Player(out)
    reached = threading.Event()
    player.on_step = lambda i: reached.set() if i == 3 else None
    player.play(fast([[60, 67]] * 1000))
    assert reached.wait(10)
    player.stop()
    assert player.state == "stopped" and player.stop_reason is StopReason.STOPPED
    assert out.messages() == [
        PROGRAM, (ON, 60, 80), (ON, 67, 80), (OFF, 60, 0), (OFF, 67, 0), ALL_OFF
    ]  # fmt: skip
    assert player.sounding() == {}


def test_pause_silences_and_resume_strikes_held_notes_again() -> None:
    out = RecordingOutput()
    player = Player(out)
    paused = threading.Event()

    def on_step(index: int) -> None:
        if index == 2:
            player.pause()
            paused.set()

    player.on_step = on_step
    player.play(fast([[60]] * 6))
    assert paused.wait(10)
    while player.state != "paused":
        threading.Event().wait(0.005)
    assert out.messages() == [PROGRAM, (ON, 60, 80), (OFF, 60, 0), ALL_OFF]
    assert player.position == 2
    player.on_step = lambda i: None
    player.resume()
    assert player.wait(10)
    assert out.messages()[4:] == [(ON, 60, 80), (OFF, 60, 0), ALL_OFF]


def test_seek_releases_and_continues_from_the_new_step() -> None:
    out = RecordingOutput()
    player = Player(out)
    player.on_step = lambda i: player.seek(5) if i == 1 else None
    steps = played(player, fast([[60 + k] for k in range(8)]))
    assert steps == [0, 1, 5, 6, 7]
    assert out.messages() == [
        PROGRAM, (ON, 60, 80), (OFF, 60, 0), (ON, 61, 80),
        (OFF, 61, 0), ALL_OFF,  # the seek
        (ON, 65, 80), (OFF, 65, 0), (ON, 66, 80), (OFF, 66, 0), (ON, 67, 80),
        (OFF, 67, 0), ALL_OFF,
    ]  # fmt: skip


def test_loop_wrap_releases_then_starts_again() -> None:
    out = RecordingOutput()
    player = Player(out)
    starts = []

    def on_step(index: int) -> None:
        starts.append(index)
        if starts.count(0) == 2:
            player.stop()  # from the player's own thread: must not wait for itself

    player.on_step = on_step
    player.play(fast([[60], [60], [62]]), loop=True)
    assert player.wait(10)
    assert starts == [0, 1, 2, 0]
    assert out.messages() == [
        PROGRAM, (ON, 60, 80), (OFF, 60, 0), (ON, 62, 80),
        (OFF, 62, 0), ALL_OFF, (ON, 60, 80),  # the wrap: 60 is struck afresh
        (OFF, 60, 0), ALL_OFF,
    ]  # fmt: skip


def test_a_hook_that_raises_stops_playback_and_is_reported() -> None:
    out = RecordingOutput()
    player = Player(out)
    reported: list[BaseException] = []
    player.on_error = reported.append

    def on_step(index: int) -> None:
        if index == 1:
            raise RuntimeError("the GUI broke")

    player.on_step = on_step
    played(player, fast([[60]] * 10))
    assert player.stop_reason is StopReason.ERROR
    assert reported == [player.error] and str(player.error) == "the GUI broke"
    assert out.messages()[-2:] == [(OFF, 60, 0), ALL_OFF]


def test_a_port_that_fails_mid_play_stops_with_the_port_error() -> None:
    out = RecordingOutput(fail_after=4)  # program, 60 on, 60 off, 62 on, then unplugged
    player = Player(out)
    reported: list[BaseException] = []
    player.on_error = reported.append
    played(player, fast([[60], [62], [64], [65]]))
    assert player.stop_reason is StopReason.ERROR
    assert isinstance(player.error, MidiPortError) and reported == [player.error]
    assert player.sounding() == {}  # nothing is believed to sound on a dead port


class VanishingOutput(RecordingOutput):
    """Sending still works but the destination is gone, as with JACK or ALSA."""

    gone = False

    def check(self) -> None:
        if self.gone:
            raise MidiPortError("the port went away")


def test_a_vanished_port_is_noticed_by_the_check() -> None:
    out = VanishingOutput()
    player = Player(out)
    player.on_step = lambda i: setattr(out, "gone", True) if i == 2 else None
    played(player, fast([[60]] * 2000))  # 10 s if the check never fired
    assert player.stop_reason is StopReason.ERROR and str(player.error) == "the port went away"
    assert out.messages()[-2:] == [(OFF, 60, 0), ALL_OFF]


def test_tempo_changes_at_the_next_step_and_due_times_never_drift() -> None:
    out = RecordingOutput()
    player = Player(out)
    due: list[float] = []

    def on_step(index: int) -> None:
        due.append(player.last_due)
        if index == 3:
            player.bpm = 300.0

    player.on_step = on_step
    played(player, fast([[60]] * 8, tempo=150.0))  # 0.1 s steps, then 0.05 s
    assert player.late_steps == 0
    expected = [due[0] + 0.1 * k for k in range(4)] + [due[3] + 0.05 * k for k in range(1, 5)]
    assert due == pytest.approx(expected, abs=1e-9)


def frames(notes: list[list[int]]) -> list[np.ndarray]:
    return list(fast(notes).keys)


def test_a_stream_plays_in_order_and_is_closed_at_its_end() -> None:
    closed = threading.Event()

    def stream():
        try:
            yield from frames([[60], [60], [], [62]])
        finally:
            closed.set()

    out = RecordingOutput()
    player = Player(out, bpm=3000.0)
    assert played(player, stream()) == [0, 1, 2, 3]
    assert out.messages() == [
        PROGRAM, (ON, 60, 80), (OFF, 60, 0), (ON, 62, 80), (OFF, 62, 0), ALL_OFF
    ]  # fmt: skip
    assert closed.is_set()


def test_stopping_an_endless_stream_closes_its_generator() -> None:
    closed = threading.Event()

    def endless():
        try:
            while True:
                yield from frames([[60], [64]])
        finally:
            closed.set()

    player = Player(RecordingOutput(), bpm=3000.0)
    reached = threading.Event()
    player.on_step = lambda i: reached.set() if i == 20 else None
    player.play(endless())
    assert reached.wait(10)
    player.stop()
    assert closed.wait(5)


def test_a_stream_of_the_wrong_shape_is_a_clear_error() -> None:
    player = Player(RecordingOutput())
    played(player, iter([np.zeros(12, dtype=bool)]))
    assert player.stop_reason is StopReason.ERROR and "sampled_frames" in str(player.error)


def test_bad_requests_are_refused() -> None:
    player = Player(RecordingOutput())
    with pytest.raises(ValueError, match="channel"):
        Player(RecordingOutput(), channel=16)
    with pytest.raises(ValueError, match="tempo"):
        player.bpm = 0
    with pytest.raises(ValueError, match="loop"):
        player.play(iter([]), loop=True)
    player.play(fast([[60]] * 3))
    with pytest.raises(ValueError, match="outside"):
        player.seek(3)
    player.close()
    with pytest.raises(RuntimeError, match="closed"):
        player.play(fast([[60]]))
