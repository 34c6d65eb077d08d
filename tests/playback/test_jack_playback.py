"""The player through real JACK MIDI: a python-rtmidi JACK output, a private jackd on the
dummy driver, and a JACK input that records each message as it arrives.

Timing bounds here are deliberately loose (the test machine is shared and loaded);
benchmarks/playback_jitter.py measures the real figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from musevae.data.pianoroll import PianoRoll
from musevae.playback.output import MidiPortError
from musevae.playback.ports import open_output
from musevae.playback.player import Player, StopReason
from tests.playback.jack import NOTE_ON, Recorder, note_ons, silence_reached, stuck_notes, unique
from tests.support import REPO_ROOT


def sixteen_voices(steps: int) -> PianoRoll:
    """16 keys, voice v holding notes of (v % 4) + 1 steps with one step's rest between."""
    keys = np.zeros((steps, 88), dtype=bool)
    for voice in range(16):
        length = voice % 4 + 1
        for start in range(voice % 3, steps, length + 1):
            keys[start : start + length, 20 + 3 * voice] = True
    return PianoRoll(keys, step_beats=0.25, tempo=120.0)


def test_sixteen_voices_at_120_bpm_pair_up_in_order_and_on_time(recorder, jack_output) -> None:
    roll = sixteen_voices(32)  # 32 sixteenths at 120 BPM: 4 s
    player = Player(jack_output)
    due: dict[int, float] = {}
    player.on_step = lambda i: due.__setitem__(i, player.last_due)
    player.play(roll)
    assert player.wait(30) and player.stop_reason is StopReason.FINISHED
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    messages = recorder.received()
    ons = note_ons(messages)
    offs = [m for _, m in messages if m[0] & 0xF0 == 0x80]
    # Within a step the player sends note-ons lowest key first, and JACK keeps order.
    expected = sorted((int(start), int(key) + 21) for key, start, _ in roll.note_runs())
    assert [m[1] for _, m in ons] == [note for _, note in expected]
    # Voice v has ceil((32 - v % 3) / (v % 4 + 2)) notes: 42 + 41 + 40 + 42 by fours.
    assert len(offs) == len(ons) == 165
    errors = [abs(arrival - due[start]) for (arrival, _), (start, _) in zip(ons, expected)]
    assert np.median(errors) < 0.020, f"median timing error {np.median(errors) * 1000:.1f} ms"
    assert player.late_steps == 0


def long_notes(steps: int = 400, tempo: float = 600.0) -> PianoRoll:
    """Chords held for 8 steps (25 ms steps at 600 BPM), so any stop lands mid-note."""
    chords = [[48, 55, 64], [50, 57, 65], [52, 59, 67]]
    notes = [chords[(t // 8) % 3] for t in range(steps)]
    return PianoRoll.from_notes(notes, step_beats=0.25, tempo=tempo)


def play_until(player: Player, music: PianoRoll, step: int) -> None:
    reached = threading.Event()
    player.on_step = lambda i: reached.set() if i >= step else None
    player.play(music)
    assert reached.wait(10)


def test_stop_mid_note_leaves_nothing_sounding(recorder, jack_output) -> None:
    player = Player(jack_output)
    play_until(player, long_notes(), 12)  # mid-way through the second chord
    player.stop()
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    assert len(note_ons(recorder.received())) == 6


def test_pause_and_seek_mid_note_leave_nothing_sounding(recorder, jack_output) -> None:
    player = Player(jack_output)
    play_until(player, long_notes(), 5)
    player.pause()
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    player.seek(100)
    player.resume()
    reached = threading.Event()
    player.on_step = lambda i: reached.set() if i >= 110 else None
    assert reached.wait(10)
    player.stop()
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())


def test_a_destination_that_vanishes_stops_playback_with_its_notes_released(jack_server) -> None:
    victim, monitor, client = Recorder(), Recorder(), unique("player")
    output = open_output(victim.port, api="jack", client_name=client)
    try:
        monitor.listen_to(f"{client}:out")  # hears everything the player sends
        player = Player(output)
        errors: list[BaseException] = []
        player.on_error = errors.append
        play_until(player, long_notes(), 4)
        victim.close()  # the synth quits: its port leaves the JACK graph mid-note
        assert player.wait(5), "the player did not notice the port had gone"
        assert player.stop_reason is StopReason.ERROR and isinstance(player.error, MidiPortError)
        assert "went away" in str(player.error) and errors == [player.error]
        assert monitor.wait_for(silence_reached, 5), stuck_notes(monitor.received())
    finally:
        output.close()
        monitor.close()


def test_interpreter_exit_mid_note_releases_every_note(recorder) -> None:
    script = (
        "import time\n"
        "from musevae.data.pianoroll import PianoRoll\n"
        "from musevae.playback.ports import open_output\n"
        "from musevae.playback.player import Player\n"
        f"output = open_output({recorder.port!r}, api='jack', client_name='exiting')\n"
        "player = Player(output)\n"
        "player.play(PianoRoll.from_notes([[60, 64]] * 400, 0.25, 600.0))\n"
        "time.sleep(0.5)\n"  # then exit without stopping: the finaliser must silence
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=60)
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    assert [m for _, m in note_ons(recorder.received())] == [(NOTE_ON, 60, 80), (NOTE_ON, 64, 80)]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_endless_play_from_the_sampler_has_no_gaps_and_flat_memory(
    recorder, jack_output, sparse_model
) -> None:
    from musevae.generate import sample
    from musevae.playback.endless import sampled_frames

    player = Player(jack_output, bpm=240.0, step_beats=0.25, lookahead=8)  # 62.5 ms steps
    steps: list[int] = []
    player.on_step = steps.append
    player.play(sampled_frames(sample(sparse_model, None, 1, seed=7)))
    time.sleep(2.0)  # warm-up: allocator caches, JACK buffers
    before, first, started = _rss_bytes(), len(steps), time.perf_counter()
    time.sleep(10.0)
    elapsed, grown = time.perf_counter() - started, _rss_bytes() - before
    played = len(steps) - first
    player.stop()
    assert player.stop_reason is StopReason.STOPPED and player.error is None
    assert steps == list(range(len(steps)))  # every step, in order
    assert player.late_steps == 0  # never a whole step behind: the look-ahead kept up
    assert abs(played - elapsed / 0.0625) <= 2  # a step every 62.5 ms, no stalls
    assert grown < 8 * 2**20, f"memory grew by {grown / 2**20:.1f} MiB in 10 s"
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    assert len(note_ons(recorder.received())) > 100  # about 4 keys a step; most are held
