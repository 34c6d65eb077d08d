"""The metronome: clicks on absolute beats (hand-computed), stop silences at once, the
count-in sets a recording's step 0, and through real JACK ports the clicks arrive in
order on the beat and a keyboard's phrase is recorded from the downbeat."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from musevae.playback.metronome import ACCENT, BEAT, Metronome, clicks
from musevae.playback.midi_in import Listener
from musevae.playback.output import RecordingOutput
from musevae.playback.ports import open_input
from musevae.playback.record import PhraseRecorder
from tests.playback.jack import note_ons, stuck_notes, unique
from tests.playback.test_midi_in import Keyboard

ON, OFF = 0x90, 0x80
DRUM_ON, DRUM_OFF, DRUM_CC = 0x99, 0x89, 0xB9  # channel 10
ALL_OFF = (DRUM_CC, 123, 0)


def test_a_bar_of_count_in_then_a_bar_of_clicks_in_four_four() -> None:
    got = list(clicks(10.0, 120.0, 4, 1, bars=1))  # 120 BPM: a beat every 0.5 s
    assert [c.due for c in got] == [10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5]
    assert [c.note for c in got] == [ACCENT, BEAT, BEAT, BEAT] * 2 == [76, 77, 77, 77] * 2
    assert [c.count_in for c in got] == [4, 3, 2, 1, 0, 0, 0, 0]
    assert [c.beat for c in got] == list(range(8))


def test_two_bars_of_three_four_count_in_only() -> None:
    got = list(clicks(0.0, 90.0, 3, 2, bars=0))  # 90 BPM: 2/3 s a beat
    assert [c.due for c in got] == pytest.approx([0, 2 / 3, 4 / 3, 2, 8 / 3, 10 / 3])
    assert [c.note for c in got] == [76, 77, 77, 76, 77, 77]
    assert [c.count_in for c in got] == [6, 5, 4, 3, 2, 1]


def test_an_endless_click_does_not_drift() -> None:
    # the 10 001st beat is start + 10 000 * 0.5 exactly: a product, not a running sum
    click = next(itertools.islice(clicks(3.0, 120.0, 4, 0), 10_000, None))
    assert click.due == 3.0 + 10_000 * 0.5 and click.count_in == 0 and click.note == ACCENT


@pytest.mark.parametrize("bpm, beats, bars", [(0, 4, 1), (-5, 4, 1), (120, 0, 1), (120, 4, -1)])
def test_bad_settings_are_refused(bpm: float, beats: int, bars: int) -> None:
    with pytest.raises(ValueError):
        Metronome(RecordingOutput(), bpm=bpm, beats_per_bar=beats).start(bars)


def test_a_count_in_clicks_on_time_and_returns_its_downbeat() -> None:
    out = RecordingOutput()
    metronome = Metronome(out, bpm=600.0)  # a beat every 0.1 s
    counted: list[int] = []
    metronome.on_click = lambda click: counted.append(click.count_in)
    downbeat = metronome.start(1)
    assert metronome.wait(10) and metronome.error is None
    assert counted == [4, 3, 2, 1]
    assert out.messages() == [
        (DRUM_ON, 76, 100), (DRUM_OFF, 76, 0), (DRUM_ON, 77, 100), (DRUM_OFF, 77, 0),
        (DRUM_ON, 77, 100), (DRUM_OFF, 77, 0), (DRUM_ON, 77, 100), (DRUM_OFF, 77, 0), ALL_OFF,
    ]  # fmt: skip
    ons = [sent.time for sent in out.sent if sent.message[0] == DRUM_ON]
    offs = [sent.time for sent in out.sent if sent.message[0] == DRUM_OFF]
    due = [downbeat - 0.4 + 0.1 * k for k in range(4)]  # the four beats before it
    assert max(abs(t - d) for t, d in zip(ons, due)) < 0.02, (ons, due)
    assert max(abs(off - on - 0.03) for on, off in zip(ons, offs)) < 0.02  # short clicks


def test_stop_mid_click_silences_at_once_and_no_click_follows() -> None:
    out = RecordingOutput()
    metronome = Metronome(out, bpm=600.0)
    third = threading.Event()
    metronome.on_click = lambda click: click.beat == 2 and third.set()
    metronome.start(0, keep_going=True)  # no count-in: clicks until stopped
    assert third.wait(10)
    began = time.perf_counter()
    metronome.stop()  # the third click sounds (for 30 ms of its 100 ms beat) or just ended
    assert time.perf_counter() - began < 0.05
    assert not metronome.running
    assert out.messages()[-3:] == [(DRUM_ON, 77, 100), (DRUM_OFF, 77, 0), ALL_OFF]
    assert len(out.messages()) == 7  # two whole clicks, the third, the CC 123
    time.sleep(0.25)
    assert len(out.messages()) == 7


def test_a_count_in_puts_step_0_on_the_downbeat() -> None:
    # 120 BPM in eighths: a step is 0.25 s; the count-in ends on the downbeat at t = 10
    recorder = PhraseRecorder(8, bpm=120.0, step_beats=0.5, downbeat=10.0)
    assert len(recorder.roll(now=9.0)) == 0  # nothing yet during the count-in
    recorder.feed(9.5, (ON, 60, 90))  # 2 steps early: played while counting, dropped
    recorder.feed(9.7, (OFF, 60, 0))
    recorder.feed(9.85, (ON, 64, 90))  # 0.6 of a step early: dropped, held into the bar
    recorder.feed(9.9, (ON, 62, 90))  # 0.4 of a step early: snaps to step 0
    recorder.feed(10.3, (OFF, 64, 0))  # the dropped note's note-off: ignored
    recorder.feed(10.45, (OFF, 62, 0))  # 1.8 -> step 2: 62 sounded on steps 0-1
    recorder.feed(10.76, (ON, 64, 90))  # 3.04 -> step 3: 64 again, now in the phrase
    recorder.feed(11.0, (OFF, 64, 0))  # step 4
    assert recorder.phrase().to_notes() == [[62], [62], [], [64]]
    assert recorder.silence(11.5) == 0.5
    assert recorder.finished(12.0) and not recorder.finished(11.99)  # 8 steps from t = 10


def test_with_a_count_in_a_phrase_waits_for_its_first_note() -> None:
    recorder = PhraseRecorder(8, bpm=120.0, step_beats=0.5, downbeat=10.0)
    recorder.feed(9.0, (ON, 60, 90))  # held through the count-in and released after it
    recorder.feed(10.5, (OFF, 60, 0))
    assert recorder.silence(20.0) == 0.0 and len(recorder.phrase()) == 0  # not begun
    assert recorder.roll(now=10.6).to_notes() == [[], [], []]  # the bar is running
    recorder.feed(10.75, (ON, 67, 90))  # the first note of the phrase, on step 3
    recorder.feed(11.0, (OFF, 67, 0))
    assert recorder.phrase().to_notes() == [[], [], [], [67]]


def test_the_clicks_reach_a_jack_port_in_order_and_on_the_beat(recorder, jack_output) -> None:
    metronome = Metronome(jack_output, bpm=300.0)  # a beat every 0.2 s
    metronome.start(2)
    assert metronome.wait(10) and metronome.error is None
    assert recorder.wait_for(lambda got: len(note_ons(got)) == 8 and not stuck_notes(got), 10)
    heard = note_ons(recorder.received())
    bar = [(DRUM_ON, ACCENT, 100)] + [(DRUM_ON, BEAT, 100)] * 3
    assert [message for _, message in heard] == bar * 2
    gaps = [later - earlier for (earlier, _), (later, _) in zip(heard, heard[1:])]
    assert all(abs(gap - 0.2) < 0.06 for gap in gaps), gaps  # JACK periods are 5 ms
    assert abs(heard[-1][0] - heard[0][0] - 7 * 0.2) < 0.06  # and no drift over the bars


def test_a_listener_records_from_the_downbeat_of_a_count_in(recorder, jack_output) -> None:
    keyboard = Keyboard()
    source = open_input(keyboard.client, api="jack", client_name=unique("musevae"))
    listener = Listener(source)
    time.sleep(0.3)  # let the new clients' connections settle before timing notes
    metronome = Metronome(jack_output, bpm=240.0)  # a beat every 0.25 s
    downbeat = metronome.start(1)
    step = 0.125  # eighths at 240 BPM
    take = listener.start(64, bpm=240.0, step_beats=0.5, downbeat=downbeat)
    for steps, *message in [(-2.4, ON, 60, 90), (-0.25, ON, 62, 90), (1, OFF, 60, 0),
                            (2, OFF, 62, 0), (4, ON, 64, 90), (6, OFF, 64, 0)]:  # fmt: skip
        time.sleep(max(0.0, downbeat + steps * step - time.perf_counter()))
        keyboard.send(*message)
    played = listener.phrase(take, silence=0.3)
    # 60 came during the count-in and is left out; 62, a quarter step early, is step 0
    assert played.roll.to_notes() == [[62], [62], [], [], [64], [64]]
    assert metronome.wait(5) and recorder.wait_for(lambda got: len(note_ons(got)) == 4, 5)
    first_click = note_ons(recorder.received())[0][0]
    assert abs(downbeat - 4 * 0.25 - first_click) < 0.05  # the downbeat is the fifth beat
    source.close()
    keyboard.unplug()
